/* Installs the service worker that keeps the specialist's pages available without a signal. */
(function () {
  "use strict";
  var script = document.currentScript;
  var worker = script && script.dataset.worker;
  if (!worker || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {
      /* No worker (private mode, an old browser): the pages still work online. */
    });
  });
})();
