"""Load: ``entries/*.md`` -> :class:`~glossary_gen.core.model.Entry` objects plus diagnostics.

Reading is defensive because the files come from pull requests:

- only regular files are opened: a FIFO, a device or a socket named ``*.md`` is refused by name
  (opening a FIFO would block the build), and the file is opened without following a link
  (``O_NOFOLLOW``) and without blocking (``O_NONBLOCK``), then checked again with ``fstat``;
- a symbolic link is read only when it resolves to a regular file inside the project (the nearest
  folder, from the entries folder up, that holds ``mkdocs.yml`` or ``.git``): a link to another
  file of the repository reads that file, a link out of the repository (``/etc/...``, a home
  folder) is refused with a located error, and so is an entries folder that is itself a link out;
- a size cap is applied before decoding;
- YAML goes through :mod:`glossary_gen.core.untrusted_yaml` (safe loader, no aliases, no tags, depth
  and size caps, duplicate keys refused), the same reader the fence options use;

and every problem comes back as a located diagnostic.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import CodeBlock, Entry, Located, Section, Source, WikiLink
from glossary_gen.core.untrusted_yaml import MAX_DEPTH, MAX_YAML_CHARS, Positions, parse_mapping

__all__ = [
    "MAX_DEPTH",
    "MAX_ENTRY_BYTES",
    "MAX_FRONT_MATTER_CHARS",
    "RESERVED_SLUGS",
    "SLUG_RE",
    "WIKILINK",
    "Boundary",
    "FencedBlock",
    "discover",
    "display_path",
    "fenced_blocks",
    "load_entries",
    "load_entry",
    "parse_body",
    "parse_entry",
    "project_root",
    "read_entry_file",
]

#: Entries larger than this are refused before they are decoded or parsed.
MAX_ENTRY_BYTES = 512 * 1024

#: Front matter longer than this is refused (entries keep data in the body).
MAX_FRONT_MATTER_CHARS = MAX_YAML_CHARS

#: A file name that yields a safe slug: lower-case letters, digits and single hyphens.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: Slugs no entry may have: the glossary's own A-Z page (``glossary/index.md``) and the names
#: Windows reserves for devices whatever the extension (``con.md`` cannot be checked out there).
RESERVED_SLUGS = frozenset(
    {"index", "con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(10)}
    | {f"lpt{n}" for n in range(10)}
)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")
#: ``[[Target]]`` or ``[[Target|text]]``: the one definition (the Markdown extension renders with it).
WIKILINK = re.compile(r"\[\[(?P<target>[^\[\]|\n]+?)(?:\|(?P<text>[^\[\]\n]+?))?\]\]")
_MARKUP_STARTS = frozenset(" \t`~#")  # a line can only open a fence or heading with one of these
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path.absolute()) if relative.startswith("..") else relative


def discover(entries_dir: Path) -> list[Path]:
    """The entry files of a glossary: ``*.md`` directly in the folder, in a stable order.

    Anything but a folder is listed, links and special files included, so that :func:`load_entry`
    refuses what it will not read with a located error instead of skipping it silently.
    """
    with os.scandir(entries_dir) as found:
        names = sorted(
            e.name
            for e in found
            if e.name.endswith(".md") and not e.name.startswith(".") and not _is_folder(e)
        )
    return [entries_dir / name for name in names]


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: not a folder, and load_entry says what it is
        return False


def project_root(folder: Path) -> Path:
    """The folder an entries folder's files must resolve into: the nearest one, from ``folder``
    up, that holds ``mkdocs.yml`` or ``.git``; else ``folder``'s parent. Found without following
    links, so an entries folder that is itself a link out of the project stays outside it."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if any((candidate / name).exists() for name in ("mkdocs.yml", "mkdocs.yaml", ".git")):
            return candidate
    return start.parent


