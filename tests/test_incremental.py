"""The dependency graph of incremental builds: what each cache keeps, and which facts a page
depends on (the MkDocs side is tests/test_partial_build.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary_gen import incremental
from glossary_gen.core.config import DEFAULT_MODEL, EntryModel, SectionSpec
from glossary_gen.core.loader import load_entries
from glossary_gen.core.validate import validate
from glossary_gen.incremental import (
    ANYTHING,
    DoctestMemo,
    EntryCache,
    LinkFacts,
    RecordingLinker,
    ValidationMemo,
    render_key,
    site_render_key,
)
from glossary_gen.pipeline import load_and_link
from glossary_gen.site.page import RenderOptions
from glossary_gen.site.render import Renderer

ENTRY = """---
title: {title}
related: [{related}]
---
### Summary

{summary}

### ELI5

{eli5}

### In-depth explanation

{body}
"""


def entry(
    title: str, related: str = "", summary: str = "", eli5: str = "Easy.", body: str = ""
) -> str:
    return ENTRY.format(
        title=title,
        related=related,
        summary=summary or f"{title} in one line.",
        eli5=eli5,
        body=body or "Nothing more.",
    )


@pytest.fixture
def glossary_dir(write_entry) -> Path:
    write_entry("alpha.md", entry("Alpha", related="Beta", body="See [[Gamma]]."))
    write_entry("beta.md", entry("Beta", body="Alpha and beta and gamma ray."))
    return write_entry("gamma.md", entry("Gamma", body="Nothing."))


def renderer_for(folder: Path, autolink: str = "first") -> Renderer:
    glossary, _ = load_and_link(folder)
    src_of = {e.slug: f"glossary/{e.slug}.md" for e in glossary.published}
    url_of = {e.slug: f"glossary/{e.slug}/" for e in glossary.published}
    options = RenderOptions(last_updated=False)
    return Renderer(glossary, options, src_of=src_of, url_of=url_of, autolink=autolink)


# --- parsed entries ---------------------------------------------------------------------------


def test_the_entry_cache_gives_what_the_loader_gives(glossary_dir: Path, write_entry) -> None:
    write_entry("broken.md", "---\ntitle: [unclosed\n---\n")
    write_entry("bad name.md", entry("Bad Name"))
    cache = EntryCache()
    for _ in range(2):
        entries, diagnostics = cache.load_entries(glossary_dir)
        expected_entries, expected_diagnostics = load_entries(glossary_dir)
        assert [(e.path, e.digest, e.title) for e in entries] == [
            (e.path, e.digest, e.title) for e in expected_entries
        ]
        assert diagnostics == expected_diagnostics


def test_the_entry_cache_parses_only_changed_files(glossary_dir: Path, write_entry) -> None:
    cache = EntryCache()
    first, _ = cache.load_entries(glossary_dir)
    assert len(cache.parsed) == 3
    again, _ = cache.load_entries(glossary_dir)
    assert cache.parsed == []
    assert all(a is b for a, b in zip(first, again, strict=True))  # the very same objects
    write_entry("beta.md", entry("Beta", summary="Changed."))
    changed, _ = cache.load_entries(glossary_dir)
    assert [Path(p).name for p in cache.parsed] == ["beta.md"]
    assert next(e for e in changed if e.slug == "beta").summary == "Changed."
    (glossary_dir / "gamma.md").unlink()
    assert [e.slug for e in cache.load_entries(glossary_dir)[0]] == ["alpha", "beta"]


def test_a_preview_reads_the_saved_files_only(glossary_dir: Path, write_entry) -> None:
    """``saved``: the other files are taken as last read (a preview); the next load reads them
    all, and a file never read before is read all the same."""
    cache = EntryCache()
    cache.load_entries(glossary_dir)
    write_entry("alpha.md", entry("Alpha", summary="Saved."))
    write_entry("beta.md", entry("Beta", summary="Changed behind the preview's back."))
    write_entry("delta.md", entry("Delta"))
    entries, _ = cache.load_entries(glossary_dir, saved=[glossary_dir / "alpha.md"])
    summaries = {e.slug: e.summary for e in entries}
    assert summaries["alpha"] == "Saved."
    assert summaries["beta"] != "Changed behind the preview's back."
    assert "delta" in summaries  # new: read
    assert sorted(Path(p).name for p in cache.parsed) == ["alpha.md", "delta.md"]
    entries, _ = cache.load_entries(glossary_dir)
    assert {e.slug: e.summary for e in entries}["beta"] == "Changed behind the preview's back."


def test_the_validation_memo_finds_what_validate_finds(write_entry) -> None:
    write_entry("one.md", entry("One", related="Two"))
    folder = write_entry("two.md", "---\ntitle: One\nrelatd: [x]\n---\n### Summary\n\nDup.\n")
    entries, _ = load_entries(folder)
    memo = ValidationMemo()
    assert memo.validate(entries, DEFAULT_MODEL) == validate(entries, DEFAULT_MODEL)
    # from the memo, for the same entries
    assert memo.validate(entries, DEFAULT_MODEL) == validate(entries, DEFAULT_MODEL)
    # another entry model (mkdocs.yml changed): the entries are checked against it
    summary_only = EntryModel(sections=(SectionSpec("Summary"),))
    assert memo.validate(entries, summary_only) == validate(entries, summary_only)
    assert validate(entries, summary_only) != validate(entries, DEFAULT_MODEL)


# --- doctest verdicts ---------------------------------------------------------------------------


def test_the_doctest_memo_checks_each_entry_once(
    monkeypatch: pytest.MonkeyPatch, write_entry
) -> None:
    from glossary_gen.core.config import Settings
    from glossary_gen.run import doctests

    folder = write_entry("alpha.md", entry("Alpha", body="```python\n>>> 1 + 1\n2\n```"))
    write_entry("beta.md", entry("Beta"))
    asked: list[list[str]] = []
    real = doctests.check_doctests

    def counting(entries, settings, **kwargs):
        asked.append([e.slug for e in entries])
        return real(entries, settings, **kwargs)

    monkeypatch.setattr(doctests, "check_doctests", counting)
    cache, memo = EntryCache(), DoctestMemo()
    settings = Settings(entries_dir=folder, cache_dir=None)
    entries, _ = cache.load_entries(folder)
    first = memo.check(entries, settings)
    assert memo.check(entries, settings) == first
    write_entry("beta.md", entry("Beta", body="```python\n>>> 2 + 2\n5\n```"))
    entries, _ = cache.load_entries(folder)
    results, diagnostics = memo.check(entries, settings)
    assert asked == [["alpha", "beta"], ["beta"]]
    assert [d.code for d in diagnostics] == ["doctest"]
    assert getattr(results["beta"], "status", None) == "failed"


def test_checking_some_entries_keeps_the_verdicts_of_the_others(
    monkeypatch: pytest.MonkeyPatch, write_entry
) -> None:
    """A preview checks the saved entry alone (``some``); the build after it still has every
    other entry's verdict and runs nothing again."""
    from glossary_gen.core.config import Settings
    from glossary_gen.run import doctests

    folder = write_entry("alpha.md", entry("Alpha", body="```python\n>>> 1 + 1\n2\n```"))
    write_entry("beta.md", entry("Beta", body="```python\n>>> 2 + 2\n4\n```"))
    asked: list[list[str]] = []
    real = doctests.check_doctests

    def counting(entries, settings, **kwargs):
        asked.append([e.slug for e in entries])
        return real(entries, settings, **kwargs)

    monkeypatch.setattr(doctests, "check_doctests", counting)
    cache, memo = EntryCache(), DoctestMemo()
    settings = Settings(entries_dir=folder, cache_dir=None)
    entries, _ = cache.load_entries(folder)
    memo.check(entries, settings)
    write_entry("beta.md", entry("Beta", body="```python\n>>> 3 + 3\n6\n```"))
    entries, _ = cache.load_entries(folder)
    beta = [e for e in entries if e.slug == "beta"]
    results, _ = memo.check(beta, settings, some=True)
    assert set(results) == {"beta"}
    results, _ = memo.check(entries, settings)
    assert set(results) == {"alpha", "beta"}
    assert asked == [["alpha", "beta"], ["beta"]]  # nothing run again after the preview


