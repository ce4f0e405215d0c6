// Program builder: keyboard shortcuts. Loaded only on the builder page.
// "/" focuses the library search; Escape in the search clears it.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.querySelector("[data-kc-focus-key]");
  if (!search) {
    return;
  }
  const key = search.dataset.kcFocusKey;
  document.addEventListener("keydown", (event) => {
    const tag = (event.target.tagName || "").toLowerCase();
    const typing = tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
    if (event.key === key && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      search.value = "";
      search.dispatchEvent(new Event("input", { bubbles: true }));
    }
    // Enter in the search adds the first result: the fastest path from typing to adding.
    if (event.key === "Enter") {
      event.preventDefault();
      const first = document.querySelector("#library-list button[type=submit]");
      if (first) {
        first.click();
      }
    }
  });
});

// A refused builder action (403: someone else's draft; 409: issued, or changed
// in another tab) comes back as the panel with the reason: show it instead of
// dropping it.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 403 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Dosage typed in the builder is never lost. Each exercise's dosage is saved by its own Save
// button, deliberately: a save changes the draft the client will be given, is checked against
// the other tabs, and half-typed values ("1" on the way to "12") are not worth saving. Until it
// is saved, what was typed is kept on this device and marked "Not saved yet":
// - another builder action (adding, moving or removing an exercise) redraws the builder: the
//   typed dosage is put back into its exercise afterwards, still marked unsaved;
// - leaving the page (a link, issuing, discarding, closing the tab) asks first;
// - opening the builder again offers the typed dosage back.
(function () {
  "use strict";

  const panel = document.getElementById("builder-panel");
  if (!panel) return;
  const STORE = "kc-unsaved:" + window.location.pathname + "#";
  const dirty = new Map(); // item form id -> {name, fields}
  let leaving = false;
  let saving = null;

  const fieldsOf = (form) => {
    const values = {};
    new FormData(form).forEach((value, name) => {
      if (name === "csrfmiddlewaretoken" || name === "revision" || typeof value !== "string") return;
      values[name] = value;
    });
    return values;
  };
  const same = (a, b) => Object.keys({ ...a, ...b }).every((key) => (a[key] || "") === (b[key] || ""));
  const store = (id, entry) => {
    try {
      window.localStorage.setItem(STORE + id, JSON.stringify(entry));
    } catch (e) {
      /* storage full or disabled: the question before leaving still protects the text */
    }
  };
  const forget = (id) => {
    dirty.delete(id);
    try {
      window.localStorage.removeItem(STORE + id);
    } catch (e) {
      /* nothing to do */
    }
  };
  const mark = (form, unsaved) => {
    const badge = form.querySelector("[data-kc-unsaved]");
    if (badge) badge.hidden = !unsaved;
  };
  const fill = (form, fields) => {
    Object.entries(fields).forEach(([name, value]) => {
      const field = form.elements.namedItem(name);
      if (field && "value" in field && field.type !== "hidden") field.value = value;
    });
  };
  const names = () => Array.from(dirty.values(), (entry) => entry.name).join(", ");

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  function onEdit(event) {
    const form = event.target.form;
    if (!form || !form.matches("form[data-kc-item]") || !event.target.name) return;
    const entry = { at: new Date().toISOString(), name: form.dataset.kcItemName || "", fields: fieldsOf(form) };
    dirty.set(form.id, entry);
    store(form.id, entry);
    mark(form, true);
  }

  // An exercise's own Save: once the redrawn builder shows it without an error, it is saved.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    saving = elt && elt.matches && elt.matches("form[data-kc-item]") ? elt.id : null;
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    // A refused save (403, or 409: changed in another tab or issued) saved nothing. The form that
    // sent it has been redrawn by now, so it is named by the request, not by the event.
    const config = event.detail.requestConfig;
    const elt = (config && config.elt) || event.detail.elt;
    if (saving && elt && elt.id === saving && event.detail.xhr.status !== 200) saving = null;
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    const saved = saving;
    saving = null;
    Array.from(dirty.entries()).forEach(([id, entry]) => {
      const form = document.getElementById(id);
      if (!form) {
        forget(id); // the exercise was removed
        return;
      }
      if (id === saved && !form.querySelector(".text-danger")) {
        forget(id);
        return;
      }
      if (id !== saved) fill(form, entry.fields); // redrawn by another action: put the typing back
      mark(form, true);
    });
  });

  // Leaving the page with unsaved dosage asks first.
  const ask = () =>
    window.confirm(
      "Dosage typed for " +
        names() +
        " is not saved yet. Leave without saving it? It stays kept on this device and is offered back " +
        "when you open the builder again."
    );
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a[href]");
      if (!link || !dirty.size || leaving) return;
      const href = link.getAttribute("href") || "";
      if (href.startsWith("#") || link.target === "_blank" || link.hasAttribute("download")) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (ask()) {
        leaving = true;
      } else {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      // htmx forms stay on the page (their typing is put back); a plain form leaves it.
      if (!dirty.size || leaving || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
      if (ask()) {
        leaving = true;
      } else {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !dirty.size) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // Opening the builder again: offer back what was typed and not saved.
  document.querySelectorAll("form[data-kc-item]").forEach((form) => {
    let entry = null;
    try {
      entry = JSON.parse(window.localStorage.getItem(STORE + form.id) || "null");
    } catch (e) {
      entry = null;
    }
    if (!entry || !entry.fields) return;
    if (same(entry.fields, fieldsOf(form))) {
      forget(form.id);
      return;
    }
    const banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2 py-2 small";
    banner.setAttribute("role", "alert");
    banner.dataset.kcRestore = "1";
    const when = new Date(entry.at);
    const text = document.createElement("span");
    text.className = "me-auto";
    text.textContent =
      "Dosage typed for " +
      (entry.name || "this exercise") +
      " at " +
      when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) +
      " was not saved. Put it back?";
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = "Put it back";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = "Discard it";
    banner.append(text, restore, discard);
    form.prepend(banner);
    restore.addEventListener("click", () => {
      banner.remove();
      fill(form, entry.fields);
      dirty.set(form.id, entry);
      mark(form, true);
    });
    discard.addEventListener("click", () => {
      banner.remove();
      forget(form.id);
    });
  });
})();
