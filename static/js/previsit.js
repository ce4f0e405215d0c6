// The client's forms before a visit (a questionnaire, the intake health form): answers are saved
// as the client chooses or types them, so nothing is lost if the page is closed or reloaded. Any
// form with a data-save-url is kept this way; its [data-save-status] line says how the last save
// went, and a refused save (an answer no question allows) is shown there.
(function () {
  "use strict";
  const CHOSEN_MS = 400; // a choice is saved at once
  const TYPED_MS = 1200; // typing is saved once the client pauses

  function keep(form) {
    const status = form.querySelector("[data-save-status]");
    const url = form.getAttribute("data-save-url");
    let timer = null;
    let sending = false;
    let again = false;

    function say(text) {
      if (status) status.textContent = text;
    }

    function save() {
      if (sending) {
        again = true;
        return;
      }
      sending = true;
      const body = new FormData(form);
      const token = body.get("csrfmiddlewaretoken");
      fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) {
            if (response.status === 409 || response.status === 429) {
              say(data.message || "These answers were not saved.");
            } else if (data.errors && Object.keys(data.errors).length) {
              say("Saved, except answers that need a look.");
            } else {
              say("Your answers are saved.");
            }
          });
        })
        .catch(function () {
          say("Not saved yet: check your connection. Your answers stay on this page.");
        })
        .finally(function () {
          sending = false;
          if (again) {
            again = false;
            save();
          }
        });
    }

    function later(ms) {
      clearTimeout(timer);
      say("Saving…");
      timer = setTimeout(save, ms);
    }

    form.addEventListener("change", function () {
      later(CHOSEN_MS);
    });
    form.addEventListener("input", function (event) {
      const target = event.target;
      if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text"))) {
        later(TYPED_MS);
      }
    });
  }

  document.querySelectorAll("form[data-save-url]").forEach(keep);
})();
