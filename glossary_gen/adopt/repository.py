"""The new project's git repository: ``git init`` on ``main`` and a first commit of every file,
so that ``glossary-gen check --changed`` (which ``new`` suggests) has a base to compare with.

Nothing outside the new folder changes: no global git configuration is written. When git has no
``user.name``/``user.email``, the first commit gets a stand-in author through ``-c`` options for
that one command, and init says how to make it yours. Without git, or inside another repository
(a glossary kept in a monorepo), no repository is made and init says so; the project is whole
either way. ``GIT_*`` variables of the caller that point git elsewhere (a hook's ``GIT_DIR``) are not
passed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

#: The first commit's author when git has none configured.
STAND_IN = ("glossary-gen init", "glossary-gen@localhost")
MESSAGE = "Start the glossary (glossary-gen init)"


#: What of the caller's ``GIT_*`` environment is passed on: who commits, which configuration.
_KEPT = {
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
}


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT} | {
        "GIT_TERMINAL_PROMPT": "0"
    }


def _git(git: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [git, *args],
        cwd=folder,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _inside_work_tree(git: str, folder: Path) -> bool:
    parent = folder.absolute().parent
    found = _git(git, parent, "rev-parse", "--is-inside-work-tree")
    return found.returncode == 0 and found.stdout.strip() == "true"


def make_repository(folder: Path) -> list[str]:
    """``git init`` and the first commit in ``folder``; what init should say about it."""
    git = shutil.which("git")
    if git is None:
        return [
            "git was not found: no repository made (`check --changed` needs one); "
            f"install git, then in the project: git init -b main && git add -A && git commit -m '{MESSAGE}'"
        ]
    if _inside_work_tree(git, folder):
        return [
            "the project is inside another git repository: no repository made; "
            "commit it there (`check --changed` compares with that repository's branches)"
        ]
    done = _git(git, folder, "init", "--quiet", "--initial-branch=main")
    if done.returncode != 0:  # git before 2.28: no --initial-branch
        done = _git(git, folder, "init", "--quiet")
        if done.returncode == 0:
            _git(git, folder, "symbolic-ref", "HEAD", "refs/heads/main")
    if done.returncode != 0:
        return [f"git init failed, no repository made: {_first_line(done.stderr)}"]
    notes = []
    options: list[str] = []
    missing = [
        key
        for key in ("user.name", "user.email")
        if _git(git, folder, "config", key).stdout.strip() == ""
        and not os.environ.get(f"GIT_AUTHOR_{key.split('.')[1].upper()}")
    ]
    if missing:
        options = ["-c", f"user.name={STAND_IN[0]}", "-c", f"user.email={STAND_IN[1]}"]
        notes.append(
            f"git has no {' or '.join(missing)}: the first commit's author is '{STAND_IN[0]}'; "
            "after `git config --global user.name/user.email`, make it yours with "
            "`git commit --amend --reset-author --no-edit`"
        )
    added = _git(git, folder, "add", "--all")
    committed = (
        _git(git, folder, *options, "commit", "--quiet", "--no-verify", "-m", MESSAGE)
        if added.returncode == 0
        else added
    )
    if committed.returncode != 0:
        notes.append(
            "made a git repository, but the first commit failed "
            f"({_first_line(committed.stderr)}): commit the files yourself"
        )
    else:
        notes.append("made a git repository on branch main with a first commit of every file")
    return notes


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no message"
