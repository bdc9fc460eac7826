"""What readers see, in Chromium: formulas as readable text in tooltips and the search index,
compact related terms, the A-Z letter bar, the keyboard (skip link, visible focus on the palette
toggle), and the A-Z page of a glossary without terms.

The real glossary is built and served by test_browser's fixtures (skipped with a reason without
Chromium, Playwright or the local Pyodide, unless GLOSSARY_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from test_browser import browser, server, site  # the shared fixtures

__all__ = ["browser", "server", "site"]  # fixtures, used by name

FIXTURES = Path(__file__).parent / "fixtures"
#: A command written as LaTeX (``\alpha``, ``\mathrm``): what no reader should see as text.
TEX_COMMAND = re.compile(r"\\(?:[A-Za-z]{2,})")


def _open(browser, url: str, *, width: int = 1280, height: int = 900, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page


def test_tooltips_hold_readable_math_not_latex(browser, site):
    for path in ("glossary/relu/", "glossary/leaky-relu/", "glossary/"):
        context, page = _open(browser, site + path)
        titles = page.eval_on_selector_all("[title]", "els => els.map(e => e.title)")
        context.close()
        assert titles, path
        latex = [t for t in titles if TEX_COMMAND.search(t) or "$" in t]
        assert not latex, f"{path}: {latex[:3]}"
    # Every link to a term has its summary as tooltip (the summaries are plain text by the
    # entries' rules; test_math_text covers a summary with a formula).
    context, page = _open(browser, site + "glossary/relu/")
    tips = page.eval_on_selector_all("a.glossary-link", "els => els.map(e => e.title)")
    context.close()
    assert tips and all(tips)


def test_the_search_index_holds_readable_math_not_latex(browser, site):
    context, page = _open(browser, site)
    # What the search worker loads, fetched by the page itself.
    body = page.evaluate("url => fetch(url).then(r => r.text())", site + "search/search_index.json")
    context.close()
    docs = json.loads(body)["docs"]
    # Code may hold backslashes (the docs show LaTeX as code); the text around it may not.
    latex = [
        (d["location"], m.group(0))
        for d in docs
        for m in TEX_COMMAND.finditer(
            d["title"] + " " + re.sub(r"<(code|pre)\b.*?</\1>", "", d["text"], flags=re.S)
        )
    ]
    assert not latex, latex[:5]
    text = " ".join(d["text"] for d in docs)
    assert "α" in text and "≤" in text


def test_related_terms_are_compact_with_show_all(browser, site):
    context, page = _open(browser, site + "glossary/relu/")
    related = page.locator("#related-terms ~ ul.glossary-related").first
    shown = related.locator("> li").count()
    more = page.locator("details.glossary-more")
    assert shown == 6
    assert more.count() == 1
    assert more.locator("li").first.is_hidden()
    more.locator("summary").click()
    assert more.locator("li").first.is_visible()
    # Each card is a title and one line of summary, two lines at most.
    card = related.locator(".glossary-card-summary").first
    height = card.evaluate("el => el.getBoundingClientRect().height")
    line = card.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    context.close()
    assert height <= 2 * line + 1


def test_a_to_z_letter_bar_is_sticky_with_large_targets(browser, site):
    context, page = _open(browser, site + "glossary/", width=390, height=844)
    letters = page.locator("nav.glossary-az a")
    assert letters.count() >= 10
    for i in range(letters.count()):
        box = letters.nth(i).bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24
    # No table of contents repeating the letters; the bar stays in view while the list scrolls.
    assert page.locator(".md-sidebar--secondary .md-nav__link:visible").count() == 0
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(300)
    top = page.locator("nav.glossary-az").bounding_box()
    context.close()
    assert top is not None and 0 <= top["y"] < 120


def test_skip_link_leads_to_the_content(browser, site):
    context, page = _open(browser, site + "glossary/relu/")
    page.keyboard.press("Tab")
    skip = page.locator("a.md-skip")
    assert skip.evaluate("el => el === document.activeElement")
    page.wait_for_timeout(500)  # Material fades it in (0.25 s)
    assert float(skip.evaluate("el => getComputedStyle(el).opacity")) > 0.5
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.id") == "glossary-content"
    # The next Tab stop is in the content (the summary's first link), not in the header or nav.
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('article.md-content__inner')")
    context.close()
    assert inside


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_palette_toggle_shows_keyboard_focus(browser, site, scheme):
    context, page = _open(browser, site, scheme=scheme)
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('md-option')"):
            break
    else:
        context.close()
        pytest.fail("the palette toggle was not reached with Tab")
    outline = page.evaluate(
        "(() => { const l = document.activeElement.nextElementSibling;"
        " const s = getComputedStyle(l); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    context.close()
    assert outline[0] != "none" and outline[1] >= 2


def test_no_edit_link_without_a_repository(browser, site):
    if os.environ.get("GLOSSARY_REPO_URL"):
        pytest.skip("GLOSSARY_REPO_URL is set: this build has a repository")
    context, page = _open(browser, site + "glossary/relu/")
    html = page.content()
    context.close()
    assert "glossary-edit-term" not in html
    assert "OWNER" not in html


def test_an_empty_glossary_says_how_to_add_a_term(browser, server, site):
    """A site whose entries folder is empty: its A-Z says so, and how to add a term."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    work = server.root / "empty-source"
    shutil.copytree(FIXTURES / "site_basic", work)
    for entry in (work / "entries").iterdir():
        entry.unlink()
    config = work / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"\nsite_dir: {server.root / 'site' / 'empty'}\n",
        encoding="utf-8",
    )
    build(load_config(str(config)))
    context, page = _open(browser, site + "empty/glossary/")
    empty = page.locator(".glossary-empty")
    text = empty.inner_text() if empty.count() else ""
    visible = empty.count() == 1 and empty.is_visible()
    context.close()
    assert visible
    assert "no terms yet" in text
    assert 'glossary-gen new "Term name"' in text