# --- what a term page is made of ---------------------------------------------------------------


def keys(folder: Path) -> dict[str, tuple[object, ...]]:
    renderer = renderer_for(folder)
    site = site_render_key(renderer)
    return {e.slug: render_key(renderer, e, site) for e in renderer.glossary.published}


def test_a_summary_is_part_of_the_pages_that_list_it(glossary_dir: Path, write_entry) -> None:
    before = keys(glossary_dir)
    write_entry("beta.md", entry("Beta", summary="Beta, now longer.", body="Alpha and beta."))
    after = keys(glossary_dir)
    # alpha lists Beta as a related term; gamma lists nothing of Beta's
    assert before["alpha"] != after["alpha"]
    assert before["beta"] != after["beta"]
    assert before["gamma"] == after["gamma"]


def test_a_summarys_markup_alone_is_part_of_the_pages_that_list_it(
    glossary_dir: Path, write_entry
) -> None:
    """Backticks change the related-terms card (code) but not the plain text or the tooltip."""
    write_entry("beta.md", entry("Beta", summary="Beta uses relu.", body="Alpha and beta."))
    before = keys(glossary_dir)
    write_entry("beta.md", entry("Beta", summary="Beta uses `relu`.", body="Alpha and beta."))
    after = keys(glossary_dir)
    assert before["alpha"] != after["alpha"]
    assert before["gamma"] == after["gamma"]


