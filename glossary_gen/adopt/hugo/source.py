"""The Hugo section's files: which pages to import, and each one read as untrusted input.

The source folder is only ever read, and only its own regular files are: a page is read by the
loader's rules (:func:`glossary_gen.core.loader.read_entry_file`, with the source folder as the
boundary), so a FIFO, a device or a socket is refused by name without being opened, and a
symbolic link is read only when it resolves to a regular file inside the source (a link to
``/etc/passwd``, ``~/.ssh/id_rsa`` or ``/dev/stdin`` is refused, its target never read). The walk
does not follow linked folders: one pointing out of the source is refused, one pointing inside it
is skipped (its pages are read where they are). A page is capped in size before it is decoded,
must be UTF-8 and must open with front matter; each problem is an error located in the source
file (line 1 for a file that was not read), so that ``import`` can refuse the whole section
before it writes anything.
"""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

from glossary_gen.adopt.hugo.front_matter import parse_front_matter
from glossary_gen.adopt.hugo.page import Page
from glossary_gen.core.config import ConfigError
from glossary_gen.core.diagnostics import Diagnostic, error, warning
from glossary_gen.core.loader import MAX_ENTRY_BYTES, Boundary, display_path, read_entry_file

#: The loader's refusal codes, as the importer names them.
_CODES = {
    "outside-project": "import-outside-source",
    "not-a-file": "import-not-a-file",
    "unreadable": "import-unreadable",
    "file-too-large": "import-too-large",
}


def check_source(source: Path, entries_dir: Path) -> None:
    """Refuse a source that is missing or holds the entries folder (a usage error)."""
    if not source.is_dir():
        raise ConfigError(f"Hugo folder '{source}' does not exist")
    if (
        entries_dir.resolve() == source.resolve()
        or source.resolve() in entries_dir.resolve().parents
    ):
        raise ConfigError(
            "the entries folder must not be inside the Hugo folder (the source is never changed)"
        )


def source_boundary(source: Path) -> Boundary:
    """The folder every page must resolve into: the source itself (it may be a link, as named)."""
    return Boundary(source, name="Hugo folder", hint="pages must be files in the Hugo folder")


def find_pages(source: Path, boundary: Boundary, diagnostics: list[Diagnostic]) -> list[Path]:
    """Markdown pages under ``source``: ``term.md`` and page bundles ``term/index.md``; hidden
    files and folders *inside* ``source`` are skipped (``source`` itself may be ``../x``).

    Every ``*.md`` name is listed, links and special files included, so that :func:`read_page`
    refuses what it will not read with a located error instead of skipping it. Linked folders
    are not followed (see the module docstring)."""
    pages: list[Path] = []
    folders = [source]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as found:
                items = [(e.name, e.is_symlink(), _is_real_folder(e)) for e in found]
        except OSError as exc:
            diagnostics.append(_refusal(folder, "import-unreadable", exc))
            continue
        for name, linked, is_folder in items:
            path = folder / name
            if name.startswith("."):
                continue
            if is_folder:
                folders.append(path)
            elif linked and _links_to_folder(path):
                diagnostics.append(_linked_folder(path, boundary))
            elif name.endswith(".md"):
                pages.append(path)
    return sorted(pages)


def _is_real_folder(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _links_to_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)  # stat never opens the target
    except OSError:  # a broken link or a loop: read_page says what it is
        return False


def _linked_folder(path: Path, boundary: Boundary) -> Diagnostic:
    shown = display_path(path)
    try:
        inside = boundary.holds(path.resolve(strict=True))
    except (OSError, RuntimeError):
        inside = False
    if inside:
        return warning(
            shown,
            1,
            1,
            "import-skipped",
            "symbolic link to a folder inside the Hugo folder skipped; "
            "its pages are imported from where they are",
        )
    return error(
        shown,
        1,
        1,
        "import-outside-source",
        f"symbolic link to a folder outside the Hugo folder ({display_path(boundary.root)}); "
        "nothing in it was read",
        boundary.hint,
    )


def _refusal(path: Path, code: str, exc: OSError) -> Diagnostic:
    return error(display_path(path), 1, 1, code, f"cannot read folder: {exc.strerror or exc}")


def read_page(path: Path, diagnostics: list[Diagnostic], boundary: Boundary) -> Page | None:
    """The page with its front matter parsed, or ``None`` after reporting why it cannot be."""
    shown = display_path(path)
    data = read_entry_file(path, shown, MAX_ENTRY_BYTES, boundary)
    if isinstance(data, Diagnostic):
        code = _CODES.get(data.code, f"import-{data.code}")
        if code == "import-too-large":
            message = f"page is larger than {MAX_ENTRY_BYTES // 1024} KiB; it is not imported"
            data = replace(data, message=message, hint=None)
        diagnostics.append(replace(data, code=code))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        diagnostics.append(error(shown, 1, 1, "import-encoding", "file is not valid UTF-8"))
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    delimiter = lines[0].rstrip()
    if delimiter not in ("---", "+++"):
        hint = "JSON front matter is not supported" if lines[0].startswith("{") else None
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-front-matter",
                "no front matter: expected '---' (YAML) or '+++' (TOML) on the first line",
                hint,
            )
        )
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == delimiter), None)
    if close is None:
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-front-matter",
                f"front matter opened with '{delimiter}' is never closed",
            )
        )
        return None
    parsed = parse_front_matter(delimiter, "\n".join(lines[1:close]), shown, diagnostics)
    if parsed is None:
        return None
    meta, positions = parsed
    return Page(
        path, shown, meta, lines[1:close], 2, lines[close + 1 :], close + 2, positions=positions
    )
