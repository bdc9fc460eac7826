"""Hostile inputs, round 3 (issue 22), for ``glossary_gen.adopt``.

Class 10: the Hugo import (``import --from hugo`` and ``init --from hugo``) reads only regular
files inside its source, by the loader's rules. A link to a secret outside the source, a linked
folder pointing outside, a FIFO or a link to ``/dev/stdin`` is a located error (the file, line 1)
and nothing is written; the secret's text never appears in any output. A link inside the source
is read, as the loader reads one inside the project.

Class 17: ``check --changed`` reports an entry that is a symbolic link whose target changed, and
an entry that links out of the project (which the loader refuses), in a temporary git repository.

Each command runs in a child process with a timeout, so that a read that blocks fails the test
instead of hanging it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.name == "nt" or not hasattr(os, "mkfifo"), reason="POSIX links and FIFOs"
)

#: Long enough for a cold start on a loaded machine; a blocking read never returns.
TIMEOUT = 60

SECRET = "SECRET-7f3a9c-do-not-publish"
GOOD = "---\ntitle: Good Term\n---\n### Summary\n\nA good term.\n"
#: A page that fails beside the attacker: its error must still be reported where it is.
BROKEN = "---\ntitle: [unclosed\n---\nBody.\n"


def glossary_gen(
    cwd: Path, *args: str, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """``glossary-gen ARGS`` in a child process; a blocked read fails the test after TIMEOUT."""
    command = [
        sys.executable,
        "-c",
        "import sys; from glossary_gen.cli import main; sys.exit(main())",
    ]
    try:
        return subprocess.run(
            [*command, *args],
            cwd=cwd,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"glossary-gen {' '.join(args)} hung (no answer in {TIMEOUT} s)")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A Hugo site with one good page and a secret *outside* the glossary section."""
    source = tmp_path / "site" / "content" / "glossary"
    source.mkdir(parents=True)
    (source / "good.md").write_text(GOOD, encoding="utf-8")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    # A secret written as a Markdown page, so that a lax importer would turn it into an entry.
    (home / ".ssh" / "id_rsa").write_text(
        f"---\ntitle: Leaked\n---\n### Summary\n\n{SECRET}\n", encoding="utf-8"
    )
    (home / "notes").mkdir()
    (home / "notes" / "private.md").write_text(
        f"---\ntitle: Private\n---\n### Summary\n\n{SECRET}\n", encoding="utf-8"
    )
    return source


COMMANDS = {
    "import": ("import", "--from", "hugo", "site/content/glossary", "--entries", "entries"),
    "init": ("init", "project", "--from", "hugo", "site/content/glossary"),
}


def run_both(
    site: Path, command: str, *, stdin: int | None = subprocess.DEVNULL
) -> tuple[int, list[dict], str]:
    """Run ``import`` or ``init`` on the fixture's site; (exit code, diagnostics, all output)."""
    work = site.parents[2]
    done = glossary_gen(work, *COMMANDS[command], "--format", "json", stdin=stdin)
    problems = json.loads(done.stdout) if done.stdout.strip() else []
    return done.returncode, problems, done.stdout + done.stderr


def written(site: Path) -> str:
    """Everything the command wrote (entries or a new project), as one text."""
    work = site.parents[2]
    texts = []
    for folder in (work / "entries", work / "project"):
        if folder.exists():
            texts += [p.read_text("utf-8", "replace") for p in folder.rglob("*") if p.is_file()]
    return "\n".join(texts)


def nothing_written(site: Path) -> bool:
    work = site.parents[2]
    return not (work / "entries").exists() and not (work / "project").exists()


def errors(problems: list[dict]) -> set[tuple[str, int, str]]:
    return {(p["path"], p["line"], p["code"]) for p in problems if p["severity"] == "error"}


both = pytest.mark.parametrize("command", sorted(COMMANDS))


# --- class 10: the Hugo import reads only regular files inside its source ------------------------


@both
@pytest.mark.parametrize("secret", [".ssh/id_rsa", "notes/private.md"])
def test_a_link_to_a_secret_outside_the_source_is_refused_and_never_read(
    site: Path, command: str, secret: str
) -> None:
    (site / "leak.md").symlink_to(site.parents[2] / "home" / secret)
    code, problems, output = run_both(site, command)
    assert code == 1, output
    assert errors(problems) == {("site/content/glossary/leak.md", 1, "import-outside-source")}
    assert nothing_written(site)
    assert SECRET not in output and SECRET not in written(site)


