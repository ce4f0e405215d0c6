// Visit-note editor: autosave coordination, snippets, conflict display.
// Loaded only on note pages; no inline scripts anywhere.
(function () {
  "use strict";

  const form = document.getElementById("note-form");
  let lastField = null;
  let inflight = 0;
  let submitting = false;
  let pendingSubmitter = null;

  // Remember the S/O/A/P box the therapist was last typing in, for snippets.
  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("textarea[data-snippet-target]")) {
      lastField = event.target;
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".kc-snippet");
    if (!button) return;
    event.preventDefault();
    const field = lastField || (form && form.querySelector("textarea[data-snippet-target]"));
    if (!field) return;
    const text = button.dataset.snippet || "";
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? field.value.length;
    const before = field.value.slice(0, start);
    const spacer = before && !/\s$/.test(before) ? " " : "";
    field.value = before + spacer + text + field.value.slice(end);
    const caret = (before + spacer + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Show the server's refusal (400 invalid, 409 conflict/locked, 403) instead of dropping it.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  if (!form) return;

  // Health-screen re-check: "yes" shows the link to record a new screen.
  const screenSelect = form.querySelector("select[name=screen_changed]");
  const screenLink = document.getElementById("screen-recheck-link");
  if (screenSelect && screenLink) {
    const sync = () => { screenLink.hidden = screenSelect.value !== screenLink.dataset.showWhen; };
    screenSelect.addEventListener("change", sync);
    sync();
  }

  // Autosave requests are background requests; a full submit (save, sign,
  // template) waits for one in flight so it carries the newest version number.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt === form) {
      if (submitting) {
        event.preventDefault();
        return;
      }
      inflight += 1;
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt !== form) return;
    inflight = Math.max(0, inflight - 1);
    if (inflight === 0 && pendingSubmitter) {
      const submitter = pendingSubmitter;
      pendingSubmitter = null;
      submitting = true;
      form.requestSubmit(submitter);
    }
  });
  form.addEventListener("submit", (event) => {
    if (inflight > 0) {
      event.preventDefault();
      pendingSubmitter = event.submitter || null;
      return;
    }
    submitting = true;
  });
})();
