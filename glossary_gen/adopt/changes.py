"""``check --changed [REF]``: which entry files a change touches, from git.

The answer is a set of files to *report and doctest*; the whole glossary is still loaded and
linked by the pipeline, since a link in a changed entry can only be checked against all the others.

What counts as changed, compared with the merge base of REF and ``HEAD`` (what a pull request
shows, so commits that landed on REF since the branch started are not blamed on it):

* entry files added, modified, copied or renamed: committed, staged, unstaged and untracked
  (not ignored) ones, so a contributor's new, uncommitted entry is checked before it is committed;
* entries whose ``related:`` or ``[[wiki links]]`` name a term that the change made disappear
  (an entry removed or renamed, a title or alias changed): the broken link lives in a file the
  change did not touch, yet the change broke it, so that file is reported too;
* entries that are symbolic links (the loader reads a link to a file of the project) when any
  step of the way changed: the file they lead to, or a link on the way (``entries/x.md`` ->
  ``shared/x.md`` -> ``shared/y.md``); and always when git cannot see the way (a link through a
  folder outside the repository) or the loader refuses it (a link out of the project, to nothing,
  or in a loop), so that its located error is reported.

Problems that were already there in untouched entries are not reported. A missing REF, a shallow
clone without the merge base, or a folder outside a git repository is a usage error
(:class:`~glossary_gen.core.config.ConfigError`, exit code 2), never a silent "nothing changed".
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from glossary_gen.core.config import ConfigError
from glossary_gen.core.loader import Boundary, discover, load_entries, parse_entry
from glossary_gen.core.model import Entry, name_key


def _git(cwd: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise ConfigError("--changed needs git, which was not found on PATH")
    process = subprocess.run(
        [git, "-c", "core.quotepath=off", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )
    if process.returncode != 0:
        raise _GitFailed(process.stderr.strip())
    return process.stdout


class _GitFailed(Exception):
    pass


def _is_entry_file(path: Path, entries_dir: Path) -> bool:
    """The same rule as :func:`glossary_gen.core.loader.discover`: ``*.md`` directly in the folder,
    or in a folder of it (a translation, ``entries/fr/relu.md``, or a folder ``check`` refuses)."""
    return (
        entries_dir in (path.parent, path.parent.parent)
        and path.suffix == ".md"
        and not path.name.startswith(".")
    )


def default_ref(entries_dir: Path) -> str:
    """What ``--changed`` without a REF compares with: ``origin/main``, or ``main`` in a
    repository without that remote branch (a project ``glossary-gen init`` just made)."""
    try:
        _git(entries_dir.resolve(), "rev-parse", "--verify", "--quiet", "origin/main^{commit}")
    except (_GitFailed, ConfigError, OSError):
        try:
            _git(entries_dir.resolve(), "rev-parse", "--verify", "--quiet", "main^{commit}")
        except (_GitFailed, ConfigError, OSError):
            return "origin/main"  # the error names what is missing
        return "main"
    return "origin/main"


def changed_entries(entries_dir: Path, ref: str = "origin/main") -> list[Path]:
    """Entry files to report for a change since ``ref`` (see the module docstring)."""
    if not entries_dir.is_dir():
        raise ConfigError(f"entries folder '{entries_dir}' does not exist")
    folder = entries_dir.resolve()
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").strip()).resolve()
    except _GitFailed:
        raise ConfigError(
            f"--changed needs a git repository, and '{entries_dir}' is not inside one; "
            "run check without --changed"
        ) from None
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except _GitFailed:
        raise ConfigError(
            f"--changed: unknown git ref '{ref}'; fetch it first (e.g. `git fetch origin main`) "
            "or name another one, e.g. `--changed HEAD~1`"
        ) from None
    try:
        base = _git(top, "merge-base", ref, "HEAD").strip()
    except _GitFailed:
        raise ConfigError(
            f"--changed: no common history between '{ref}' and HEAD; in a shallow clone, "
            "fetch the full history (actions/checkout with fetch-depth: 0)"
        ) from None

    relative = folder.relative_to(top).as_posix() if folder != top else "."
    # Working tree against the merge base: committed, staged and unstaged changes in one diff.
    diff = _git(top, "diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--", relative)
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", relative)

    current: set[Path] = set()
    gone: dict[Path, Path] = {}  # file at the merge base (repo-relative) -> its path now, if any
    fields = diff.split("\0")
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status[0] in "RC":
            old, new = fields[index + 1], fields[index + 2]
            index += 3
        else:
            old = new = fields[index + 1]
            index += 2
        new_path = top / new
        if status[0] == "D":
            gone[Path(old)] = top / old
            continue
        if _is_entry_file(new_path, folder):
            current.add(new_path)
        if status[0] in "RM":
            gone[Path(old)] = new_path
    for name in filter(None, untracked.split("\0")):
        path = top / name
        if _is_entry_file(path, folder):
            current.add(path)

    current |= _linked_entries(top, base, folder, Boundary.around(entries_dir))
    current |= _entries_broken_by(top, base, gone, folder, current)
    # The translations of an entry that is gone (or renamed) translate nothing any more.
    for old_file in gone:
        if (top / old_file).parent == folder:
            current |= {p for p in folder.glob(f"*/{old_file.name}") if p.is_file()}
    # Spelled under the folder as the user gave it, so reported paths match the loaded entries'
    # even where the working directory sits behind a symlink.
    return sorted(entries_dir / path.relative_to(folder) for path in current)


def _linked_entries(top: Path, base: str, folder: Path, boundary: Boundary) -> set[Path]:
    """Entries that are symbolic links and count as changed (see the module docstring)."""
    ways: dict[Path, list[Path]] = {}
    found: set[Path] = set()
    for path in discover(folder):
        if not path.is_symlink():
            continue
        way, real = _way(path)
        if (
            real is None
            or not boundary.holds(real)
            or not _is_file(real)
            or not all(_under(top, p) for p in way)
        ):
            found.add(path)  # the loader refuses it, or git cannot see it change: report it
        else:
            ways[path] = way
    if ways:
        diff = _git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base)
        untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
        changed = {top / name for name in (diff + untracked).split("\0") if name}
        found |= {path for path, way in ways.items() if changed.intersection(way)}
    return found


def _under(top: Path, path: Path) -> bool:
    return top in path.parents


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)  # stat never opens a FIFO
    except OSError:
        return False


def _way(link: Path) -> tuple[list[Path], Path | None]:
    """Every symbolic link met while resolving ``link`` (itself included) and the file it leads
    to, which ends the list; ``None`` for the file when there is none (missing, a loop, a pipe).
    Resolved step by step as the system does, so a link anywhere on the way is seen."""
    met: list[Path] = []
    current = link.parent.resolve()
    pending = [link.name]  # the path parts still to walk, the next one last
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        step = current / part
        try:
            mode = os.lstat(step).st_mode
        except OSError:
            return met, None
        if not stat.S_ISLNK(mode):
            current = step
            continue
        if len(met) >= 40:  # as the system gives up on a loop
            return met, None
        met.append(step)
        target = Path(os.readlink(step))
        if target.is_absolute():
            current = Path(target.anchor)
        pending.extend(reversed(target.parts[1:] if target.is_absolute() else target.parts))
    met.append(current)
    return met, current


def _entries_broken_by(
    top: Path, base: str, old_files: dict[Path, Path], folder: Path, already: set[Path]
) -> set[Path]:
    """Unchanged entries whose links name a term that existed at ``base`` and no longer does."""
    old_names: set[str] = set()
    for old in old_files:
        if not _is_entry_file(top / old, folder):
            continue
        try:
            data = _git(top, "show", f"{base}:{old.as_posix()}").encode("utf-8", "surrogateescape")
        except _GitFailed:
            continue
        entry, _ = parse_entry(data, top / old, old.as_posix())
        if entry is not None:
            old_names.update(name_key(name) for name in entry.names)
    if not old_names:
        return set()
    entries, _ = load_entries(folder) if discover(folder) else ([], [])
    lost = old_names - {name_key(name) for entry in entries for name in entry.names}
    if not lost:
        return set()
    return {entry.file for entry in entries if entry.file not in already and _links_to(entry, lost)}


def _links_to(entry: Entry, names: set[str]) -> bool:
    targets = [item.value for item in entry.related] + [link.target for link in entry.wikilinks]
    return any(name_key(target) in names for target in targets)
