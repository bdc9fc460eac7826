"""The date of each entry file, for a term page's "Last updated" line, its JSON-LD and the feed.

Its own module because it is the only part of the site that runs a program (``git log``):
one call per folder, whatever the number of entries.
"""

from __future__ import annotations

import datetime as _dt
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


def last_updated(files: Sequence[Path]) -> dict[Path, _dt.date]:
    """Last-change date of each file: its last git commit, else its modification time.

    One ``git log`` call for the whole folder (not one per file), so it stays cheap at any size.
    """
    # Paths as strings: at thousands of entries, pathlib's joins and hashing cost more than the
    # stat calls (mkdocs serve asks at every rebuild).
    dates: dict[str, _dt.date] = {}
    real_dirs: dict[str, str] = {}  # each folder resolved once, not each file
    where = []
    for file in files:
        folder, name = os.path.split(str(file))
        real = real_dirs.get(folder)
        if real is None:
            real = real_dirs[folder] = str(Path(folder).resolve())
        where.append(os.path.join(real, name))
    for folder in set(real_dirs.values()):
        try:
            out = subprocess.run(
                [
                    "git",
                    "log",
                    "--format=%x00%ct",
                    "--name-only",
                    "--relative",
                    "--no-renames",
                    "--",
                    ".",
                ],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        stamp = None
        for line in out.splitlines():
            if line.startswith("\x00"):
                stamp = int(line[1:])
            elif line and stamp is not None:
                path = os.path.join(folder, os.path.normpath(line))
                if path not in dates:
                    dates[path] = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).date()
    result: dict[Path, _dt.date] = {}
    for file, path in zip(files, where, strict=True):
        date = dates.get(path)
        if date is None:
            try:
                date = _dt.datetime.fromtimestamp(os.stat(path).st_mtime, _dt.timezone.utc).date()
            except OSError:
                continue
        result[file] = date
    return result
