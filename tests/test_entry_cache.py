"""The persistent entry cache (glossary_gen/run/entry_cache.py): a warm check gives what a cold
one gives, and every change that matters (an edit, a rename, a deletion, the settings, a
package upgrade, another entry) is seen; a tampered cache is never trusted."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

import glossary_gen
from glossary_gen.core.config import EntryModel, SectionSpec, Settings
from glossary_gen.pipeline import CheckResult, check
from glossary_gen.run import entry_cache

ENTRY = """---
title: {title}
---
### Summary

{title} in one line.

### ELI5

Easy.

### In-depth explanation

{body}
"""


def entry(title: str, body: str = "Nothing more.") -> str:
    return ENTRY.format(title=title, body=body)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The files the entry cache parses (a private key folder for the cache's MAC)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    seen: list[str] = []
    real = entry_cache.parse_entry

    def counting(data: bytes, path: Path, shown: str, digest: str | None = None):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return real(data, path, shown, digest)

    monkeypatch.setattr(entry_cache, "parse_entry", counting)
    return seen


@pytest.fixture
def glossary(write_entry) -> Path:  # type: ignore[no-untyped-def]
    write_entry("alpha.md", entry("Alpha", "See [[Beta Term]]."))
    write_entry("beta.md", entry("Beta Term"))
    return write_entry("gamma.md", entry("Gamma", "See [[Alpha]] and [[Beta Term]]."))


def settings(entries: Path, **changes: object) -> Settings:
    return replace(
        Settings(entries_dir=entries, doctest=False, cache_dir=entries.parent / "cache"),
        **changes,
    )


def report(result: CheckResult) -> list[str]:
    return [d.format_text() for d in result.diagnostics]


def uncached(entries: Path) -> list[str]:
    return report(check(settings(entries, cache_dir=None)))


def test_a_warm_check_parses_nothing_and_says_the_same(glossary: Path, parsed: list[str]) -> None:
    cold = check(settings(glossary))
    assert sorted(parsed) == ["alpha.md", "beta.md", "gamma.md"]
    parsed.clear()
    warm = check(settings(glossary))
    assert parsed == []
    assert report(warm) == report(cold) == uncached(glossary)
    assert [e.slug for e in warm.glossary.entries] == ["alpha", "beta", "gamma"]
    assert warm.glossary.backlinks == cold.glossary.backlinks
    assert list((glossary.parent / "cache" / "entries").glob("*.bin"))


def test_an_entry_broken_after_a_warm_run_is_reported_at_its_line(
    glossary: Path, parsed: list[str]
) -> None:
    check(settings(glossary))
    check(settings(glossary))
    parsed.clear()
    (glossary / "beta.md").write_text("---\ntitle: Beta\ntags: [a\n---\n", encoding="utf-8")
    result = check(settings(glossary))
    assert parsed == ["beta.md"]
    errors = [d for d in result.diagnostics if d.path.endswith("beta.md") and d.is_error]
    assert errors and (errors[0].line, errors[0].code) == (4, "yaml-syntax"), report(result)
    assert report(result) == uncached(glossary)
    # Alpha and Gamma link to Beta, which no longer loads: their links are reported again.
    assert any(d.path.endswith("alpha.md") and d.is_error for d in result.diagnostics)


def test_a_change_to_a_linked_entry_re_checks_the_entries_that_name_it(
    glossary: Path, parsed: list[str]
) -> None:
    assert check(settings(glossary)).ok
    parsed.clear()
    (glossary / "beta.md").write_text(entry("Bravo"), encoding="utf-8")  # Beta is renamed
    result = check(settings(glossary))
    assert parsed == ["beta.md"]
    broken = sorted((Path(d.path).name, d.line) for d in result.diagnostics if d.is_error)
    assert [name for name, _ in broken] == ["alpha.md", "gamma.md"], report(result)
    assert report(result) == uncached(glossary)
    # A glossary rule too: a title that another, unchanged entry already has.
    (glossary / "beta.md").write_text(entry("Gamma"), encoding="utf-8")
    result = check(settings(glossary))
    assert any(d.code == "duplicate-title" for d in result.diagnostics), report(result)
    assert report(result) == uncached(glossary)


def test_rename_and_deletion(glossary: Path, parsed: list[str]) -> None:
    check(settings(glossary))
    parsed.clear()
    (glossary / "beta.md").rename(glossary / "bravo.md")
    result = check(settings(glossary))
    assert parsed == ["bravo.md"]
    assert [e.slug for e in result.glossary.entries] == ["alpha", "bravo", "gamma"]
    assert result.ok and report(result) == uncached(glossary)
    (glossary / "bravo.md").unlink()
    parsed.clear()
    result = check(settings(glossary))
    assert parsed == []
    assert [e.slug for e in result.glossary.entries] == ["alpha", "gamma"]
    assert not result.ok and report(result) == uncached(glossary)


def test_a_change_of_settings_re_validates(glossary: Path, parsed: list[str]) -> None:
    assert check(settings(glossary)).ok
    parsed.clear()
    model = EntryModel(
        sections=(*EntryModel().sections, SectionSpec("Examples", True, "", "")),
    )
    result = check(settings(glossary, entry_model=model))
    assert sorted(parsed) == ["alpha.md", "beta.md", "gamma.md"]
    assert sum(d.is_error for d in result.diagnostics) == 3, report(result)
    parsed.clear()
    assert check(settings(glossary)).ok  # and back: the default model's record is written anew


def test_a_package_upgrade_discards_the_cache(
    glossary: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(settings(glossary))
    parsed.clear()
    monkeypatch.setattr(glossary_gen, "__version__", glossary_gen.__version__ + ".post1")
    check(settings(glossary))
    assert sorted(parsed) == ["alpha.md", "beta.md", "gamma.md"]


def test_a_new_day_re_runs_validation_only(
    glossary: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(settings(glossary))
    parsed.clear()
    validated: list[str] = []
    real = entry_cache._validate_one

    def counting(entry, model):  # type: ignore[no-untyped-def]
        validated.append(entry.slug)
        return real(entry, model)

    monkeypatch.setattr(entry_cache, "_validate_one", counting)
    check(settings(glossary))
    assert validated == []
    blob = next((glossary.parent / "cache" / "entries").glob("*.bin"))
    store = entry_cache.open_store(glossary.parent / "cache", "entries", glossary)
    assert store is not None
    stamp, _day, records, found = pickle.loads(store.get_bytes(blob.stem) or b"")
    store.put_bytes(blob.stem, pickle.dumps((stamp, "2000-01-01", records, found)))
    check(settings(glossary))
    assert parsed == [] and sorted(validated) == ["alpha", "beta", "gamma"]


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_tampered_cache_is_ignored_and_never_unpickled(
    glossary: Path, parsed: list[str], tmp_path: Path
) -> None:
    expected = report(check(settings(glossary)))
    blob = next((glossary.parent / "cache" / "entries").glob("*.bin"))
    raw = blob.read_bytes()
    # One flipped byte in the pickled records: a miss, everything is parsed again.
    flipped = bytearray(raw)
    flipped[-10] ^= 0xFF
    blob.write_bytes(bytes(flipped))
    parsed.clear()
    assert report(check(settings(glossary))) == expected
    assert sorted(parsed) == ["alpha.md", "beta.md", "gamma.md"]
    # A pickle that runs code when loaded, behind a copied header and MAC: never loaded.
    marker = tmp_path / "pwned"
    header = raw[: raw.index(b"\n") + 1 + 64]
    blob.write_bytes(header + pickle.dumps(_Payload(marker)))
    assert report(check(settings(glossary))) == expected
    assert not marker.exists()
    # Garbage and an empty file: misses too.
    for junk in (b"", b"glossary-gen blob 2\n", b"\x00" * 200):
        blob.write_bytes(junk)
        assert report(check(settings(glossary))) == expected


def test_no_cache_folder_inside_the_repository(
    glossary: Path, parsed: list[str], tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    inside = settings(glossary, cache_dir=tmp_path / ".cache")
    check(inside)
    parsed.clear()
    check(inside)
    assert sorted(parsed) == ["alpha.md", "beta.md", "gamma.md"]
    assert not (tmp_path / ".cache").exists()


def test_a_new_server_starts_from_the_cache_and_still_sees_edits(
    glossary: Path, parsed: list[str]
) -> None:
    from glossary_gen.incremental import Memo

    expected = report(check(settings(glossary)))
    parsed.clear()
    memo = Memo()  # a new `mkdocs serve` process
    assert report(check(settings(glossary), memo=memo)) == expected
    assert parsed == [] and memo.entries.parsed == []
    (glossary / "beta.md").write_text(entry("Bravo"), encoding="utf-8")
    result = check(settings(glossary), memo=memo)
    assert [Path(p).name for p in memo.entries.parsed] == ["beta.md"]
    assert report(result) == uncached(glossary)


def _stored(entries: Path) -> dict[tuple[str, str], object]:
    """The records stored for a folder (read through the authenticated store)."""
    store = entry_cache.open_store(entries.parent / "cache", "entries", entries)
    assert store is not None
    (blob,) = (entries.parent / "cache" / "entries").glob("*.bin")
    _stamp, _day, records, _found = pickle.loads(store.get_bytes(blob.stem) or b"")
    assert isinstance(records, dict)
    return records


def test_a_record_holds_only_present_files_under_one_stamp(
    glossary: Path, parsed: list[str]
) -> None:
    check(settings(glossary))
    assert sorted(Path(path).name for path, _ in _stored(glossary)) == [
        "alpha.md",
        "beta.md",
        "gamma.md",
    ]
    (glossary / "beta.md").unlink()
    check(settings(glossary))
    assert sorted(Path(path).name for path, _ in _stored(glossary)) == ["alpha.md", "gamma.md"]
    # Another stamp (settings) replaces the record: still one file, for the new stamp only.
    model = EntryModel(sections=(*EntryModel().sections, SectionSpec("Examples", True, "", "")))
    check(settings(glossary, entry_model=model))
    assert len(list((glossary.parent / "cache" / "entries").glob("*.bin"))) == 1
    parsed.clear()
    check(settings(glossary, entry_model=model))
    assert parsed == []


def test_records_of_other_folders_are_pruned_and_simply_recomputed(
    glossary: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    cache = glossary.parent / "cache"
    others = []
    for number in range(4):  # four other checkouts sharing the cache folder
        other = glossary.parent / f"checkout-{number}"
        other.mkdir()
        (other / "one.md").write_text(entry(f"One {number}"), encoding="utf-8")
        check(settings(other, cache_dir=cache))
        others.append(other)
    records = cache / "entries"
    doctests = cache / "doctests"  # another cache's namespace: never pruned by this one
    doctests.mkdir()
    (doctests / "result.json").write_text("{}", encoding="utf-8")
    assert len(list(records.glob("*.bin"))) == 4
    # checkout-0's record was last used 31 days ago; a dead writer left a temporary file.
    (stale,) = [p for p in records.glob("*.bin") if p.stem == entry_cache._record_name(others[0])]
    old = stale.stat().st_mtime - 31 * 24 * 3600
    os.utime(stale, (old, old))
    leftover = records / f".{'0' * 40}.123.tmp"
    leftover.write_bytes(b"half a record")
    os.utime(leftover, (old, old))
    monkeypatch.setattr(entry_cache, "MAX_RECORDS", 2)
    check(settings(glossary))  # writes glossary's record, then prunes
    names = {p.stem for p in records.glob("*.bin")}
    kept = {entry_cache._record_name(glossary), *map(entry_cache._record_name, others[2:])}
    assert names == kept  # the 31-day-old one, and the oldest beyond two others, are gone
    assert not leftover.exists()
    assert (doctests / "result.json").exists()
    # A pruned folder is simply a cold run: parsed again, the same report.
    parsed.clear()
    expected = report(check(settings(others[1], cache_dir=None)))
    assert report(check(settings(others[1], cache_dir=cache))) == expected
    assert parsed == ["one.md"]
    parsed.clear()
    check(settings(others[1], cache_dir=cache))
    assert parsed == []


def test_the_total_size_is_bounded(
    glossary: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = glossary.parent / "cache"
    other = glossary.parent / "other"
    other.mkdir()
    (other / "one.md").write_text(entry("One"), encoding="utf-8")
    check(settings(other, cache_dir=cache))
    monkeypatch.setattr(entry_cache, "MAX_TOTAL", 1)  # no room beside the record just written
    check(settings(glossary))
    assert [p.stem for p in (cache / "entries").glob("*.bin")] == [
        entry_cache._record_name(glossary)
    ]


def test_glossary_rules_are_kept_for_an_unchanged_folder_only(
    glossary: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (glossary / "delta.md").write_text(entry("Gamma"), encoding="utf-8")  # a duplicate title
    ran: list[str] = []

    def counted(rule):  # type: ignore[no-untyped-def]
        def run(entries):  # type: ignore[no-untyped-def]
            ran.append(rule.__name__)
            return list(rule(entries))

        return run

    monkeypatch.setattr(
        entry_cache, "GLOSSARY_RULES", [counted(rule) for rule in entry_cache.GLOSSARY_RULES]
    )
    cold = report(check(settings(glossary)))
    assert any("duplicate-title" in line for line in cold), cold
    assert len(ran) == 3
    ran.clear()
    assert report(check(settings(glossary))) == cold == uncached(glossary)
    assert ran == []  # nothing changed: the same entries give the same findings
    (glossary / "delta.md").write_text(entry("Delta"), encoding="utf-8")
    edited = report(check(settings(glossary)))
    assert len(ran) == 3 and not any("duplicate-title" in line for line in edited)
    assert edited == uncached(glossary)
    ran.clear()
    (glossary / "delta.md").unlink()  # a deletion changes the set of entries too
    assert report(check(settings(glossary))) == uncached(glossary)
    assert len(ran) == 3


RICH = """---
title: Rich Term
aliases: [Rich, R-term]
related: [Alpha]
tags: [one, two]
requires: [numpy]
draft: false
updated: 2024-01-31
sources:
  - title: A book
    url: https://example.org/book
