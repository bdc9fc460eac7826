"""A term page built despite its entry's problems shows them at its top (``mkdocs serve``, a
``mkdocs build`` without ``--strict``), each message located and escaped; a page without problems
and a ``--strict`` build show none (glossary_gen/engines/mkdocs/problems_banner.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from glossary_gen.core.diagnostics import error, warning
from glossary_gen.engines.mkdocs.problems_banner import (
    BANNER_CLASS,
    LIMIT,
    banner,
    entry_problems,
    insert_banner,
)

CONFIG = """site_name: Banners
site_url: https://glossary.example.org/
theme:
  name: material
  font: false
markdown_extensions:
  - attr_list
  - pymdownx.highlight
  - pymdownx.superfences
plugins:
  - search
  - glossary:
      doctest: false
      cache_dir: ''
      last_updated: false
"""

GOOD = """---
title: Good Term
---
### Summary

A term without problems.

### ELI5

Simple.

### In-depth explanation

Nothing more.
"""

#: An entry whose title and broken link carry markup: the messages quote both.
HOSTILE = """---
title: "Bad <script>alert(1)</script> Term"
related: ["<img src=x onerror=alert(2)>"]
---
### Summary

A term with problems.

### ELI5

<!-- unfilled -->

### In-depth explanation

See [[No <b>such</b> term]].
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "site"
    (root / "entries").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (root / "entries" / "good-term.md").write_text(GOOD, encoding="utf-8")
    (root / "entries" / "bad-term.md").write_text(HOSTILE, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(root)  # messages show paths from the working folder, as the CLI does
    try:
        yield root
    finally:
        os.chdir(cwd)


def built(site: Path, *, strict: bool = False, dirty: bool = False) -> Path:
    out = site / "out"
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(out), strict=strict)
    build(config, dirty=dirty)
    return out


def banner_of(page: str) -> str:
    found = re.search(rf'<div class="admonition \w+ {BANNER_CLASS}">.*?</div>', page, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("dirty", [False, True], ids=["build", "serve-dirty"])
def test_the_page_of_an_entry_with_problems_shows_them_located_and_escaped(
    site: Path, dirty: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    out = built(site, dirty=dirty)
    page = (out / "glossary" / "bad-term" / "index.html").read_text(encoding="utf-8")
    shown = banner_of(page)
    assert shown, page[:2000]
    assert page.index(shown) > page.index("<article")  # at the top of the article
    assert page.index(shown) < page.index("<h1")
    lines = re.findall(r"<li><code>(.*?)</code></li>", shown)
    assert len(lines) >= 3, shown
    for line in lines:  # each one the CLI's located line, escaped
        assert re.match(r"entries/bad-term\.md:\d+:\d+: (error|warning)\[[\w-]+\]: ", line), line
    text = " ".join(lines)
    assert "error[empty-section]" in text and "ELI5" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "&lt;b&gt;such&lt;/b&gt;" in text
    # nothing the entry wrote became markup (the audit, which ran on the page, agrees)
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>such" not in page
    assert "This entry has " in shown and "error" in shown
    good = (out / "glossary" / "good-term" / "index.html").read_text(encoding="utf-8")
    assert BANNER_CLASS not in good


def test_a_strict_build_fails_and_a_fixed_entry_loses_its_banner(site: Path) -> None:
    with pytest.raises(Abort):
        built(site, strict=True)
    (site / "entries" / "bad-term.md").write_text(
        GOOD.replace("Good Term", "Bad Term"), encoding="utf-8"
    )
    out = built(site, strict=True)
    page = (out / "glossary" / "bad-term" / "index.html").read_text(encoding="utf-8")
    assert BANNER_CLASS not in page


def test_banner_lists_each_problem_once_and_caps_the_list() -> None:
    problems = [error("entries/a.md", n, 1, "c", f"m{n}") for n in range(LIMIT + 5)]
    problems.append(warning("entries/a.md", 1, 1, "w", "<script>x</script>"))
    picked = entry_problems(
        [*problems, *problems, error("entries/b.md", 1, 1, "c", "m")], "entries/a.md"
    )
    assert len(picked) == LIMIT + 6 and all(d.path == "entries/a.md" for d in picked)
    html = banner(picked)
    assert html.count("<li>") == LIMIT + 1 and "… and 6 more" in html
    assert "This entry has 55 errors, 1 warning" in html
    assert "<script>" not in html
    assert banner([]) == "" and insert_banner("<body><article>x", "") == "<body><article>x"
    only_warning = banner([warning("entries/a.md", 2, 3, "w", "m")])
    assert 'class="admonition warning glossary-problems"' in only_warning
    assert insert_banner('<body><article class="a">x', "<B>") == '<body><article class="a"><B>x'


def test_a_kept_page_gets_the_banner_another_entry_caused(site: Path) -> None:
    """Under ``mkdocs serve --dirty`` a page whose entry did not change is rebuilt when its
    problems did: a new entry taking its title makes the older file the duplicate."""
    out = built(site, dirty=True)
    good = out / "glossary" / "good-term" / "index.html"
    assert BANNER_CLASS not in good.read_text(encoding="utf-8")
    (site / "entries" / "a-new.md").write_text(GOOD, encoding="utf-8")  # the same title
    built(site, dirty=True)
    shown = banner_of(good.read_text(encoding="utf-8"))
    assert "entries/good-term.md:2:1: error[duplicate-title]" in shown, shown
    (site / "entries" / "a-new.md").unlink()
    built(site, dirty=True)
    assert BANNER_CLASS not in good.read_text(encoding="utf-8")
