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
      spot.classList.toggle("kc-spot-chosen", !!chosen[spot.getAttribute("data-spot")]);
    });
  }

  function pick(spot) {
    var key = spot.getAttribute("data-spot");
    var all = rows();
    var target = all.find(function (row) { return !spotSelect(row).value; }) || all[all.length - 1];
    if (!target) return;
    spotSelect(target).value = key;
    all.forEach(function (row) { row.classList.remove("kc-mark-active"); });
    target.classList.add("kc-mark-active");
    var symptom = target.querySelector("select[name$='_symptom']");
    if (symptom) symptom.focus();
    refreshChosen();
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
      spotSelect(row).addEventListener("change", refreshChosen);
    });
    refreshChosen();
    // Ticking "not tested" clears the value beside it, so the two never conflict.
    document.querySelectorAll(".kc-nt input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        var input = box.closest(".kc-cell").querySelector("input.kc-num");
        if (box.checked && input) input.value = "";
      });
    });
  });
})();
