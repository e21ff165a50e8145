// The live HTXSNV quota tally of the member ratings table (rule B12, decision D3).
//
// The server renders each unit's figures; this only recounts them as the decided grades are chosen, so that
// grades can be entered in any order. Each .quota-tally box carries the unit's decided HTXSNV and HTTNV outside
// this page (data-base-excellent, data-base-good), the quota share (data-pct) and the exception places
// (data-extra); each decided-grade select carries its unit (data-unit). Allowed = floor(HTTNV × pct / 100) + extra,
// as rules.member_quota. Over the quota is a warning: saving is never refused for it, closing the review is.
(function () {
  "use strict";

  function number(value) {
    var parsed = parseFloat(value);
    return isNaN(parsed) ? 0 : parsed;
  }

  function allowedPlaces(good, pct, extra) {
    // Integer arithmetic where possible: pct is a whole or decimal percentage (20, 12.5).
    return Math.floor((good * pct) / 100 + 1e-9) + extra;
  }

  function recount(box) {
    var unit = box.getAttribute("data-unit");
    var excellent = number(box.getAttribute("data-base-excellent"));
    var good = number(box.getAttribute("data-base-good"));
    var selects = document.querySelectorAll('select.final-grade[data-unit="' + unit + '"]');
    for (var i = 0; i < selects.length; i++) {
      if (selects[i].value === "HTXSNV") {
        excellent += 1;
      } else if (selects[i].value === "HTTNV") {
        good += 1;
      }
    }
    var allowed = allowedPlaces(good, number(box.getAttribute("data-pct")), number(box.getAttribute("data-extra")));
    var over = Math.max(excellent - allowed, 0);
    function put(role, value) {
      var target = box.querySelector('[data-role="' + role + '"]');
      if (target) {
        target.textContent = String(value);
      }
    }
    put("excellent", excellent);
    put("allowed", allowed);
    put("good", good);
    put("over-by", over);
    var warning = box.querySelector('[data-role="over"]');
    if (warning) {
      warning.hidden = over === 0;
    }
    var headline = box.querySelector('[data-role="headline"]');
    if (headline) {
      headline.classList.toggle("text-danger", over > 0);
      headline.classList.toggle("text-success", over === 0);
    }
  }

  function recountAll() {
    var boxes = document.querySelectorAll(".quota-tally[data-unit]");
    for (var i = 0; i < boxes.length; i++) {
      recount(boxes[i]);
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.classList && event.target.classList.contains("final-grade")) {
      recountAll();
    }
  });
  // The browser may restore the selects' values on Back: count what is shown.
  window.addEventListener("pageshow", recountAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", recountAll);
  } else {
    recountAll();
  }
})();
