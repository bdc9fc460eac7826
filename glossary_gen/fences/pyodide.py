"""Where Pyodide comes from: the Python the playgrounds and the Run buttons load in the reader's
browser (``assets/live.js``).

The ``pyodide_url`` option is ``auto`` (the default), ``local`` or a URL (a CDN):

- ``local``: the runtime files of the npm package (``npm ci``, which ``scripts/setup`` runs) are
  found next to the site, copied into it after a build, and the pages are told their
  site-relative folder; a build without them is a configuration error.
- ``auto``: ``local`` when that copy is there (so ``mkdocs serve`` and local builds run examples
  with no network), else the pinned CDN. :func:`choose_pyodide` decides, once per build, and says
  what it chose in one line.
- ``cdn``: the pinned CDN, with the local copy deployed beside the site as the pages' fallback
  when there is one (for a published site that prefers the CDN).
- a URL: Pyodide from there.

The npm package holds the runtime, not the packages (NumPy...): a local copy's pages take the
packages from Pyodide's full distribution on the CDN (:func:`packages_url`), when the reader is
online. Nothing here runs Python or touches a fence.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

#: The Pyodide the published site loads by default: the npm package pinned in package.json,
#: served by jsDelivr (kept equal to package.json by tests/test_live.py).
PYODIDE_VERSION = "314.0.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/npm/pyodide@{PYODIDE_VERSION}/"
#: Pyodide's full distribution (runtime and packages) on the same CDN: where the pages of a site
#: with a local copy (the npm package, which has no packages) fetch NumPy and the others.
PYODIDE_PACKAGES_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
_NPM_CDN = "https://cdn.jsdelivr.net/npm/pyodide@"

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
        if src.is_file():
            copied += _copy_if_changed(src, destination / name)
    return copied


#: ``pyodide_url: cdn`` resolved when the local copy is there: the CDN first, the site's copy
#: (deployed with it) when the CDN cannot be reached.
CDN_WITH_LOCAL = "cdn+local"


def is_local_pyodide(value: str | None) -> bool:
    return (value or "").strip().lower() == "local"


def has_local_copy(value: str | None) -> bool:
    """Whether a (resolved) option puts the local copy into the site."""
    return (value or "").strip().lower() in ("local", CDN_WITH_LOCAL)


def is_auto_pyodide(value: str | None) -> bool:
    return (value or "").strip().lower() in ("", "auto")


@dataclass(frozen=True)
class PyodideChoice:
    """What ``pyodide_url`` comes to for one build: ``option`` is ``local`` or a URL (what the
    pages, the policy and :func:`install_pyodide` are given); ``note`` the build's one line."""

    option: str
    note: str


def choose_pyodide(option: str | None, config_dir: Path) -> PyodideChoice:
    """Resolve ``auto`` (the local copy when there is one, else the CDN); ``local`` and URLs are
    kept as they are (``local`` without a copy fails later, in :func:`install_pyodide`)."""
    value = (option or "").strip()
    auto = is_auto_pyodide(option)
    if not auto and value.lower() != "cdn":
        if is_local_pyodide(value):
            return PyodideChoice("local", f"glossary: Run buttons use the local Pyodide ({value})")
        return PyodideChoice(value, f"glossary: Run buttons load Pyodide from {value}")
    try:
        source = find_local_pyodide(config_dir)
    except PyodideNotFound:
        where = f"glossary: Run buttons load Pyodide {PYODIDE_VERSION} from the CDN ({PYODIDE_CDN})"
        if auto:
            return PyodideChoice(
                PYODIDE_CDN,
                f"{where}: no local copy found (run 'bash scripts/setup' or 'npm ci' "
                "to run the examples offline)",
            )
        return PyodideChoice(
            PYODIDE_CDN, f"{where}, with no local fallback (run 'bash scripts/setup' to deploy one)"
        )
    if auto:
        return PyodideChoice(
            "local",
            f"glossary: Run buttons use the local Pyodide ({source}), copied to "
            f"{LOCAL_PYODIDE_PATH}; packages such as NumPy come from the CDN when the reader is "
            "online",
        )
    return PyodideChoice(
        CDN_WITH_LOCAL,
        f"glossary: Run buttons load Pyodide {PYODIDE_VERSION} from the CDN ({PYODIDE_CDN}), "
        f"falling back to the local copy ({source}) copied to {LOCAL_PYODIDE_PATH}",
    )


