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
from test_browser import (  # the shared fixtures: one built site, one server, one Chromium
    ARTIFACTS,
    ROOT,
    _real_errors,
    _unavailable,
    browser,
    server,
    site,
)

from glossary_gen import plugin

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
}
#: prefers-color-scheme -> the Material palette scheme mkdocs.yml picks for it.
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def axe_url(server, site) -> str:
    """The pinned axe-core, served by the test server next to the site."""
    if not AXE.is_file():
        _unavailable("axe-core is missing: run 'npm ci' in the repository root")
    work, url = server
    target = work / "site" / "__tests__" / "axe.min.js"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(AXE, target)
    return url + "__tests__/axe.min.js"


def _open(browser, site: str, path: str, scheme: str, **options: Any):
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, color_scheme=scheme, **options
    )
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    if page.locator(".glossary-runnable").count():
        page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    return page


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
    page = _open(browser, site, PAGES[name], scheme)
    try:
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == SCHEMES[scheme]
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
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
        violations = _axe(page, axe_url, WCAG_TAGS)
        assert not violations, _describe(violations)
    finally:
        page.context.close()