@both
def test_a_refused_link_does_not_hide_a_failing_page_beside_it(site: Path, command: str) -> None:
    (site / "broken.md").write_text(BROKEN, encoding="utf-8")
    (site / "leak.md").symlink_to(site.parents[2] / "home" / ".ssh" / "id_rsa")
    code, problems, output = run_both(site, command)
    assert code == 1
    found = errors(problems)
    assert ("site/content/glossary/leak.md", 1, "import-outside-source") in found
    assert ("site/content/glossary/broken.md", 3, "yaml-syntax") in found
    assert nothing_written(site)
    assert SECRET not in output


@both
def test_a_linked_folder_pointing_outside_is_refused(site: Path, command: str) -> None:
    (site / "more").symlink_to(site.parents[2] / "home" / "notes", target_is_directory=True)
    code, problems, output = run_both(site, command)
    assert code == 1, output
    assert errors(problems) == {("site/content/glossary/more", 1, "import-outside-source")}
    assert nothing_written(site)
    assert SECRET not in output and SECRET not in written(site)


@both
def test_a_fifo_is_refused_without_being_opened(site: Path, command: str) -> None:
    os.mkfifo(site / "pipe.md")  # opening it for reading blocks until a writer comes
    (site / "broken.md").write_text(BROKEN, encoding="utf-8")
    code, problems, output = run_both(site, command)
    assert code == 1, output
    found = errors(problems)
    assert ("site/content/glossary/pipe.md", 1, "import-not-a-file") in found
    assert ("site/content/glossary/broken.md", 3, "yaml-syntax") in found
    assert nothing_written(site)


@both
def test_a_link_to_stdin_is_refused_without_reading_it(site: Path, command: str) -> None:
    (site / "stdin.md").symlink_to("/dev/stdin")
    reader, writer = os.pipe()  # a standard input that stays open: reading it would block
    try:
        os.write(writer, f"---\ntitle: Piped\n---\n{SECRET}\n".encode())
        code, problems, output = run_both(site, command, stdin=reader)
    finally:
        os.close(reader)
        os.close(writer)
    assert code == 1, output
    assert [(p, line) for p, line, _ in errors(problems)] == [("site/content/glossary/stdin.md", 1)]
    assert nothing_written(site)
    assert SECRET not in output and SECRET not in written(site)


@both
def test_a_link_inside_the_source_is_read(site: Path, command: str) -> None:
    (site / "parts").mkdir()
    (site / "parts" / "inner.txt").write_text(
        "---\ntitle: Inner Term\n---\n### Summary\n\nRead through a link inside the source.\n",
        encoding="utf-8",
    )
    (site / "inner.md").symlink_to(Path("parts") / "inner.txt")
    code, problems, output = run_both(site, command)
    assert code == 0, output
    assert not errors(problems)
    work = site.parents[2]
    entries = work / ("entries" if command == "import" else "project/entries")
    text = (entries / "inner.md").read_text(encoding="utf-8")
    assert "title: Inner Term" in text and "Read through a link inside the source." in text
    assert (entries / "good.md").exists()


def test_the_source_itself_may_be_a_link(tmp_path: Path, site: Path) -> None:
    """The folder the user names is trusted as named; only what is inside it is checked."""
    (tmp_path / "glossary").symlink_to(site, target_is_directory=True)
    done = glossary_gen(tmp_path, "import", "--from", "hugo", "glossary", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "entries" / "good.md").exists()


# --- class 17: check --changed and entries that are symbolic links --------------------------------


