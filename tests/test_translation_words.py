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
from glossary_gen.core.live_words import LIVE_TEXTS, placeholders
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


STOPPED = "Stopped: this was still running after {n} s (an endless loop?)."
ASSETS = Path(__file__).parent.parent / "glossary_gen" / "site" / "assets"
# say("text" + "more", ...) in live.js and its worker: the English texts they translate.
_SAY = re.compile(r'\bsay\(\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+)')


def said_texts(script: str) -> set[str]:
    found = set()
    for match in _SAY.finditer(script):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
        found.add(json.loads('"' + "".join(parts) + '"'))
    return found - {""}


def test_every_text_live_js_says_has_its_words():
    """A text live.js or its worker says that no language knows would stay English on every
    translated page (a new or reworded message must be added to LIVE_TEXTS and translated)."""
    said = set()
    for name, least in (("live.js", 40), ("live-worker.js", 6)):
        texts = said_texts((ASSETS / name).read_text("utf-8"))
        assert len(texts) >= least, (name, texts)  # the pattern still finds them
        said |= texts
    assert said <= set(WIDGET_TEXTS), sorted(said - set(WIDGET_TEXTS))
    assert set(LIVE_TEXTS) <= said, sorted(set(LIVE_TEXTS) - said)  # none unused


def test_the_messages_keep_their_placeholders_in_every_language():
    for lang, words in LABELS.items():
        for text in LIVE_TEXTS:
            assert placeholders(words[text]) == placeholders(text), (lang, text, words[text])
            assert words[text] != text, (lang, text)  # translated, not left in English
            assert not re.search(r'[<>&"]', words[text]), (lang, text)


def test_a_french_page_hands_live_js_its_messages(site):
    words = words_of(page(site, "fr/glossary/relu"))
    assert (
        words[STOPPED] == "Arrêté : l'exécution durait encore après {n} s (une boucle infinie ?)."
    )
    assert words["Python sandbox for the examples (no content)"].startswith("Bac à sable")
    assert words["Loading {names}…"] == "Chargement de {names}…"
    assert set(LIVE_TEXTS) <= set(words)


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
        ({"fr": {STOPPED: "Arrêté après un moment"}}, "must keep exactly its placeholders ({n})"),
        ({"fr": {STOPPED: "Arrêté après {n} s {host}"}}, "placeholders ({n})"),
        ({"fr": {STOPPED: "Arrêté après {N} s"}}, "placeholders ({n})"),
        ({"fr": {"Edit": "Modifier {n}"}}, "placeholders (none)"),
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


def test_every_built_in_word_keeps_its_texts_placeholders():
    for lang, words in LABELS.items():
        for text, word in words.items():
            assert placeholders(word) == placeholders(text), (lang, text, word)


def test_the_preview_banner_speaks_the_pages_language():
    from glossary_gen.core.diagnostics import error, warning
    from glossary_gen.core.languages import Languages
    from glossary_gen.engines.mkdocs.problems_banner import LIMIT, banner

    problems = [error("entries/fr/a.md", n, 1, "c", f"m{n}") for n in range(LIMIT + 2)]
    problems.insert(0, warning("entries/fr/a.md", 1, 1, "w", "<b>{n}</b>"))
    words = Languages(("en", "fr")).words("fr")
    fr = banner(problems, lambda text: words.get(text, text))
    assert "Cette entrée a 52 erreurs, 1 avertissement</p>" in fr
    assert "<li>… et 3 de plus (voir le terminal)</li>" in fr
    assert "Affiché pendant l&#x27;aperçu" in fr or "Affiché pendant l'aperçu" in fr
    assert "<code>glossary-gen check</code> affiche les mêmes lignes" in fr
    assert "<code>--strict</code> (CI) échoue" in fr
    assert "&lt;b&gt;{n}&lt;/b&gt;" in fr  # a message is text, its braces are not filled
    for english in ("This entry has", "errors", "more (see", "Shown while"):
        assert english not in fr, english
    en = banner(problems)
    assert "This entry has 52 errors, 1 warning</p>" in en
    assert "Shown while previewing; <code>glossary-gen check</code> prints" in en
