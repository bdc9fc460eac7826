"""The pages writer's page cache (glossary_gen/engines/zensical/page_cache.py): a run after an
edit converts only the pages the edit changed, and writes exactly what a run without the cache
writes; a tampered cache is ignored."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from glossary_gen.engines.zensical.pages import Written, write_pages
from glossary_gen.engines.zensical.project import Project

SITE_BASIC = Path(__file__).parent / "fixtures" / "site_basic"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "site"
    shutil.copytree(SITE_BASIC, folder)
    return folder


def write(site: Path, out: Path, cache: Path | None) -> Written:
    project = Project.load(site / "mkdocs.yml")
    project = replace(project, settings=replace(project.settings, cache_dir=cache, doctest=False))
    written = write_pages(project, out, doctest=False)
    assert written.ok, [d.format_text() for d in written.diagnostics]
    return written


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "pyodide" not in p.parts
    }


def test_an_unchanged_glossary_converts_no_page_and_writes_no_file(
    site: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = write(site, out, cache)
    assert first.reused == [] and first.assembly is not None
    pages = set(first.assembly.pages)
    before = tree(out)
    second = write(site, out, cache)
    assert set(second.reused) == pages
    assert [p for p in second.written if "pyodide" not in p.parts] == []
    assert tree(out) == before


def test_after_an_edit_only_the_pages_it_changes_are_converted_and_the_output_is_exact(
    site: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    beta = site / "entries" / "beta.md"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace("Beta comes after", "Beta, new summary, follows"),
        encoding="utf-8",
    )
    again = write(site, out, cache)
    assert again.assembly is not None
    converted = set(again.assembly.pages) - set(again.reused)
    # Beta's page, and Alpha's (its related terms and its [[Beta]] tooltip show Beta's summary).
    assert {"glossary/beta.md", "glossary/alpha.md"} <= converted
    assert "glossary/omega-point.md" in again.reused
    fresh = tmp_path / "fresh"
    write(site, fresh, None)
    assert tree(out) == tree(fresh)


def test_a_tampered_page_cache_is_ignored(site: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    expected = tree(out)
    (record,) = (cache / "pages").glob("*.bin")
    raw = record.read_bytes()
    forged = raw.replace(b"Alpha is the", b"Evil is the<script>")
    assert forged != raw
    record.write_bytes(forged)
    again = write(site, out, cache)
    assert again.reused == []
    assert tree(out) == expected


def test_a_page_whose_link_shows_a_changed_tooltip_is_converted_again(
    site: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    alpha = site / "entries" / "alpha.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace("Alpha is the **first** letter", "Alpha leads"),
        encoding="utf-8",
    )
    again = write(site, out, cache)
    # Omega Point's text is the same; only the tooltip of its [[Alpha]] link changed.
    assert "glossary/omega-point.md" not in again.reused
    fresh = tmp_path / "fresh"
    write(site, fresh, None)
    assert tree(out) == tree(fresh)


def test_a_package_upgrade_or_other_settings_discard_the_pages(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import glossary_gen

    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    monkeypatch.setattr(glossary_gen, "__version__", glossary_gen.__version__ + ".post1")
    assert write(site, out, cache).reused == []
    assert write(site, out, cache).reused != []
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("autolink: first", "autolink: 'off'"),
        encoding="utf-8",
    )
    assert write(site, out, cache).reused == []
