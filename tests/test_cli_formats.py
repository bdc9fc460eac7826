"""Output formats shared by ``check`` and ``import``: text, json and GitHub workflow commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.diagnostics import error, format_diagnostics, warning

BROKEN = (
    "---\n"
    "title: ReLU\n"
    "related: [Sigmoid Funtion]\n"
    "---\n"
    "### Summary\n\nRectifier.\n\n### ELI5\n\nA gate.\n\n### In-depth explanation\n\nSee [[Softmax]].\n"
)
SIGMOID = "---\ntitle: Sigmoid Function\n---\n### Summary\n\nS.\n\n### ELI5\n\nS.\n\n### In-depth explanation\n\nS.\n"


@pytest.fixture
def glossary(write_entry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_entry("sigmoid-function.md", SIGMOID)
    write_entry("relu.md", BROKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "entries"


def run_check(capsys: pytest.CaptureFixture[str], fmt: str) -> tuple[int, str]:
    code = main(["check", "--no-doctest", "--entries", "entries", "--format", fmt])
    return code, capsys.readouterr().out


def test_github_format_annotates_the_lines(
    glossary: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_check(capsys, "github")
    assert code == 1
    assert out.splitlines() == [
        "::error file=entries/relu.md,line=3,col=11,title=unknown-term::related term 'Sigmoid Funtion' is not "
        "defined (did you mean 'Sigmoid Function'?)",
        "::error file=entries/relu.md,line=15,col=5,title=unknown-term::wiki link target 'Softmax' is not defined",
    ]


def test_json_format_is_an_array_of_located_problems(
    glossary: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_check(capsys, "json")
    assert code == 1
    problems = json.loads(out)
    assert [(p["path"], p["line"], p["column"], p["severity"], p["code"]) for p in problems] == [
        ("entries/relu.md", 3, 11, "error", "unknown-term"),
        ("entries/relu.md", 15, 5, "error", "unknown-term"),
    ]
    assert {"path", "line", "column", "severity", "code", "message"} <= set(problems[0])


def test_clean_glossary_prints_no_annotations(
    write_entry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_entry("sigmoid-function.md", SIGMOID)
    monkeypatch.chdir(tmp_path)
    assert run_check(capsys, "github") == (0, "")
    assert run_check(capsys, "json") == (0, "[]\n")


def test_github_escapes_what_would_break_a_workflow_command() -> None:
    problem = warning("entries/a,b:c.md", 2, 1, "odd:code", "line one\nline two 100%", "hint, here")
    assert format_diagnostics([problem], "github") == (
        "::warning file=entries/a%2Cb%3Ac.md,line=2,col=1,title=odd%3Acode::line one%0Aline two 100%25 (hint, here)"
    )


def test_import_uses_the_same_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hugo = tmp_path / "hugo"
    hugo.mkdir()
    (hugo / "bad.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["import", "--from", "hugo", "hugo", "--format", "github"]) == 1
    line = capsys.readouterr().out.strip()
    assert (
        line.startswith("::error file=hugo/bad.md,line=") and "title=yaml-syntax::" in line
    )  # the loader's parser


def test_text_format_matches_the_design(glossary: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run_check(capsys, "text")
    assert out.splitlines()[0] == (
        "entries/relu.md:3:11: error[unknown-term]: related term 'Sigmoid Funtion' "
        "is not defined (did you mean 'Sigmoid Function'?)"
    )
    assert format_diagnostics([error("x.md", 1, 1, "c", "m")], "text") == "x.md:1:1: error[c]: m"


INJECTING = (
    "---\n"
    "title: Injected\n"
    '"relatd\\n::notice title=owned::pwned\\n::stop-commands::token\\r\\u2028\\u001b[2J": 1\n'
    "---\n"
    "### Summary\n\nS.\n\n### ELI5\n\nS.\n\n### In-depth explanation\n\nS.\n"
)


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_nothing_an_entry_writes_can_start_a_workflow_command(
    write_entry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, fmt: str
) -> None:
    """A front-matter key holding newlines and a CI workflow command is printed escaped: one
    line per problem, no line we did not write starts with '::', no raw control character."""
    write_entry("injected.md", INJECTING)
    write_entry("relu.md", BROKEN)
    write_entry("sigmoid-function.md", SIGMOID)
    monkeypatch.chdir(tmp_path)
    code, out = run_check(capsys, fmt)
    assert code == 1
    assert not any(c in out for c in "\r\x1b\u2028")
    lines = out.splitlines()
    if fmt == "json":
        problems = json.loads(out)
        assert any("::notice" in p["message"] for p in problems)  # kept, as JSON text
        assert not any(line.lstrip().startswith("::") for line in lines)
    else:
        paths = [line.split(":", 1)[0] for line in lines]
        if fmt == "github":
            assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)
        else:
            assert all(p.startswith("entries/") for p in paths), lines
        assert sum("injected.md" in line for line in lines) >= 1
        assert "\\n::notice" in out or "%0A::notice" in out
