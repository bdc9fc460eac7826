"""A translated page's own words: the badge, the edit links and the words handed to live.js
(``data-glossary-words``), built in for fr/de/es and overridable with the option ``labels``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from test_translation_pages import page, translated_site

from glossary_gen.core.config import ConfigError, settings_from_options
from glossary_gen.core.languages import LABELS, WIDGET_TEXTS
from glossary_gen.site.audit import check_site

OPTIONS = """      repo_url: https://github.com/example/glossary
      edit_uri: edit/main/
      labels:
        fr:
          Edit this term: Corriger ce terme
          "▶ Run": "▶ Lancer"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, copy_site_basic, mkdocs_build) -> Path:
    folder = translated_site(copy_site_basic(tmp_path_factory.mktemp("i18n-words")))
    config = folder / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "      autolink: first\n", "      autolink: first\n" + OPTIONS
        ),
        "utf-8",
    )
    return mkdocs_build(folder)


def words_of(text: str) -> dict[str, str]:
    found = re.search(r'data-glossary-words="([^"]*)"', text)
    assert found is not None, "no words for live.js on the page"
    words: dict[str, str] = json.loads(html.unescape(found.group(1)))
    return words


def test_a_french_page_hands_live_js_its_words(site):
    fr = page(site, "fr/glossary/relu")
    words = words_of(fr)
    assert words["▶ Run"] == "▶ Lancer"  # the site's word
    assert words["Edited: not verified"] == "Modifié : non vérifié"  # the built-in one
    assert set(words) <= set(WIDGET_TEXTS)
    assert ">Exemple vérifié</p>" in fr  # the badge, written by the renderer
    assert ">Verified example<" not in fr


def test_a_french_page_edits_in_french(site):
    fr = page(site, "fr/glossary/relu")
    assert "Corriger ce terme</a>" in fr and "Edit this term</a>" not in fr
    en = page(site, "glossary/relu")
    assert "Edit this term</a>" in en and "Corriger" not in en
    assert "data-glossary-words" not in en  # English: live.js's own words


def test_the_site_with_words_passes_the_audit(site):
    assert check_site(site, site_url="https://glossary.example.org/") == []


def test_every_language_has_every_widget_word():
    for lang, words in LABELS.items():
        missing = [t for t in WIDGET_TEXTS if t not in words]
        assert not missing, (lang, missing)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"de": {"Edit": "x"}}, "labels: 'de' is not a translated language"),
        ({"en": {"Edit": "x"}}, "labels: 'en' is not a translated language"),
        ({"fr": ["Edit"]}, "labels: fr: must be a mapping"),
        ({"fr": {"Nope": "x"}}, "'Nope' is not a text the pages say"),
        ({"fr": {"Edit": '<img src=x onerror="alert(1)">'}}, 'without < > & or "'),
        ({"fr": {"Edit": "a & b"}}, 'without < > & or "'),
        ({"fr": {"Edit": "two\nlines"}}, "must be one line"),
        ({"fr": {"Edit": ""}}, "must be one line"),
        ({"fr": {"Edit": "x" * 201}}, "must be one line of 1 to 200"),
        ({"fr": {"Edit": 3}}, "must be one line"),
        (["fr"], "'labels' must map a language"),
    ],
)
def test_hostile_labels_are_configuration_errors(labels, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from_options(
            {"languages": ["en", "fr"], "labels": labels}, Path("."), "mkdocs.yml"
        )


def test_labels_need_languages():
    with pytest.raises(ConfigError, match="'labels' needs 'languages"):
        settings_from_options({"labels": {"fr": {}}}, Path("."), "mkdocs.yml")


def test_a_playground_on_a_french_page_says_its_note_in_french(write_entry, tmp_path):
    from test_live import DEFS, entry_with, settings

    from glossary_gen.core.languages import label
    from glossary_gen.fences.evaluate import evaluate_live
    from glossary_gen.fences.playground import PLAYGROUND_NOTE, render_playground

    entry = entry_with(
        write_entry, DEFS + "```playground\nfunction: relu\nx: [-5, 5]\nvalue: 2.5\n```\n"
    )
    results = evaluate_live([entry], settings(tmp_path))
    (playground,) = results.by_key.values()
    fr = render_playground(playground, lambda text: label("fr", text))
    assert "Déplacez le curseur pour exécuter <code>relu</code> depuis cette page" in fr
    assert 'valeur"' in fr  # the number field's name
    assert "Move the slider" not in fr
    en = render_playground(playground)
    assert f"Move the slider to run <code>relu</code> {PLAYGROUND_NOTE}" in en
    for lang, words in LABELS.items():
        assert PLAYGROUND_NOTE in words, lang
