// Nothing typed is lost. Loaded on every page; acts on two kinds of form:
// - form[data-autosave]: saved in the background as the therapist types (visit notes, draft
//   assessments). Before a link, another form or a button leaves the page, the newest text is
//   saved first; while the connection is down, saves are retried and the page says "Not saved yet".
// - form[data-kc-draft]: saved only by its own button (a new assessment, not yet a draft). Leaving
//   with unsaved changes asks first.
// Both keep a copy of unsaved text on this device until the server has it, and offer it back if
// the page is opened again before it was saved. Signing out clears the device's storage.
(function () {
  "use strict";

  const STORE = "kc-unsaved:";
  const RETRY_MAX_MS = 30000;
  const FLUSH_WAIT_MS = 20000; // a save with no answer by then counts as not saved

  function fieldsOf(form) {
    const values = {};
    new FormData(form).forEach((value, name) => {
      if (name === "csrfmiddlewaretoken" || name === "password" || name === "version") return;
      if (typeof value !== "string") return;
      values[name] = values[name] === undefined ? value : values[name] + "\u0000" + value;
    });
    return values;
  }

  function sameFields(a, b) {
    const keys = new Set(Object.keys(a).concat(Object.keys(b)));
    for (const key of keys) {
      if ((a[key] || "") !== (b[key] || "")) return false;
    }
    return true;
  }

  function Draft(form) {
    this.form = form;
    this.autosave = form.hasAttribute("data-autosave");
    this.key = STORE + window.location.pathname + "#" + (form.id || "form");
    this.seq = 0;
    this.savedSeq = 0;
    this.sentSeq = 0;
    this.retryMs = 2000;
    this.retryTimer = null;
    this.leaving = false;
    this.baseline = fieldsOf(form);
  }

  Draft.prototype.dirty = function () {
    return this.seq !== this.savedSeq;
  };

  Draft.prototype.remember = function () {
    try {
      const entry = { at: new Date().toISOString(), fields: fieldsOf(this.form) };
      window.localStorage.setItem(this.key, JSON.stringify(entry));
    } catch (e) {
      /* storage full or disabled: the server save still runs */
    }
  };

  Draft.prototype.forget = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (e) {
      /* nothing to do */
    }
  };

  Draft.prototype.status = function (html, state) {
    const box = document.getElementById("autosave-status");
    if (!box) return;
    box.innerHTML = html;
    box.dataset.state = state;
  };

  Draft.prototype.changed = function () {
    this.seq += 1;
    this.remember();
  };

  Draft.prototype.saved = function (seq) {
    this.savedSeq = Math.max(this.savedSeq, seq);
    this.retryMs = 2000;
    if (this.retryTimer) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (!this.dirty()) this.forget();
  };

  Draft.prototype.offline = function () {
    this.status(
      '<div class="alert alert-warning py-2 mb-0" data-kc-offline="1"><strong>Not saved yet:</strong> ' +
        "no connection. Your text is kept on this device and will be saved when the connection is back.</div>",
      "offline"
    );
    if (this.retryTimer) return;
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      this.flush().catch(() => {});
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  };

  // Save now. Resolves true when the server has everything typed so far.
  // While an earlier save is still on its way, htmx queues this one (hx-sync "queue last") and
  // settles its promise at once; so the answer that counts is the first one for a save that
  // carried everything typed up to now, whichever request that turns out to be.
  Draft.prototype.flush = function () {
    if (!this.autosave) return Promise.resolve(!this.dirty());
    if (!this.dirty()) return Promise.resolve(true);
    const seq = this.seq;
    const form = this.form;
    return new Promise((resolve) => {
      let timer = null;
      const finish = () => {
        document.body.removeEventListener("htmx:afterRequest", answered);
        window.clearTimeout(timer);
        // htmx settles the request's own handlers before this check runs.
        window.setTimeout(() => resolve(this.savedSeq >= seq), 0);
      };
      const answered = (event) => {
        if (event.detail.elt !== form) return;
        const xhr = event.detail.xhr;
        if (xhr.status === 200 && (xhr.kcSeq || 0) < seq) return; // an older save; ours is queued
        finish();
      };
      document.body.addEventListener("htmx:afterRequest", answered);
      timer = window.setTimeout(finish, FLUSH_WAIT_MS);
      window.htmx
        .ajax("POST", form.getAttribute("hx-post"), { source: form, target: "#autosave-status", swap: "outerHTML" })
        .catch(() => {
          this.offline();
          finish();
        });
    });
  };

  // Closing the tab or typing an address: hand the newest text to the browser to deliver.
  Draft.prototype.beacon = function () {
    if (!this.autosave || !this.dirty() || !navigator.sendBeacon) return;
    const data = new FormData(this.form);
    data.delete("password");
    navigator.sendBeacon(this.form.getAttribute("hx-post"), data);
  };

  Draft.prototype.offerRestore = function () {
    let entry = null;
    try {
      entry = JSON.parse(window.localStorage.getItem(this.key) || "null");
    } catch (e) {
      entry = null;
    }
    if (!entry || !entry.fields) return;
    if (sameFields(entry.fields, this.baseline)) {
      this.forget();
      return;
    }
    const when = new Date(entry.at);
    const banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2";
    banner.setAttribute("role", "alert");
    banner.dataset.kcRestore = "1";
    const text = document.createElement("span");
    text.className = "me-auto";
    text.textContent =
      "Text typed here at " +
      when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) +
      " on " +
      when.toLocaleDateString() +
      " was not saved. Put it back into the form?";
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = "Put it back";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = "Discard it";
    banner.append(text, restore, discard);
    this.form.parentNode.insertBefore(banner, this.form);
    restore.addEventListener("click", () => {
      Object.entries(entry.fields).forEach(([name, value]) => {
        const field = this.form.elements.namedItem(name);
        if (!field || field.type === "file") return;
        if (field instanceof RadioNodeList && field[0] && field[0].type === "radio") {
          field.value = value; // checks the answer button with this value
          return;
        }
        if (field instanceof RadioNodeList || field.type === "checkbox" || field.type === "radio") return;
        field.value = value;
      });
      banner.remove();
      this.changed();
      const first = this.form.querySelector("textarea, input:not([type=hidden])");
      if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
    });
    discard.addEventListener("click", () => {
      this.forget();
      banner.remove();
    });
  };

  function ownForm(draft, element) {
    return element && (element.form === draft.form || element === draft.form);
  }

  function install(draft) {
    const form = draft.form;
    const onEdit = (event) => {
      if (ownForm(draft, event.target) && event.target.name && event.target.name !== "password") {
        draft.changed();
      }
    };
    document.addEventListener("input", onEdit);
    document.addEventListener("change", onEdit);

    if (draft.autosave) {
      document.body.addEventListener("htmx:beforeRequest", (event) => {
        if (event.detail.elt === form) event.detail.xhr.kcSeq = draft.seq;
      });
      document.body.addEventListener("htmx:afterRequest", (event) => {
        if (event.detail.elt !== form) return;
        const xhr = event.detail.xhr;
        if (xhr.status === 200) {
          draft.saved(xhr.kcSeq || 0);
        } else if (xhr.status === 0 || xhr.status >= 500) {
          draft.offline();
        }
      });
      document.body.addEventListener("htmx:sendError", (event) => {
        if (event.detail.elt === form) draft.offline();
      });
      window.addEventListener("online", () => draft.flush().catch(() => {}));
    }

    // Links: save first (or ask), then go.
    document.addEventListener(
      "click",
      (event) => {
        const link = event.target.closest && event.target.closest("a[href]");
        if (!link || !draft.dirty() || draft.leaving) return;
        const href = link.getAttribute("href") || "";
        if (href.startsWith("#") || link.target === "_blank" || link.hasAttribute("download")) return;
        if (event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        event.stopPropagation();
        leave(draft, () => {
          window.location.assign(link.href);
        });
      },
      true
    );

    // Any other form (adherence, linking an assessment, the builder...): save this one first.
    document.addEventListener(
      "submit",
      (event) => {
        const other = event.target;
        if (other === form) {
          draft.leaving = true; // the form itself carries every field
          return;
        }
        if (!draft.dirty() || draft.leaving || other.dataset.kcBypass === "1") return;
        event.preventDefault();
        event.stopPropagation();
        const submitter = event.submitter || null;
        leave(draft, () => {
          other.dataset.kcBypass = "1";
          other.requestSubmit(submitter);
          window.setTimeout(() => delete other.dataset.kcBypass, 0);
        });
      },
      true
    );

    window.addEventListener("beforeunload", (event) => {
      if (draft.leaving || !draft.dirty()) return;
      draft.beacon();
      event.preventDefault();
      event.returnValue = "";
    });
    window.addEventListener("pagehide", () => {
      if (!draft.leaving) draft.beacon();
    });

    draft.offerRestore();
  }

  function leave(draft, go) {
    draft.flush().then(
      (ok) => {
        if (ok || askToLeave(draft)) {
          draft.leaving = true;
          go();
        }
      },
      () => {
        if (askToLeave(draft)) {
          draft.leaving = true;
          go();
        }
      }
    );
  }

  function askToLeave(draft) {
    const message = draft.autosave
      ? "Your latest changes are not saved yet (no connection or the save was refused). They are kept on " +
        "this device and offered back when you open this page again. Leave anyway?"
      : "You have changes on this page that are not saved. Leave without saving them?";
    return window.confirm(message);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-autosave], form[data-kc-draft]").forEach((form) => {
      install(new Draft(form));
    });
  });
})();
