"""Tag pages per language under MkDocs: Material's tags plugin lists the default language's pages;
each translated language gets its own tag pages (``fr/glossary/tags/<tag>/``), with its own tag
titles (``tag_titles: {fr: {...}}``), and a translation's tags link there."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_translation_pages import RELU_FR, page, translated_site

from glossary_gen.core.config import ConfigError, settings_from_options
from glossary_gen.site.audit import check_site

TAG_TITLES = """      tag_titles:
        activation-functions: Activation functions
        fr:
          activation-functions: "Fonctions d'activation"
"""


def tagged_site(folder: Path) -> Path:
    site = translated_site(folder)
    (site / "entries/fr/relu.md").write_text(
        RELU_FR.replace(
            "aliases: [redresseur]\n",
            "aliases: [redresseur]\ntags: [activation-functions, '<img src=x onerror=alert(1)>']\n",
        ),
        "utf-8",
    )
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "      autolink: first\n", "      autolink: first\n" + TAG_TITLES
        ),
        "utf-8",
    )
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory, copy_site_basic, mkdocs_build) -> Path:
    return mkdocs_build(tagged_site(copy_site_basic(tmp_path_factory.mktemp("i18n-tags"))))


def test_each_language_has_its_own_tag_pages(site):
    fr_tag = page(site, "fr/glossary/tags/activation-functions")
    assert (
        "Étiquette : Fonctions d&#x27;activation" in fr_tag
        or "Étiquette : Fonctions d'activation" in fr_tag
    )
    assert 'href="../../relu/"' in fr_tag  # the French ReLU page
    assert "La ReLU" in fr_tag  # with its French summary
    # An untranslated term with the tag is listed with its default-language page, marked (as on
    # the language's A-Z page).
    assert re.search(
        r'href="[./]*glossary/tanh-function/" class="[^"]*glossary-link--fallback', fr_tag
    )
    fr_index = page(site, "fr/glossary/tags")
    assert "Étiquettes" in fr_index and 'href="activation-functions/"' in fr_index
    assert "Toutes les étiquettes" in fr_tag


def test_materials_tag_index_lists_the_default_language_only(site):
    tags = page(site, "tags")
    assert "glossary/relu/" in tags and "glossary/sigmoid-function/" in tags
    assert "fr/glossary" not in tags
    assert "La ReLU" not in tags


def test_a_translations_tags_link_to_its_languages_tag_pages(site):
    fr = page(site, "fr/glossary/relu")
    nav = re.search(r'<nav class="md-tags".*?</nav>', fr, re.S)
    assert nav is not None, "the French page shows its tags"
    assert 'href="../tags/activation-functions/"' in nav.group(0)
    assert "Fonctions d" in nav.group(0) and "Activation functions" not in nav.group(0)
    en = page(site, "glossary/relu")
    en_nav = re.search(r'<nav class="md-tags".*?</nav>', en, re.S)
    assert en_nav is not None and "tags/#tag:activation-functions" in en_nav.group(0)
    assert "fr/glossary/tags" not in en_nav.group(0)


def test_a_hostile_tag_of_a_translation_is_text(site):
    fr = page(site, "fr/glossary/relu")
    nav = re.search(r'<nav class="md-tags".*?</nav>', fr, re.S)
    assert nav is not None
    assert "&lt;img src=x onerror=alert(1)&gt;" in nav.group(0)
    assert "<img src=x" not in fr
    assert (site / "fr/glossary/tags/img-src-x-onerror-alert-1/index.html").is_file()


def test_the_built_site_passes_the_audit(site):
    assert check_site(site, site_url="https://glossary.example.org/") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"de": {"a": "A"}}, "'de' maps tags to titles but is not a translated language"),
        ({"../x": {"a": "A"}}, "is not a lower-case language code"),
        ({"<script>": {"a": "A"}}, "is not a lower-case language code"),
        ({"fr": {"a": "two\nlines"}}, "'tag_titles: fr': the title of tag 'a' must be one line"),
        ({"fr": {"a": {"b": "c"}}}, "'tag_titles: fr': the title of tag 'a' must be one line"),
        ({"fr": {"": "A"}}, "'tag_titles: fr': a tag must be a non-empty string"),
        ({"fr": {"a": "x" * 81}}, "of 1 to 80 characters"),
    ],
)
def test_hostile_language_tag_titles_are_configuration_errors(value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from_options(
            {"languages": ["en", "fr"], "tag_titles": value}, Path("."), "mkdocs.yml"
        )


def test_a_build_with_a_bad_language_in_tag_titles_stops_with_a_located_message(
    tmp_path, copy_site_basic
):
    site = tagged_site(copy_site_basic(tmp_path))
    config = site / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("        fr:\n", "        de:\n"), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "check", "--config", str(config)],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # A configuration error is a usage error (exit 2), as for every other option.
    assert result.returncode == 2, result.stdout + result.stderr
    assert "mkdocs.yml:" in result.stderr + result.stdout
    assert "'de' maps tags to titles" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_translations_tags_stay_searchable_in_its_language(site):
    """Material's search indexes a French page with its French tag titles (the tags plugin,
    which read the page's tags earlier, still lists the default language only: above)."""
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    tags_of = {doc["location"]: doc.get("tags") for doc in index["docs"]}
    # escaped as the default language's tags are (the page's meta holds them so)
    assert tags_of["fr/glossary/relu/"] == [
        html.escape("Fonctions d'activation"),
        html.escape("<img src=x onerror=alert(1)>"),
    ]
    assert tags_of["glossary/relu/"]  # the English page's, as Material indexes them
    assert html.escape("Fonctions d'activation") not in tags_of["glossary/relu/"]
    assert "fr/glossary" not in page(site, "tags")
