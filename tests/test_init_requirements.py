"""What a new glossary installs glossary_gen from, and its git repository
(glossary_gen/adopt/requirement.py, glossary_gen/adopt/repository.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from glossary_gen.adopt import repository, requirement
from glossary_gen.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(requirement, "index_versions", lambda: set())
    return tmp_path


def requirement_lines(project: Path) -> list[str]:
    text = (project / "requirements.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


# --- where glossary_gen comes from ---------------------------------------------------------------


def _local_index(root: Path, versions: list[str]) -> dict[str, str]:
    """A package index in a folder (PEP 503) and pip's environment to use it alone."""
    page = root / "simple" / "glossary-gen"
    page.mkdir(parents=True)
    links = "".join(
        f'<a href="glossary_gen-{v}-py3-none-any.whl">glossary_gen-{v}-py3-none-any.whl</a>\n'
        for v in versions
    )
    (page / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    return {
        "PIP_CONFIG_FILE": os.devnull,  # no machine configuration (mirrors, find-links)
        "PIP_INDEX_URL": (root / "simple").as_uri(),
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_NO_INDEX": "",
    }


def test_the_index_is_asked_with_pips_own_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _local_index(tmp_path / "has", ["0.1.0", "0.2.0"]).items():
        monkeypatch.setenv(key, value)
    assert requirement.index_versions() == {"0.1.0", "0.2.0"}
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())
    assert not requirement.index_versions()  # an index without it: nothing found


def test_a_released_version_is_named_when_the_index_has_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    version = requirement._direct_url()[0]
    assert version is not None
    monkeypatch.setattr(requirement, "index_versions", lambda: {version, "9.9.9"})
    code, _, err = run(capsys, "init", "p")
    assert code == 0, err
    assert requirement_lines(workdir / "p") == [f"glossary_gen=={version}"]
    assert "works on that machine only" not in err


