"""Material's search sections of a page parsed by pieces (engines/mkdocs/search_sections.py):
the same entries as Material's whole-page parse, and a changed piece parsed again."""

from __future__ import annotations

from typing import Any

import pytest
from material.plugins.search.plugin import Parser  # type: ignore[import-untyped]

from glossary_gen.engines.mkdocs import search_sections
from glossary_gen.engines.mkdocs.search_sections import Memo


def _shape(found: list[Any]) -> list[tuple[object, ...]]:
    return [(s.el.tag, s.id, list(s.title), list(s.text), s.is_excluded()) for s in found]


def _whole(html: str) -> list[tuple[object, ...]]:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return _shape(parser.data)


LETTERS = "".join(
    f'<h2 id="letter-{c}">{c.upper()}<a class="headerlink" href="#letter-{c}">¶</a></h2>\n'
    f'<ul class="glossary-index"><li><a href="{c}/">{c} term</a> <span>The {c} &amp; '
    f"summary</span></li>\n<li><code>{c}()</code> <em>x</em></li></ul>\n"
    for c in "abcdef"
)

PAGES = [
    '<h1 id="glossary">Glossary</h1>\n<nav><ul><li><a href="#a">A</a></li></ul></nav>\n' + LETTERS,
    "<p>Preface before any heading.</p>\n" + LETTERS,  # no h1: Material adds a section first
    LETTERS + "<h1>no id</h1>\n<p>after</p>\n",  # a heading without id: no section of its own
    LETTERS + '<h1 id="late">Late h1</h1>\n<p>text</p>\n',
    '<div>\n<h2 id="in">Nested</h2>\n<p>x</p>\n</div>\n<p>back</p>\n' + LETTERS,
    '<script>var s = "\n<h2 id=\\"x\\">";</script>\n' + LETTERS,  # a cut inside a script
    '<p>open\n<h2 id="x">X</h2>\n<p>y</p>\n' + LETTERS,  # an element open across a cut
    '<div data-search-exclude>\n<h2 id="x">X</h2>\n</div>\n' + LETTERS,
    '<pre><code>a\n\n  b</code></pre>\n<h3 id="c">C</h3>\n   \n<p> </p>\n' + LETTERS,
    "",
]


@pytest.mark.parametrize("html", PAGES)
def test_pieces_make_the_sections_of_a_whole_parse(html: str) -> None:
    memo: Memo = {}
    for _ in range(2):  # the second time from the memo
        used: Memo = {}
        found = search_sections.sections(html, memo, used)
        if found is not None:
            assert _shape(found) == _whole(html)
        memo = used


def test_an_element_open_across_a_cut_is_parsed_whole() -> None:
    assert search_sections.sections(PAGES[6], {}, {}) is None


def test_a_changed_piece_is_parsed_again_and_the_others_come_from_the_memo() -> None:
    used: Memo = {}
    search_sections.sections(PAGES[0], {}, used)
    memo, used = used, {}
    edited = PAGES[0].replace("The c &amp; summary", "The edited c summary")
    found = search_sections.sections(edited, memo, used)
    assert found is not None and _shape(found) == _whole(edited)
    assert "The edited c summary" in "".join(found[3].text)
    assert len(used.keys() - memo.keys()) == 1  # only the edited letter was parsed


def test_a_kept_section_is_not_changed_by_material_setting_its_title() -> None:
    memo: Memo = {}
    first = search_sections.sections("<p>no heading</p>\n", {}, memo)
    assert first is not None and first[0].title == []
    first[0].title.append("Page title")  # what Material does to a section without a title
    again = search_sections.sections("<p>no heading</p>\n", memo, {})
    assert again is not None and again[0].title == []
