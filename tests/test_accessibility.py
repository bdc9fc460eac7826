"""Accessibility: every page type passes axe-core's WCAG 2.1 A/AA rules in light and dark, and the
live examples work from the keyboard and announce their results.

axe-core is the npm package pinned in package-lock.json (``npm ci``): the test copies its
``axe.min.js`` from ``node_modules/`` into the folder the test server serves and injects it with
``page.add_script_tag``. The site, the server and Chromium come from ``test_browser``'s fixtures,
with the same rule: skipped with a reason when something is missing, unless
``GLOSSARY_REQUIRE_BROWSER=1`` (CI), where that fails.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from site_html import start_theme
from test_browser import (  # the shared fixtures: one built site, one server, one Chromium
    ARTIFACTS,
    LOAD_TIMEOUT_MS,
    ROOT,
    _real_errors,
    _unavailable,
    browser,
    server,
    site,
)

from glossary_gen.engines.mkdocs import plugin

__all__ = ["browser", "server", "site"]  # fixtures, used by name

FIXTURES = Path(__file__).parent / "fixtures"

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: the success criteria the site promises.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: One page of every kind the site has.
PAGES = {
    "home": "",
    "a-z index": "glossary/",
    "term (ReLU: examples, plots, playground)": "glossary/relu/",
    "tags": "tags/",
    "one tag": "tags/#tag:activation-functions",
    "404": "404.html",
    "docs page": "site/",
    "translated term (fr: switcher, links to untranslated terms)": "fr/glossary/relu/",
    "a-z index of a language (fr)": "fr/glossary/",
}
#: prefers-color-scheme -> the Material palette scheme mkdocs.yml picks for it.
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def axe_url(server, site) -> str:
    """The pinned axe-core, served by the test server next to the site."""
    if not AXE.is_file():
        _unavailable("axe-core is missing: run 'npm ci' in the repository root")
    work, url = server[0], server[1]  # the served folder's parent and its URL
    target = work / "site" / "__tests__" / "axe.min.js"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(AXE, target)
    return url + "__tests__/axe.min.js"


#: Material's bundle, as theme-loader.js asks for it.
BUNDLE = "**/assets/javascripts/bundle.*.min.js"


def _open(browser, site: str, path: str, scheme: str, *, start: bool = True, **options: Any):
    """The page in a new context; with ``start``, Material started as a reader's first
    interaction starts it (theme_script: interaction). Without, Material cannot start until
    ``_start``: its bundle's requests fail (else the start after load could come mid-test; a
    failed load is asked for again at the next start)."""
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, color_scheme=scheme, **options
    )
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    if not start:
        page.route(BUNDLE, lambda route: route.abort("failed"))
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    if page.locator(".glossary-runnable").count():
        page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    if start:
        start_theme(page)
        page.wait_for_load_state("networkidle")
    return page


def _start(page) -> None:
    """Let Material's bundle through (``_open`` made its requests fail) and start it."""
    page.unroute(BUNDLE)
    start_theme(page)
    page.wait_for_load_state("networkidle")


def _axe(page, axe_url: str, tags: list[str]) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=axe_url)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:6]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


