"""What a new glossary's ``requirements.txt`` installs glossary_gen from, so that its first
``bash scripts/serve`` works.

In order:

* ``--package SPEC``: that, checked to be one requirement line (nothing else can ride in it);
* installed from a package index (no ``direct_url.json``, PEP 610): that version;
* installed from git: its URL at the installed commit;
* installed from a folder or a file on this machine (a clone with ``scripts/setup`` makes an
  editable install): the released version if the package index has it (``pip index versions``,
  which reads pip's own configuration); otherwise that folder or file (``-e FOLDER`` when the
  install is editable, else a ``file://`` URL), with a comment that says it only works on this
  machine and what to write instead (a git URL, found from the clone's ``origin`` when it is a
  plain https URL, or the version once released).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from glossary_gen.core.config import ConfigError

PACKAGE = "glossary_gen"


@dataclass
class Requirement:
    """The requirement line, the comment lines above it, and what init prints about it."""

    line: str
    comment: list[str] = field(default_factory=list)
    note: str | None = None

    def file_text(self) -> str:
        head = [
            "# glossary_gen (it brings MkDocs and Material for MkDocs); scripts/setup installs",
            "# this file into .venv. README.md, 'Where glossary_gen comes from', says what to",
            "# write here; scripts/setup reinstalls when this file changes.",
        ]
        return "".join(f"{line}\n" for line in [*head, *self.comment, self.line])


def checked_spec(spec: str) -> str:
    """``--package``: one requirement on one line, not a pip option (``--index-url``)."""
    spec = spec.strip()
    if not spec or any(ord(c) < 32 or ord(c) == 127 for c in spec):
        raise ConfigError("--package must be one requirement on one line, e.g. glossary_gen==0.2.0")
    if spec.startswith("-"):
        raise ConfigError(
            f"--package must be a requirement, not a pip option: '{spec}' "
            "(e.g. 'glossary_gen @ git+https://github.com/OWNER/glossary_gen@v0.2.0')"
        )
    return spec


def index_versions(timeout: float = 60) -> set[str] | None:
    """The versions of glossary_gen the package index has (``pip index versions``, pip's own
    configuration), or ``None`` when it cannot be asked (no pip, offline: then the index is
    taken not to have it)."""
    try:
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "index",
                "versions",
                PACKAGE,
                "--no-input",  # never wait for a password prompt
                "--retries",
                "1",
                "--timeout",
                "15",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if process.returncode != 0:
        return set() if "No matching distribution" in process.stderr else None
    found = re.search(r"^Available versions:(.*)$", process.stdout, re.MULTILINE)
    return {v.strip() for v in found.group(1).split(",")} if found else set()


def _direct_url() -> tuple[str | None, dict[str, Any]]:
    """The installed glossary_gen's version and ``direct_url.json``. An installer's record is
    preferred over the ``glossary_gen.egg-info`` an editable build leaves in a clone, which
    shadows it when the clone is the current folder."""
    found = list(metadata.distributions(name=PACKAGE))
    installed = [d for d in found if d.read_text("INSTALLER") is not None]
    if not found:  # pragma: no cover - running from a source tree
        return None, {}
    dist = (installed or found)[0]
    text = dist.read_text("direct_url.json")
    try:
        info = json.loads(text) if text else {}
    except ValueError:
        info = {}
    return dist.version, info if isinstance(info, dict) else {}


def _git_url_of(folder: Path) -> str | None:
    """``origin`` of a clone, when it is a plain https URL (no user or token in it), at HEAD."""
    git = shutil.which("git")
    if git is None or not (folder / ".git").exists():
        return None
    try:
        remote, head = (
            subprocess.run(
                [git, "-C", str(folder), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout.strip()
            for args in (("remote", "get-url", "origin"), ("rev-parse", "HEAD"))
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if not re.fullmatch(r"https://[\w.-]+(:\d+)?/[\w./~-]+", remote) or not re.fullmatch(
        r"[0-9a-f]{40}", head
    ):
        return None
    return f"{PACKAGE} @ git+{remote}@{head}"


def find_requirement(
    package: str | None = None,
    *,
    versions: Callable[[], set[str] | None] | None = None,
) -> Requirement:
    """The requirement for a new project (the module docstring); ``versions`` asks the index."""
    if package is not None:
        return Requirement(checked_spec(package), ["# chosen with: glossary-gen init --package"])
    version, info = _direct_url()
    if version is None:  # pragma: no cover - running from a source tree
        return Requirement(PACKAGE)
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and url:
        parts = urlsplit(url)
        if parts.username or parts.password:  # never a token into a file that gets committed
            host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
            url = parts._replace(netloc=host).geturl()
        commit = str(vcs.get("commit_id") or vcs.get("requested_revision") or "")
        line = f"{PACKAGE} @ git+{url}{'@' + commit if commit else ''}"
        return Requirement(line, [f"# from git, as this glossary_gen ({version}) was installed"])
    if not url.startswith("file:"):
        return Requirement(f"{PACKAGE}=={version}")
    known = (versions or index_versions)()
    if known and version in known:
        return Requirement(f"{PACKAGE}=={version}")
    folder = Path(unquote(urlsplit(url).path))
    # A path pip reads as one word, and that cannot end a comment line; else its file:// URL
    # (percent-encoded), which also names it in the comment and the note.
    plain = re.fullmatch(r"[\w./+~@:,=-]+", str(folder)) is not None
    where = str(folder) if plain else folder.as_uri()
    git = _git_url_of(folder) if folder.is_dir() else None
    instead = git or f"{PACKAGE} @ git+https://github.com/OWNER/glossary_gen@COMMIT"
    why = "is not on the package index" if known is not None else "could not be looked up"
    comment = [
        f"# NOTE: glossary_gen {version} {why}, so this is the copy",
        f"# `glossary-gen init` found installed: {where}",
        "# It works on that machine only. For CI and other machines write a source they can",
        "# reach, e.g. its git URL:",
        f"#   {instead}",
        f"# or, once it is released, {PACKAGE}=={version}.",
    ]
    note = (
        f"requirements.txt installs glossary_gen from {where} (version {version} {why}): "
        "that works on this machine only; write its git URL or a released version there before "
        "CI runs (see the comment in requirements.txt, or init again with --package SPEC)"
    )
    editable = isinstance(info.get("dir_info"), dict) and info["dir_info"].get("editable") is True
    # An editable install (a clone set up with its scripts/setup) stays editable: the project
    # runs that clone's code, as this glossary_gen does.
    line = f"-e {folder}" if editable and plain else f"{PACKAGE} @ {folder.as_uri()}"
    return Requirement(line, comment, note)
