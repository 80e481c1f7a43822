// The compact menu of a phone: the "Menu" button shows and hides the navigation. Without
// JavaScript the button stays hidden and the menu open (the CSS shows the button only once
// this script has marked the page with `js-menu`). A phone also folds the boxes marked
// `data-fold-on-phone` (the incident list's filters) unless one of their fields was refused.
(function () {
  "use strict";
  if (window.matchMedia("(max-width: 599px)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-fold-on-phone]"), function (box) {
      if (!box.querySelector("[aria-invalid='true']")) { box.open = false; }
    });
  }
  var button = document.querySelector(".menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !menu) { return; }
  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { menu.removeAttribute("data-collapsed"); } else { menu.setAttribute("data-collapsed", ""); }
  }
  show(false);
  document.documentElement.classList.add("js-menu");
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
    if (!menu.contains(document.activeElement) && document.activeElement !== button) { return; }
    show(false);
    button.focus();
  });
}());
