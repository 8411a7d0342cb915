// The workbench's few behaviours, all optional: every page works without them.
(function () {
  "use strict";
  var LARGE = "large-text";
  var KEY = "text_size"; // the same name for the cookie (the server renders the class from it) and localStorage

  function remember(large) {
    var value = large ? "large" : "normal";
    try { window.localStorage.setItem(KEY, value); } catch (ignored) { /* private mode: the cookie remains */ }
    document.cookie = KEY + "=" + value + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function setLarge(large, button) {
    document.documentElement.classList.toggle(LARGE, large);
    if (button) { button.setAttribute("aria-pressed", large ? "true" : "false"); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // 大字号 / large text: a switch in the header, kept in localStorage and in a cookie.
    var button = document.querySelector("[data-text-size]");
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (ignored) { /* no storage */ }
    if (stored === "large" && !document.documentElement.classList.contains(LARGE)) {
      setLarge(true, button);
      remember(true); // the cookie was lost (cleared, or another browser profile): the server renders it again
    }
    if (button) {
      button.hidden = false;
      setLarge(document.documentElement.classList.contains(LARGE), button);
      button.addEventListener("click", function () {
        var large = !document.documentElement.classList.contains(LARGE);
        setLarge(large, button);
        remember(large);
      });
    }

    // After a refused submit the server marks the first error: move focus there so it is announced.
    var error = document.querySelector("[data-focus-on-load]");
    if (error) {
      var details = error.closest("details");
      if (details) { details.open = true; }
      error.focus();
      if (error.scrollIntoView) { error.scrollIntoView({ block: "center" }); }
    }
  });

  // A link in an error summary puts focus on the field it names (a fieldset: its first choice).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".notice.error a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var details = target.closest("details");
    if (details) { details.open = true; }
    (target.tagName === "FIELDSET" ? target.querySelector("input, select, textarea") || target : target).focus();
  });

  // Escape folds an open move form and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var details = document.activeElement && document.activeElement.closest("details[open]");
    if (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary) { summary.focus(); }
    }
  });
}());