def page_pyodide_url(option: str) -> str:
    """What the pages are told for a ``pyodide_url`` option: ``local`` becomes the site folder
    :data:`LOCAL_PYODIDE_PATH`; ``auto`` the CDN (resolve it first with :func:`choose_pyodide`);
    any other value (a CDN URL, a path) is passed on unchanged."""
    if is_auto_pyodide(option) or option.strip().lower() in ("cdn", CDN_WITH_LOCAL):
        return PYODIDE_CDN
    return LOCAL_PYODIDE_PATH if is_local_pyodide(option) else option


def page_pyodide_fallback(option: str) -> str:
    """Where the pages try Pyodide when ``pyodide_url`` cannot be reached: the site's local copy
    for ``cdn`` with one deployed (resolved to :data:`CDN_WITH_LOCAL`), else ``""``."""
    return LOCAL_PYODIDE_PATH if option.strip().lower() == CDN_WITH_LOCAL else ""


def packages_url(option: str) -> str:
    """Where the pages fetch the packages' wheels (NumPy...) for a ``pyodide_url`` option: the
    CDN's full distribution for a local copy or the CDN's npm package (they hold no wheels); any
    other location holds its own (a full distribution), so ``""``: the same folder."""
    value = page_pyodide_url(option)
    if has_local_copy(option) or value.startswith(_NPM_CDN):
        return PYODIDE_PACKAGES_CDN
    return ""


def fetch_urls(option: str) -> tuple[str, ...]:
    """The absolute URLs the pages fetch Pyodide from (for the Content-Security-Policy)."""
    urls = [page_pyodide_url(option), packages_url(option)]
    return tuple(u for u in urls if u.startswith(("http://", "https://")))


def install_pyodide(option: str, site_dir: Path, config_dir: Path) -> list[Path]:
    """After a build: with ``pyodide_url: local``, copy the npm package's runtime files into the
    site (raises :class:`PyodideNotFound` when ``npm ci`` has not been run); and the code
    editor's bundle, when ``scripts/setup`` made one (:func:`find_editor`)."""
    copied = []
    editor = find_editor(config_dir)
    if editor is not None:
        copied += _copy_if_changed(editor, Path(site_dir) / EDITOR_PATH)
    if not has_local_copy(option):
        return copied
    source = find_local_pyodide(config_dir)
    return copied + copy_pyodide(source, Path(site_dir) / LOCAL_PYODIDE_PATH)


#: The code editor of the live examples (CodeMirror 6, pinned in package.json), as
#: ``scripts/setup`` bundles it (``scripts/editor/live-editor.mjs``, esbuild), and where a site
#: gets it: ``assets/glossary/live.js`` loads it on the first Edit click.
EDITOR_BUNDLE = "node_modules/.glossary/live-editor.js"
EDITOR_PATH = "assets/editor/live-editor.js"
#: The folders of the site that these copies own (a file writer must not remove them as stale).
VENDORED_DIRS = (LOCAL_PYODIDE_PATH, "assets/editor/")


def find_editor(start: Path) -> Path | None:
    """The editor bundle for a site, from ``start`` (the mkdocs.yml folder) up; ``None`` without
    one (no npm): the pages then edit in a plain text field. ``GLOSSARY_EDITOR_BUNDLE`` names
    the file instead (as ``GLOSSARY_PYODIDE_DIR`` does for Pyodide)."""
    override = os.environ.get("GLOSSARY_EDITOR_BUNDLE")
    if override:
        return Path(override) if Path(override).is_file() else None
    for folder in (start.resolve(), *start.resolve().parents):
        bundle = folder / EDITOR_BUNDLE
        if bundle.is_file():
            return bundle
    return None


def page_editor_url(start: Path) -> str:
    """What the pages are told of the editor: its site path, or ``""`` when there is none."""
    return EDITOR_PATH if find_editor(start) is not None else ""


def _copy_if_changed(src: Path, dst: Path) -> list[Path]:
    dst.parent.mkdir(parents=True, exist_ok=True)
    stat = src.stat()
    if not (
        dst.is_file()
        and dst.stat().st_size == stat.st_size
        and dst.stat().st_mtime >= stat.st_mtime
    ):
        shutil.copy2(src, dst)
    return [dst]
