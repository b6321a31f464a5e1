// Small enhancements; every page works without them.
"use strict";

// Ask before destructive or far-reaching actions (forms marked data-confirm). A yes to a
// question the server asks too (publishing over a newer version: data-confirm-field) is sent
// with the form, so it is asked once; without this script the server's page asks.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset && form.dataset.confirm;
  if (!message) {
    return;
  }
  if (!window.confirm(message)) {
    event.preventDefault();
    return;
  }
  const field = form.dataset.confirmField;
  if (field && !form.elements[field]) {
    const answer = document.createElement("input");
    answer.type = "hidden";
    answer.name = field;
    answer.value = form.dataset.confirmValue;
    form.appendChild(answer);
  }
});

// The result of the form just sent: focus its message, or the field an error is about (which
// the message describes), so a screen reader reads it; the page loaded with focus nowhere.
// Once loaded: going to the page's #anchor (the item acted on) moves focus to the page itself.
window.addEventListener("load", () => {
  const target = document.querySelector("[data-focus]");
  if (target) {
    target.focus();
  }
});

// Warn before leaving the editor with edits that were not saved, and say which form has them
// in words (its .dirty-note, a status), not by its coloured edge alone.
let dirty = null;
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-watch]");
  if (form) {
    dirty = form;
    if (!form.classList.contains("is-dirty")) {
      form.classList.add("is-dirty");
      const note = form.querySelector(".dirty-note");
      if (note) {
        note.textContent = "Unsaved changes";
      }
    }
  }
});
document.addEventListener("submit", () => { dirty = null; });
window.addEventListener("beforeunload", (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = "";
  }
});
