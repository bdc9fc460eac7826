/*
 * glossary_gen: tooltips are text.
 *
 * Material's content.tooltips feature shows an element's title attribute as HTML (it becomes
 * the tooltip's innerHTML), and Material sets titles itself: the text of a header or sidebar item
 * cut short by an ellipsis becomes that item's title. The build writes no title holding "<" or
 * ">" (glossary_gen.render.tooltip_text), but the title of the page, a heading or a tag is an
 * entry's text too. This script keeps every title text in the browser as well: whenever a title
 * with "<" or ">" appears, they are replaced by the look-alikes "‹" and "›", before any tooltip
 * reads it (Material reads a title when the pointer reaches the element).
 */
(function () {
  "use strict";

  var MARKUP = /[<>]/;

  function clean(el) {
    var title = el.getAttribute("title");
    if (title && MARKUP.test(title)) {
      el.setAttribute("title", title.replace(/</g, "\u2039").replace(/>/g, "\u203a"));
    }
  }

  function sweep(root) {
    if (root.hasAttribute && root.hasAttribute("title")) clean(root);
    Array.prototype.forEach.call(root.querySelectorAll("[title]"), clean);
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "attributes") {
        clean(record.target);
      } else {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType === 1) sweep(node);
        });
      }
    });
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["title"]
  });
  sweep(document.documentElement);
})();
