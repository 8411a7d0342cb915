// The workbench's few behaviours, all optional: every page works without them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused submit the server marks the first error: move focus there so it is announced.
    var error = document.querySelector("[data-focus-on-load]");
    if (error) {
      var details = error.closest("details");
      if (details) { details.open = true; }
      error.focus();
      if (error.scrollIntoView) { error.scrollIntoView({ block: "center" }); }
    }
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
