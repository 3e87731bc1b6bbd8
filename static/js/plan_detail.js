// The plan page: fold and unfold the areas of the criteria table.
// Without this script every row stays visible and the fold buttons stay hidden.
"use strict";

(() => {
  const table = document.querySelector("table.plan-table");
  if (!table) return;
  const toggles = [...table.querySelectorAll("button.area-toggle")];

  const setOpen = (toggle, open) => {
    toggle.setAttribute("aria-expanded", String(open));
    const area = document.getElementById(toggle.getAttribute("aria-controls"));
    if (area) area.classList.toggle("is-folded", !open);
  };

  for (const toggle of toggles) {
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
    });
  }
  for (const button of document.querySelectorAll("button[data-areas]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = button.dataset.areas === "open";
      for (const toggle of toggles) setOpen(toggle, open);
    });
  }

  // A link to a row (the warnings list links to each row) unfolds the row's area first.
  const revealTarget = () => {
    const row = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const toggle = row && row.closest("tbody")?.querySelector("button.area-toggle");
    if (!toggle) return;
    setOpen(toggle, true);
    row.scrollIntoView({ block: "center" });
  };
  window.addEventListener("hashchange", revealTarget);
  revealTarget();
})();