---
### Summary

Rich in one line, see [[Alpha|the first]].

### ELI5

Easy.

### In-depth explanation

```python
>>> 1 + 1
2
```

<!--
```python
hidden()
```
-->
"""


def test_a_cached_entry_is_the_parsed_entry_field_by_field(
    glossary: Path, parsed: list[str]
) -> None:
    from glossary_gen.core.loader import load_entries

    (glossary / "rich.md").write_text(RICH, encoding="utf-8")
    check(settings(glossary))
    warm = {e.slug: e for e in check(settings(glossary)).glossary.entries}
    assert parsed.count("rich.md") == 1  # the second check read it from the cache
    fresh = {e.slug: e for e in load_entries(glossary)[0]}
    assert warm.keys() == fresh.keys()
    for slug, entry in fresh.items():
        cached = warm[slug]
        assert cached is not entry
        for field in entry.__dataclass_fields__:
            assert getattr(cached, field) == getattr(entry, field), (slug, field)
            for part in getattr(entry, field) if isinstance(getattr(entry, field), tuple) else ():
                assert type(part) in {type(p) for p in getattr(cached, field)}
    rich = warm["rich"]
    assert [a.value for a in rich.aliases] == ["Rich", "R-term"] and rich.hidden_code
    assert rich.meta["sources"] == [{"title": "A book", "url": "https://example.org/book"}]
    assert rich.position("sources", 0, "url") == fresh["rich"].position("sources", 0, "url")
    assert rich.summary == fresh["rich"].summary and rich.sections[0].key == "summary"


def test_an_entry_marshal_cannot_encode_is_still_cached(glossary: Path) -> None:
    from glossary_gen.core.loader import load_entries

    entry = load_entries(glossary)[0][0]
    odd = replace(entry, meta={**entry.meta, "odd": object()})  # not YAML: pickle's own way
    function, (state,) = entry_cache._pack_entry(odd)
    assert function is entry_cache._unpack_plain and state["meta"]["odd"] is odd.meta["odd"]
    plain = replace(entry, meta={**entry.meta, "n": 10**40, "x": [None, True, 1.5]})
    again = pickle.loads(entry_cache._dumps(plain))
    assert again.meta == plain.meta and again.positions == plain.positions
    assert again.related == plain.related and again.file == plain.file
