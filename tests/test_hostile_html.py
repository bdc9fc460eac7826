"""What an entry's text can do to readers and to the build (issue 11, rendered output).

* Tooltips are text: Material's ``content.tooltips`` feature shows a ``title`` as HTML, so no
  ``title`` in any page may hold ``<`` or ``>`` once its entities are decoded, whatever wrote it
  (a summary, raw HTML on any tag, a Markdown link or image title, an abbreviation definition,
  an attribute list, a docs page's wiki link).
* Raw HTML in an entry may not wear the site's or the theme's classes and ids (a fake "Verified
  example" badge, ``window.glossaryLive`` or Material's ``#__config`` clobbered).
* Markdown or HTML nested deep enough to crash or stall Python-Markdown or the search indexer is
  a located error, found before rendering, in bounded time.

Fixture: ``tests/fixtures/hostile_html/`` (one entry per way in). The deeply nested entries are
generated here: a 500-level list alone is half a megabyte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from glossary_gen import cli
from glossary_gen.core import markup
from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.pipeline import load_and_link
from glossary_gen.site.markdown_ext import GlossaryExtension
from glossary_gen.site.page import RenderOptions
from glossary_gen.site.render import Renderer
from glossary_gen.site.sanitize import sanitize
from glossary_gen.site.text import plain_text, tooltip_text

FIXTURE = Path(__file__).parent / "fixtures" / "hostile_html"
MKDOCS = [sys.executable, "-m", "mkdocs"]
BODY = "### Summary\n\n{summary}\n\n### ELI5\n\n{eli5}\n\n### In-depth explanation\n\nText.\n"


def entry_text(title: str, eli5: str, summary: str = "A term.") -> str:
    return f"---\ntitle: {title}\n---\n" + BODY.format(summary=summary, eli5=eli5)


#: Each deep entry: its file, its text, and the start of the error ``check`` gives for it.
DEEP = {
    "deep-list": (
        entry_text("Deep List", "\n".join("    " * i + "- item" for i in range(500))),
        (26, 1, "lists, quotes and indented blocks nest 500 levels deep; the limit is 16"),
    ),
    "deep-divs": (
        entry_text("Deep Divs", "<div>" * 40_000 + "x" + "</div>" * 40_000),
        (10, 321, "HTML elements nest 40000 levels deep; the limit is 64"),
    ),
    "deep-quotes": (
        entry_text("Deep Quotes", ">" * 1000 + " deep"),
        (10, 1, "lists, quotes and indented blocks nest 1000 levels deep; the limit is 16"),
    ),
    "deep-mixed": (
        entry_text("Deep Mixed", "- > " * 300 + "deep"),
        (10, 1, "lists, quotes and indented blocks nest 600 levels deep; the limit is 16"),
    ),
    "deep-details": (
        entry_text(
            "Deep Details",
            "\n".join("    " * i + '??? note "Open"' for i in range(400))
            + "\n"
            + "    " * 400
            + "x",
        ),
        (27, 1, "lists, quotes and indented blocks nest 400 levels deep; the limit is 16"),
    ),
    "deep-emphasis": (
        entry_text("Deep Emphasis", "*a " * 1000 + "x" + " a*" * 1000),
        (10, 49, "emphasis or brackets nest 1000 levels deep; the limit is 16"),
    ),
    "deep-links": (
        entry_text("Deep Links", "[a " * 5000 + "x" + "](https://example.org/)" * 5000),
        (10, 49, "emphasis or brackets nest 5000 levels deep; the limit is 16"),
    ),
    "deep-brackets": (
        entry_text("Deep Brackets", "[" * 5000 + "x"),
        (10, 17, "emphasis or brackets nest 5000 levels deep; the limit is 16"),
    ),
    "deep-summary": (
        entry_text("Deep Summary", "Flat.", summary="**a " * 1000 + "x" + " a**" * 1000),
        (6, 65, "emphasis or brackets nest 1000 levels deep; the limit is 16"),
    ),
}

#: Every limit reached at once, none passed: this must stay an ordinary, clean entry.
AT_THE_LIMITS = entry_text(
    "At The Limits",
    "\n".join(
        "    " * i
        + "- "
        + "*a " * 16
        + "x"
        + " a*" * 16
        + " "
        + "[a " * 16
        + "x"
        + "](https://example.org/)" * 16
        for i in range(16)
    )
    + "\n\n"
    + "> " * 16
    + "quoted\n\n"
    + "<div>" * 64
    + "x"
    + "</div>" * 64
    + "\n\n"
    + "\n".join("    " * i + '??? note "Open"' for i in range(15))
    + "\n"
    + "    " * 15
    + "x",
)


def codes(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


class _Titles(HTMLParser):
    """Every ``title`` attribute of a page, entities decoded (as the browser reads them)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[tuple[str, str]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.elements.append((tag, values))
        if values.get("title") is not None:
            self.titles.append((tag, values["title"] or ""))


def parse(page: str) -> _Titles:
    parser = _Titles()
    parser.feed(page)
    return parser


# --- tooltips are text ----------------------------------------------------------------------------


def test_tooltip_text_replaces_what_could_open_a_tag():
    assert tooltip_text("x < 0 and <img src=x onerror=alert(1)>") == (
        "x \u2039 0 and \u2039img src=x onerror=alert(1)\u203a"
    )
    plain = "No markup, & no change."
    assert tooltip_text(plain) is plain


@pytest.mark.parametrize("tag", ["a", "abbr", "span", "em", "p", "td", "img", "h2", "li", "code"])
@pytest.mark.parametrize(
    "title",
    [
        "&lt;img src=x onerror=alert(1)&gt;",
        "<img src=x onerror=alert(1)>",
        "&#60;svg onload=alert(1)&#62;",
        "&#x3c;b&#x3e;",
    ],
)
def test_sanitizer_makes_every_title_text(tag, title):
    clean = sanitize(f'<table><tr><td><{tag} title="{title}">x</{tag}></td></tr></table>')
    titles = [value for _, value in parse(clean).titles]
    assert titles, clean
    for value in titles:
        assert "<" not in value and ">" not in value, clean
        assert "\u2039" in value


def test_linker_tooltips_of_hostile_summaries_are_text():
    glossary, _ = load_and_link(FIXTURE / "entries")
    slugs = [e.slug for e in glossary.published]
    renderer = Renderer(
        glossary,
        RenderOptions(last_updated=False),
        src_of={s: f"glossary/{s}.md" for s in slugs},
        url_of={s: f"glossary/{s}/" for s in slugs},
    )
    tooltips = renderer.linker.tooltips
    assert "\u2039img src=x onerror=\"alert('summary-entity')\"\u203a" in tooltips["entity-summary"]
    assert "x \u2039 0 \u203a y" in tooltips["numeric-summary"]
    for text in tooltips.values():
        assert "<" not in text and ">" not in text
    # Descriptions and exports keep the real characters: only titles are tooltips.
    assert "x < 0 > y" in renderer.linker.summaries["numeric-summary"]

    # A docs page is not sanitized: the wiki link's title must decode to exactly the tooltip,
    # also for a summary whose text holds an entity (Python-Markdown keeps '&lt;' as it is).
    renderer.linker.begin_page("index.md", "", None)
    md = markdown.Markdown(extensions=[GlossaryExtension(renderer.linker)])
    page = md.convert("[[Entity Summary]] [[Escaped Summary]] [[Numeric Summary]]")
    titles = {values["href"]: values["title"] for tag, values in parse(page).elements if tag == "a"}
    assert titles == {
        f"glossary/{slug}.md": tooltips[slug]
        for slug in ("entity-summary", "escaped-summary", "numeric-summary")
    }
    assert "&lt;img" in tooltips["escaped-summary"]  # shown as the text '&lt;img', not a tag


@pytest.mark.parametrize(
    "text",
    [
        "`" * 40_000,
        "[" * 40_000,
        "[[" * 20_000,
        "![" * 20_000,
        "<" * 40_000,
        "<a " * 13_000,
        "_a " * 13_000,
        "**a " * 10_000,
        "*a " * 10_000 + "x" + " a*" * 10_000,
        "$" * 40_000,
        "<!--" * 10_000,
    ],
    ids=lambda text: repr(text[:6]),
)
def test_plain_text_of_a_hostile_summary_takes_milliseconds(text):
    started = time.process_time()
    plain_text(text)
    assert time.process_time() - started < 1.0  # was minutes for '`' * 40,000


def test_plain_text_still_strips_markdown():
    text = (
        "A **bold** [[Beta|second]], a [link](x.md), `code`, ``a`b``, $x^2$ <b>tag</b>, x < 0 > y."
    )
    assert plain_text(text) == "A bold second, a link, code, a`b, x² tag, x < 0 > y."


# --- the site's own classes and ids -----------------------------------------------------------------


def test_sanitizer_removes_the_sites_and_the_themes_classes_and_ids():
    clean = sanitize(
        '<p class="glossary-verified own">Verified example</p>'
        '<div class="glossary-runnable md-typeset md-banner" id="glossaryLive">x</div>'
        '<a id="__config" name="glossaryLive" href="#x">y</a><span id="document$">z</span>'
        '<a class="glossary-link" href="b.md" title="t">kept</a>'
        '<span class="glossary-math glossarymath0123x4">kept</span>'
        '<h2 id="__init__-method">a dunder heading</h2><h2 id="glossary-terms">Glossary terms</h2>'
    )
    assert '<p class="own">Verified example</p>' in clean
    assert "<div>x</div>" in clean
    assert '<a href="#x">y</a><span>z</span>' in clean
    assert '<a class="glossary-link" href="b.md" title="t">kept</a>' in clean
    assert '<span class="glossary-math glossarymath0123x4">kept</span>' in clean
    # a heading keeps its anchor, as a slug (heading ids are [a-z0-9-] only: issue 22)
    assert 'id="init-method"' in clean and 'id="glossary-terms"' in clean


def test_no_class_makes_the_theme_load_mermaid_from_a_cdn(write_entry):
    """Material fetches Mermaid from unpkg for any element of class 'mermaid': an entry may not
    write one (a located error), and the sanitizer drops the class whatever the case."""
    clean = sanitize(
        '<pre class="mermaid">graph TD; A--&gt;B</pre><div class="MERMAID own">x</div>'
        '<p class="mermaid-like">kept</p>'
    )
    assert "mermaid" not in clean.replace("mermaid-like", "")
    assert '<div class="own">x</div>' in clean and 'class="mermaid-like"' in clean
    entries = write_entry(
        "diagram.md",
        "---\ntitle: Diagram\n---\n### Summary\n\nS.\n\n### ELI5\n\nE.\n\n"
        '### In-depth explanation\n\n<pre class="mermaid">graph TD; A-->B</pre>\n',
    )
    _glossary, diagnostics = load_and_link(entries)
    found = [(d.line, d.column, d.message) for d in codes(diagnostics, "reserved-html")]
    assert found == [
        (14, 6, "class 'mermaid' is reserved for the site's and the theme's own elements")
    ]


def test_check_reports_reserved_classes_and_ids_where_they_are_written():
    _glossary, diagnostics = load_and_link(FIXTURE / "entries")
    found = [(d.path, d.line, d.column, d.message) for d in codes(diagnostics, "reserved-html")]
    reserved = "reserved for the site's and the theme's own elements"
    glob = "would replace a global variable of the site's scripts"
    path = found[0][0] if found else "?"
    assert path.endswith("fake-badge.md")
    assert found == [
        (path, 11, 4, f"class 'glossary-verified' is {reserved}"),
        (path, 13, 6, f"classes 'glossary-runnable', 'md-typeset', 'md-banner' are {reserved}"),
        (path, 13, 53, f"id 'glossaryLive' {glob}"),
        (path, 15, 4, f"id 'glossaryLive' {glob}"),
        (path, 15, 22, f"name 'glossaryLive' {glob}"),
        (path, 17, 6, "id '__config' is reserved for the theme's own elements (like '__config')"),
        (path, 20, 4, f"class 'glossary-verified' is {reserved}"),
        (path, 20, 23, f"id 'glossary_live' {glob}"),
        (path, 24, 7, f"classes 'md-tag', 'glossary-link' are {reserved}"),
        (path, 24, 64, f"id 'document$' {glob}"),
    ]
    assert all(d.is_error for d in codes(diagnostics, "reserved-html"))
    assert {d.path for d in diagnostics if d.is_error} == {path}


def test_reserved_names_shown_as_code_are_not_reported(write_entry):
    eli5 = (
        'Write `<p class="glossary-verified">` and ``<a id="glossaryLive">`` in code.\n\n'
        '<!-- <div class="md-typeset"> -->\n\n'
        '```html\n<div class="glossary-runnable" id="__config">\n```\n\n'
        '<span class="own" id="__init__">a dunder</span> {: #glossary-notes .notes }'
    )
    entries = write_entry("quiet.md", entry_text("Quiet", eli5))
    _, diagnostics = load_and_link(entries)
    assert [d for d in diagnostics if d.is_error] == []


def test_cli_check_fails_on_the_hostile_fixture_with_located_lines(capsys):
    code = cli.main(["check", "--no-doctest", "--entries", str(FIXTURE / "entries")])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"fake-badge\.md:17:6: error\[reserved-html\]: id '__config'", out), out
    assert "Traceback" not in out


