"""The ``glossary-gen check`` contract: one located line per problem, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary_gen.cli import main

FIXTURES = Path(__file__).parent / "fixtures"

#: Fixture glossaries with the exact diagnostics they must produce (expected.txt beside them).
CASES = [
    "valid",
    "unknown_key",
    "schema_types",
    "missing_title",
    "duplicate_key",
    "yaml_syntax",
    "yaml_alias",
    "empty_file",
    "no_front_matter",
    "invalid_slug",
    "sections",
    "duplicate_names",
    "links",
    "encoding",
    "alias_slugs",
]


@pytest.mark.parametrize("case", CASES)
def test_fixture_glossary_reports_exactly_the_expected_problems(case, monkeypatch, capsys):
    folder = FIXTURES / case
    monkeypatch.chdir(folder)
    code = main(["check", "--entries", "entries", "--no-doctest"])
    out = capsys.readouterr().out
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    assert out == expected
    assert code == (0 if case == "valid" else 1)


def test_every_problem_is_reported_not_only_the_first(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES / "links")
    main(["check", "--entries", "entries", "--no-doctest"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8
    assert all(
        (line.startswith("entries/") and ": error[" in line) or ": warning[" in line
        for line in lines
    )


def test_json_format_is_an_array_of_located_objects(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES / "unknown_key")
    assert main(["check", "--entries", "entries", "--no-doctest", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {
        "path": "entries/relu.md",
        "line": 3,
        "column": 1,
        "severity": "error",
        "code": "unknown-key",
        "message": "unknown key 'relatd'",
        "hint": "did you mean 'related'?",
    }


def test_github_format_prints_workflow_commands(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES / "links")
    main(["check", "--entries", "entries", "--no-doctest", "--format", "github"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "::error file=entries/relu.md,line=3,col=11,title=unknown-term::related term"
    )


def test_warnings_alone_exit_zero(write_entry, capsys):
    text = (
        "---\ntitle: A\nrelated: [A]\n---\n### Summary\n\nS.\n\n### ELI5\n\nE.\n\n"
        "### In-depth explanation\n\nD.\n"
    )
    entries = write_entry("a.md", text)
    assert main(["check", "--entries", str(entries), "--no-doctest"]) == 0
    assert "warning[self-link]" in capsys.readouterr().out


def test_missing_entries_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["check", "--entries", str(tmp_path / "nope"), "--no-doctest"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_missing_config_is_a_usage_error(tmp_path, capsys):
    assert main(["check", "--config", str(tmp_path / "mkdocs.yml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_option_is_a_usage_error(capsys):
    assert main(["check", "--format", "xml"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_entries_dir_defaults_to_the_plugin_option_in_mkdocs_yml(tmp_path, monkeypatch, capsys):
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "x.md").write_text("no front matter\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - search\n  - glossary:\n      entries_dir: terms\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-doctest"]) == 1
    assert capsys.readouterr().out.startswith("terms/x.md:1:1: error[front-matter-missing]")


def test_config_option_reads_entries_dir_relative_to_the_config(tmp_path, capsys):
    (tmp_path / "site" / "terms").mkdir(parents=True)
    (tmp_path / "site" / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - glossary:\n      entries_dir: terms\n", encoding="utf-8"
    )
    assert main(["check", "--no-doctest", "--config", str(tmp_path / "site" / "mkdocs.yml")]) == 0
    assert "checked 0 entries" in capsys.readouterr().err


def test_new_then_fill_in_passes_check(tmp_path, capsys):
    entries = tmp_path / "entries"
    assert main(["new", "Leaky ReLU", "--entries", str(entries)]) == 0
    path = entries / "leaky-relu.md"
    text = path.read_text(encoding="utf-8")
    # A fresh scaffold is not a finished entry: check says what to fill in.
    assert main(["check", "--entries", str(entries), "--no-doctest"]) == 1
    assert "error[empty-section]: section 'Summary' is empty" in capsys.readouterr().out
    filled = (
        text.replace('title: ""', 'title: "Leaky ReLU paper"')
        .replace('url: ""', 'url: "https://example.org/leaky"')
        .replace(
            "<!-- One or two sentences.", "A ReLU with a small slope for negative inputs. <!--"
        )
        .replace("<!-- Explain it", "A ramp that never goes fully flat. <!--")
        .replace("<!-- The precise idea.", "$f(x) = \\max(0.01x, x)$. <!--")
    )
    path.write_text(filled, encoding="utf-8")
    assert main(["check", "--entries", str(entries), "--no-doctest"]) == 0


def test_new_refuses_to_overwrite_or_collide(tmp_path, capsys):
    entries = tmp_path / "entries"
    assert main(["new", "ReLU", "--entries", str(entries)]) == 0
    before = (entries / "relu.md").read_bytes()
    assert main(["new", "ReLU", "--entries", str(entries)]) == 1
    assert main(["new", "relu", "--entries", str(entries)]) == 1
    assert "already defined" in capsys.readouterr().err
    assert (entries / "relu.md").read_bytes() == before


def test_the_real_glossary_is_clean(capsys):
    root = Path(__file__).parent.parent
    assert main(["check", "--entries", str(root / "entries"), "--no-doctest"]) == 0, (
        capsys.readouterr().out
    )
