/* The visit page on a phone with a weak signal.

   Every submission gets a key made here (a UUID). The visit is written to this phone (IndexedDB) before it
   is sent; it leaves the phone only when the server has answered that it is recorded. Without a signal it
   stays, shown as "saved on this phone, not yet sent", and is sent when the connection returns. Sending the
   same key twice is harmless: the server answers a repeat with the visit the first one recorded. */
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  var outbox = document.getElementById("outbox");
  if (!form || !outbox) return;
  var list = outbox.querySelector(".outbox-list");
  var keyField = form.elements.namedItem("client_key");
  var text = outbox.dataset;
  var DB_NAME = "jiangjin-visits";
  var STORE = "outbox";
  var flushing = false;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ------------------------------------------------------------------ the phone's outbox (IndexedDB) */

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result && result.result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function save(record) { return withStore("readwrite", function (store) { return store.put(record); }); }
  function forget(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }
  function all() { return withStore("readonly", function (store) { return store.getAll(); }); }

  /* ------------------------------------------------------------------ sending */

  function csrfToken(record) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : record.csrf;
  }

  function send(record) {
    var body = new FormData();
    record.entries.forEach(function (entry) {
      if (entry[0] !== "csrfmiddlewaretoken") body.append(entry[0], entry[1]);
    });
    var token = csrfToken(record);
    body.append("csrfmiddlewaretoken", token);
    return fetch(record.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    }).then(function (response) {
      if (response.status === 201) {
        return response.json().then(function (data) { return { sent: true, url: data.url }; });
      }
      if (response.status === 400) {
        return response.json().then(function (data) { return { refused: true, errors: data.errors || {} }; });
      }
      return { waiting: true }; // signed out, a server error: keep it and try again later
    }, function () {
      return { waiting: true }; // no signal, or the answer was lost: the key makes a retry safe
    });
  }

  /* ------------------------------------------------------------------ what the page shows */

  function item(record) {
    var li = document.createElement("li");
    li.className = "outbox-item";
    li.dataset.key = record.key;
    var what = document.createElement("span");
    what.textContent = (record.label || text.untitled) + " · " + new Date(record.savedAt).toLocaleString();
    var state = document.createElement("strong");
    state.className = "outbox-state";
    li.appendChild(what);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(state);
    return li;
  }

  function show(record, state, detail) {
    outbox.hidden = false;
    var li = list.querySelector('[data-key="' + record.key + '"]');
    if (!li) {
      li = item(record);
      list.appendChild(li);
    }
    var label = li.querySelector(".outbox-state");
    li.className = "outbox-item outbox-" + state;
    Array.prototype.slice.call(li.querySelectorAll("a, button, ul")).forEach(function (node) { node.remove(); });
    if (state === "sent") {
      label.textContent = "";
      var link = document.createElement("a");
      link.href = detail;
      link.textContent = text.sent;
      li.appendChild(link);
    } else if (state === "refused") {
      label.textContent = text.refused;
      var errors = document.createElement("ul");
      Object.keys(detail || {}).forEach(function (field) {
        detail[field].forEach(function (message) {
          var error = document.createElement("li");
          error.textContent = message;
          errors.appendChild(error);
        });
      });
      li.appendChild(errors);
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link-button";
      discard.textContent = text.discard;
      discard.addEventListener("click", function () {
        forget(record.key).then(function () { li.remove(); });
      });
      li.appendChild(discard);
    } else {
      label.textContent = state === "sending" ? text.sending : text.pending;
      if (state === "pending") {
        var now = document.createElement("button");
        now.type = "button";
        now.className = "link-button";
        now.textContent = text.sendNow;
        now.addEventListener("click", flush);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(now);
      }
    }
  }

  function deliver(record) {
    show(record, "sending");
    return send(record).then(function (outcome) {
      if (outcome.sent) {
        return forget(record.key).then(function () { show(record, "sent", outcome.url); return outcome; });
      }
      if (outcome.refused) {
        record.refused = outcome.errors;
        return save(record).then(function () { show(record, "refused", outcome.errors); return outcome; });
      }
      show(record, "pending");
      return outcome;
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return all()
      .then(function (records) {
        return records.reduce(function (chain, record) {
          if (record.refused) {
            show(record, "refused", record.refused);
            return chain;
          }
          return chain.then(function () { return deliver(record); });
        }, Promise.resolve());
      })
      .catch(function () { /* the next 'online' tries again */ })
      .then(function () { flushing = false; });
  }

  function listSaved() {
    return all().then(function (records) {
      records.forEach(function (record) {
        if (record.refused) show(record, "refused", record.refused);
        else show(record, "pending");
      });
    }).catch(function () { /* no IndexedDB: nothing was kept */ });
  }

  /* ------------------------------------------------------------------ the form */

  // A page served from the phone's cache carries an old key: each new visit gets its own. A page the
  // server sent back with errors keeps the key of the submission it belongs to.
  if (keyField && (form.dataset.bound !== "1" || !keyField.value)) keyField.value = uuid4();

  var chosen = new URLSearchParams(window.location.search).get("enterprise");
  if (chosen && form.dataset.bound !== "1" && form.elements.namedItem("enterprise")) {
    form.elements.namedItem("enterprise").value = chosen;
  }

  var rows = document.getElementById("problem-rows");
  var template = document.getElementById("problem-template");
  var add = document.getElementById("add-problem");
  var total = form.elements.namedItem("problems-TOTAL_FORMS");
  if (rows && template && add && total) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, textarea, input");
      if (first) first.focus();
    });
  }

  function label() {
    var select = form.elements.namedItem("enterprise");
    return select && select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
  }

  form.addEventListener("submit", function (event) {
    if (!window.indexedDB || !window.fetch || !window.Promise) return; // a plain form post
    event.preventDefault();
    var data = new FormData(form);
    var record = {
      key: keyField.value,
      url: form.action,
      entries: Array.from(data.entries()),
      csrf: data.get("csrfmiddlewaretoken"),
      label: label(),
      savedAt: Date.now(),
    };
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    save(record)
      .then(function () { return navigator.onLine ? send(record) : { waiting: true }; })
      .then(function (outcome) {
        if (outcome.sent) {
          return forget(record.key).then(function () { window.location.assign(outcome.url); });
        }
        if (outcome.refused) {
          // The server shows what to correct beside each field: post the form as it is.
          return forget(record.key).then(function () { HTMLFormElement.prototype.submit.call(form); });
        }
        show(record, "pending");
        form.reset();
        keyField.value = uuid4();
        if (button) button.disabled = false;
        outbox.scrollIntoView({ block: "start" });
        return undefined;
      })
      .catch(function () {
        // IndexedDB refused (storage full, private mode): fall back to the plain post.
        HTMLFormElement.prototype.submit.call(form);
      });
  });

  window.addEventListener("online", flush);
  listSaved().then(flush);
})();