# --- nesting ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_nesting_is_a_located_error_found_in_milliseconds(write_entry, name):
    text, (line, column, message) = DEEP[name]
    entries = write_entry(f"{name}.md", text)
    started = time.perf_counter()
    _, diagnostics = load_and_link(entries)
    elapsed = time.perf_counter() - started
    found = codes(diagnostics, "too-deep")
    assert [(d.line, d.column, d.message) for d in found] == [(line, column, message)]
    assert found[0].is_error and found[0].hint
    assert elapsed < 5.0, elapsed  # the whole load + validate + link of a 500 KB entry


def test_nesting_inside_code_and_ordinary_markup_is_not_reported(write_entry):
    deep_code = "\n".join("    " * i + "x = [" for i in range(40))
    eli5 = (
        f"```python\n{deep_code}\n```\n\n"
        "`" + "[" * 40 + "` and `" + "*a " * 40 + "`\n\n"
        "$[0, 1) \\cup [2, 3) \\cup [4, 5) \\cup [6, 7) \\cup [8, 9) \\cup [a, b) \\cup [c, d)$ "
        "$[0, 1) \\cup [2, 3) \\cup [4, 5) \\cup [6, 7) \\cup [8, 9) \\cup [a, b) \\cup [c, d)$ "
        "$[0, 1) \\cup [2, 3) \\cup [4, 5)$\n\n"
        "2 * 3 * 4 * 5 * 6 * 7 * 8 * 9 * 10 * 11 * 12 * 13 * 14 * 15 * 16 * 17 * 18 * 19\n\n"
        "snake_case_names_with_many_parts_like_a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q\n\n"
        + "---" * 30
        + "\n\n"
        + "".join(f"**bold {i}** and _it {i}_ " for i in range(40))
        + "\n\n"
        + "<p>unclosed paragraphs" * 100
        + "\n\n"
        + "<br>" * 100
    )
    entries = write_entry("ordinary.md", entry_text("Ordinary", eli5))
    _, diagnostics = load_and_link(entries)
    assert [d for d in diagnostics if d.is_error] == []


