// Small enhancements; every page works without them.
"use strict";

// Ask before destructive or far-reaching actions (forms marked data-confirm).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Warn before leaving the editor with edits that were not saved.
let dirty = null;
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-watch]");
  if (form) {
    dirty = form;
    form.classList.add("is-dirty");
  }
});
document.addEventListener("submit", () => { dirty = null; });
window.addEventListener("beforeunload", (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = "";
  }
});
