// The client's program page: every tick and pain check is kept on the phone first
// (localStorage) and sent when there is a connection. Each entry carries an id made
// before sending, so sending it again after a lost answer never counts it twice.
(() => {
  const root = document.getElementById("kc-portal");
  if (!root) return;
  const KEY = "kc-portal-queue:" + location.pathname;
  const status = document.getElementById("kc-sync");
  const greenMax = Number(root.dataset.greenMax);
  const amberMax = Number(root.dataset.amberMax);
  let sending = false;

  const load = () => {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  };
  const save = (queue) => localStorage.setItem(KEY, JSON.stringify(queue));
  const say = (text) => { if (status) status.textContent = text; };

  const band = (pain, settled) => {
    if (settled === "no" || pain > amberMax) return "red";
    return pain <= greenMax ? "green" : "amber";
  };
  const BAND_WORDS = {
    green: "Green: fine, carry on.",
    amber: "Amber: fine if it has settled by tomorrow morning.",
    red: "Red: do less next time and tell your therapist.",
  };

  const markDone = (form) => {
    const button = form.querySelector("button[type=submit]");
    const kind = form.dataset.kcLog;
    if (kind === "set") {
      button.textContent = button.textContent.replace(/^Set (\d+)$/, "Set $1 done");
      button.classList.replace("btn-outline-success", "btn-success");
      button.setAttribute("aria-pressed", "true");
      button.disabled = true;
    } else if (kind === "session") {
      button.textContent = "Done today";
      button.classList.replace("btn-outline-success", "btn-success");
      button.disabled = true;
    } else if (kind === "pain" || kind === "morning") {
      const data = new FormData(form);
      const light = band(Number(data.get("pain")), data.get("settled"));
      const result = document.getElementById("pain-result");
      if (result && kind === "pain") result.textContent = `${data.get("pain")}/10. ${BAND_WORDS[light]}`;
      button.disabled = true;
      button.textContent = "Sent";
    }
  };

  const describe = (queue) => {
    if (!queue.length) return "All your entries are saved.";
    const n = queue.length;
    return `${n} ${n === 1 ? "entry is" : "entries are"} kept on this phone and will be sent when you are back online.`;
  };

  async function flush() {
    if (sending) return;
    sending = true;
    try {
      let queue = load();
      while (queue.length) {
        const entry = queue[0];
        let response;
        try {
          response = await fetch(entry.url, {
            method: "POST",
            body: new URLSearchParams(entry.fields),
            headers: { "X-KC-Queue": "1", "X-CSRFToken": entry.fields.csrfmiddlewaretoken || "" },
            credentials: "same-origin",
          });
        } catch (e) {
          break; // offline: keep the queue, try again when back online
        }
        if (response.status >= 500 || response.status === 429 || response.status === 403) break;
        if (!response.ok) {
          let message = "One entry could not be saved.";
          try { message = (await response.json()).message || message; } catch (e) { /* not JSON */ }
          say(message);
        }
        queue = load().filter((q) => q.fields.entry_id !== entry.fields.entry_id);
        save(queue);
      }
      if (!load().length || !navigator.onLine) say(describe(load()));
      else say(describe(load()));
    } finally {
      sending = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-kc-log]");
    if (!form) return;
    event.preventDefault();
    if (!form.reportValidity()) return;
    const fields = Object.fromEntries(new FormData(form).entries());
    const queue = load();
    if (!queue.some((q) => q.fields.entry_id === fields.entry_id)) {
      queue.push({ url: form.action, fields });
      save(queue);
    }
    markDone(form);
    say(describe(queue));
    flush();
  });

  window.addEventListener("online", flush);
  say(describe(load()));
  flush();

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw).catch(() => {});
  }
})();
