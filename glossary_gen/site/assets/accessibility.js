/*
 * glossary_gen: two things Material's scripts leave out, added from outside.
 *
 * - Tooltips (``content.tooltips``), WCAG 2.1 1.4.13 "Content on hover or focus": Material opens a
 *   term's summary on hover and on keyboard focus; this adds the dismissal: Escape closes the open
 *   tooltip without moving the pointer or the focus, and it stays closed until the reader leaves
 *   the link (Material then drops it and builds a new one next time). Hoverability is CSS
 *   (accessibility.css).
 * - Landmarks: Material wraps each code block's copy button in an unnamed <nav>, so a page with
 *   two code blocks has two landmarks no screen reader can tell apart (axe: landmark-unique). A
 *   copy button is not navigation: the wrapper loses its landmark role.
 *
 * Document-wide listeners, so both keep working across Material's instant navigation.
 */
(function () {
  "use strict";

  // Material's tooltips of this kind are built when they open and removed when they close, so
  // hiding one never hides a later one.
  var OPEN = ".md-tooltip2--active";

  function dismiss(event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    Array.prototype.forEach.call(document.querySelectorAll(OPEN), function (tooltip) {
      tooltip.classList.remove("md-tooltip2--active");
      tooltip.hidden = true; // Material keeps it until the link loses focus and hover
    });
  }

  function unlandmark() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-code__nav:not([role])"), function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  document.addEventListener("keydown", dismiss, true);
  new MutationObserver(unlandmark).observe(document.body, { childList: true, subtree: true });
  unlandmark();
})();
