"""Where Pyodide comes from: the Python the playgrounds and the Run buttons load in the reader's
browser (``assets/live.js``).

The ``pyodide_url`` option names a CDN (the default) or ``local``: then the runtime files of the
npm package (``npm ci``) are found next to the site, copied into it after a build, and the pages
are told their site-relative folder. Nothing here runs Python or touches a fence.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Where ``pyodide_url: local`` puts the local copy in the built site (and what the pages are
#: told: relative URLs are taken from the site root by ``assets/live.js``).
LOCAL_PYODIDE_PATH = "assets/pyodide/"
#: The files a browser needs to start Pyodide with the standard library (no extra packages).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
PYODIDE_REQUIRED = ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")


class PyodideNotFound(Exception):
    """``pyodide_url: local`` but no local copy (run ``npm ci``); a configuration error."""


def find_local_pyodide(start: Path) -> Path:
    """The ``node_modules/pyodide`` folder for a site, from ``start`` (the mkdocs.yml folder) up.

    ``GLOSSARY_PYODIDE_DIR`` overrides the search (e.g. an unpacked Pyodide release).
    """
    override = os.environ.get("GLOSSARY_PYODIDE_DIR")
    candidates = (
        [Path(override)]
        if override
        else [
            folder / "node_modules" / "pyodide"
            for folder in (start.resolve(), *start.resolve().parents)
        ]
    )
    for folder in candidates:
        if all((folder / name).is_file() for name in PYODIDE_REQUIRED):
            return folder
    where = override or f"node_modules/pyodide above {start}"
    raise PyodideNotFound(
        f"pyodide_url is 'local' but no Pyodide copy was found ({where}); run 'npm ci' next to "
        f"package.json, or set pyodide_url to a CDN URL"
    )


def copy_pyodide(source: Path, destination: Path) -> list[Path]:
    """Copy only what the browser needs from a Pyodide distribution (about 13 MB, not the whole
    npm package); unchanged files are not rewritten, so ``mkdocs serve`` rebuilds stay fast."""
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in PYODIDE_FILES:
        src = source / name
        if not src.is_file():
            continue
        dst = destination / name
        stat = src.stat()
        if not (
            dst.is_file()
            and dst.stat().st_size == stat.st_size
            and dst.stat().st_mtime >= stat.st_mtime
        ):
            shutil.copy2(src, dst)
        copied.append(dst)
    return copied


def is_local_pyodide(value: str | None) -> bool:
    return (value or "").strip().lower() == "local"


def page_pyodide_url(option: str) -> str:
    """What the pages are told for a ``pyodide_url`` option: ``local`` becomes the site folder
    :data:`LOCAL_PYODIDE_PATH`; any other value (a CDN URL, a path) is passed on unchanged."""
    return LOCAL_PYODIDE_PATH if is_local_pyodide(option) else option


def install_pyodide(option: str, site_dir: Path, config_dir: Path) -> list[Path]:
    """After a build: with ``pyodide_url: local``, copy the npm package's runtime files into the
    site (raises :class:`PyodideNotFound` when ``npm ci`` has not been run). Else nothing."""
    if not is_local_pyodide(option):
        return []
    source = find_local_pyodide(config_dir)
    return copy_pyodide(source, Path(site_dir) / LOCAL_PYODIDE_PATH)
