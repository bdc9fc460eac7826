/*
 * glossary_gen: Material's script starts at the reader's first interaction, not at load.
 *
 * Material's bundle does all its start-up work (search, instant navigation, tooltips, palette,
 * table of contents) in one go: on a phone, hundreds of milliseconds of main thread before the
 * page answers a tap. A glossary page is read first: its content, the palette and the drawer
 * need no script (the theme's own inline scripts set the palette before the first paint), and
 * the glossary's widgets are bound by live.js at load. So the theme's main.html leaves the bundle
 * as a script that does not run (type "text/x-glossary-on-interaction"), and this script loads
 * it at the first sign of a reader: a pointer or touch, a key, a scroll or the focus entering the
 * page. Until then the search button stays hidden (Material shows it once it runs: "no-js").
 *
 * Material starts on DOMContentLoaded, which has passed when the bundle arrives: it is sent
 * again, to the document only, once the bundle has run. Then "glossary:theme" tells the
 * glossary's scripts that Material (its document$, for instant navigation) is there.
 */
(function () {
  "use strict";

  var held = document.querySelector('script[type="text/x-glossary-on-interaction"][src]');
  if (!held) return;
  var EVENTS = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel", "scroll", "focusin"];
  var OPTIONS = { capture: true, passive: true };
  var started = false;

  function start() {
    if (started) return;
    started = true;
    EVENTS.forEach(function (name) { window.removeEventListener(name, start, OPTIONS); });
    var url = new URL(held.getAttribute("src"), document.baseURI);
    if (url.origin !== location.origin) return; // the theme's own file only
    var script = document.createElement("script");
    script.src = url.href;
    script.onload = function () {
      document.dispatchEvent(new Event("DOMContentLoaded"));
      replayPaletteChoice();
      document.dispatchEvent(new CustomEvent("glossary:theme"));
    };
    document.body.appendChild(script);
  }

  // The palette toggle shows before Material runs (partials/javascripts/palette.html): a click
  // on it, the interaction that loads the bundle, checked the other palette before Material
  // listened. Material started with the palette in use: tell it of the choice.
  function replayPaletteChoice() {
    var checked = document.querySelector("form[data-md-component=palette] input.md-option:checked");
    if (!checked) return;
    var differs = ["scheme", "primary", "accent"].some(function (key) {
      var value = checked.getAttribute("data-md-color-" + key);
      return value && value !== document.body.getAttribute("data-md-color-" + key);
    });
    if (differs) checked.dispatchEvent(new Event("change"));
  }

  EVENTS.forEach(function (name) { window.addEventListener(name, start, OPTIONS); });
  window.glossaryTheme = { start: start };
})();
