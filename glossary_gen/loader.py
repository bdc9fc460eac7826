"""Load: ``entries/*.md`` -> :class:`~glossary_gen.model.Entry` objects plus diagnostics.

Reading is defensive because the files come from pull requests: a size cap is applied before
decoding, YAML is parsed with a safe loader, anchors/aliases (the "billion laughs" shape) and
duplicate keys are refused, and every problem comes back as a located diagnostic.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from .diagnostics import Diagnostic, error
from .model import CodeBlock, Entry, Located, Section, Source, WikiLink

#: Entries larger than this are refused before they are decoded or parsed.
MAX_ENTRY_BYTES = 512 * 1024

#: Front matter longer than this is refused (entries keep data in the body).
MAX_FRONT_MATTER_CHARS = 64 * 1024

#: Deepest nesting accepted in front matter (real entries need 3).
MAX_DEPTH = 50

#: A file name that yields a safe slug: lower-case letters, digits and single hyphens.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated where available); checks happen on the composed node tree."""


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
    """The entry files of a glossary: ``*.md`` directly in the folder, in a stable order."""
    names = sorted(
        e.name
        for e in os.scandir(entries_dir)
        if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file()
    )
    return [entries_dir / name for name in names]


def load_entries(entries_dir: Path) -> tuple[list[Entry], list[Diagnostic]]:
    entries: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    folder = display_path(entries_dir)
    for path in discover(entries_dir):
        entry, problems = load_entry(path, shown=os.path.join(folder, path.name))
        diagnostics.extend(problems)
        if entry is not None:
            entries.append(entry)
    return entries, diagnostics


def load_entry(
    path: Path, *, shown: str | None = None, max_bytes: int = MAX_ENTRY_BYTES
) -> tuple[Entry | None, list[Diagnostic]]:
    """Read one entry file. Returns ``(None, diagnostics)`` when it cannot be understood at all."""
    shown = shown or display_path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [error(shown, 1, 1, "unreadable", f"cannot read file: {exc.strerror or exc}")]
    if len(data) > max_bytes:
        return None, [
            error(
                shown,
                1,
                1,
                "file-too-large",
                f"entry is larger than {max_bytes // 1024} KiB; split it or move data out of it",
            )
        ]
    return parse_entry(data, path, shown)


def parse_entry(data: bytes, path: Path, shown: str) -> tuple[Entry | None, list[Diagnostic]]:
    digest = hashlib.sha256(data).hexdigest()
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

    diagnostics: list[Diagnostic] = []
    meta, positions = _parse_front_matter("\n".join(lines[1:close]), shown, diagnostics)
    if meta is None:
        return None, diagnostics

    slug = path.stem
    body_line = close + 2
    body = "\n".join(lines[close + 1 :])
    sections, blocks, links = parse_body(lines[close + 1 :], body_line)
    entry = Entry(
        path=shown,
        file=path,
        slug=slug,
        meta=meta,
        positions=positions,
        title=_string(meta.get("title")) or slug,
        aliases=_located_strings(meta, positions, "aliases"),
        related=_located_strings(meta, positions, "related"),
        tags=_located_strings(meta, positions, "tags"),
        requires=_located_strings(meta, positions, "requires"),
        draft=meta.get("draft") is True,
        sources=_sources(meta, positions),
        body=body,
        body_line=body_line,
        sections=sections,
        code_blocks=blocks,
        wikilinks=links,
        digest=digest,
    )
    return entry, diagnostics


# --- front matter -------------------------------------------------------------------------------


