// The score grid. Each row is a form that htmx posts when one of its cells changes; this
// file only fits htmx to the strict Content Security Policy, lets it show refused values,
// and spreads a column pasted from Excel over the following rows.
(function () {
  "use strict";

  if (window.htmx) {
    // htmx would add an inline <style>, copy style attributes while settling a swap, and
    // may evaluate attributes: the CSP forbids all three.
    htmx.config.includeIndicatorStyles = false;
    htmx.config.attributesToSettle = ["class", "width", "height"];
    htmx.config.allowEval = false;
    htmx.config.allowScriptTags = false;
    // A refused value (422) or a row changed by someone else (409) is an answer to show.
    htmx.config.responseHandling = [
      { code: "409", swap: true },
      { code: "422", swap: true },
    ].concat(htmx.config.responseHandling);
  }

  // Excel copies a column as lines ("7,5\r\n8\r\n"): one line per following input of the
  // same column, skipping locked cells; each filled input saves its row as if typed.
  document.addEventListener("paste", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.pasteColumn) {
      return;
    }
    const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    if (lines.length < 2) {
      return; // a single value: let the browser paste it
    }
    event.preventDefault();
    const selector = 'input[data-paste-column="' + input.dataset.pasteColumn + '"]:not([disabled])';
    const column = Array.from(document.querySelectorAll(selector));
    const start = column.indexOf(input);
    lines.forEach(function (line, offset) {
      const target = column[start + offset];
      if (target) {
        target.value = line.split("\t")[0].trim();
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
