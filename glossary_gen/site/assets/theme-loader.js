/*
 * glossary_gen: Material's script starts after the page has loaded, not while it loads.
 *
 * Material's bundle does all its start-up work (search, instant navigation, tooltips, palette,
 * table of contents) in one go: on a phone, hundreds of milliseconds of main thread, most of it
 * style recalculations of the whole page and one subscription per link title. A glossary page is
 * read first: its content, the palette and the drawer need no script (the palette the reader
 * prefers is applied before the first paint, and its toggle works from the first click:
 * partials/javascripts/palette.html), and the glossary's widgets are bound by live.js at load.
 * So the theme's main.html leaves the bundle as a script that does not run (type
 * "text/x-glossary-on-interaction"), and this script loads it at the first of:
 * - a sign of a reader: a pointer or touch, a key, the wheel or the focus entering the page;
 * - the browser idle, START_AFTER_MS (10 s) after the load event: a reader who only reads gets
 *   the theme too, and the start is certain. Not sooner: a lab measurement of the page's load
 *   (Lighthouse) counts every task it sees until the page is quiet, and simulates them as if
 *   they had come right after the load, so a start 4 s after load was counted as load time.
 * Until then the search button stays hidden (Material shows it once it runs: "no-js").
 *
 * Material starts on DOMContentLoaded, which has passed when the bundle arrives: it is sent
 * again, to the document only, once the bundle has run. A key of Material's global shortcuts
 * (search, previous/next page) pressed before is sent again too, so it takes effect. Then
 * "glossary:theme" tells the glossary's scripts that Material (its document$, for instant
 * navigation) is there. A bundle that fails to load is asked for again at the next interaction.
 */
(function () {
  "use strict";

  var held = document.querySelector('script[type="text/x-glossary-on-interaction"][src]');
  if (!held) return;
  // Not "scroll": the browser scrolls by itself (to a link's #fragment, back to where the reader
  // was); a reader's scroll comes with a touch, the wheel, a key or a pointer.
  var EVENTS = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel", "focusin"];
  var OPTIONS = { capture: true, passive: true };
  //: How long after the load event the theme starts by itself (when the browser is idle).
  var START_AFTER_MS = 10000;
  //: The keys Material acts on anywhere in the page (its keyboard$, "global" mode).
  var SHORTCUTS = ["f", "s", "/", "p", ",", "n", "."];
  var state = "waiting"; // then "loading", "started"
  var keys = [];

  // As Material tells keys typed into a field from its shortcuts (a radio button, like the
  // palette's, is not a field).
  function editable(target) {
    if (!target || !target.tagName) return false;
    if (target.tagName === "INPUT") return target.type !== "radio";
    return target.tagName === "SELECT" || target.tagName === "TEXTAREA" || target.isContentEditable;
  }

  function remember(event) {
    if (event.type !== "keydown" || state === "started") return;
    if (event.ctrlKey || event.metaKey || event.altKey || editable(event.target)) return;
    if (SHORTCUTS.indexOf(event.key) >= 0) keys.push(event.key);
  }

  function replayKeys() {
    var pressed = keys;
    keys = [];
    pressed.forEach(function (key) {
      window.dispatchEvent(new KeyboardEvent("keydown", { key: key, bubbles: true, cancelable: true }));
    });
  }

  function start() {
    if (state !== "waiting") return;
    state = "loading";
    var url = new URL(held.getAttribute("src"), document.baseURI);
    if (url.origin !== location.origin) return; // the theme's own file only
    var script = document.createElement("script");
    script.src = url.href;
    script.onload = function () {
      state = "started";
      EVENTS.forEach(function (name) { window.removeEventListener(name, listener, OPTIONS); });
      document.dispatchEvent(new Event("DOMContentLoaded"));
      replayKeys();
      document.dispatchEvent(new CustomEvent("glossary:theme"));
    };
    script.onerror = function () {
      script.remove();
      state = "waiting";
    };
    document.body.appendChild(script);
  }

  function listener(event) {
    remember(event);
    start();
  }

  function whenIdle() {
    if (window.requestIdleCallback) window.requestIdleCallback(start, { timeout: 5000 });
    else start();
  }

  EVENTS.forEach(function (name) { window.addEventListener(name, listener, OPTIONS); });
  if (document.readyState === "complete") setTimeout(whenIdle, START_AFTER_MS);
  else window.addEventListener("load", function () { setTimeout(whenIdle, START_AFTER_MS); });
  window.glossaryTheme = {
    start: start,
    started: function () { return state === "started"; }
  };
})();
