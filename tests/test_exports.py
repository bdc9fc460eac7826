"""Exports built from one list of terms: glossary.json, the Atom feed (feed.xml) and llms.txt."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest

from glossary_gen.pipeline import load_and_link
from glossary_gen.site import exports
from glossary_gen.site.page import RenderOptions
from glossary_gen.site.render import Renderer

A = "{http://www.w3.org/2005/Atom}"

BODY = "\n### ELI5\n\nSimple.\n\n### In-depth explanation\n\nLonger.\n"


def renderer_for(entries_dir: Path, **options) -> Renderer:
    glossary, diagnostics = load_and_link(entries_dir)
    assert not [d for d in diagnostics if d.is_error], diagnostics
    published = [e.slug for e in glossary.published]
    return Renderer(
        glossary,
        RenderOptions(last_updated=False, site_name="Test Glossary", **options),
        src_of={s: f"glossary/{s}.md" for s in published},
        url_of={s: f"glossary/{s}/" for s in published},
    )


@pytest.fixture
def dated(write_entry) -> Path:
    """Four terms: three dated by ``updated:``, one by its file time (not in git)."""
    for name, title, updated, summary in (
        ("old.md", "Old", "2020-01-01", "An old term."),
        ("new.md", "New", "2024-05-06", "A new term."),
        ("mid.md", "Mid", "2022-02-02", "A term in between."),
        ("undated.md", "Undated", None, "Dated by its file."),
    ):
        meta = f"title: {title}\n" + (f"updated: {updated}\n" if updated else "")
        folder = write_entry(name, f"---\n{meta}---\n### Summary\n\n{summary}\n{BODY}")
    stamp = datetime(2023, 3, 3, 12, tzinfo=timezone.utc).timestamp()
    os.utime(folder / "undated.md", (stamp, stamp))
    return folder


def test_the_three_exports_list_the_same_terms(dated):
    renderer = renderer_for(dated, site_url="https://example.org/")
    terms = exports.terms(renderer)
    listed = json.loads(exports.glossary_json(renderer, terms))["terms"]
    feed = ET.fromstring(exports.feed_xml(renderer, terms))
    llms = exports.llms_txt(renderer, terms)
    urls = {t["url"] for t in listed}
    assert urls == {e.find(f"{A}link").get("href") for e in feed.iter(f"{A}entry")}
    terms_section = llms.split("## Terms", 1)[1].split("## Optional", 1)[0]
    assert urls == set(re.findall(r"^- \[[^\]]+\]\(([^)]+)\)", terms_section, re.M))
    # Without a list of terms, glossary_json builds the same one.
    assert exports.glossary_json(renderer) == exports.glossary_json(renderer, terms)


def test_feed_lists_the_newest_first_dated_by_updated_then_the_file(dated):
    renderer = renderer_for(dated, site_url="https://example.org/")
    feed = ET.fromstring(exports.feed_xml(renderer, description="Terms.", author="Ann"))
    assert feed.tag == f"{A}feed"
    entries = feed.findall(f"{A}entry")
    assert [(e.findtext(f"{A}title"), e.findtext(f"{A}updated")) for e in entries] == [
        ("New", "2024-05-06T00:00:00Z"),
        ("Undated", "2023-03-03T00:00:00Z"),
        ("Mid", "2022-02-02T00:00:00Z"),
        ("Old", "2020-01-01T00:00:00Z"),
    ]
    assert feed.findtext(f"{A}updated") == "2024-05-06T00:00:00Z"
    assert feed.findtext(f"{A}subtitle") == "Terms."
    assert feed.findtext(f"{A}author/{A}name") == "Ann"
    self_link = feed.find(f"{A}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "https://example.org/feed.xml"
    new = entries[0]
    assert new.findtext(f"{A}id") == "https://example.org/glossary/new/"
    assert new.find(f"{A}summary").get("type") == "text"
    assert new.findtext(f"{A}summary") == "A new term."
    # The size limit keeps the newest.
    small = ET.fromstring(exports.feed_xml(renderer, size=2))
    assert [e.findtext(f"{A}title") for e in small.iter(f"{A}entry")] == ["New", "Undated"]


def test_feed_without_a_site_url_has_stable_ids_and_relative_links(dated):
    feed = ET.fromstring(exports.feed_xml(renderer_for(dated)))
    assert feed.find(f"{A}link[@rel='self']") is None
    first = feed.find(f"{A}entry")
    assert first.find(f"{A}link").get("href") == "glossary/new/"
    assert first.findtext(f"{A}id").startswith("urn:uuid:")
    again = ET.fromstring(exports.feed_xml(renderer_for(dated)))
    assert again.find(f"{A}entry").findtext(f"{A}id") == first.findtext(f"{A}id")


def test_entry_text_in_the_feed_is_text_never_markup(write_entry):
    folder = write_entry(
        "evil.md",
        '---\ntitle: "<script>alert(1)</script> & <b>Co</b>"\n---\n### Summary\n\n'
        "Bold **claim** with <img src=x onerror=alert(2)> and a \x01control\x0b char ]]>.\n" + BODY,
    )
    xml = exports.feed_xml(renderer_for(folder))
    feed = ET.fromstring(xml)  # parses: no character XML cannot hold
    entry = feed.find(f"{A}entry")
    assert entry.findtext(f"{A}title") == "<script>alert(1)</script> & <b>Co</b>"
    assert entry.findtext(f"{A}summary") == "Bold claim with and a control char ]]>."
    assert "<script" not in xml and "<img" not in xml and "<b>" not in xml
    assert len(list(entry)) == len([c for c in entry if c.tag.startswith(A)])  # no new elements


def test_llms_txt_follows_the_llmstxt_format(dated):
    renderer = renderer_for(dated, site_url="https://example.org/")
    text = exports.llms_txt(renderer, description="A test glossary.")
    lines = text.splitlines()
    assert lines[0] == "# Test Glossary"
    assert lines[2] == "> A test glossary."
    assert [line for line in lines if line.startswith("## ")] == ["## Terms", "## Optional"]
    assert "- [New](https://example.org/glossary/new/): A new term." in lines
    terms = lines[lines.index("## Terms") + 2 : lines.index("## Optional") - 1]
    assert [re.match(r"- \[([^\]]+)\]", t).group(1) for t in terms] == [
        "Mid",
        "New",
        "Old",
        "Undated",
    ]
    assert "- [glossary.json](https://example.org/glossary.json): " in text


def test_llms_txt_escapes_what_would_be_markup(write_entry):
    folder = write_entry(
        "evil.md",
        '---\ntitle: "Evil] (x) [y"\naliases: ["<b>bold</b>"]\n---\n### Summary\n\n'
        "A <script>alert(1)</script> summary.\n\n## Injected heading\n" + BODY,
    )
    text = exports.llms_txt(renderer_for(folder))
    item = next(line for line in text.splitlines() if line.startswith("- [Evil"))
    assert item == (r"- [Evil\] (x) \[y](glossary/evil/): A summary. (also: \<b\>bold\</b\>)")
    assert "<script" not in text and "Injected" not in text


# --- in a built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_site_basic, mkdocs_build):
    site = copy_site_basic(tmp_path_factory.mktemp("exports"))
    config = (site / "mkdocs.yml").read_text()
    (site / "mkdocs.yml").write_text(
        config.replace("site_url:", "site_description: Letters, checked.\nsite_url:", 1)
    )
    return mkdocs_build(site)


def test_site_has_the_feed_and_llms_txt_and_pages_link_the_feed(built):
    feed = ET.fromstring((built / "feed.xml").read_text())
    titles = [e.findtext(f"{A}title") for e in feed.iter(f"{A}entry")]
    assert sorted(titles) == sorted(
        ["Alpha", "Beta", "Omega Point", '<script>alert("title")</script> Evil & Co']
    )
    assert "Secret Draft" not in titles
    assert feed.findtext(f"{A}subtitle") == "Letters, checked."
    llms = (built / "llms.txt").read_text()
    assert llms.startswith("# Fixture Glossary\n\n> Letters, checked.\n")
    assert (
        "- [Alpha](https://glossary.example.org/glossary/alpha/): "
        "Alpha is the first letter, see Beta. (also: First Letter)" in llms
    )
    link = (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Fixture Glossary: new and changed terms" href="{}">'
    )
    index = (built / "glossary" / "index.html").read_text()
    head = index[: index.index("</head>")]
    assert link.format("../feed.xml") in head
    assert link.format("feed.xml") in (built / "index.html").read_text()
    assert (
        link.format("../../feed.xml") in (built / "glossary" / "alpha" / "index.html").read_text()
    )
