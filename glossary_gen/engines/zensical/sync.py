"""An output folder made to hold exactly the files of a run, writing only what changed (an
engine's watcher then rebuilds only that), and removing the files of an earlier run that are
gone. Thousands of files: the walk works on path strings (``os.walk``, one directory listing
each), never on :class:`~pathlib.Path` objects, which cost as much as the writing saved."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def sync(out: Path, files: dict[str, bytes | Path]) -> tuple[list[Path], list[Path]]:
    """Make ``out`` hold exactly ``files`` (site path -> bytes, or a file to copy); the files
    written and the files removed. The vendored folders (Pyodide, copied after this) stay; the
    walk does not enter linked folders."""
    from glossary_gen.fences.pyodide import VENDORED_DIRS

    out.mkdir(parents=True, exist_ok=True)
    base = os.path.join(out, "")
    written = []
    for name, data in files.items():
        target = base + name  # site paths: relative, "/"-separated
        if isinstance(data, Path):
            if _same_file(data, target):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(data, target)
        else:
            try:
                with open(target, "rb") as handle:
                    if handle.read() == data:
                        continue
            except OSError:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
        written.append(out / name)
    root = os.path.realpath(out)
    keep = {os.path.normpath(os.path.join(root, name)) for name in files}
    vendored = tuple(os.path.join(root, folder.strip("/")) + os.sep for folder in VENDORED_DIRS)
    removed: list[str] = []
    gone: set[str] = set()  # folders emptied and removed
    for folder, dirs, names in os.walk(root, topdown=False):
        inside = os.path.join(folder, "")
        left = sum(1 for d in dirs if inside + d not in gone)
        for name in names:
            where = inside + name
            # A file (or a link to one) no run writes; a link to nothing or to a folder stays.
            if where not in keep and not where.startswith(vendored) and os.path.isfile(where):
                os.unlink(where)
                removed.append(where)
            else:
                left += 1
        if not left and folder != root and not os.path.islink(folder):
            os.rmdir(folder)
            gone.add(folder)
    removed.sort(reverse=True)
    return written, [out / os.path.relpath(where, root) for where in removed]


def _same_file(source: Path, target: str) -> bool:
    try:
        a, b = os.stat(source), os.stat(target)
    except OSError:
        return False
    if a.st_size != b.st_size:
        return False
    with open(source, "rb") as one, open(target, "rb") as other:
        return one.read() == other.read()