def test_a_backlink_shows_on_the_page_it_points_to(glossary_dir: Path, write_entry) -> None:
    before = keys(glossary_dir)
    write_entry(
        "alpha.md",
        entry("Alpha", related="Beta", summary="Alpha, reworded.", body="See [[Gamma]]."),
    )
    after = keys(glossary_dir)
    assert before["gamma"] != after["gamma"]  # "Referenced by: Alpha" with its tooltip
    assert before["beta"] != after["beta"]  # the same, as a related term


def test_text_no_other_page_shows_changes_one_key(glossary_dir: Path, write_entry) -> None:
    before = keys(glossary_dir)
    write_entry(
        "beta.md",
        entry("Beta", eli5="Now explained differently.", body="Alpha and beta and gamma ray."),
    )
    after = keys(glossary_dir)
    assert [slug for slug in before if before[slug] != after[slug]] == ["beta"]


# --- what a page's Markdown conversion looked up -------------------------------------------------


def test_the_recording_linker_notes_each_lookup(glossary_dir: Path) -> None:
    renderer = renderer_for(glossary_dir)
    recorder = RecordingLinker(renderer.linker)
    recorder.begin_page("glossary/beta.md", "glossary/beta/", "beta")
    entry_of = recorder.resolve("ALPHA")
    assert entry_of is not None and entry_of.slug == "alpha"
    assert recorder.href("alpha") == "alpha.md"
    assert recorder.tooltips.get("alpha") == "Alpha in one line."
    recorder.slug_of_href("gamma.md#x")
    recorder.find_mentions("Beta and Gamma Ray")
    assert recorder.reads == {
        ("name", "alpha"),
        ("src", "alpha"),
        ("tip", "alpha"),
        ("path", "glossary/gamma.md"),
        ("word", "beta"),
        ("word", "and"),
        ("word", "gamma"),
        ("word", "ray"),
    }
    recorder.begin_page("glossary/gamma.md", "glossary/gamma/", "gamma")
    assert recorder.reads == set()
    _ = recorder.glossary  # a lookup the recorder does not model
    assert ANYTHING in recorder.reads


def test_link_facts_name_what_changed(glossary_dir: Path, write_entry) -> None:
    before = LinkFacts(renderer_for(glossary_dir).linker)
    assert before.changed(before) == set()
    write_entry("beta.md", entry("Beta Ray", summary="New.", body="x"))
    (glossary_dir / "gamma.md").unlink()
    write_entry("delta.md", entry("Delta"))
    after = LinkFacts(renderer_for(glossary_dir).linker)
    changed = after.changed(before)
    assert ("tip", "beta") in changed
    assert ("name", "beta ray") in changed and ("name", "beta") not in changed  # the slug
    assert ("name", "gamma") in changed and ("name", "delta") in changed
    assert ("src", "gamma") in changed and ("path", "glossary/delta.md") in changed
    # auto-link candidates are found by their first word: "beta" now starts "Beta Ray"
    assert {("word", "beta"), ("word", "gamma"), ("word", "delta")} <= changed
    assert ("word", "alpha") not in changed and ("tip", "alpha") not in changed
    assert ANYTHING in changed


def test_text_of_a_page_without_the_nonce(glossary_dir: Path) -> None:
    first = renderer_for(glossary_dir)
    second = renderer_for(glossary_dir)
    assert first.nonce != second.nonce
    a = incremental.page_text(first.render_index(), first.nonce)
    b = incremental.page_text(second.render_index(), second.nonce)
    assert a == b