def _record(name: str, scheme: str, kind: str, violations: list[dict[str, Any]]) -> None:
    """Keep the figures in tests/artifacts/axe-<kind>.json (the report's before/after table)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"axe-{kind}.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data[f"{name} | {scheme}"] = {
        "violations": sum(len(v["nodes"]) for v in violations),
        "rules": sorted({v["id"] for v in violations}),
        "nodes": [
            f"{v['id']}: {' '.join(map(str, n['target']))}" for v in violations for n in v["nodes"]
        ],
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_passes_wcag21_aa(browser, site, axe_url, name, scheme):
    page = _open(browser, site, PAGES[name], scheme, start=False)
    try:
        # As the page loads (what Lighthouse audits), then with Material running.
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == SCHEMES[scheme]
        loaded = _axe(page, axe_url, WCAG_TAGS)
        assert not loaded, f"{name}, {scheme}, before Material starts:\n{_describe(loaded)}"
        assert not page.evaluate("() => window.glossaryTheme.started()")
        _start(page)
        violations = _axe(page, axe_url, WCAG_TAGS)
        _record(name, scheme, "wcag", violations)
        best = _axe(page, axe_url, ["best-practice"])
        _record(name, scheme, "best-practice", best)
        assert not violations, f"{name}, {scheme}:\n{_describe(violations)}"
        assert not best, f"{name}, {scheme} (best practice):\n{_describe(best)}"
        assert not _real_errors(page.errors), page.errors
    finally:
        page.context.close()


# -- the theme partials the plugin overrides --------------------------------------------------

#: partial -> (Material's text, ours): the one change each override makes.
OVERRIDES = {
    "search.html": (
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" '
        "aria-label=\"{{ lang.t('search') }}\">",
    ),
    "tags.html": (
        '<nav class="md-tags" {{ hidden }}>',
        '<nav class="md-tags" aria-label="Tags" {{ hidden }}>',
    ),
}


@pytest.mark.parametrize("name", OVERRIDES)
def test_overridden_partials_are_materials_own_plus_one_attribute(name):
    """An override is a copy of Material's partial: when Material changes it, copy it again."""
    material = Path(str(resources.files("material"))) / "templates" / "partials" / name
    ours = plugin.THEME_DIR.joinpath("partials").joinpath(name).read_text(encoding="utf-8")
    theirs, mine = OVERRIDES[name]
    assert ours.count(mine) == 1
    header, rest = ours.split("-#}\n", 1)
    assert "glossary_gen" in header and "assistive technology" in header
    assert rest.replace(mine, theirs) == material.read_text(encoding="utf-8"), (
        f"Material's partials/{name} changed: copy it into {plugin.THEME_DIR} and re-apply the change"
    )


def test_the_palette_script_override_runs_materials_own_first():
    """partials/javascripts/palette.html: Material's script, unchanged, then ours (which does
    before the first paint what Material's bundle does when it starts)."""
    folder = Path(str(resources.files("material"))) / "templates" / "partials" / "javascripts"
    theirs = (folder / "palette.html").read_text(encoding="utf-8").split("-#}\n", 1)[1]
    ours = plugin.THEME_DIR.joinpath("partials", "javascripts", "palette.html")
    body = ours.read_text(encoding="utf-8").split("-#}\n", 1)[1]
    assert body.startswith(theirs.rstrip("\n") + "\n<script>"), (
        "Material's partials/javascripts/palette.html changed: copy its script again"
    )


def test_the_palette_is_the_readers_before_material_runs_and_its_toggle_works_at_once(
    browser, site
):
    """A dark-mode reader's page is dark from its first paint, with the toggle shown, although
    Material starts later; a click on the toggle before Material runs switches the palette at
    once, and is what Material keeps when it starts; Enter on the focused option too."""
    page = _open(browser, site, "glossary/relu/", "dark", start=False)
    try:
        assert page.evaluate("() => typeof window.document$") == "undefined"
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
        toggle = page.locator("form[data-md-component='palette'] label:visible")
        assert toggle.count() == 1
        toggle.click()
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
        page.focus("#__palette_0")
        page.keyboard.press("Enter")  # Material's key for the next palette
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
        assert page.evaluate("() => typeof window.document$") == "undefined"  # its loads still fail
        _start(page)
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
        assert page.evaluate("() => __md_get('__palette').color.scheme") == "default"
        assert page.locator("form[data-md-component='palette'] label:visible").count() == 1
        page.locator("form[data-md-component='palette'] label:visible").click()  # Material's
        page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
        assert not _real_errors(page.errors), page.errors
    finally:
        page.context.close()


