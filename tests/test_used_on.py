"""The "Used on" section: each term page lists the hand-written docs pages that wiki-link it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glossary_gen.site.used_on import (
    DocsPage,
    nav_titles,
    page_title,
    scan,
    used_on_html,
    wikilink_targets,
)

GUIDE = """# A guide

See [[Alpha]] and [[Beta|the second one]], but not `[[Omega Point]]` (code),
<!-- nor [[Omega Point]] in a comment -->
nor [[Secret Draft]] (a draft: no page).

```python
x = "[[Omega Point]]"
```
"""


def test_wikilink_targets_skip_code_and_comments():
    assert wikilink_targets(GUIDE) == ["Alpha", "Beta", "Secret Draft"]


def test_page_title_is_the_first_h1_outside_code_else_the_file_name():
    assert page_title(GUIDE, "guide.md") == "A guide"
    assert page_title("```\n# not a title\n```\ntext\n", "how-to/set_up.md") == "Set up"
    assert page_title("text", "index.md") == "Home"
    assert page_title("text", "topics/index.md") == "Topics"


def test_nav_titles_come_from_mkdocs_nav():
    nav = [{"Home": "index.md"}, {"Guides": [{"First": "guides/a.md"}, "guides/b.md"]}]
    assert nav_titles(nav) == {"index.md": "Home", "guides/a.md": "First"}


def test_scan_maps_each_term_to_the_pages_that_link_it_by_title():
    resolve = {"alpha": "alpha", "beta": "beta"}.get
    pages = [
        (DocsPage("z.md", "z/", "Zeta page"), "[[Alpha]] [[alpha]]"),
        (DocsPage("guide.md", "guide/", "A guide"), GUIDE),
        (DocsPage("plain.md", "plain/", "Plain"), "no links"),
    ]
    found = scan(pages, lambda name: resolve(name.casefold()))
    assert {slug: [p.title for p in ps] for slug, ps in found.items()} == {
        "alpha": ["A guide", "Zeta page"],
        "beta": ["A guide"],
    }
    html = used_on_html(found["alpha"], "glossary/alpha/")
    assert html == (
        '<p class="glossary-used-on"><a href="../../guide/">A guide</a>, '
        '<a href="../../z/">Zeta page</a></p>'
    )


def test_titles_are_escaped():
    html = used_on_html([DocsPage("x.md", "x/", "<b>&</b>")], "glossary/a/")
    assert ">&lt;b&gt;&amp;&lt;/b&gt;</a>" in html


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_site_basic, mkdocs_build):
    site = copy_site_basic(tmp_path_factory.mktemp("used_on"))
    (site / "docs" / "guide.md").write_text(GUIDE)
    (site / "docs" / "notes.md").write_text("---\ntitle: Notes\n---\nSee [[Beta]].\n")
    return mkdocs_build(site)


def used_on(built: Path, slug: str) -> list[tuple[str, str]] | None:
    html = (built / "glossary" / slug / "index.html").read_text()
    if 'id="used-on"' not in html:
        return None
    block = html.split('<p class="glossary-used-on">', 1)[1].split("</p>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


def test_term_pages_list_the_docs_pages_that_link_them(built):
    # index.md is "Home" in the nav; guide.md is titled by its H1, notes.md by its front matter.
    assert used_on(built, "alpha") == [("../../guide/", "A guide"), ("../../", "Home")]
    assert used_on(built, "beta") == [("../../guide/", "A guide"), ("../../notes/", "Notes")]
    assert used_on(built, "omega-point") is None  # only mentioned in code and comments
    alpha = (built / "glossary" / "alpha" / "index.html").read_text()
    # Next to "Referenced by", in the table of contents, and not in the search index.
    assert alpha.index('id="referenced-by"') < alpha.index('id="used-on"')
    assert 'href="#used-on"' in alpha.split('class="md-nav md-nav--secondary"')[1]
    assert "glossary-used-on" not in (built / "search" / "search_index.json").read_text()
