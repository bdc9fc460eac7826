/*
 * glossary_gen: what Material's tooltips (``content.tooltips``) lack for WCAG 2.1 1.4.13 "Content
 * on hover or focus". Material opens a term's summary on hover and on keyboard focus; this adds
 * the dismissal: Escape closes the open tooltip without moving the pointer or the focus, and it
 * stays closed until the reader leaves the link (Material then drops it and builds a new one
 * next time). Hoverability is CSS (accessibility.css). One listener on the document, so it keeps
 * working across Material's instant navigation.
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

  document.addEventListener("keydown", dismiss, true);
})();