def test_the_theme_folder_sits_between_custom_dir_and_material(monkeypatch, tmp_path):
    from mkdocs.config import load_config

    monkeypatch.chdir(FIXTURES / "site_basic")
    config = load_config("mkdocs.yml")
    config = config.plugins.on_config(config)
    ours = str(plugin.THEME_DIR)
    assert config.theme.dirs[0] == ours and "material" in config.theme.dirs[1]
    assert config.theme.get_env().get_template("partials/search.html").filename.startswith(ours)

    # A site's own custom_dir still wins over the plugin's partials.
    text = (FIXTURES / "site_basic" / "mkdocs.yml").read_text(encoding="utf-8")
    custom = tmp_path / "overrides" / "partials"
    custom.mkdir(parents=True)
    (custom / "search.html").write_text("<!-- the site's own search -->", encoding="utf-8")
    text = text.replace("  name: material\n", f"  name: material\n  custom_dir: {custom.parent}\n")
    text = text.replace(
        "entries_dir: entries", f"entries_dir: {FIXTURES / 'site_basic' / 'entries'}"
    )
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    (tmp_path / "docs").symlink_to(FIXTURES / "site_basic" / "docs")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    assert config.theme.dirs[:2] == [str(custom.parent), ours]
    env = config.theme.get_env()
    assert env.get_template("partials/search.html").filename.startswith(str(custom.parent))
    assert env.get_template("partials/tags.html").filename.startswith(ours)


# -- tooltips, motion, colour schemes ---------------------------------------------------------


def _active_tooltip(page):
    return page.locator(".md-tooltip2--active[role='tooltip']")


def test_term_tooltips_open_on_focus_stay_under_the_pointer_and_close_with_escape(
    browser, site, axe_url
):
    page = _open(browser, site, "glossary/relu/", "light")
    try:
        link = page.locator("article a.glossary-link").first
        summary = link.get_attribute("title")
        assert summary and len(summary) > 20
        # Keyboard: focus opens it, as hover does, and the link is described by it.
        link.focus()
        tooltip = _active_tooltip(page)
        tooltip.wait_for(state="visible")
        assert tooltip.inner_text().strip() == summary
        assert link.get_attribute("aria-describedby") == tooltip.get_attribute("id")
        violations = _axe(page, axe_url, WCAG_TAGS)
        assert not violations, _describe(violations)
        # Escape closes it; the focus stays where it was.
        page.keyboard.press("Escape")
        assert _active_tooltip(page).count() == 0
        assert page.locator(".md-tooltip2[role='tooltip']:visible").count() == 0
        assert link.evaluate("el => el === document.activeElement")
        page.evaluate("() => document.activeElement.blur()")
        page.wait_for_timeout(300)  # Material drops the closed tooltip after 0.25 s

        # Pointer: hover opens it, and it stays open while the pointer moves onto it.
        link.hover()
        _active_tooltip(page).wait_for(state="visible")
        box, inner = link.bounding_box(), _active_tooltip(page).locator(".md-tooltip2__inner")
        target = inner.bounding_box()
        x = box["x"] + box["width"] / 2
        page.mouse.move(x, target["y"] + target["height"] / 2, steps=4)
        page.wait_for_timeout(600)
        assert _active_tooltip(page).is_visible(), "the tooltip closed under the pointer"
        page.keyboard.press("Escape")
        assert _active_tooltip(page).count() == 0
        assert not _real_errors(page.errors), page.errors
    finally:
        page.context.close()


def _motion(page) -> dict[str, float]:
    """Longest transition and animation, in seconds, of the tooltip and the playground's dot."""
    return page.evaluate(
        """() => {
          const seconds = v => Math.max(...v.split(",").map(
            s => parseFloat(s) * (s.trim().endsWith("ms") ? 0.001 : 1)));
          const of = el => { const s = getComputedStyle(el);
            return [seconds(s.transitionDuration), seconds(s.animationDuration)]; };
          const out = {};
          const dot = document.querySelector(".glossary-plot-point");
          const tip = document.querySelector(".md-tooltip2");
          out.dot = Math.max(...of(dot)); out.tooltip = Math.max(...of(tip));
          const probe = document.createElement("div");
          probe.style.animation = "spin 2s infinite"; probe.style.transition = "opacity 1s";
          document.body.appendChild(probe); out.probe = Math.max(...of(probe)); probe.remove();
          return out;
        }"""
    )


def test_reduced_motion_turns_transitions_and_animations_off(browser, site):
    for reduced, check in (("no-preference", lambda v: v >= 0.08), ("reduce", lambda v: v < 0.01)):
        page = _open(browser, site, "glossary/relu/", "light", reduced_motion=reduced)
        try:
            page.locator("article a.glossary-link").first.focus()
            _active_tooltip(page).wait_for(state="visible")
            motion = _motion(page)
            assert all(check(v) for v in motion.values()), (reduced, motion)
        finally:
            page.context.close()


