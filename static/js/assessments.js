// Assessment entry: tapping a body-chart region fills the next free mark row.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-mark-row]"));
  }

  function spotSelect(row) {
    return row.querySelector("select[name$='_spot']");
  }

  function refreshChosen() {
    var chosen = {};
    rows().forEach(function (row) {
      var value = spotSelect(row).value;
      if (value) chosen[value] = true;
    });
    document.querySelectorAll(".kc-spot-live").forEach(function (spot) {
      // The tap box sits in a group with the drawn region, which shows the choice.
      var shown = spot.closest(".kc-spot-group") || spot;
      shown.classList.toggle("kc-spot-chosen", !!chosen[spot.getAttribute("data-spot")]);
    });
  }

  // Only the marks in use and one empty row show; tapping the chart or choosing a region in the
  // empty row brings the next one.
  function showUsedRows() {
    var spareShown = false;
    rows().forEach(function (row) {
      var used = !!spotSelect(row).value || !!row.querySelector(".kc-invalid");
      row.hidden = !used && spareShown;
      if (!used) spareShown = true;
    });
  }

  function pick(spot) {
    var key = spot.getAttribute("data-spot");
    var all = rows();
    var target = all.find(function (row) { return !spotSelect(row).value; }) || all[all.length - 1];
    if (!target) return;
    spotSelect(target).value = key;
    // Announce the change, so that it is kept as unsaved work like anything typed.
    spotSelect(target).dispatchEvent(new Event("change", { bubbles: true }));
    all.forEach(function (row) { row.classList.remove("kc-mark-active"); });
    target.classList.add("kc-mark-active");
    target.hidden = false;
    // The keyboard goes to the symptom buttons: the chosen one, or the first symptom.
    var symptom = target.querySelector("input[name$='_symptom']:checked:not([value=''])") ||
      target.querySelector("input[name$='_symptom']:not([value=''])");
    if (symptom) symptom.focus();
    refreshChosen();
    showUsedRows();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".kc-spot-live").forEach(function (spot) {
      spot.addEventListener("click", function () { pick(spot); });
      spot.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          pick(spot);
        }
      });
    });
    rows().forEach(function (row) {
      spotSelect(row).addEventListener("change", function () { refreshChosen(); showUsedRows(); });
    });
    refreshChosen();
    showUsedRows();
    // Ticking "not tested" clears the value beside it, so the two never conflict.
    document.querySelectorAll(".kc-nt input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        var input = box.closest(".kc-cell").querySelector("input.kc-num");
        if (box.checked && input) input.value = "";
      });
    });
  });

  // Regions fold to one line: the line says what is answered so far, and a link to a region
  // (the jump list, an error in the summary) opens it.
  function answeredIn(region) {
    var names = [];
    region.querySelectorAll(".kc-entry-row").forEach(function (row) {
      var typed = Array.prototype.some.call(row.querySelectorAll("input.kc-num"), function (i) { return i.value.trim(); });
      var chosen = row.querySelector("input[type=radio][name^='m_']:checked:not([value=''])");
      var untested = row.querySelector(".kc-nt input:checked");
      if (typed || chosen || untested) names.push(row.getAttribute("data-short"));
    });
    return names;
  }

  function summarise(region) {
    var line = region.querySelector(".kc-region-progress");
    if (!line) return;
    var total = Number(region.getAttribute("data-total"));
    var names = answeredIn(region);
    var text = names.length
      ? names.length + " of " + total + " answered: " + names.join(", ")
      : "Not started · " + total + " measure" + (total === 1 ? "" : "s");
    var findings = region.querySelector("textarea");
    if (findings && findings.value.trim()) text += " · findings written";
    line.textContent = text;
  }

  function openTarget(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    var region = target && target.closest("details");
    if (region) region.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Any change (a typed value, or answers put back from this device after a lost page) brings
    // every region's line, the chosen body-chart regions and the shown mark rows up to date.
    var form = document.getElementById("assessment-form");
    var refreshAll = function () {
      document.querySelectorAll("details.kc-region").forEach(summarise);
      refreshChosen();
      showUsedRows();
    };
    if (form) {
      form.addEventListener("input", refreshAll);
      form.addEventListener("change", refreshAll);
    }
    document.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function () { openTarget(link.getAttribute("href")); });
    });
    openTarget(window.location.hash);
  });
  window.addEventListener("hashchange", function () { openTarget(window.location.hash); });
})();

// Draft assessment autosave (the edit page): a refusal (400 not accepted, 403 not yours,
// 409 saved in another tab or signed) is shown in the save status instead of being dropped,
// and "Save assessment" waits for a background save in flight, so it carries the newest
// version number and is not refused as stale.
(function () {
  "use strict";

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!elt || elt.id !== "assessment-form") return;
    if (status === 400 || status === 403 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var form = document.querySelector("form#assessment-form[data-autosave]");
  if (!form) return;
  var inflight = 0;
  var submitting = false;
  var pendingSubmitter = null;

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) return;
    if (submitting) {
      event.preventDefault();
      return;
    }
    inflight += 1;
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) return;
    inflight = Math.max(0, inflight - 1);
    if (inflight === 0 && pendingSubmitter !== null) {
      var submitter = pendingSubmitter;
      pendingSubmitter = null;
      submitting = true;
      form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined);
    }
  });
  form.addEventListener("submit", function (event) {
    if (inflight > 0) {
      event.preventDefault();
      pendingSubmitter = event.submitter || false;
      return;
    }
    submitting = true;
  });
})();
