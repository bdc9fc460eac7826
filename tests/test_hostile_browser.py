"""Hostile tooltips in a real browser: hovering anything an entry wrote runs nothing.

Material's ``content.tooltips`` feature turns an element's ``title`` into the tooltip's HTML,
and gives a header or sidebar item cut short by an ellipsis its text as a title. The hostile
fixture (``tests/fixtures/hostile_html/``) puts ``<img src=x onerror=alert(...)>`` into every kind
of title; this builds it, serves it on 127.0.0.1 and, in Chromium, hovers every element that has
a title, on every page that shows one, plus the header title cut short. No dialog may open, and
no tooltip may hold an element. Served and skipped like tests/test_browser.py (Chromium and
Playwright required when ``GLOSSARY_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from site_html import start_theme
from test_browser import browser, server  # noqa: F401  (module fixtures, shared)

FIXTURE = Path(__file__).parent / "fixtures" / "hostile_html"

#: Every page that shows a hostile title: the maintainer's page (wiki links), the A-Z index,
#: the term pages (summaries of linked terms, raw titles, the long title), the tags page.
PAGES = (
    "",
    "glossary/",
    "glossary/entity-summary/",
    "glossary/numeric-summary/",
    "glossary/escaped-summary/",
    "glossary/raw-titles/",
    "glossary/fake-badge/",
    "glossary/long-title/",
    "tags/",
)


@pytest.fixture(scope="module")
def hostile_site(server):  # noqa: F811  (the fixture imported above)
    """The hostile fixture, built (not strict: its entries are reported) and served."""
    work, url = server.root, server.url
    pytest.importorskip("mkdocs")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    source = work / "hostile_html"
    shutil.copytree(FIXTURE, source)
    config_file = source / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    text = re.sub(r"^site_url:.*$", f"site_url: {url}", text, flags=re.M)
    config_file.write_text(text + f"\nsite_dir: {work / 'site'}\n", encoding="utf-8")
    build(load_config(str(config_file)))
    return url


#: Records the HTML of every tooltip Material adds to the page (it fills a tooltip's HTML from the
#: title before it inserts it), so that none is missed however briefly it shows.
RECORD_TOOLTIPS = """
window.__tooltips = [];
new MutationObserver(function (records) {
  records.forEach(function (record) {
    record.addedNodes.forEach(function (node) {
      if (node.nodeType === 1 && /(^| )md-tooltip2?( |$)/.test(node.className)) {
        window.__tooltips.push(node.innerHTML);
      }
    });
  });
}).observe(document, { childList: true, subtree: true });
"""


def _tooltips(page) -> list[str]:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.md-tooltip2, .md-tooltip'))"
        ".map(node => node.innerHTML)"
    )


def _elements_in_tooltips(page) -> int:
    return page.evaluate(
        "() => document.querySelectorAll('.md-tooltip2__inner *, .md-tooltip__inner *').length"
    )


def test_hovering_every_hostile_tooltip_runs_nothing(browser, hostile_site):  # noqa: F811
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.add_init_script(RECORD_TOOLTIPS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    shown: list[str] = []
    hovered = 0
    try:
        for path in PAGES:
            page.goto(hostile_site + path)
            page.wait_for_load_state("networkidle")
            start_theme(page)  # Material's tooltips run from the reader's first interaction
            targets = page.locator("[title]")
            for i in range(targets.count()):
                target = targets.nth(i)
                if not target.is_visible():
                    continue
                try:
                    target.scroll_into_view_if_needed(timeout=5000)
                except PlaywrightTimeout:
                    if target.is_visible():
                        raise
                    continue  # hidden meanwhile (the header swaps its titles as the page scrolls)
                for _ in range(2):  # Material shows a tooltip from the second pass on
                    target.hover(force=True, timeout=2000)
                    page.wait_for_timeout(150)
                    page.mouse.move(1, 1)
                    page.wait_for_timeout(50)
                hovered += 1
                assert _elements_in_tooltips(page) == 0, (path, _tooltips(page))
            page.wait_for_timeout(300)
            shown += page.evaluate("() => window.__tooltips")
            assert dialogs == [], (path, dialogs)

        # A narrow window cuts the long title short in the header: Material makes the text the
        # element's title and shows it as a tooltip when the pointer arrives.
        page.set_viewport_size({"width": 800, "height": 600})
        page.goto(hostile_site + "glossary/long-title/")
        page.wait_for_load_state("networkidle")
        start_theme(page)
        page.mouse.wheel(0, 2000)
        header = page.locator(".md-header__topic .md-ellipsis").last
        page.wait_for_function(
            "el => el.closest('a, .md-ellipsis').title !== ''",
            arg=header.element_handle(),
            timeout=10_000,
        )
        for _ in range(10):  # Material shows it from the second pass of the pointer on
            header.dispatch_event("mouseenter")
            page.wait_for_timeout(400)
            if _tooltips(page):
                break
            header.dispatch_event("mouseleave")
            page.wait_for_timeout(400)
        header_tooltips = _tooltips(page)
        assert any(
            "\u2039img src=x onerror=alert('title-in-header')\u203a" in t for t in header_tooltips
        )
        assert _elements_in_tooltips(page) == 0, header_tooltips
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert dialogs == []
    # The hover did show the hostile titles, as text: the test exercised the tooltips.
    assert hovered > 50
    for name in ("summary-entity", "raw-span", "abbr-definition", "md-link-title"):
        assert any("\u2039img src=x onerror" in t and name in t for t in shown), name


def test_fake_badge_and_clobbering_ids_change_nothing(browser, hostile_site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(hostile_site + "glossary/fake-badge/")
        page.wait_for_load_state("networkidle")
        state = page.evaluate(
            """() => ({
                live: typeof window.glossaryLive,
                loadPython: typeof (window.glossaryLive && window.glossaryLive.loadPython),
                config: document.querySelector('#__config').tagName,
                badges: document.querySelectorAll('article .glossary-verified').length,
                runnable: document.querySelectorAll('article .glossary-runnable').length,
                search: typeof document.querySelector('.md-search__input'),
            })"""
        )
    finally:
        context.close()
    assert state == {
        "live": "object",
        "loadPython": "function",
        "config": "SCRIPT",
        "badges": 0,
        "runnable": 0,
        "search": "object",
    }
    assert errors == []