def test_the_palette_toggle_is_remembered_and_dark_passes_too(browser, site, axe_url):
    """Material keeps the reader's choice in localStorage (``__palette``) across pages."""
    page = _open(browser, site, "", "light")
    try:
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
        page.locator("label[for='__palette_1']").click()
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
        stored = page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.endsWith('.__palette'))"
            ".map(k => JSON.parse(localStorage.getItem(k)))"
        )
        assert stored and stored[0]["color"]["scheme"] == "slate"
        page.goto(site + "glossary/relu/")
        page.wait_for_load_state("networkidle")
        # The theme's inline script applies the stored palette before Material starts.
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
        start_theme(page)
        violations = _axe(page, axe_url, WCAG_TAGS)
        assert not violations, _describe(violations)
    finally:
        page.context.close()


# -- live examples from the keyboard and a screen reader --------------------------------------

#: Records every text a screen reader would hear from the page's live regions, in order.
LISTEN = """() => {
  window.__heard = [];
  const seen = new WeakSet();
  const watch = () => document.querySelectorAll('[role="status"], [aria-live], output').forEach(r => {
    if (seen.has(r) || r.closest('[aria-hidden="true"]')) return;
    seen.add(r);
    new MutationObserver(() => {
      const text = r.textContent.trim();
      if (text && r.getAttribute('aria-live') !== 'off') window.__heard.push(text);
    }).observe(r, {childList: true, characterData: true, subtree: true});
  });
  watch();
  new MutationObserver(watch).observe(document.body, {childList: true, subtree: true});
}"""


def _focused(page) -> str:
    return page.evaluate(
        """() => { const e = document.activeElement;
          return e ? e.tagName.toLowerCase() + '.' + Array.from(e.classList).join('.') : ''; }"""
    )