def _parse_front_matter(source: str, shown: str, diagnostics: list[Diagnostic]):
    """Compose the front matter with the safe (C) parser, then build the data from the node tree
    in one pass that records positions and refuses what a glossary entry never needs."""
    if len(source) > MAX_FRONT_MATTER_CHARS:
        diagnostics.append(
            error(
                shown,
                2,
                1,
                "front-matter-too-large",
                f"front matter is longer than {MAX_FRONT_MATTER_CHARS // 1024} KiB",
            )
        )
        return None, {}
    # libyaml's composer recurses in C (a deep enough document would crash the process), and
    # newer libyaml refuses deep nesting itself: either way the user gets the same diagnostic,
    # measured on the event stream before anything is composed.
    deep = _too_deep_at(source) if sum(map(source.count, "[{-:?")) > MAX_DEPTH else None
    if deep is not None:
        diagnostics.append(_too_deep_error(shown, deep))
        return None, {}
    loader = _FrontMatterLoader(source)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                diagnostics.append(
                    error(
                        shown,
                        1,
                        1,
                        "front-matter-empty",
                        "front matter is empty",
                        "add at least 'title: ...'",
                    )
                )
                return None, {}
            if not isinstance(node, yaml.MappingNode):
                line, col = _mark(node)
                diagnostics.append(
                    error(
                        shown,
                        line,
                        col,
                        "front-matter-not-mapping",
                        "front matter must be a mapping of keys to values",
                    )
                )
                return None, {}
            builder = _Builder(loader, shown)
            data = builder.build(node, ())
            if builder.problems:
                diagnostics.extend(builder.problems)
                return None, {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_limit(exc):  # libyaml's own limit, on a shape the gate did not measure
            diagnostics.append(_too_deep_error(shown, _too_deep_at(source) or _mark_of(exc)))
            return None, {}
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diagnostics.append(
            error(shown, line, col, "yaml-syntax", f"invalid YAML in front matter: {problem}")
        )
        return None, {}
    except yaml.YAMLError as exc:
        diagnostics.append(
            error(shown, 1, 1, "yaml-syntax", f"invalid YAML in front matter: {exc}")
        )
        return None, {}
    return data, builder.positions


def _too_deep_at(source: str) -> tuple[int, int] | None:
    """Where a node lies more than :data:`MAX_DEPTH` collections deep (0-based line, column).

    Measured on the event stream, which is produced without recursing. The rule is the one
    :class:`_Builder` applies (a value whose path is longer than ``MAX_DEPTH``), so the report is
    the same whichever check sees the document. When libyaml refuses the nesting itself (its own
    limit, newer releases) the pure-Python parser, which has none, finds the same place.
    """
    try:
        return _deep_event(yaml.parse(source, Loader=_FrontMatterLoader))
    except yaml.MarkedYAMLError as exc:
        if not _is_nesting_limit(exc):
            return None  # the composer reports the syntax error with its location
    try:
        return _deep_event(yaml.parse(source, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        return _mark_of(exc) if _is_nesting_limit(exc) else None


def _deep_event(events: Iterable[yaml.Event]) -> tuple[int, int] | None:
    # One frame per open collection: [is a mapping, nodes seen in it] (keys and values alternate).
    stack: list[list[int]] = []
    for event in events:
        if isinstance(event, (yaml.CollectionEndEvent, yaml.StreamStartEvent)):
            if stack and isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        is_key = False
        if stack:
            frame = stack[-1]
            is_key = bool(frame[0]) and frame[1] % 2 == 0
            frame[1] += 1
        if len(stack) > MAX_DEPTH and not is_key:
            return event.start_mark.line, event.start_mark.column
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([isinstance(event, yaml.MappingStartEvent), 0])
    return None


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    return "nesting depth" in (exc.problem or "")


def _mark_of(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line, mark.column) if mark else (0, 0)


def _too_deep_error(shown: str, at: tuple[int, int]) -> Diagnostic:
    return error(
        shown,
        at[0] + 2,
        at[1] + 1,
        "yaml-too-deep",
        f"front matter is nested more than {MAX_DEPTH} levels deep",
        "keep entry data flat; lists of plain values or small mappings are enough",
    )


def _mark(node: yaml.Node, base: int = 1) -> tuple[int, int]:
    """A node's position in the entry file (``base=1``) or in the YAML text (``base=0``)."""
    if base == 0:
        return node.start_mark.line, node.start_mark.column
    return node.start_mark.line + 2, node.start_mark.column + 1


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
#: Kept as written: ``updated: 2024-01-31`` is the text the schema checks (as YAML 1.2 and editors
#: read it), and an impossible date such as ``2024-13-45`` is a located error, not a crash.
_TEXT = frozenset({_STR, "tag:yaml.org,2002:timestamp"})


class _Builder:
    """Turn composed nodes into Python data, recording each key's and item's position.

    Refused, with a located error: aliases (they add nothing to an entry and enable "billion
    laughs" documents), duplicate keys (YAML would silently keep the last one), non-scalar keys
    and collection tags other than plain maps and sequences. Scalars other than strings and dates
    go through the safe constructor, so ``true`` and ``3`` mean what YAML says.
    """

    __slots__ = ("loader", "positions", "problems", "seen", "shown")

    def __init__(self, loader: yaml.SafeLoader, shown: str) -> None:
        self.loader = loader
        self.shown = shown
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.problems: list[Diagnostic] = []
        self.seen: set[int] = set()

    def refuse(self, node: yaml.Node, code: str, message: str, hint: str | None = None) -> None:
        line, col = _mark(node)
        self.problems.append(error(self.shown, line, col, code, message, hint))

    def build(self, node: yaml.Node, path: tuple) -> object:
        if id(node) in self.seen:  # the composer hands back the anchored node for an alias
            if any(p.code == "yaml-alias" for p in self.problems):
                return None  # one located report is enough; the rest are the same mistake
            # An alias node carries the anchor's position: point at the key that holds it instead.
            owner = path[:-1] if path and isinstance(path[-1], int) else path
            line, col = self.positions.get(owner, _mark(node))
            self.problems.append(
                error(
                    self.shown,
                    line,
                    col,
                    "yaml-alias",
                    "YAML anchors and aliases are not allowed in front matter",
                    "write the value out in full",
                )
            )
            return None
        self.seen.add(id(node))
        if len(path) > MAX_DEPTH:
            if not any(p.code == "yaml-too-deep" for p in self.problems):
                self.problems.append(_too_deep_error(self.shown, _mark(node, base=0)))
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag in _TEXT else self.loader.construct_object(node)
        if node.tag not in (_MAP, _SEQ):
            self.refuse(node, "yaml-tag", f"YAML tag '{node.tag}' is not allowed in front matter")
            return None
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[(*path, index)] = _mark(item)
                items.append(self.build(item, (*path, index)))
            return items
        mapping: dict[object, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or id(key_node) in self.seen:
                self.refuse(
                    key_node, "yaml-key", "keys must be plain words, not lists, mappings or aliases"
                )
                continue
            self.seen.add(id(key_node))
            key = (
                key_node.value if key_node.tag in _TEXT else self.loader.construct_object(key_node)
            )
            line, col = _mark(key_node)
            if key in mapping or ((*path, key)) in self.positions:
                first = self.positions.get((*path, key), (line, col))[0]
                self.refuse(
                    key_node,
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first defined on line {first})",
                )
                continue
            self.positions[(*path, key)] = (line, col)
            mapping[key] = self.build(value_node, (*path, key))
        return mapping


def _string(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _located_strings(meta: dict, positions: dict, key: str) -> tuple[Located, ...]:
    values = meta.get(key)
    if isinstance(
        values, str
    ):  # a lone string is read as a one-item list; the schema still flags it
        values = [values]
    if not isinstance(values, list):
        return ()
    found = []
    for index, value in enumerate(values):
        text = _string(value)
        if text is not None:
            line, col = positions.get((key, index), positions.get((key,), (1, 1)))
            found.append(Located(text, line, col))
    return tuple(found)


def _sources(meta: dict, positions: dict) -> tuple[Source, ...]:
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


# --- body ---------------------------------------------------------------------------------------


def parse_body(
    lines: list[str], first_line: int
) -> tuple[tuple[Section, ...], tuple[CodeBlock, ...], tuple[WikiLink, ...]]:
    """Split the Markdown body into sections, code blocks and wiki links, keeping file lines."""
    sections: list[Section] = []
    blocks: list[CodeBlock] = []
    links: list[WikiLink] = []
    open_section: tuple[str, int, int, int] | None = None  # title, level, heading line, start index
    fence: tuple[str, int, str, int] | None = None  # marker, indent, info, index of the fence line
    in_comment = False  # inside a multi-line <!-- HTML comment -->

    def close_section(end: int) -> None:
        if open_section is not None:
            title, level, line, start = open_section
            content = "\n".join(lines[start:end]).strip("\n")
            offset = next((i for i in range(start, end) if lines[i].strip()), start)
            sections.append(Section(title, level, line, content, first_line + offset))

    for index, line in enumerate(lines):
        if fence is not None:
            marker = fence[0]
            stripped = line.strip()
            if stripped and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
                blocks.append(_code_block(lines, fence, index, first_line))
                fence = None
            continue
        match = _FENCE_OPEN.match(line) if line[:1] in _MARKUP_STARTS else None
        if match and not (match.group("fence")[0] == "`" and "`" in match.group("info")):
            fence = (
                match.group("fence"),
                len(match.group("indent").expandtabs(4)),
                match.group("info").strip(),
                index,
            )
            continue
        heading = _HEADING.match(line) if line.startswith("#") else None
        if heading and len(heading.group("hashes")) in (2, 3):
            close_section(index)
            open_section = (
                heading.group("title").strip(),
                len(heading.group("hashes")),
                first_line + index,
                index + 1,
            )
            continue
        if in_comment or "<!--" in line:
            line, in_comment = _blank_comments(line, in_comment)
        if "[[" in line:
            scan = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line
            for found in WIKILINK.finditer(scan):
                text = found.group("text")
                links.append(
                    WikiLink(
                        found.group("target").strip(),
                        text.strip() if text else None,
                        first_line + index,
                        found.start() + 1,
                        found.group(0),
                    )
                )
    if fence is not None:  # an unclosed fence runs to the end, as in CommonMark
        blocks.append(_code_block(lines, fence, len(lines), first_line))
    close_section(len(lines))
    return tuple(sections), tuple(blocks), tuple(links)


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


def _code_block(lines: list[str], fence: tuple, end: int, first_line: int) -> CodeBlock:
    _marker, indent, info, start = fence[0], fence[1], fence[2], fence[3]
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
    )


def _dedent(line: str, indent: int) -> str:
    removed = 0
    while removed < indent and line[:1] in (" ", "\t"):
        line = line[1:]
        removed += 1
    return line