def test_content_at_every_limit_is_clean_and_renders(write_entry):
    entries = write_entry("at-the-limits.md", AT_THE_LIMITS)
    glossary, diagnostics = load_and_link(entries)
    assert [d for d in diagnostics if d.is_error] == []
    entry = glossary.entries[0]
    assert not markup.too_deep(entry)
    renderer = Renderer(
        glossary,
        RenderOptions(last_updated=False),
        src_of={entry.slug: "glossary/at-the-limits.md"},
        url_of={entry.slug: "glossary/at-the-limits/"},
    )
    page, problems = renderer.render_entry(entry)
    assert problems == []
    renderer.linker.begin_page(page.src, page.url, entry.slug)
    md = markdown.Markdown(
        extensions=[
            GlossaryExtension(renderer.linker),
            "attr_list",
            "admonition",
            "pymdownx.details",
            "pymdownx.superfences",
        ]
    )
    body = renderer.finish_html(md.convert(page.markdown), page)
    assert body.count("<blockquote>") == 16 and body.count("<div>") == 64
    assert body.count("<details") == 15 and body.count("<ul>") == 16


# --- the build ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The hostile fixture plus the deep entries, built (not strict: the entries are reported)."""
    site = tmp_path_factory.mktemp("hostile") / "hostile_html"
    shutil.copytree(FIXTURE, site)
    for name, (text, _) in DEEP.items():
        (site / "entries" / f"{name}.md").write_text(text, encoding="utf-8")
    (site / "entries" / "at-the-limits.md").write_text(AT_THE_LIMITS, encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run(
        [*MKDOCS, "build"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return site, result, time.perf_counter() - started


def pages(built) -> dict[str, str]:
    out = built[0] / "site"
    return {
        str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))
    }


def article(page: str) -> str:
    return page[page.index("<article") : page.index("</article>")]


def test_build_reports_every_problem_located_and_finishes_in_bounded_time(built):
    _, result, elapsed = built
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    for name, (_, (line, column, message)) in DEEP.items():
        assert f"entries/{name}.md:{line}:{column}: error[too-deep]: {message}" in result.stderr
    assert "at-the-limits.md" not in result.stderr
    assert result.stderr.count("error[reserved-html]") == 10
    # Before the limits: 40,000 nested divs alone took two minutes, a 500-level list crashed.
    assert elapsed < 120, elapsed


def test_no_title_attribute_on_any_page_holds_markup(built):
    seen = 0
    for path, page in pages(built).items():
        for tag, title in parse(page).titles:
            seen += 1
            assert "<" not in title and ">" not in title, (path, tag, title)
    assert seen > 100
    raw = parse(article(pages(built)["glossary/raw-titles/index.html"])).titles
    shown = {title for _, title in raw}
    for hostile in (
        "\u2039img src=x onerror=\"alert('raw-a')\"\u203a",
        "\u2039img src=x onerror=\"alert('raw-abbr')\"\u203a",
        "\u2039img src=x onerror=alert('raw-span')\u203a",
        "\u2039img src=x onerror=alert('raw-em')\u203a",
        "\u2039img src=x onerror=window.onerror=alert;throw'md-link-title'\u203a",
        "\u2039img src=x onerror=window.onerror=alert;throw'md-link-entity'\u203a",
        "\u2039img src=x onerror=alert('md-ref-title')\u203a",
        "\u2039img src=x onerror=window.onerror=alert;throw'md-image-title'\u203a",
        "\u2039img src=x onerror=alert('attr-list-title')\u203a",
        "\u2039img src=x onerror=alert('abbr-definition')\u203a",
        "\u2039svg onload=alert('raw-p')\u203a",
    ):
        assert hostile in shown, (hostile, shown)  # kept as text, not dropped
    # Summaries reach every page that links the term: the index, term pages, docs pages.
    for path in ("index.html", "glossary/index.html", "glossary/numeric-summary/index.html"):
        titles = {title for _, title in parse(pages(built)[path]).titles}
        assert any("\u2039img src=x onerror=\"alert('summary-entity')\"\u203a" in t for t in titles)


def test_entries_cannot_wear_the_sites_classes_or_ids(built):
    page = pages(built)["glossary/fake-badge/index.html"]
    body = article(page)
    # The entry's reserved-html problems are shown in the preview banner, as escaped text that
    # quotes the class names; the banner is checked apart, the rest of the article must be clean.
    banner = re.search(r'<div class="admonition failure glossary-problems">.*?</div>', body, re.S)
    assert banner is not None and "reserved-html" in banner.group(0)
    assert "<code>" in banner.group(0) and 'class="glossary-verified' not in banner.group(0)
    body = body.replace(banner.group(0), "")
    for forged in ("glossary-verified", "glossary-runnable", "md-banner", "glossaryLive"):
        assert forged not in body, forged
    assert body.count("md-typeset") == 1  # the theme's own <article class="md-content__inner ...">
    assert "<p>Verified example</p>" in body  # the words stay, the badge's look does not
    # 'glossary-link' is one of the classes the Markdown extension writes itself, so the
    # sanitizer keeps it (a link's look, nothing more); `check` still reports it.
    assert '<span class="glossary-link">a fake tag</span> and <span>x</span>' in body
    assert '<a href="#x">clobber</a>' in body
    assert "<p>A paragraph with project classes in an attribute list.</p>" in body
    # Material's settings are the theme's own script, the only '__config' of the page.
    assert page.count('id="__config"') == 1
    assert re.search(r'<script id="__config" type="application/json">', page)


def test_deep_entries_show_a_notice_and_the_index_their_summary_as_text(built):
    all_pages = pages(built)
    for name in DEEP:
        page = all_pages[f"glossary/{name}/index.html"]
        assert "This entry is not shown" in page, name
        assert f"entries/{name}.md" in page
    assert "This entry is not shown" not in all_pages["glossary/at-the-limits/index.html"]
    index = article(all_pages["glossary/index.html"])
    item = index[index.index("Deep Summary") :]
    item = item[: item.index("</li>")]
    assert "<strong>" not in item and "a a a" in item