class Boundary:
    """The project folder entry files must stay in, resolved once per load. ``name`` and
    ``hint`` word the refusals (the Hugo importer reads its source folder by the same rules)."""

    __slots__ = ("_folders", "hint", "name", "real_root", "root")

    def __init__(
        self,
        root: Path,
        *,
        name: str = "project",
        hint: str = "entries must be files in the repository",
    ) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.name, self.hint = name, hint
        self._folders: dict[Path, bool] = {}

    @classmethod
    def around(cls, folder: Path) -> Boundary:
        return cls(project_root(folder))

    def holds(self, real: Path) -> bool:
        """Whether a resolved path lies inside the project."""
        return real == self.real_root or self.real_root in real.parents

    def holds_folder(self, folder: Path) -> bool:
        inside = self._folders.get(folder)
        if inside is None:
            inside = self._folders[folder] = self.holds(folder.resolve())
        return inside


def load_entries(entries_dir: Path) -> tuple[list[Entry], list[Diagnostic]]:
    entries: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    folder = display_path(entries_dir)
    boundary = Boundary.around(entries_dir)
    for path in discover(entries_dir):
        entry, problems = load_entry(path, shown=os.path.join(folder, path.name), boundary=boundary)
        diagnostics.extend(problems)
        if entry is not None:
            entries.append(entry)
    return entries, diagnostics


def entry_files(
    entries_dir: Path, *, unread: Callable[[Path, str], bool] | None = None
) -> Iterator[tuple[Path, str, bytes | Diagnostic | None]]:
    """Each entry file of a folder: its path, the path shown in messages, and its bytes (or the
    located problem that stopped the read; ``None`` for a file ``unread`` says to leave
    unread). For loaders that parse only what changed."""
    folder = display_path(entries_dir)
    boundary = Boundary.around(entries_dir)
    for path in discover(entries_dir):
        shown = os.path.join(folder, path.name)
        if unread is not None and unread(path, shown):
            yield path, shown, None
            continue
        yield path, shown, read_entry_file(path, shown, MAX_ENTRY_BYTES, boundary)


