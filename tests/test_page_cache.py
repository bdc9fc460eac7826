"""The pages writer's page cache (glossary_gen/engines/zensical/page_cache.py): a run after an
edit converts only the pages the edit changed, and writes exactly what a run without the cache
writes; a tampered cache is ignored."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.model import Entry
from glossary_gen.engines.zensical.pages import Written, write_pages
from glossary_gen.engines.zensical.project import Project
from glossary_gen.site.page import RenderedPage

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


# --- a warm run renders no term page; every kind of change gives exactly a fresh run's files ---


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def assert_exact(site: Path, out: Path, tmp_path: Path) -> None:
    """``out`` holds exactly what a run without a cache writes into an empty folder."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    write(site, fresh, None)
    assert tree(out) == tree(fresh)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the term pages rendered (their Markdown made) from now on."""
    from glossary_gen.site.render import Renderer

    slugs: list[str] = []
    render_entry = Renderer.render_entry

    def counted(self: Renderer, entry: Entry) -> tuple[RenderedPage, list[Diagnostic]]:
        slugs.append(entry.slug)
        return render_entry(self, entry)

    monkeypatch.setattr(Renderer, "render_entry", counted)
    return slugs


def test_a_warm_run_renders_no_term_page_and_an_edit_renders_only_the_pages_it_changes(
    site: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    assert sorted(rendered) == ["alpha", "beta", "evil", "omega-point"]
    rendered.clear()
    write(site, out, cache)
    assert rendered == []
    edit(site / "entries" / "omega-point.md", "See [[Alpha]].", "See [[Alpha]] again.")
    again = write(site, out, cache)
    # Omega Point's page; Alpha's lists it under "Referenced by", which shows titles only.
    assert rendered == ["omega-point"]
    changed = {p.relative_to(out).as_posix() for p in again.written if "pyodide" not in p.parts}
    assert "glossary/omega-point.md" in changed
    # Its page file and its finished HTML (a new name), the search data that quote it.
    assert not any(name.startswith(("glossary/alpha", "glossary/beta")) for name in changed)
    assert_exact(site, out, tmp_path)


def test_a_changed_summary_markup_renders_the_related_cards_again(
    site: Path, tmp_path: Path, rendered: list[str]
) -> None:
    """Alpha lists Beta as related, with Beta's summary as HTML: a code span there changes
    Alpha's page though Beta's tooltip text does not."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    rendered.clear()
    edit(site / "entries" / "beta.md", "Beta comes after", "Beta `comes` after")
    write(site, out, cache)
    assert "alpha" in rendered
    assert_exact(site, out, tmp_path)


def test_a_deleted_entry_goes_with_its_files_and_its_backlinks(site: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    assert (out / "glossary" / "omega-point.md").is_file()
    (site / "entries" / "omega-point.md").unlink()
    again = write(site, out, cache)
    assert out / "glossary" / "omega-point.md" in again.removed
    assert not (out / "glossary" / "omega-point.md").exists()
    assert_exact(site, out, tmp_path)


def test_a_renamed_entry_moves_and_the_pages_linking_it_follow(site: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    entries = site / "entries"
    (entries / "omega-point.md").rename(entries / "omega.md")
    again = write(site, out, cache)
    # Alpha's text auto-links "Omega Point", now at another address.
    assert "glossary/alpha.md" not in again.reused
    assert (out / "glossary" / "omega.md").is_file()
    assert not (out / "glossary" / "omega-point.md").exists()
    assert_exact(site, out, tmp_path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("autolink: first", "autolink: 'off'"),
        ("site_name: Fixture Glossary", "site_name: Another Glossary"),
        ("permalink: true", "permalink: false"),
        ("entries_dir: entries", "entries_dir: entries\n      last_updated: false"),
    ],
)
def test_a_changed_setting_gives_exactly_the_files_of_a_fresh_run(
    site: Path, tmp_path: Path, old: str, new: str
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    edit(site / "mkdocs.yml", old, new)
    write(site, out, cache)
    assert_exact(site, out, tmp_path)


def test_a_warm_run_keeps_the_formula_cache(site: Path, tmp_path: Path) -> None:
    """A run that converts no page does not empty the formula cache (math.json) of the runs
    that did, and a run after an edit keeps the formulas of the pages it reused."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    edit(site / "entries" / "beta.md", "Second.", "Second, $x^2 + y$.")
    write(site, out, cache)
    stored = (cache / "math.json").read_text(encoding="utf-8")
    assert "x^2 + y" in stored
    write(site, out, cache)
    assert (cache / "math.json").read_text(encoding="utf-8") == stored
    edit(site / "entries" / "alpha.md", "It comes first.", "It comes first, $z$.")
    write(site, out, cache)
    assert "x^2 + y" in (cache / "math.json").read_text(encoding="utf-8")
    assert_exact(site, out, tmp_path)


def test_a_translated_site_after_an_edit_to_a_translation_is_exact(
    site: Path, tmp_path: Path
) -> None:
    """The default language's term pages are kept by their render key, which holds the term's
    language versions (switcher, alternates): an edited or a new translation renders them
    again; the translated pages are always converted."""
    from test_translation_pages import translated_site

    translated_site(site)
    out, cache = tmp_path / "out", tmp_path / "cache"
    write(site, out, cache)
    assert write(site, out, cache).reused != []
    edit(site / "entries" / "fr" / "relu.md", "title: ReLU", "title: ReLU rectifiée")
    again = write(site, out, cache)
    assert "glossary/relu.md" not in again.reused
    assert_exact(site, out, tmp_path)
    (site / "entries" / "fr" / "tanh-function.md").write_text(
        "---\ntitle: Tangente hyperbolique\n---\n### Résumé\n\nUne courbe en S.\n\n"
        "### En bref\n\nUn S.\n\n### Explication détaillée\n\nVoir [[Fonction sigmoïde]].\n",
        "utf-8",
    )
    again = write(site, out, cache)
    assert "glossary/tanh-function.md" not in again.reused
    assert_exact(site, out, tmp_path)
