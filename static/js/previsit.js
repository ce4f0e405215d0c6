// The client's questionnaire: answers are saved as the client chooses them, so nothing is lost
// if the page is closed. A refused save (an answer no question allows) is shown beside the status.
(function () {
  "use strict";
  const form = document.getElementById("q-form");
  if (!form) return;
  const status = document.getElementById("q-save-status");
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

  form.addEventListener("change", function () {
    clearTimeout(timer);
    say("Saving…");
    timer = setTimeout(save, 400);
  });
})();
