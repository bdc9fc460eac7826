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
    dates: dict[Path, _dt.date] = {}
    # Resolve each folder once, not each file (thousands of realpath calls add up).
    resolved = {parent: parent.resolve() for parent in {f.parent for f in files}}
    folders = set(resolved.values())
    for folder in folders:
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
                path = folder / line
                if path not in dates:
                    dates[path] = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).date()
    result: dict[Path, _dt.date] = {}
    for file in files:
        date = dates.get(resolved[file.parent] / file.name)
        if date is None:
            try:
                date = _dt.datetime.fromtimestamp(file.stat().st_mtime, _dt.timezone.utc).date()
            except OSError:
                continue
        result[file] = date
    return result