def load_entry(
    path: Path,
    *,
    shown: str | None = None,
    max_bytes: int = MAX_ENTRY_BYTES,
    boundary: Boundary | None = None,
) -> tuple[Entry | None, list[Diagnostic]]:
    """Read one entry file. Returns ``(None, diagnostics)`` when it cannot be understood at all.

    ``boundary``: the project the file must resolve into (default: the one around its folder).
    """
    shown = shown or display_path(path)
    data = read_entry_file(path, shown, max_bytes, boundary or Boundary.around(path.parent))
    if isinstance(data, Diagnostic):
        return None, [data]
    return parse_entry(data, path, shown)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_entry_file(
    path: Path, shown: str, max_bytes: int, boundary: Boundary
) -> bytes | Diagnostic:
    """The bytes of an entry file, or why they are not read (see the module docstring)."""

    def refuse(code: str, message: str, hint: str | None = None) -> Diagnostic:
        return error(shown, 1, 1, code, message, hint)

    try:
        info = os.lstat(path)
        target = path
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # missing target, or a loop (RuntimeError up to 3.12)
                return refuse(
                    "unreadable",
                    "symbolic link that leads to no file (a missing target, a loop, or a pipe "
                    "such as /dev/stdin); it was not read",
                )
            if not boundary.holds(target):
                return refuse(
                    "outside-project",
                    f"symbolic link to a file outside the {boundary.name} "
                    f"({display_path(boundary.root)}); it was not read",
                    boundary.hint,
                )
            info = os.stat(target)
        elif not boundary.holds_folder(path.parent):
            return refuse(
                "outside-project",
                f"the file's folder lies outside the {boundary.name} "
                f"({display_path(boundary.root)}) through a symbolic link; it was not read",
                boundary.hint,
            )
        kind = _not_regular(info.st_mode)
        if kind is not None:
            return refuse("not-a-file", f"'{path.name}' is {kind}, not a file; it was not opened")
        descriptor = os.open(target, _OPEN_FLAGS)
    except OSError as exc:
        return refuse("unreadable", f"cannot read file: {exc.strerror or exc}")
    try:
        opened = os.fstat(descriptor)
        kind = _not_regular(opened.st_mode)  # replaced since it was looked at?
        if kind is not None:
            return refuse("not-a-file", f"'{path.name}' is {kind}, not a file; it was not read")
        data = _read_at_most(descriptor, max_bytes + 1, opened.st_size)
    except OSError as exc:
        return refuse("unreadable", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        return refuse(
            "file-too-large",
            f"entry is larger than {max_bytes // 1024} KiB; split it or move data out of it",
        )
    return data


def _read_at_most(descriptor: int, limit: int, expected: int) -> bytes:
    """Up to ``limit`` bytes of an open file. The first read asks for the size ``fstat`` gave
    (plus one, to see the end): asking for ``limit`` each time would allocate that much per file.
    A file that grows meanwhile is read on, in chunks, up to ``limit``."""
    chunks = []
    total = 0
    want = min(max(expected, 0), limit - 1) + 1
    while total < limit:
        chunk = os.read(descriptor, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = min(limit - total, 64 * 1024)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _not_regular(mode: int) -> str | None:
    """What a file is when it is not a regular file (``None`` when it is one)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def parse_entry(
    data: bytes, path: Path, shown: str, digest: str | None = None
) -> tuple[Entry | None, list[Diagnostic]]:
    """An entry from its file's bytes (``digest``: their SHA-256 in hex, if the caller has it)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            error(
                shown,
                line,
                column,
                "encoding",
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [
            error(
                shown,
                1,
                1,
                "empty-file",
                "entry file is empty",
                'run `glossary-gen new "Title"` for a template',
            )
        ]

    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, [
            error(
                shown,
                1,
                1,
                "front-matter-missing",
                "entry must start with YAML front matter between '---' lines",
            )
        ]
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return None, [
            error(
                shown,
                1,
                1,
                "front-matter-unclosed",
                "front matter starting here is never closed with a '---' line",
            )
        ]

    meta, positions, diagnostics = parse_mapping(
        "\n".join(lines[1:close]),
        shown,
        2,
        "front matter",
        code_prefix="front-matter",
        empty_hint="add at least 'title: ...'",
        max_chars=MAX_FRONT_MATTER_CHARS,
    )
    if meta is None:
        return None, diagnostics

    slug = path.stem
    body_line = close + 2
    body = "\n".join(lines[close + 1 :])
    sections, blocks, links = parse_body(lines[close + 1 :], body_line)
    entry: Entry = _new(Entry)  # the fields Entry's __init__ sets, in its order, set directly
    entry.__dict__.update(
        path=shown,
        file=path,
        slug=slug,
        meta=meta,
        positions=positions,
        title=_string(meta.get("title")) or slug,
        aliases=_located_strings(meta, positions, "aliases"),
        related=_located_strings(meta, positions, "related"),
        tags=_located_strings(meta, positions, "tags"),
        draft=meta.get("draft") is True,
        sources=_sources(meta, positions),
        body=body,
        body_line=body_line,
        sections=sections,
        code_blocks=tuple(b for b in blocks if not b.hidden),
        wikilinks=links,
        digest=digest,
        hidden_code=tuple(b for b in blocks if b.hidden),
        requires=_located_strings(meta, positions, "requires"),
    )
    return entry, diagnostics


# --- front matter values ---------------------------------------------------------------------


def _string(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _located_strings(
    meta: Mapping[str, object], positions: Positions, key: str
) -> tuple[Located, ...]:
    values = meta.get(key)
    if isinstance(values, str):  # read as a one-item list; the schema still flags it
        values = [values]
    if not isinstance(values, list):
        return ()
    found = []
    for index, value in enumerate(values):
        text = value.strip() if isinstance(value, str) else None
        if text:
            at = positions.get((key, index)) or positions.get((key,), (1, 1))
            found.append(_located(text, *at))
    return tuple(found)


def _sources(meta: Mapping[str, object], positions: Positions) -> tuple[Source, ...]:
    values = meta.get("sources")
    if not isinstance(values, list):
        return ()
    found = []
    for index, value in enumerate(values):
        if isinstance(value, dict) and _string(value.get("title")):
            line, col = positions.get(("sources", index), (1, 1))
            found.append(
                Source(_string(value.get("title")) or "", _string(value.get("url")), line, col)
            )
    return tuple(found)


# --- parts, made as pickle makes them ----------------------------------------------------------
# An entry has a dozen parts; a frozen dataclass's __init__ sets each field through
# object.__setattr__, a third of the loader's cost of making them (Entry's 19 fields took
# longer than its parts). These, and parse_entry, set the same fields directly
# (tests/test_loader.py checks they equal the dataclass's own constructor, field for field).

_new = object.__new__


def _located(value: str, line: int, column: int) -> Located:
    part: Located = _new(Located)
    fields = part.__dict__
    fields["value"], fields["line"], fields["column"] = value, line, column
    return part


def _section(title: str, level: int, line: int, content: str, content_line: int) -> Section:
    part: Section = _new(Section)
    fields = part.__dict__
    fields["title"], fields["level"], fields["line"] = title, level, line
    fields["content"], fields["content_line"], fields["canonical"] = content, content_line, ""
    return part


def _wikilink(target: str, text: str | None, line: int, column: int, raw: str) -> WikiLink:
    part: WikiLink = _new(WikiLink)
    fields = part.__dict__
    fields["target"], fields["text"], fields["line"] = target, text, line
    fields["column"], fields["raw"] = column, raw
    return part


# --- body ---------------------------------------------------------------------------------------


def parse_body(
    lines: list[str], first_line: int
) -> tuple[tuple[Section, ...], tuple[CodeBlock, ...], tuple[WikiLink, ...]]:
    """Split the Markdown body into sections, code blocks and wiki links, keeping file lines."""
    sections: list[Section] = []
    links: list[WikiLink] = []
    open_section: tuple[str, int, int, int] | None = None  # title, level, heading line, start index
    in_comment = False  # inside a multi-line <!-- HTML comment -->
    fences = fenced_blocks(lines)
    hidden = _commented_out(lines, fences) if fences else set()
    blocks = [
        _code_block(lines, fence, first_line, hidden=fence.start in hidden) for fence in fences
    ]

    def close_section(end: int) -> None:
        if open_section is not None:
            title, level, line, start = open_section
            content = "\n".join(lines[start:end]).strip("\n")
            offset = start  # the first line with text (the heading's next line if none)
            while offset < end and not lines[offset].strip():
                offset += 1
            if offset == end:
                offset = start
            sections.append(_section(title, level, line, content, first_line + offset))

    # The lines outside fenced blocks, one stretch at a time (a fence's lines are code).
    begin = 0
    for fence in (*fences, None):
        for index in range(begin, len(lines) if fence is None else fence.start):
            line = lines[index]
            heading = _HEADING.match(line) if line[:1] == "#" else None
            if heading is not None:
                hashes, title = heading.group("hashes", "title")
                if len(hashes) in (2, 3):
                    close_section(index)
                    open_section = (title.strip(), len(hashes), first_line + index, index + 1)
                    continue
            if in_comment or "<!--" in line:
                line, in_comment = _blank_comments(line, in_comment)
            if "[[" in line:
                scan = _INLINE_CODE.sub(_blank_match, line) if "`" in line else line
                for found in WIKILINK.finditer(scan):
                    target, text = found.group("target", "text")
                    links.append(
                        _wikilink(
                            target.strip(),
                            text.strip() if text else None,
                            first_line + index,
                            found.start() + 1,
                            found.group(0),
                        )
                    )
        if fence is not None:
            begin = fence.end + 1
    close_section(len(lines))
    return tuple(sections), tuple(blocks), tuple(links)


def _blank_match(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


@dataclass(frozen=True)
class FencedBlock:
    """A fenced code block's place in a list of lines: ``start`` is its opening fence's index,
    ``end`` its closing fence's (the last line when it is never closed)."""

    marker: str  # the opening fence, e.g. "```" or "~~~~"
    indent: int  # columns before the opening fence (tabs count 4)
    info: str  # the info string, e.g. "python"
    start: int
    end: int
    closed: bool


def fenced_blocks(lines: list[str]) -> list[FencedBlock]:
    """The fenced code blocks of a Markdown text, by CommonMark's rules: three or more backticks
    or tildes open one (a backtick fence's info string has no backtick), a line of at least as
    many of the same character closes it, and an unclosed one runs to the end. The one scanner:
    the loader splits bodies with it and the Hugo importer copies fenced lines untouched."""
    found: list[FencedBlock] = []
    opened: tuple[str, int, str, int] | None = None  # marker, indent, info, index of the fence
    for index, line in enumerate(lines):
        if opened is not None:
            marker = opened[0]
            stripped = line.strip()
            if stripped and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
                found.append(FencedBlock(*opened, index, True))
                opened = None
            continue
        match = _FENCE_OPEN.match(line) if line[:1] in _MARKUP_STARTS else None
        if match and not (match.group("fence")[0] == "`" and "`" in match.group("info")):
            opened = (
                match.group("fence"),
                len(match.group("indent").expandtabs(4)),
                match.group("info").strip(),
                index,
            )
    if opened is not None:
        found.append(FencedBlock(*opened, max(len(lines) - 1, opened[3]), False))
    return found


def _blank_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Replace the parts of a line inside HTML comments by spaces (columns stay true)."""
    out = []
    position = 0
    while position < len(line):
        if in_comment:
            end = line.find("-->", position)
            if end < 0:
                out.append(" " * (len(line) - position))
                return "".join(out), True
            out.append(" " * (end + 3 - position))
            position, in_comment = end + 3, False
        else:
            start = line.find("<!--", position)
            if start < 0:
                out.append(line[position:])
                break
            out.append(line[position:start])
            position, in_comment = start, True
    return "".join(out), in_comment


def _commented_out(lines: list[str], fences: list[FencedBlock]) -> set[int]:
    """The fences (by the index of their opening line) that an HTML comment opened before them
    still holds: Markdown drops them from the page with the comment. Comment markers inside a
    shown code block are code, not markup."""
    hidden: set[int] = set()
    in_comment = False
    pending = iter(fences)
    upcoming = next(pending, None)
    index = 0
    while index < len(lines):
        if upcoming is not None and index == upcoming.start:
            if in_comment:
                hidden.add(upcoming.start)
                # The comment goes on through the block's lines, and may end inside it.
                for line in lines[upcoming.start : upcoming.end + 1]:
                    _, in_comment = _blank_comments(line, in_comment)
            index, upcoming = upcoming.end + 1, next(pending, None)
            continue
        if in_comment or "<!--" in lines[index]:
            _, in_comment = _blank_comments(lines[index], in_comment)
        index += 1
    return hidden


def _code_block(
    lines: list[str], fence: FencedBlock, first_line: int, *, hidden: bool = False
) -> CodeBlock:
    indent, info, start, end = fence.indent, fence.info, fence.start, fence.end
    if not fence.closed:
        end = len(lines)
    code_lines = [_dedent(raw, indent) for raw in lines[start + 1 : end]]
    language = info.split()[0].lower() if info.split() else ""
    return CodeBlock(
        language,
        info,
        "\n".join(code_lines) + ("\n" if code_lines else ""),
        first_line + start + 1,
        first_line + start,
        first_line + min(end, len(lines) - 1),
        indent,
        hidden,
    )


def _dedent(line: str, indent: int) -> str:
    removed = 0
    while removed < indent and line[:1] in (" ", "\t"):
        line = line[1:]
        removed += 1
    return line