def entry(title: str, related: str = "") -> str:
    return (
        f"---\ntitle: {title}\nrelated: [{related}]\n---\n"
        f"### Summary\n\n{title} in one sentence.\n\n### ELI5\n\nA picture.\n\n"
        "### In-depth explanation\n\nThe details.\n"
    )


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(
        ["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A glossary repository whose ``linked.md`` is a link to ``shared/linked.md``."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = tmp_path / "repo"
    (project / "entries").mkdir(parents=True)
    (project / "shared").mkdir()
    (project / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    (project / "entries" / "relu.md").write_text(entry("ReLU"), encoding="utf-8")
    (project / "entries" / "tanh.md").write_text(entry("Tanh"), encoding="utf-8")
    (project / "shared" / "linked.md").write_text(entry("Linked Term"), encoding="utf-8")
    (project / "entries" / "linked.md").symlink_to(Path("..") / "shared" / "linked.md")
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", ".")
    git(project, "commit", "--quiet", "-m", "glossary")
    return project


def check_changed(repo: Path) -> tuple[int, list[dict]]:
    done = glossary_gen(
        repo,
        "check",
        "--changed",
        "HEAD",
        "--no-doctest",
        "--entries",
        "entries",
        "--format",
        "json",
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else []


def test_a_linked_entry_whose_target_changed_is_checked(repo: Path) -> None:
    (repo / "shared" / "linked.md").write_text(entry("Linked Term", "No Such Term"), "utf-8")
    # beside it, a changed entry with its own error: still reported
    (repo / "entries" / "tanh.md").write_text(entry("Tanh", "Nowhere Term"), "utf-8")
    code, problems = check_changed(repo)
    assert code == 1
    assert {(p["path"], p["line"], p["code"]) for p in problems} == {
        ("entries/linked.md", 3, "unknown-term"),
        ("entries/tanh.md", 3, "unknown-term"),
    }


def test_a_linked_entry_whose_target_did_not_change_is_not_reported(repo: Path) -> None:
    (repo / "entries" / "tanh.md").write_text(entry("Tanh", "Nowhere Term"), "utf-8")
    (repo / "shared" / "linked.md").write_text(entry("Linked Term", "No Such Term"), "utf-8")
    git(repo, "commit", "--quiet", "-am", "already there")
    assert check_changed(repo) == (0, [])


def test_a_retargeted_link_chain_counts_as_a_change(repo: Path) -> None:
    """entries/linked.md -> shared/linked.md -> (now) shared/other.md: the middle link changed."""
    (repo / "shared" / "other.md").write_text(entry("Linked Term", "No Such Term"), "utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "other")
    (repo / "shared" / "linked.md").unlink()
    (repo / "shared" / "linked.md").symlink_to("other.md")
    code, problems = check_changed(repo)
    assert code == 1
    assert {(p["path"], p["code"]) for p in problems} == {("entries/linked.md", "unknown-term")}


def test_a_linked_entry_pointing_out_of_the_project_is_reported(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(entry(SECRET), encoding="utf-8")
    (repo / "entries" / "leak.md").symlink_to(secret)
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "a link out, already committed")
    (repo / "entries" / "tanh.md").write_text(entry("Tanh", "Nowhere Term"), "utf-8")
    code, problems = check_changed(repo)
    assert code == 1
    assert {(p["path"], p["line"], p["code"]) for p in problems} == {
        ("entries/leak.md", 1, "outside-project"),
        ("entries/tanh.md", 3, "unknown-term"),
    }
    assert SECRET not in json.dumps(problems)


def test_a_linked_entry_through_a_retargeted_folder_link_counts_as_a_change(repo: Path) -> None:
    """entries/deep.md -> ../data/deep.md, where data is a folder link: retargeting it changes
    the entry although no file on its way changed."""
    for name in ("v1", "v2"):
        (repo / name).mkdir()
    (repo / "v1" / "deep.md").write_text(entry("Deep Term"), "utf-8")
    (repo / "v2" / "deep.md").write_text(entry("Deep Term", "No Such Term"), "utf-8")
    (repo / "data").symlink_to("v1", target_is_directory=True)
    (repo / "entries" / "deep.md").symlink_to(Path("..") / "data" / "deep.md")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "deep")
    assert check_changed(repo) == (0, [])
    (repo / "data").unlink()
    (repo / "data").symlink_to("v2", target_is_directory=True)
    code, problems = check_changed(repo)
    assert code == 1
    assert {(p["path"], p["code"]) for p in problems} == {("entries/deep.md", "unknown-term")}


def test_a_dangling_linked_entry_is_reported(repo: Path) -> None:
    (repo / "entries" / "gone.md").symlink_to(Path("..") / "shared" / "missing.md")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "a dangling link, already committed")
    code, problems = check_changed(repo)
    assert code == 1
    assert {(p["path"], p["line"], p["code"]) for p in problems} == {
        ("entries/gone.md", 1, "unreadable")
    }
