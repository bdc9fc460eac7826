"""The Hugo section's files: which pages to import, and each one read as untrusted input.

The source folder is only ever read. A page is capped in size before it is decoded, must be UTF-8
and must open with front matter; each problem is an error located in the source file, so that
``import`` can refuse the whole section before it writes anything.
"""

from __future__ import annotations

from pathlib import Path

from glossary_gen.adopt.hugo.front_matter import parse_front_matter
from glossary_gen.adopt.hugo.page import Page
from glossary_gen.core.config import ConfigError
from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.loader import MAX_ENTRY_BYTES, display_path


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


def find_pages(source: Path) -> list[Path]:
    """Markdown pages under ``source``: ``term.md`` and page bundles ``term/index.md``; hidden
    files and folders *inside* ``source`` are skipped (``source`` itself may be ``../x``)."""
    return sorted(
        p
        for p in source.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(source).parts)
    )


def read_page(path: Path, diagnostics: list[Diagnostic]) -> Page | None:
    """The page with its front matter parsed, or ``None`` after reporting why it cannot be."""
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError as exc:
        diagnostics.append(
            error(shown, 1, 1, "import-unreadable", f"cannot read file: {exc.strerror or exc}")
        )
        return None
    if len(data) > MAX_ENTRY_BYTES:
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-too-large",
                f"page is larger than {MAX_ENTRY_BYTES // 1024} KiB; it is not imported",
            )
        )
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
