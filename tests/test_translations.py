"""Translations: ``entries/<lang>/<slug>.md`` checked, linked and reported like entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.config import ConfigError, settings_from_options
from glossary_gen.pipeline import check

ENTRY = """---
title: {title}
{extra}---
### {s1}

{summary}

### {s2}

Like a toy.

### {s3}

{body}
"""


def write(
    path: Path,
    title: str,
    *,
    extra: str = "",
    body: str = "The details.",
    fr: bool = False,
    summary: str = "A short summary.",
) -> None:
    s1, s2, s3 = (
        ("Résumé", "En bref", "Explication détaillée")
        if fr
        else ("Summary", "ELI5", "In-depth explanation")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        ENTRY.format(title=title, extra=extra, s1=s1, s2=s2, s3=s3, body=body, summary=summary),
        encoding="utf-8",
    )


def project(tmp_path: Path, languages: str | None = "[en, fr]") -> Path:
    options = f"\n      languages: {languages}" if languages else ""
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: T\nplugins:\n  - glossary:\n      doctest: false{options}\n", encoding="utf-8"
    )
    entries = tmp_path / "entries"
    write(
        entries / "relu.md",
        "ReLU",
        extra="aliases: [rectifier]\n",
        body="See [[Sigmoid Function]].",
    )
    write(entries / "sigmoid-function.md", "Sigmoid Function")
    write(entries / "tanh.md", "Tanh")
    return tmp_path


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["check", "--config", str(root / "mkdocs.yml"), "--no-doctest", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def settings(root: Path):
    from glossary_gen.core.config import load_settings

    return load_settings(root / "mkdocs.yml")


def test_links_resolve_in_the_translation_language_first_then_the_default(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(
        root / "entries/fr/sigmoid-function.md",
        "Fonction sigmoïde",
        fr=True,
        body="Voir [[ReLU]] et [[rectifier|le redresseur]].",
    )
    write(
        root / "entries/fr/relu.md",
        "ReLU",
        fr=True,
        body="Voir [[Fonction sigmoïde]], [[Sigmoid Function]] et [[Tanh]].",
    )
    result = check(settings(root))
    assert result.diagnostics == []
    fr = result.translations.by_lang["fr"].glossary
    assert fr.links["relu"] == ("sigmoid-function", "tanh")  # French title, English title: one slug
    assert fr.links["sigmoid-function"] == ("relu",)  # an English alias is the fallback
    assert fr.resolve("fonction sigmoïde").slug == "sigmoid-function"
    assert fr.resolve("Tanh") is None  # not translated: only the fallback knows it
    assert fr.backlinks["sigmoid-function"] == ("relu",)
    # The French headings are the site's sections: the summary is found.
    assert fr.by_slug["relu"].summary == "A short summary."
    assert fr.by_slug["relu"].sections[0].title == "Résumé"


def test_unknown_link_in_a_translation_is_a_located_error_with_did_you_mean(
    tmp_path, monkeypatch, capsys
):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr/relu.md", "ReLU", fr=True, body="Voir [[Fonction sigmoide]].")
    write(root / "entries/fr/sigmoid-function.md", "Fonction sigmoïde", fr=True)
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert (
        "entries/fr/relu.md:14:6: error[unknown-term]: wiki link target 'Fonction sigmoide' is "
        "not defined (did you mean 'Fonction sigmoïde'?)" in out
    )


def test_a_translation_without_original_is_a_located_error(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr/sigmoide.md", "Sigmoïde", fr=True)
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/sigmoide.md:1:1: error[translation-without-original]" in out
    assert "there is no entries/sigmoide.md" in out


def test_a_folder_for_an_unconfigured_language_is_a_located_error(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/de/relu.md", "ReLU")
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert (
        "entries/de/:1:1: error[unconfigured-language]: folder 'de' is not one of the site's" in out
    )


def test_translations_without_the_languages_option_are_no_longer_ignored(
    tmp_path, monkeypatch, capsys
):
    root = project(tmp_path, languages=None)
    monkeypatch.chdir(root)
    write(root / "entries/fr/relu.md", "ReLU", fr=True)
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/:1:1: error[unconfigured-language]" in out
    assert "add 'languages: [en, fr]'" in out


def test_a_folder_without_entries_is_left_alone(tmp_path, monkeypatch, capsys):
    root = project(tmp_path, languages=None)
    monkeypatch.chdir(root)
    (root / "entries/images").mkdir()
    (root / "entries/images/x.png").write_bytes(b"png")
    code, out, _ = run_check(root, capsys)
    assert (code, out) == (0, "")


def test_the_default_language_folder_is_an_error(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/en/relu.md", "ReLU")
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/en/:1:1: error[default-language-folder]" in out


def test_translations_are_validated_like_entries(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    path = root / "entries/fr/relu.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: ReLU\nrelatd: [Tanh]\n---\n### Résumé\n\nUn résumé.\n", "utf-8")
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/relu.md:3:1: error[unknown-key]" in out
    assert "error[missing-section]: required section 'En bref' (ELI5) is missing" in out
    assert "add a '### En bref' heading" in out


def test_default_section_names_are_accepted_in_a_translation(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr/relu.md", "ReLU", body="Voir [[Tanh]].")  # English headings
    assert check(settings(root)).diagnostics == []


def test_titles_are_unique_within_a_language_not_across(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr/relu.md", "ReLU", fr=True)  # the same title as in English: fine
    write(root / "entries/fr/tanh.md", "ReLU", fr=True)  # twice in French: not fine
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/tanh.md:2:1: error[duplicate-title]: title 'ReLU' is already used" in out
    assert out.count("error[") == 1


def test_missing_translations_are_a_count_in_text_and_a_list_in_json(tmp_path, monkeypatch, capsys):
    root = project(tmp_path, languages="[en, fr, de]")
    monkeypatch.chdir(root)
    write(root / "entries/fr/relu.md", "ReLU", fr=True)
    code, out, err = run_check(root, capsys)
    assert (code, out) == (0, "")
    assert "translations: fr 1/3 translated, 2 missing; de 0/3 translated, 3 missing" in err
    code, out, _ = run_check(root, capsys, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert {d["severity"] for d in report} == {"info"}
    assert sorted(d["path"] for d in report if "/fr/" in d["path"]) == [
        "entries/fr/sigmoid-function.md",
        "entries/fr/tanh.md",
    ]
    assert len(report) == 5
    assert report[0]["code"] == "missing-translation"


@pytest.mark.parametrize(
    "value",
    ["../x", "<script>", "EN", "fr/../..", "", "e n", 3, "en_US", "x" * 40],
)
def test_hostile_language_codes_are_usage_errors(tmp_path, value):
    with pytest.raises(ConfigError, match="language"):
        settings_from_options({"languages": ["en", value]}, tmp_path)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"languages": "en"}, "must be a list"),
        ({"languages": []}, "must be a list"),
        ({"languages": ["en", "en"]}, "listed twice"),
        ({"section_names": {"fr": {}}}, "needs 'languages"),
        ({"languages": ["en", "fr"], "section_names": {"de": {}}}, "not a translated language"),
        ({"languages": ["en", "fr"], "section_names": {"en": {}}}, "not a translated language"),
        ({"languages": ["en", "fr"], "section_names": {"fr": {"Nope": "X"}}}, "not one of"),
        ({"languages": ["en", "fr"], "section_names": {"fr": {"ELI5": "<b>\nx"}}}, "one-line"),
        ({"languages": ["en", "fr"], "section_names": {"fr": {"ELI5": "Résumé"}}}, "already"),
        ({"languages": ["en", "fr"], "section_names": {"fr": {"ELI5": "Summary"}}}, "already"),
    ],
)
def test_bad_language_options_are_usage_errors(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_options(options, tmp_path)


def test_section_names_can_be_configured_per_language(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    (root / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - glossary:\n      doctest: false\n      languages: [en, fr]\n"
        "      section_names: {fr: {ELI5: Pour les curieux}}\n",
        encoding="utf-8",
    )
    path = root / "entries/fr/relu.md"
    write(path, "ReLU", fr=True)
    path.write_text(path.read_text("utf-8").replace("En bref", "Pour les curieux"), "utf-8")
    code, out, _ = run_check(root, capsys)
    assert (code, out) == (0, "")


def test_doctests_of_translations_run(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    (root / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - glossary:\n      languages: [en, fr]\n      cache_dir: ''\n",
        encoding="utf-8",
    )
    write(root / "entries/fr/relu.md", "ReLU", fr=True, body="```python\n>>> max(0, -2)\n1\n```")
    code = main(["check", "--config", str(root / "mkdocs.yml")])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "entries/fr/relu.md:15:1: error[doctest" in out


def test_new_lang_scaffolds_a_translation_from_the_entry(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    relu = root / "entries/relu.md"
    relu.write_text(
        relu.read_text("utf-8").replace(
            "aliases: [rectifier]\n",
            "aliases: [rectifier]\nrelated: [Tanh]\ntags: [activation]\nredirect_from: [old/]\n",
        ),
        "utf-8",
    )
    code = main(["new", "--config", "mkdocs.yml", "--lang", "fr", "rectifier"])  # by an alias
    out, _ = capsys.readouterr()
    assert code == 0
    made = root / "entries/fr/relu.md"
    assert f"created {Path('entries/fr/relu.md')}" in out or "entries/fr/relu.md" in out
    text = made.read_text("utf-8")
    assert text.startswith("---\ntitle: ReLU  # translate the title")
    assert "related:\n- Tanh\ntags:\n- activation\n" in text
    assert "redirect_from" not in text and "\naliases:" not in text
    assert "### Résumé" in text and "### En bref" in text and "### Explication détaillée" in text
    # Like a new entry: it fails check until the sections are written.
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/relu.md" in out and "error[empty-section]" in out
    # Never overwritten.
    assert main(["new", "--config", "mkdocs.yml", "--lang", "fr", "ReLU"]) == 1
    assert made.read_text("utf-8") == text


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--lang", "de", "ReLU"], 2),  # not a language of the site
        (["--lang", "../x", "ReLU"], 2),
        (["--lang", "en", "ReLU"], 2),  # the default language has no translations
        (["--lang", "fr", "Nothing Like It"], 1),  # no such entry
        (["--lang", "fr", "ReLU\u202e"], 2),  # an invisible override in the name
    ],
)
def test_new_lang_refuses_what_it_cannot_translate(tmp_path, monkeypatch, capsys, args, code):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    assert main(["new", "--config", "mkdocs.yml", *args]) == code
    assert not (root / "entries/fr").exists()
    assert not (root / "x").exists()


def test_a_language_folder_linked_out_of_the_project_is_not_read(tmp_path, monkeypatch, capsys):
    outside = tmp_path / "outside"
    write(outside / "relu.md", "ReLU", fr=True)
    (tmp_path / "project").mkdir()
    root = project(tmp_path / "project")
    monkeypatch.chdir(root)
    (root / "entries/fr").symlink_to(outside, target_is_directory=True)
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr/relu.md:1:1: error[outside-project]" in out


def test_hostile_folder_names_are_reported_not_read(tmp_path, monkeypatch, capsys):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/<script>/relu.md", "ReLU")
    write(root / "entries/fr\x1b[31m/relu.md", "ReLU")
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/<script>/:1:1: error[unconfigured-language]" in out
    assert "\x1b" not in out  # a terminal escape in a folder name is printed escaped
    assert out.count("error[unconfigured-language]") == 2
    assert "translations go in a folder named after their language code" in out


def test_a_translation_of_a_draft_is_checked_but_not_published(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    tanh = root / "entries/tanh.md"
    tanh.write_text(tanh.read_text("utf-8").replace("title: Tanh\n", "title: Tanh\ndraft: true\n"))
    write(root / "entries/fr/tanh.md", "Tangente hyperbolique", fr=True)
    result = check(settings(root))
    assert result.diagnostics == []
    assert result.translations.by_lang["fr"].has("tanh")
    assert [d.path for d in result.missing] == [
        "entries/fr/relu.md",
        "entries/fr/sigmoid-function.md",
    ]


HUGO = Path(__file__).parent / "fixtures" / "hugo_glossary" / "content" / "glossary"

RELU_HUGO_FR = """---
title: ReLU
slug: relu-fr
aliases: [redresseur]
related: [Sigmoid Function]
---
## Résumé

