"""``init --from hugo`` finds the languages of a Hugo site: the content folders per language
(``content/fr/glossary`` beside ``content/en/glossary``), the file names (``relu.fr.md``), and
the default language from Hugo's configuration (``defaultContentLanguage``, the ``languages``
weights), not assumed ``en``. Bad language names and configurations are located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_translations import HUGO, RELU_HUGO_FR

from glossary_gen.adopt.hugo.site_languages import detect_languages
from glossary_gen.cli import main

TOML = """baseURL = "https://example.org/"
defaultContentLanguage = "en"

[languages.en]
weight = 1
[languages.fr]
weight = 2
"""


def folders_site(root: Path, config: str = TOML, name: str = "hugo.toml") -> Path:
    """A Hugo site with a content folder per language."""
    shutil.copytree(HUGO, root / "content" / "en" / "glossary")
    french = root / "content" / "fr" / "glossary"
    french.mkdir(parents=True)
    (french / "relu.md").write_text(RELU_HUGO_FR.replace("slug: relu-fr\n", ""), "utf-8")
    (root / name).write_text(config, "utf-8")
    return root / "content" / "en" / "glossary"


def init(capsys, source: str) -> tuple[int, str]:
    code = main(["init", "new-site", "--from", "hugo", source])
    out, err = capsys.readouterr()
    return code, out + err


def test_language_folders_become_translations(tmp_path, monkeypatch, capsys):
    folders_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, said = init(capsys, "content/en/glossary")
    assert code == 0, said
    config = Path("new-site/mkdocs.yml").read_text("utf-8")
    assert "  - glossary:\n      languages: [en, fr]\n" in config
    text = Path("new-site/entries/fr/relu.md").read_text("utf-8")
    assert "title: ReLU" in text and "### Résumé" in text
    assert not Path("new-site/entries/relu-fr.md").exists()
    monkeypatch.chdir("new-site")
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out


def test_the_default_language_comes_from_hugos_configuration(tmp_path, monkeypatch, capsys):
    source = tmp_path / "content" / "glossary"
    shutil.copytree(HUGO, source)
    shutil.copy(source / "relu.md", source / "relu.en.md")
    (tmp_path / "hugo.yaml").write_text(
        "defaultContentLanguage: fr\nlanguages:\n  fr: {weight: 1}\n  en: {weight: 2}\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, said = init(capsys, "content/glossary")
    assert code == 0, said
    config = Path("new-site/mkdocs.yml").read_text("utf-8")
    assert "      languages: [fr, en]\n" in config  # fr is the default, not en
    assert Path("new-site/entries/en/relu.md").is_file()


@pytest.mark.parametrize(
    ("config", "name", "expected"),
    [
        # No defaultContentLanguage: the lightest language is the default.
        ("[languages.de]\nweight = 1\n[languages.fr]\nweight = 3\n", "config.toml", ("de", "fr")),
        (
            '{"DefaultContentLanguage": "FR", "languages": {"fr": {}, "de": {}}}',
            "hugo.json",
            ("fr", "de"),
        ),
        ("", "hugo.toml", ("en", "de", "fr")),  # no word of languages: en, the others by name
    ],
)
def test_default_and_order_of_the_languages(tmp_path, config, name, expected):
    source = tmp_path / "content" / "glossary"
    source.mkdir(parents=True)
    for lang in ("", ".de", ".fr", ".en"):
        (source / f"relu{lang}.md").write_text("---\ntitle: ReLU\n---\n", "utf-8")
    (tmp_path / name).write_text(config, "utf-8")
    languages, problems = detect_languages(source)
    assert problems == []
    assert languages.codes[0] == expected[0]
    assert [c for c in languages.codes if c in expected] == list(expected)


def test_without_translations_there_is_one_language(tmp_path):
    source = tmp_path / "content" / "glossary"
    shutil.copytree(HUGO, source)
    (tmp_path / "hugo.toml").write_text('defaultContentLanguage = "fr"\n', "utf-8")
    languages, problems = detect_languages(source)
    assert problems == [] and languages.codes == ()


@pytest.mark.parametrize(
    ("config", "located"),
    [
        (
            'title = "x"\ndefaultContentLanguage = "<script>"\n',
            "hugo.toml:2:1: error[import-language]",
        ),
        ('defaultContentLanguage = "../x"\n', "hugo.toml:1:1: error[import-language]"),
        ("defaultContentLanguage = 3\n", "hugo.toml:1:1: error[import-language]"),
        ('[languages."../x"]\nweight = 1\n', "hugo.toml:1:13: error[import-language]"),
        ('defaultContentLanguage = "fr"\n', "content/en/glossary:1:1: error[import-language]"),
        ("defaultContentLanguage = [\n", "hugo.toml:1:"),
    ],
)
def test_a_bad_hugo_configuration_stops_init_with_a_located_error(
    tmp_path, monkeypatch, capsys, config, located
):
    folders_site(tmp_path, config)
    monkeypatch.chdir(tmp_path)
    code, said = init(capsys, "content/en/glossary")
    assert code == 1, said
    assert located in said
    assert "Traceback" not in said
    assert not Path("new-site").exists()  # nothing created


@pytest.mark.parametrize("folder", ["<script>", "Fr", "..x"])
def test_a_language_folder_with_a_bad_name_stops_init_with_a_located_error(
    tmp_path, monkeypatch, capsys, folder
):
    folders_site(tmp_path)
    bad = tmp_path / "content" / folder / "glossary"
    bad.mkdir(parents=True)
    (bad / "relu.md").write_text(RELU_HUGO_FR, "utf-8")
    monkeypatch.chdir(tmp_path)
    code, said = init(capsys, "content/en/glossary")
    assert code == 1, said
    assert f"content/{folder}/glossary:1:1: error[import-language]" in said
    assert "Traceback" not in said
    assert not Path("new-site").exists()


def test_a_linked_language_folder_is_not_followed(tmp_path, monkeypatch, capsys):
    folders_site(tmp_path)
    outside = tmp_path / "elsewhere" / "glossary"
    outside.mkdir(parents=True)
    (tmp_path / "content" / "de").symlink_to(tmp_path / "elsewhere")
    languages, problems = detect_languages(tmp_path / "content" / "en" / "glossary")
    assert problems == [] and languages.codes == ("en", "fr")
