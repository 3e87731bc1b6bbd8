// Warn before leaving a page whose form[data-warn-unsaved] holds changes not yet saved.
// Submitting a form is saving it: its own changes no longer count.
(function () {
  "use strict";
  const dirty = new Set();
  for (const form of document.querySelectorAll("form[data-warn-unsaved]")) {
    const mark = () => dirty.add(form);
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", () => dirty.clear());
    // A form shown back with its errors holds what was typed and not saved.
    if (form.querySelector(".errorlist, .form-error")) dirty.add(form);
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
