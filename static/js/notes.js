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

  // Technique and region chips: a click (or Enter/Space) picks that choice in the full select.
  const syncChips = (select) => {
    document.querySelectorAll('.kc-chip[data-kc-chip-for="' + select.id + '"]').forEach((chip) => {
      chip.setAttribute("aria-pressed", String(chip.dataset.value === select.value));
    });
  };
  document.addEventListener("click", (event) => {
    const chip = event.target.closest(".kc-chip");
    if (!chip) return;
    const select = document.getElementById(chip.dataset.kcChipFor);
    if (!select) return;
    select.value = chip.dataset.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("#treatment-form select")) syncChips(event.target);
  });

  // Enter on a segmented button adds the row, as it does in the text fields.
  document.addEventListener("keydown", (event) => {
    const radio = event.target;
    if (event.key !== "Enter" || !radio.matches || !radio.matches("#treatment-form input[type=radio]")) return;
    event.preventDefault();
    radio.form.requestSubmit(document.getElementById("add-treatment"));
  });

  // After a row is added, the keyboard is back at the start of the row form (or at the
  // first field the server refused) for the next row.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const config = event.detail.requestConfig;
    const section = document.getElementById("treatments");
    if (!section || !config || !config.elt || config.elt.id !== "treatment-form") return;
    const invalid = section.querySelector("#treatment-form .invalid-feedback");
    const target = invalid
      ? invalid.closest("div, fieldset").querySelector("input:not([type=hidden]), select, textarea, button")
      : section.querySelector("#treatment-form .kc-chip, #id_t-technique");
    if (target) target.focus();
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

  // "Reviewed" on a carried-forward field: the field's name goes into the note form as a
  // hidden "reviewed" value and the form saves at once. The form is the only element that
  // autosaves, so htmx queues the review behind a save in flight instead of dropping it
  // when that save's answer replaces the card. Until the server confirms, a reviewed field
  // stays out of the card even if an older answer still lists it.
  let reviewedIndex = -1;
  // The "Reviewed" button the keyboard is on, if any. An autosave answer that replaces the
  // card (sent before the therapist reached it) takes that button out of the page; the
  // focus goes back to the same field's new button, so Enter still reviews it.
  let cardFocus = null;
  document.addEventListener("focusin", (event) => {
    const card = document.getElementById("carried-card");
    const target = event.target;
    if (card && card.contains(target) && target.name === "reviewed") {
      const buttons = Array.from(card.querySelectorAll("button[name=reviewed]"));
      cardFocus = { value: target.value, index: buttons.indexOf(target) };
    } else {
      cardFocus = null;
    }
  });
  const reviewedNames = () =>
    new Set(Array.from(form.querySelectorAll("input[type=hidden][name=reviewed]"), (input) => input.value));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("#carried-card button[data-kc-review]");
    if (!button || !window.htmx) return;
    event.preventDefault();
    reviewedIndex = Array.from(document.querySelectorAll("#carried-card button[name=reviewed]")).indexOf(button);
    if (!reviewedNames().has(button.value)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "reviewed";
      input.value = button.value;
      form.appendChild(input);
    }
    window.htmx.trigger(form, "kc-review");
    syncCarried();
  });
  const syncCarried = () => {
    const card = document.getElementById("carried-card");
    if (!card) return;
    const done = reviewedNames();
    card.querySelectorAll("[data-kc-carried]").forEach((li) => {
      if (done.has(li.dataset.kcCarried)) li.remove();
    });
    if (!card.querySelector("[data-kc-carried]")) card.hidden = true;
    const still = new Set(Array.from(card.querySelectorAll("[data-kc-carried]"), (li) => li.dataset.kcCarried));
    form.querySelectorAll("[data-carried]").forEach((field) => {
      if (still.has(field.dataset.carried)) return;
      field.classList.remove("kc-carried");
      field.removeAttribute("data-carried");
      const hint = document.getElementById(field.id + "_helptext");
      if (hint && hint.textContent.trim().startsWith("Carried forward")) hint.remove();
    });
    // Keep the keyboard in the card: on the next field to review, or on Sign when none is
    // left. An answer that replaces the card moves the focus back unless the therapist has
    // gone on elsewhere meanwhile.
    const active = document.activeElement;
    const lost = !active || active === document.body || !active.isConnected || card.contains(active);
    if (lost && (reviewedIndex >= 0 || cardFocus)) {
      const buttons = Array.from(card.querySelectorAll("button[name=reviewed]"));
      const same = cardFocus && reviewedIndex < 0 ? buttons.find((b) => b.value === cardFocus.value) : null;
      const index = reviewedIndex >= 0 ? reviewedIndex : cardFocus.index;
      const next = same || buttons[Math.min(index, buttons.length - 1)] || document.getElementById("sign-note");
      if (next && next !== active) next.focus();
    }
  };
  // Also at once after the swap, in the same task: between a swap that replaces the focused
  // "Reviewed" button and the settle that follows, a key pressed would otherwise land nowhere.
  document.body.addEventListener("htmx:afterSwap", syncCarried);
  document.body.addEventListener("htmx:oobAfterSwap", syncCarried);
  document.body.addEventListener("htmx:afterSettle", () => {
    syncCarried();
    if (inflight === 0) reviewedIndex = -1;
  });

  // Health-screen re-check: "yes" shows the link to record a new screen.
  const screenSelect = form.querySelector("select[name=screen_changed]");
  const screenLink = document.getElementById("screen-recheck-link");
  if (screenSelect && screenLink) {
    const sync = () => { screenLink.hidden = screenSelect.value !== screenLink.dataset.showWhen; };
    screenSelect.addEventListener("change", sync);
    sync();
  }

  // The reason for discharge shows for a discharge note only.
  const dischargeBox = document.getElementById("section-discharge");
  const dischargeKind = form.querySelector("select[name=kind]");
  if (dischargeKind && dischargeBox) {
    const syncKind = () => { dischargeBox.hidden = dischargeKind.value !== dischargeBox.dataset.showWhen; };
    dischargeKind.addEventListener("change", syncKind);
    syncKind();
  }

  // A background save sends the form's own fields to the autosave address. htmx takes
  // the address and the value of the last focused submit button of the form: a save that
  // fires while "Sign and lock" has the focus must not go to the signing address, so the
  // address is set back; "reviewed" is left out (hx-params: a Reviewed button merely
  // tabbed to reviews nothing) and put back from the fields actually marked reviewed; a
  // template button's kind is replaced by the kind chosen in the form.
  const kindSelect = form.querySelector("select[name=kind]");
  const autosaveUrl = form.getAttribute("hx-post");
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt !== form) return;
    event.detail.path = autosaveUrl;
    const reviewed = Array.from(reviewedNames());
    if (reviewed.length) event.detail.parameters.reviewed = reviewed;
    if (kindSelect) event.detail.parameters.kind = kindSelect.value;
  });

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
      // A submitter swapped out meanwhile (a reviewed field's button) is no longer the form's.
      form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined);
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