def test_a_local_install_is_named_with_a_note_and_a_git_url_to_use_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "glossary_gen"
    clone.mkdir()
    git(clone, "init", "-q")
    git(clone, "remote", "add", "origin", "https://github.com/someone/glossary_gen")
    git(
        clone,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    head = git(clone, "rev-parse", "HEAD")
    monkeypatch.setattr(
        requirement, "_direct_url", lambda: ("0.1.0", {"url": clone.as_uri(), "dir_info": {}})
    )
    found = requirement.find_requirement(versions=lambda: None)  # offline: not looked up
    assert found.line == f"glossary_gen @ {clone.as_uri()}"
    text = found.file_text()
    assert f"#   glossary_gen @ git+https://github.com/someone/glossary_gen@{head}\n" in text
    assert "could not be looked up" in text and found.note and str(clone) in found.note
    # a remote with a token in it is never copied into a file that gets committed
    git(clone, "remote", "set-url", "origin", "https://me:ghp_secret@github.com/me/glossary_gen")
    text = requirement.find_requirement(versions=lambda: set()).file_text()
    assert "ghp_secret" not in text and "OWNER/glossary_gen@COMMIT" in text


@pytest.mark.parametrize("name", ["my clone", "line\nbreak", "hash#x", "-e"])
def test_an_odd_folder_name_stays_one_requirement_line(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / name / "glossary_gen"
    clone.mkdir(parents=True)
    info = {"url": clone.as_uri(), "dir_info": {"editable": True}}
    monkeypatch.setattr(requirement, "_direct_url", lambda: ("0.1.0", info))
    found = requirement.find_requirement(versions=lambda: set())
    lines = found.file_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [found.line]
    assert found.line == f"glossary_gen @ {clone.as_uri()}" or (
        name == "-e" and found.line == f"-e {clone}"
    )
    assert found.note is not None and "\n" not in found.note


def test_a_git_install_is_named_by_its_url_and_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    info = {
        "url": "https://github.com/me/glossary_gen",
        "vcs_info": {"vcs": "git", "commit_id": "a" * 40},
    }
    monkeypatch.setattr(requirement, "_direct_url", lambda: ("0.1.0", info))
    found = requirement.find_requirement(versions=lambda: pytest.fail("no lookup needed"))
    assert found.line == f"glossary_gen @ git+https://github.com/me/glossary_gen@{'a' * 40}"
    assert found.note is None
    info["url"] = "https://me:ghp_secret@github.com/me/glossary_gen"  # a token: left out
    found = requirement.find_requirement(versions=lambda: None)
    assert found.line == f"glossary_gen @ git+https://github.com/me/glossary_gen@{'a' * 40}"


@pytest.mark.parametrize(
    "spec",
    [
        "glossary_gen\n--extra-index-url https://evil.example/simple",
        "glossary_gen==0.1.0\r-e /tmp/x",
        "--index-url=https://evil.example/simple",
        "-r /etc/passwd",
        "  ",
        "glossary_gen\x00",
    ],
)
def test_package_must_be_one_requirement(
    spec: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "p", f"--package={spec}")
    assert code == 2, err
    assert "--package must be" in err and "Traceback" not in err
    assert not (workdir / "p").exists()


# --- the git repository --------------------------------------------------------------------------


def test_init_makes_a_repository_and_check_changed_works_in_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "p")
    assert code == 0, err
    project = workdir / "p"
    assert "made a git repository on branch main" in err
    assert git(project, "branch", "--show-current") == "main"
    assert git(project, "log", "--format=%s") == repository.MESSAGE  # one commit
    assert git(project, "status", "--porcelain") == ""  # every file in it
    assert "requirements.txt" in git(project, "ls-files").splitlines()
    os.chdir(project)
    assert run(capsys, "new", "Leaky ReLU")[0] == 0
    code, out, err = run(capsys, "check", "--changed", "--no-doctest")
    assert code == 1, err  # the new, unfilled entry's problems; not a usage error (2)
    assert "checked 1 entry changed since main" in err
    assert out.startswith("entries/leaky-relu.md:")


def test_without_a_git_identity_the_first_commit_has_a_stand_in_author(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = workdir / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for key in ("NAME", "EMAIL"):
        monkeypatch.delenv(f"GIT_AUTHOR_{key}", raising=False)
        monkeypatch.delenv(f"GIT_COMMITTER_{key}", raising=False)
    monkeypatch.setenv("GIT_DIR", str(workdir / "elsewhere"))  # a hook's: not followed
    code, _, err = run(capsys, "init", "p")
    assert code == 0, err
    monkeypatch.delenv("GIT_DIR")
    project = workdir / "p"
    assert git(project, "log", "--format=%an <%ae>") == "glossary-gen init <glossary-gen@localhost>"
    assert "git has no user.name or user.email" in err and "--reset-author" in err
    assert list(home.iterdir()) == []  # no global configuration written
    assert "user." not in git(project, "config", "--local", "--list")  # nor in the repository's
    assert not (workdir / "elsewhere").exists()


def test_without_git_the_project_is_made_and_init_says_so(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = workdir / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _, err = run(capsys, "init", "p")
    assert code == 0, err
    assert "git was not found: no repository made" in err
    assert (workdir / "p" / "mkdocs.yml").is_file() and not (workdir / "p" / ".git").exists()


def test_inside_another_repository_no_repository_is_nested(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(workdir, "init", "-q")
    code, _, err = run(capsys, "init", "docs/glossary")
    assert code == 0, err
    assert "inside another git repository: no repository made" in err
    assert not (workdir / "docs" / "glossary" / ".git").exists()


def test_the_generated_setup_filters_pips_noise() -> None:
    """scripts/pip-progress (the generated setup's filter, and this repository's), fed pip's
    lines: one line a package, noise gone, errors kept."""
    script = Path(requirement.__file__).parent / "templates" / "project" / "scripts"
    assert "| bash scripts/pip-progress" in (script / "setup").read_text(encoding="utf-8")
    pip = (
        "WARNING: Location 'file:///opt/x/simple/mkdocs/' is ignored: it is neither a file nor a directory.\n"
        "Looking in links: /opt/wheels\n"
        "Ignoring six: markers 'python_full_version < \"3.11\"' don't match your environment\n"
        "Collecting mkdocs<2,>=1.6 (from glossary_gen@ file:///w->-r requirements.txt (line 9))\n"
        "  Downloading mkdocs-1.6.1-py3-none-any.whl (3.9 MB)\n"
        "Collecting /opt/files/numpy-2.4.6-cp311-linux_x86_64.whl (from glossary_gen)\n"
        "Requirement already satisfied: pip in ./.venv/lib/python3.11/site-packages\n"
        "  Checking if build backend supports build_editable: started\n"
        "  Preparing editable metadata (pyproject.toml): started\n"
        "  Building editable for glossary_gen (pyproject.toml): started\n"
        "  Building editable for glossary_gen (pyproject.toml): finished with status 'done'\n"
        "Installing collected packages: numpy, mkdocs\n"
        "ERROR: Could not find a version that satisfies the requirement nope\n"
    )
    shown = subprocess.run(
        ["bash", str(script / "pip-progress")],
        input=pip,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown == [
        "setup:   mkdocs<2,>=1.6",
        "setup:   numpy-2.4.6-cp311-linux_x86_64.whl",
        "setup: building glossary_gen",
        "setup: installing the packages (the longest step)",
        "ERROR: Could not find a version that satisfies the requirement nope",
    ]
