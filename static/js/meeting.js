// The meeting page (templates/meetings/detail.html): the present/absent counters follow the taps, and the
// section being edited is sent with the form so the saved page comes back to it (#attendance, #minutes).
// Without JavaScript the counters show the saved figures and a save returns to the attendance.
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) return;

  function recount() {
    var counts = { CO_MAT: 0, VANG_CO_LY_DO: 0, VANG_KHONG_LY_DO: 0 };
    form.querySelectorAll('input[type=radio][name^="att-"]:checked').forEach(function (input) {
      if (input.value in counts) counts[input.value] += 1;
    });
    var eligible = counts.CO_MAT + counts.VANG_CO_LY_DO + counts.VANG_KHONG_LY_DO;
    var values = {
      present: counts.CO_MAT,
      excused: counts.VANG_CO_LY_DO,
      unexcused: counts.VANG_KHONG_LY_DO,
    };
    // Rows shown without buttons (exempt) are not counted; a cell where everyone is exempt keeps the server's figures.
    if (!eligible) return;
    values.rate = Math.round((100 * counts.CO_MAT) / eligible);
    Object.keys(values).forEach(function (key) {
      var element = document.querySelector('[data-count="' + key + '"]');
      if (element) element.textContent = String(values[key]);
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches('input[type=radio][name^="att-"]')) recount();
  });

  var anchor = document.getElementById("meeting-anchor");
  form.addEventListener("focusin", function (event) {
    var section = event.target.closest("[data-section]");
    if (section && anchor) anchor.value = section.getAttribute("data-section");
  });
})();
