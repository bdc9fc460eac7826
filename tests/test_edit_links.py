"""Edit links: "Edit this term" opens the entry file (not a docs page) in the repository,
"Suggest a new term" leads to the contributing guide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glossary_gen.core.loader import load_entries
from glossary_gen.site.edit_links import EditLinks, edit_base

SITE = Path(__file__).parent / "fixtures" / "site_basic"


@pytest.mark.parametrize(
    ("repo_url", "edit_uri", "mkdocs_edit_uri", "expected"),
    [
        # The plugin's edit_uri points at the folder of mkdocs.yml.
        ("https://github.com/acme/g", "edit/dev/", None, "https://github.com/acme/g/edit/dev/"),
        # MkDocs' edit_uri points into docs/: the entries are found from there.
        (
            "https://github.com/acme/g/",
            None,
            "edit/master/docs/",
            "https://github.com/acme/g/edit/master/",
        ),
        # Known hosts default to their editor on main.
        ("https://github.com/acme/g", None, None, "https://github.com/acme/g/edit/main/"),
        ("https://gitlab.com/acme/g", None, None, "https://gitlab.com/acme/g/-/edit/main/"),
        # Elsewhere, without an edit_uri, there is no edit link; nor without a repository.
        ("https://git.example.org/g", None, None, None),
        (None, "edit/main/", None, None),
    ],
)
def test_edit_base(tmp_path, repo_url, edit_uri, mkdocs_edit_uri, expected):
    (tmp_path / "docs").mkdir()
    base = edit_base(
        repo_url,
        edit_uri,
        mkdocs_edit_uri=mkdocs_edit_uri,
        docs_dir=tmp_path / "docs",
        base_dir=tmp_path,
    )
    assert base == expected


def test_the_entry_path_is_taken_from_the_repository_root_not_docs():
    links = EditLinks("https://github.com/acme/g/edit/main/", SITE, "contributing/")
    (alpha,) = [e for e in load_entries(SITE / "entries")[0] if e.slug == "alpha"]
    assert links.edit_url(alpha.file) == "https://github.com/acme/g/edit/main/entries/alpha.md"
    footer = links.footer(alpha, "glossary/alpha/")
    assert footer == [
        '<a href="https://github.com/acme/g/edit/main/entries/alpha.md" '
        'class="glossary-edit-term" rel="nofollow" '
        'title="Edit entries/alpha.md in the repository">Edit this term</a>',
        '<a href="../../contributing/" class="glossary-suggest-term">Suggest a new term</a>',
    ]
    # Entries outside the folder of mkdocs.yml (here: mkdocs.yml in site/, entries beside it)
    # still get their repository path.
    outside = EditLinks("https://github.com/acme/g/edit/main/site/", SITE / "docs")
    assert outside.edit_url(alpha.file) == "https://github.com/acme/g/edit/main/entries/alpha.md"


@pytest.fixture(scope="module")
def build(copy_site_basic, mkdocs_build):
    """``build(folder, config_extra, contributing=...)``: site_basic with the edit button on and
    ``config_extra`` among the plugin's options, built in ``folder``."""

    def build_in(tmp: Path, config_extra: str, *, contributing: bool) -> Path:
        site = copy_site_basic(tmp)
        config = (site / "mkdocs.yml").read_text()
        config = config.replace("      autolink: first\n", "      autolink: first\n" + config_extra)
        config = config.replace(
            "    - content.tooltips\n", "    - content.tooltips\n    - content.action.edit\n"
        )
        (site / "mkdocs.yml").write_text(config)
        if contributing:
            (site / "docs" / "contributing.md").write_text("# How to contribute\n")
        return mkdocs_build(site)

    return build_in


@pytest.fixture(scope="module")
def built(tmp_path_factory, build):
    return build(
        tmp_path_factory.mktemp("edit"),
        "      repo_url: https://github.com/acme/letters\n",
        contributing=True,
    )


def test_every_term_page_has_edit_and_suggest_links(built):
    for slug in ("alpha", "beta", "omega-point", "evil"):
        html = (built / "glossary" / slug / "index.html").read_text()
        contribute = html.split('<p class="glossary-contribute">', 1)[1].split("</p>", 1)[0]
        assert re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', contribute) == [
            (f"https://github.com/acme/letters/edit/main/entries/{slug}.md", "Edit this term"),
            ("../../contributing/", "Suggest a new term"),
        ]
        # The theme's own edit button (content.action.edit) edits the entry too.
        assert re.search(
            rf'<a href="https://github.com/acme/letters/edit/main/entries/{slug}\.md" '
            r'title="[^"]*" class="md-content__button',
            html,
        ), slug
    # Material's repository badge (and its request to the GitHub API) stays off.
    assert "md-source" not in (built / "glossary" / "alpha" / "index.html").read_text()


def test_without_a_contributing_page_suggest_leads_to_the_repository(tmp_path, build):
    site = build(tmp_path, "      repo_url: https://github.com/acme/letters\n", contributing=False)
    html = (site / "glossary" / "alpha" / "index.html").read_text()
    assert (
        '<a href="https://github.com/acme/letters" class="glossary-suggest-term">'
        "Suggest a new term</a>" in html
    )