La ReLU renvoie son entrée quand elle est positive, zéro sinon.

## En bref

Une porte qui ne laisse passer que les nombres positifs.

## Explication détaillée

Voir les [réseaux de neurones]({{< ref "glossary/neural-network" >}}).
"""


def hugo_project(tmp_path: Path, monkeypatch) -> Path:
    import shutil

    shutil.copytree(HUGO, tmp_path / "content" / "glossary")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - glossary:\n      languages: [en, fr]\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content" / "glossary"


def test_hugo_translations_by_file_name_are_imported_as_translations(tmp_path, monkeypatch, capsys):
    source = hugo_project(tmp_path, monkeypatch)
    (source / "relu.fr.md").write_text(RELU_HUGO_FR, "utf-8")
    (source / "neural-network" / "index.fr.md").write_text(
        RELU_HUGO_FR.replace("title: ReLU", "title: Réseau de neurones")
        .replace("slug: relu-fr\naliases: [redresseur]\n", "")
        .replace("Voir les [réseaux", 'Voir la [ReLU]({{< ref "glossary/relu" >}}) et les [réseaux')
        .replace('({{< ref "glossary/neural-network" >}})', ""),
        "utf-8",
    )
    code = main(["import", "--from", "hugo", "content/glossary", "--entries", "entries"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert sorted(p.name for p in Path("entries/fr").iterdir()) == ["neural-network.md", "relu.md"]
    assert not Path("entries/relu-fr.md").exists()  # no longer an entry of its own
    text = Path("entries/fr/relu.md").read_text("utf-8")
    assert "### Résumé" in text and "### Explication détaillée" in text
    assert "[[Neural Network|réseaux de neurones]]" in text  # a link to the original term
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out


def test_a_hugo_translation_without_original_stops_the_import(tmp_path, monkeypatch, capsys):
    source = hugo_project(tmp_path, monkeypatch)
    (source / "softmax.fr.md").write_text(RELU_HUGO_FR, "utf-8")
    code = main(["import", "--from", "hugo", "content/glossary", "--entries", "entries"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "softmax.fr.md:1:1: error[import-translation-without-original]" in out
    assert not Path("entries").exists() or not any(Path("entries").rglob("*.md"))


def test_init_from_hugo_keeps_translations_and_configures_the_languages(
    tmp_path, monkeypatch, capsys
):
    source = hugo_project(tmp_path, monkeypatch)
    (tmp_path / "mkdocs.yml").unlink()
    (source / "relu.fr.md").write_text(RELU_HUGO_FR, "utf-8")
    code = main(["init", "new-site", "--from", "hugo", "content/glossary"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    config = Path("new-site/mkdocs.yml").read_text("utf-8")
    assert "  - glossary:\n      languages: [en, fr]\n" in config
    assert Path("new-site/entries/fr/relu.md").is_file()
    monkeypatch.chdir("new-site")
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out


def test_check_changed_reports_translations_and_language_folders(tmp_path, monkeypatch, capsys):
    import subprocess

    root = project(tmp_path)
    monkeypatch.chdir(root)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "0")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "entries")
    write(root / "entries/fr/relu.md", "ReLU", fr=True, body="Voir [[Nulle part]].")
    write(root / "entries/de/relu.md", "ReLU")
    code, out, _ = run_check(root, capsys, "--changed", "HEAD")
    assert code == 1
    assert "entries/fr/relu.md:14:6: error[unknown-term]" in out
    assert "entries/de/:1:1: error[unconfigured-language]" in out


def test_check_changed_reports_the_translations_of_a_deleted_entry(tmp_path, monkeypatch, capsys):
    import subprocess

    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr/tanh.md", "Tanh", fr=True)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "entries")
    (root / "entries/tanh.md").unlink()
    code, out, _ = run_check(root, capsys, "--changed", "HEAD")
    assert code == 1
    assert "entries/fr/tanh.md:1:1: error[translation-without-original]" in out


def test_a_term_named_like_a_language_is_refused_when_terms_are_at_the_root(
    tmp_path, monkeypatch, capsys
):
    root = project(tmp_path)
    monkeypatch.chdir(root)
    write(root / "entries/fr.md", "French")
    code, out, _ = run_check(root, capsys)
    assert (code, out) == (0, "")  # under glossary/: glossary/fr/ is no language's folder
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "      url_prefix: ''\n", "utf-8")
    code, out, _ = run_check(root, capsys)
    assert code == 1
    assert "entries/fr.md:1:1: error[language-slug]" in out


def test_hugo_content_folders_per_language_are_imported_as_translations(
    tmp_path, monkeypatch, capsys
):
    import shutil

    shutil.copytree(HUGO, tmp_path / "content" / "en" / "glossary")
    french = tmp_path / "content" / "fr" / "glossary"
    french.mkdir(parents=True)
    (french / "relu.md").write_text(RELU_HUGO_FR, "utf-8")
    (french / "_index.md").write_text("---\ntitle: Glossaire\n---\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - glossary:\n      languages: [en, fr]\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code = main(["import", "--from", "hugo", "content/en/glossary", "--entries", "entries"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert [p.name for p in Path("entries/fr").iterdir()] == ["relu.md"]
    assert "### Résumé" in Path("entries/fr/relu.md").read_text("utf-8")
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out