def _tab_until(page, locator, limit: int = 300, key: str = "Tab") -> int:
    """Press Tab until ``locator`` has the focus; how many presses it took (fails past limit)."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if locator.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{key} never reached {locator} (last focus: {_focused(page)})")


def _heard(page) -> list[str]:
    heard: list[str] = page.evaluate("() => window.__heard")
    return heard


def _wait_heard(page, text: str, timeout: int = LOAD_TIMEOUT_MS) -> None:
    page.wait_for_function(
        "text => window.__heard.some(t => t.includes(text))", arg=text, timeout=timeout
    )


def _is_focused(locator) -> bool:
    result: bool = locator.evaluate("el => el === document.activeElement")
    return result


def test_live_examples_work_from_the_keyboard_and_announce_their_results(browser, site, axe_url):
    page = _open(browser, site, "glossary/relu/", "light")
    try:
        page.evaluate(LISTEN)
        block = page.locator(".glossary-runnable").first
        run, stop = block.locator("button.glossary-run"), block.locator("button.glossary-stop")
        edit, reset = block.locator("button.glossary-edit"), block.locator("button.glossary-reset")
        # The editor is CodeMirror's editable content (loaded on the first Edit).
        editor, output = (
            block.locator(".glossary-editor-holder .cm-content"),
            block.locator(".glossary-run-output"),
        )

        # Tab reaches Run, then Edit and Reset (Stop is only there while something runs).
        _tab_until(page, run)
        page.keyboard.press("Tab")
        assert _is_focused(edit), _focused(page)
        page.keyboard.press("Tab")
        assert _is_focused(reset), _focused(page)

        # Space on Run: the running state, then the result, reach the live region; the focus
        # is never lost to the page (Run is disabled while it runs).
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        assert _is_focused(run)
        page.keyboard.press("Space")
        _wait_heard(page, "[0, 0, 0, 1, 2]")
        heard = _heard(page)
        assert any("Loading Python" in t or "Running" in t for t in heard), heard
        assert "glossary-run-output--ok" in (output.get_attribute("class") or "")
        page.wait_for_function("el => !el.disabled", arg=run.element_handle())
        assert _is_focused(run), _focused(page)

        # Enter on Edit opens the editor with the focus in it; Tab indents there, and Escape
        # then Tab leaves it (no trap), for Run, the edits kept; Shift+Tab comes back.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        editor.wait_for(state="visible", timeout=10_000)
        page.wait_for_function("el => el === document.activeElement", arg=editor.element_handle())
        page.keyboard.press("Control+End")
        page.keyboard.type("\n>>> relu(-7), relu(7)")
        edited = editor.inner_text()
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert _is_focused(run) and editor.inner_text() == edited, _focused(page)
        page.keyboard.press("Shift+Tab")
        assert _is_focused(editor), _focused(page)
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert _is_focused(run), _focused(page)
        assert editor.is_visible() and editor.inner_text() == edited

        # Enter on Run runs the edited example; the result is announced.
        page.keyboard.press("Enter")
        _wait_heard(page, "(0, 7)", timeout=15_000)

        # Axe on the page as a reader now has it: editor open, output shown, focus on a button.
        violations = _axe(page, axe_url, WCAG_TAGS)
        assert not violations, _describe(violations)

        # An endless loop: the focus moves to Stop, which Space activates; then back to Run.
        page.wait_for_function("el => !el.disabled", arg=run.element_handle())
        editor.fill(">>> while True:\n...     pass\n")
        run.focus()
        page.keyboard.press("Enter")
        stop.wait_for(state="visible")
        assert _is_focused(stop), _focused(page)
        _wait_heard(page, "Running", timeout=15_000)
        page.keyboard.press("Space")
        _wait_heard(page, "Stopped", timeout=15_000)
        page.wait_for_function("el => !el.disabled", arg=run.element_handle())
        assert stop.is_hidden() and _is_focused(run), _focused(page)

        # Reset from the keyboard brings the original example back.
        _tab_until(page, reset, limit=5)
        page.keyboard.press("Enter")
        assert editor.is_hidden() and "while True" not in block.inner_text()

        # The playground: the slider takes the arrow keys, says its value in words, and the
        # result (which the plot's dot marks, and describes) is announced.
        playground = page.locator(".glossary-playground").first
        slider = playground.locator('input[type="range"]')
        _tab_until(page, slider, limit=60)
        start = float(slider.input_value())
        before = len(_heard(page))
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        value = float(slider.input_value())
        assert value == pytest.approx(start + 0.5)
        label = page.locator(f'label[for="{slider.get_attribute("id")}"]').inner_text().strip()
        assert slider.get_attribute("aria-valuetext") == f"{label} = {value:g}"  # "z = 0.5"
        # The reader hears what the playground answers (whether it is right is test_browser's).
        page.wait_for_function(
            "n => window.__heard.slice(n).some(t => t.startsWith('relu(') || t.includes('failed'))",
            arg=before,
            timeout=LOAD_TIMEOUT_MS,
        )
        page.keyboard.press("Home")
        assert (
            slider.get_attribute("aria-valuetext")
            == f"{label} = {float(slider.get_attribute('min')):g}"
        )
        assert not _real_errors(page.errors), page.errors
    finally:
        page.context.close()


def test_plots_keep_their_text_alternatives(browser, site):
    page = _open(browser, site, "glossary/relu/", "light")
    try:
        plots = page.locator("figure.glossary-plot svg")
        assert plots.count() >= 2
        for i in range(plots.count()):
            svg = plots.nth(i)
            assert svg.get_attribute("role") == "img"
            ids = (svg.get_attribute("aria-labelledby") or "").split()
            title, desc = (page.locator(f"[id='{x}']") for x in ids)
            assert title.evaluate("e => e.tagName") == "title" and title.text_content().strip()
            assert (
                desc.evaluate("e => e.tagName") == "desc" and "ranges from" in desc.text_content()
            )
        # The playground's moving dot is hidden from the tree; the plot is described by the
        # playground's result, which says where the dot is.
        playground = page.locator(".glossary-playground").first
        assert (
            playground.locator("circle.glossary-plot-point").get_attribute("aria-hidden") == "true"
        )
        svg = playground.locator("svg[role='img']")
        out = playground.locator("output")
        assert svg.get_attribute("aria-describedby") == out.get_attribute("id")
        assert "dot on the plot" in playground.inner_text()
    finally:
        page.context.close()
