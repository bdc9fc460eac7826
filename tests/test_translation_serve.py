"""``mkdocs serve --dirty`` with translations: an edit rebuilds the pages of every language that
show it, and the served folder is still what a full build writes."""

from __future__ import annotations

from pathlib import Path

from test_partial_build import (  # the partial-build harness: one site, serve and full builds
    assert_same_site,
    edit,
    edit_config,
    new_site,  # noqa: F401  (fixture)
    page,
    serve_build,
)

ALPHA_FR = """---
title: Alpha (fr)
related: [Gamma]
---
### Résumé

Alpha est la première lettre, avant [[Beta]].

### En bref

Elle vient en premier.

### Explication détaillée

Rien de plus.
"""


def translated(site: Path) -> Path:
    edit_config(
        site, "      autolink: first\n", "      autolink: first\n      languages: [en, fr]\n"
    )
    (site / "entries/fr").mkdir()
    (site / "entries/fr/alpha.md").write_text(ALPHA_FR, encoding="utf-8")
    return site


def test_translations_are_built_then_kept(new_site: Path) -> None:  # noqa: F811
    site = translated(new_site)
    first = serve_build(site)
    assert {"fr/glossary/alpha.md", "fr/glossary/index.md", "glossary/alpha.md"} <= first
    assert serve_build(site) == set()
    assert_same_site(site)


def test_an_edit_of_a_default_entry_updates_the_translations_that_show_it(
    new_site: Path,  # noqa: F811
) -> None:
    site = translated(new_site)
    serve_build(site)
    rebuilt = serve_build_after(site, "beta", "Beta comes after [[Alpha]].", "Beta is second.")
    assert "fr/glossary/alpha.md" in rebuilt  # its fallback link's tooltip
    assert 'title="Beta is second."' in page(site, "fr/glossary/alpha")
    assert_same_site(site)


def test_an_edit_of_a_translation_updates_the_original_page(new_site: Path) -> None:  # noqa: F811
    site = translated(new_site)
    serve_build(site)
    path = site / "entries/fr/alpha.md"
    path.write_text(path.read_text("utf-8").replace("Alpha (fr)", "Alpha en français"), "utf-8")
    rebuilt = serve_build(site)
    assert {"fr/glossary/alpha.md", "glossary/alpha.md"} <= rebuilt  # the switcher's title
    assert 'title="Alpha en français"' in page(site, "glossary/alpha")
    assert_same_site(site)


def serve_build_after(site: Path, slug: str, old: str, new: str) -> set[str]:
    edit(site, slug, old, new)
    return serve_build(site)


def test_tags_stay_per_language_across_serve_builds(new_site: Path) -> None:  # noqa: F811
    site = translated(new_site)
    path = site / "entries/fr/alpha.md"
    path.write_text(
        path.read_text("utf-8").replace(
            "related: [Gamma]\n", "related: [Gamma]\ntags: [letters]\n"
        ),
        "utf-8",
    )
    first = serve_build(site)
    assert {"fr/glossary/tags/letters.md", "fr/glossary/tags/index.md"} <= first
    assert "fr/glossary" not in page(site, "tags")  # Material's tags page: English pages only
    assert 'href="../tags/letters/"' in page(site, "fr/glossary/alpha")
    # An edit elsewhere: the kept French page stays out of Material's tags page.
    edit(site, "beta", "Beta comes after [[Alpha]].", "Beta is second.")
    serve_build(site)
    assert "fr/glossary" not in page(site, "tags")
    # The French page's tag changes: its tag pages follow.
    path.write_text(path.read_text("utf-8").replace("tags: [letters]", "tags: [greek]"), "utf-8")
    rebuilt = serve_build(site)
    assert "fr/glossary/alpha.md" in rebuilt
    assert 'href="../tags/greek/"' in page(site, "fr/glossary/alpha")
    assert "Alpha (fr)" in page(site, "fr/glossary/tags/greek")
    assert "fr/glossary" not in page(site, "tags")
    assert_same_site(site)
