// Small behaviours declared in the HTML with data-* attributes, so that the
// Content-Security-Policy can forbid inline event handlers (onclick="...").
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) { window.print(); return; }
    if (target.closest("[data-history-back]")) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("change", function (e) {
    var target = e.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  }, true);
})();
