/*
 * glossary_gen: what Material's and Zensical's scripts leave out, added from outside.
 *
 * - Tooltips (``content.tooltips``), WCAG 2.1 1.4.13 "Content on hover or focus": Material opens a
 *   term's summary on hover and on keyboard focus; this adds the dismissal: Escape closes the open
 *   tooltip without moving the pointer or the focus, and it stays closed until the reader leaves
 *   the link (Material then drops it and builds a new one next time). Hoverability is CSS
 *   (accessibility.css).
 * - Landmarks: Material wraps each code block's copy button in an unnamed <nav>, so a page with
 *   two code blocks has two landmarks no screen reader can tell apart (axe: landmark-unique). A
 *   copy button is not navigation: the wrapper loses its landmark role.
 * - Skip link, WCAG 2.1 2.4.1: "Skip to content" leads to the content's start on every page.
 * - The home page's search box opens the theme's search with its query (Zensical's needs this).
 * - Scrollable code blocks, WCAG 2.1 2.1.1: Material makes each one focusable (tabindex) when it
 *   starts, which is at the reader's first interaction (theme-loader.js); until then this does,
 *   once, at load. Blocks the browser has not laid out yet (content-visibility, below the
 *   window) are left to Material: reaching them takes a scroll or a key, which starts it.
 *
 * Document-wide listeners, so they keep working across Material's instant navigation.
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

  // 2.4.1 Bypass blocks: Material's "Skip to content" leads to the first heading of the table of
  // contents, which on a term page is below its summary, and a page without headings has none.
  // It leads to the start of the content instead (the page's title), on every page.
  function skipToContent() {
    var content = document.querySelector("article.md-content__inner");
    var holder = document.querySelector('[data-md-component="skip"]');
    if (!content || !holder) return;
    if (content.id !== "glossary-content") {
      content.id = "glossary-content";
      content.setAttribute("tabindex", "-1");
    }
    var skip = holder.querySelector("a.md-skip");
    if (!skip) {
      skip = document.createElement("a");
      skip.className = "md-skip";
      skip.textContent = "Skip to content";
      holder.appendChild(skip);
    }
    if (skip.getAttribute("href") !== "#glossary-content") skip.setAttribute("href", "#glossary-content");
  }

  // Material's instant navigation takes over in-page links: it scrolls, then leaves the focus on
  // the page itself. The skip link is handled here instead (before Material sees the click): the
  // focus moves to the content, so the next Tab is the content's first link.
  function skipped(event) {
    var link = event.target && event.target.closest ? event.target.closest("a.md-skip") : null;
    var content = document.getElementById("glossary-content");
    if (!link || !content) return;
    event.preventDefault();
    event.stopPropagation();
    content.focus();
    content.scrollIntoView();
  }

  // The home page's search box sends its query as ?q=, which Material's search opens with.
  // Zensical's search has no such address: the box opens its search dialog and types the query.
  function homeSearch(event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form.glossary-home-search")) return;
    var opener = document.querySelector("button.md-search__button");
    var field = form.querySelector("input[name=q]");
    if (!opener || !field) return;
    event.preventDefault();
    var query = field.value;
    opener.click();
    var tries = 0;
    (function fill() {
      var host = Array.prototype.find.call(document.querySelectorAll("div"), function (el) {
        return el.shadowRoot && el.shadowRoot.querySelector("input");
      });
      if (!host) {
        if (++tries < 40) window.setTimeout(fill, 25);
        return;
      }
      var input = host.shadowRoot.querySelector("input");
      input.value = query;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    })();
  }

  function unlandmark() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-code__nav:not([role])"), function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  function focusableCode() {
    var blocks = document.querySelectorAll(".md-typeset pre > code:not([tabindex])");
    var scrolling = Array.prototype.filter.call(blocks, function (code) {
      if (code.checkVisibility && !code.checkVisibility({ contentVisibilityAuto: true })) return false;
      return code.scrollWidth > code.clientWidth || code.scrollHeight > code.clientHeight;
    });
    scrolling.forEach(function (code) { code.setAttribute("tabindex", "0"); });
  }

  document.addEventListener("keydown", dismiss, true);
  document.addEventListener("click", skipped, true);
  document.addEventListener("submit", homeSearch, true);
  function update() {
    unlandmark();
    skipToContent();
  }

  new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  update();
  focusableCode();
})();
