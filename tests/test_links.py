"""Cross-linking: names resolve by title, alias or slug; backlinks are computed."""

from __future__ import annotations

from pathlib import Path

from glossary_gen.core.links import link
from glossary_gen.core.loader import load_entries

FIXTURES = Path(__file__).parent / "fixtures"


def linked(case: str):
    entries, problems = load_entries(FIXTURES / case / "entries")
    assert problems == []
    return link(entries)


def test_names_resolve_case_insensitively_by_title_alias_and_slug():
    glossary, problems = linked("valid")
    assert problems == []
    for name in ("ReLU", "relu", "rectified  linear UNIT", "Rectifier"):
        assert glossary.resolve(name).slug == "relu"
    assert (
        glossary.resolve("sigmoid").slug == "sigmoid-function"
    )  # alias, written with CRLF and a BOM
    assert glossary.resolve("nothing") is None


def test_related_and_wiki_links_resolve_to_slugs():
    glossary, _ = linked("valid")
    assert glossary.related["relu"] == ("activation-function", "sigmoid-function")
    assert glossary.links["relu"] == ("sigmoid-function", "activation-function")


def test_backlinks_come_from_published_entries_only():
    glossary, _ = linked("valid")
    # draft-term relates to ReLU, but a draft is not published, so it is no backlink.
    assert glossary.backlinks["relu"] == ("activation-function", "sigmoid-function")
    assert glossary.backlinks["sigmoid-function"] == ("relu",)
    assert [e.slug for e in glossary.published] == [
        "activation-function",
        "relu",
        "sigmoid-function",
    ]


def test_tags_index_the_published_entries():
    glossary, _ = linked("valid")
    assert glossary.tags == {
        "activation-functions": ("activation-function", "relu", "sigmoid-function"),
        "fundamentals": ("activation-function",),
    }


def test_entries_are_ordered_by_title():
    glossary, _ = linked("valid")
    assert [e.title for e in glossary.entries] == [
        "Activation Function",
        "Draft Term",
        "ReLU",
        "Sigmoid Function",
    ]
