"""``updated: YYYY-MM-DD``: the date a term page and the feed show, checked like every key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from glossary_gen.core.loader import parse_entry
from glossary_gen.core.validate import validate
from glossary_gen.pipeline import load_and_link
from glossary_gen.site.page import RenderOptions
from glossary_gen.site.render import Renderer

BODY = "### Summary\n\nS.\n\n### ELI5\n\nE.\n\n### In-depth explanation\n\nD.\n"


def problems(front_matter: str) -> list[str]:
    entry, found = parse_entry(
        f"---\ntitle: T\n{front_matter}---\n{BODY}".encode(), Path("t.md"), "t.md"
    )
    assert entry is not None, found
    return [d.format_text() for d in found + validate([entry])]


def test_a_date_is_accepted_and_read_as_a_date():
    entry, _ = parse_entry(
        f"---\ntitle: T\nupdated: 2024-02-29\n---\n{BODY}".encode(), Path("t.md"), "t.md"
    )
    assert entry is not None
    assert entry.meta["updated"] == "2024-02-29"  # the text, as editors and the schema see it
    assert entry.updated == dt.date(2024, 2, 29)
    assert problems("updated: 2024-02-29\n") == []
    assert problems('updated: "2024-02-29"\n') == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # An impossible date used to be a traceback from the YAML loader.
        (
            "2024-13-45",
            "t.md:3:1: error[invalid-date]: 'updated' is not a calendar date: 2024-13-45",
        ),
        (
            "2023-02-29",
            "t.md:3:1: error[invalid-date]: 'updated' is not a calendar date: 2023-02-29",
        ),
        (
            "yesterday",
            "t.md:3:1: error[schema]: 'updated' must be a date written YYYY-MM-DD, got 'yesterday'",
        ),
        (
            "2024-1-5",
            "t.md:3:1: error[schema]: 'updated' must be a date written YYYY-MM-DD, got '2024-1-5'",
        ),
        (
            "20240105",
            "t.md:3:1: error[schema]: 'updated' must be a date written YYYY-MM-DD, got 20240105",
        ),
    ],
)
def test_a_wrong_date_is_a_located_error(value, expected):
    assert problems(f"updated: {value}\n") == [expected]


def test_a_date_in_the_future_is_a_warning():
    (line,) = problems("updated: 2999-01-01\n")
    assert line.startswith("t.md:3:1: warning[future-date]: 'updated' is in the future: 2999-01-01")


def test_the_page_shows_updated_rather_than_the_file_date(write_entry):
    folder = write_entry("t.md", f"---\ntitle: T\nupdated: 2021-06-07\n---\n{BODY}")
    write_entry("u.md", f"---\ntitle: U\n---\n{BODY}")
    glossary, _ = load_and_link(folder)
    renderer = Renderer(
        glossary,
        RenderOptions(),
        src_of={"t": "glossary/t.md", "u": "glossary/u.md"},
        url_of={"t": "glossary/t/", "u": "glossary/u/"},
    )
    page, _ = renderer.render_entry(glossary.by_slug["t"])
    html = "".join(page.fragments.items.values())
    assert 'Last updated <time datetime="2021-06-07">2021-06-07</time>' in html
    # Without updated:, the file's date (not in git here: its modification time).
    mtime = dt.datetime.fromtimestamp((folder / "u.md").stat().st_mtime, dt.timezone.utc).date()
    assert renderer.date_of(glossary.by_slug["u"]) == mtime
