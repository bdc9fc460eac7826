"""``check --changed``: only what a change touches is reported, in a real temporary git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from glossary_gen.adopt.changes import changed_entries
from glossary_gen.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def entry(
    title: str, *, related: tuple[str, ...] = (), body: str = "", aliases: tuple[str, ...] = ()
) -> str:
    return (
        "---\n"
        f"title: {title}\n"
        f"aliases: [{', '.join(aliases)}]\n"
        f"related: [{', '.join(related)}]\n"
        "---\n"
        "### Summary\n\n"
        f"{title} in one sentence.\n\n"
        "### ELI5\n\n"
        "A simple picture.\n\n"
        "### In-depth explanation\n\n"
        f"The details. {body}\n"
    )


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A glossary repository with one commit; ``stale.md`` already has a broken link."""
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "relu.md").write_text(entry("ReLU", related=("Sigmoid Function",)), encoding="utf-8")
    (entries / "sigmoid-function.md").write_text(
        entry("Sigmoid Function", aliases=("logistic function",)), encoding="utf-8"
    )
    (entries / "tanh-function.md").write_text(
        entry("Tanh Function", body="Compare [[logistic function]]."), encoding="utf-8"
    )
    (entries / "stale.md").write_text(entry("Stale", related=("Nothing Here",)), encoding="utf-8")
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "entries")
    git(tmp_path, "commit", "--quiet", "-m", "glossary")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_changed(capsys: pytest.CaptureFixture[str], ref: str = "HEAD") -> tuple[int, list[dict]]:
    code = main(
        ["check", "--changed", ref, "--no-doctest", "--entries", "entries", "--format", "json"]
    )
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else []


def test_nothing_changed_reports_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, problems = check_changed(capsys)
    assert (code, problems) == (0, [])
    # ... while a full check does see the old broken link
    assert main(["check", "--no-doctest", "--entries", "entries"]) == 1
    assert "entries/stale.md" in capsys.readouterr().out


def test_only_the_modified_entry_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "entries" / "relu.md"
    path.write_text(entry("ReLU", related=("Sigmoid Funtion",)), encoding="utf-8")
    assert changed_entries(Path("entries"), "HEAD") == [Path("entries/relu.md")]
    code, problems = check_changed(capsys)
    assert code == 1
    assert {p["path"] for p in problems} == {"entries/relu.md"}
    assert problems[0]["code"] == "unknown-term" and problems[0]["line"] == 4


def test_committed_and_untracked_changes_since_ref(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "checkout", "--quiet", "-b", "feature")
    (repo / "entries" / "relu.md").write_text(entry("ReLU", body="More."), encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "edit relu")
    (repo / "entries" / "leaky-relu.md").write_text(
        entry("Leaky ReLU", related=("ReLU",)), encoding="utf-8"
    )
    (repo / "notes.md").write_text("not an entry\n", encoding="utf-8")
    found = changed_entries(Path("entries"), "main")
    assert [p.name for p in found] == ["leaky-relu.md", "relu.md"]
    assert check_changed(capsys, "main") == (0, [])


def test_renaming_a_term_reports_the_entries_it_breaks(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The change drops the alias 'logistic function' that tanh-function.md links to.
    (repo / "entries" / "sigmoid-function.md").write_text(
        entry("Sigmoid Function"), encoding="utf-8"
    )
    code, problems = check_changed(capsys)
    assert code == 1
    assert {(p["path"], p["code"]) for p in problems} == {
        ("entries/tanh-function.md", "unknown-term")
    }


def test_removing_an_entry_reports_the_entries_that_linked_to_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "--quiet", "entries/sigmoid-function.md")
    code, problems = check_changed(capsys)
    assert code == 1
    assert {p["path"] for p in problems} == {"entries/relu.md", "entries/tanh-function.md"}
    assert "entries/stale.md" not in {p["path"] for p in problems}


def test_renaming_the_file_only_breaks_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "mv", "entries/sigmoid-function.md", "entries/sigmoid.md")
    # Links by title and alias still resolve; the slug 'sigmoid-function' is gone but unused.
    assert check_changed(capsys) == (0, [])


def test_unknown_ref_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check", "--changed", "no-such-branch", "--no-doctest", "--entries", "entries"]) == 2
    )
    err = capsys.readouterr().err
    assert "unknown git ref 'no-such-branch'" in err and "Traceback" not in err


def test_outside_a_git_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "relu.md").write_text(entry("ReLU"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["check", "--changed", "--no-doctest", "--entries", "entries"]) == 2
    assert "not inside one" in capsys.readouterr().err
