"""Untrusted YAML: the one reader for YAML written in an entry (front matter, fence options).

Entries come from pull requests (DESIGN.md section 9), so wherever an entry holds YAML it is read
under the same limits, and every problem is a located diagnostic in the entry file:

- a size cap (:data:`MAX_YAML_CHARS`), checked before anything is parsed;
- a depth cap (:data:`MAX_DEPTH`), measured on the event stream (produced without recursing)
  before a node tree is composed: libyaml's composer recurses in C, the pure-Python one in Python,
  and newer libyaml refuses deep nesting itself; the user sees the same diagnostic either way;
- the safe (C-accelerated) loader; the data is built from the composed node tree by
  :class:`_Builder`, which refuses anchors and aliases (so a "billion laughs" document is never
  expanded), duplicate keys, non-scalar keys and every tag but YAML's plain core types;
- a value YAML cannot turn into Python (a 5,000-digit integer) is an error at that value, not a
  traceback; dates are kept as the text written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from glossary_gen.core.diagnostics import Diagnostic, error

#: YAML longer than this is refused before it is parsed (entries keep data in the body).
MAX_YAML_CHARS = 64 * 1024

#: Deepest nesting accepted (real entries need 3).
MAX_DEPTH = 50

#: Where each key or list item was written: its path (``("sources", 0, "url")``; keys are text,
#: list positions numbers) to the file's 1-based line and column.
Positions = dict[tuple[str | int, ...], tuple[int, int]]

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _CORE + "str", _CORE + "map", _CORE + "seq"
#: YAML's implicit scalar types (``3``, ``true``, ``null``...), by the first character written.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = dict(
    _BaseLoader.yaml_implicit_resolvers
)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated where available); the checks run on the composed node tree.

    The composer asks the resolver for the tag of every node (three Python calls a node). The
    safe loader has no path resolvers and no wildcard implicit ones, so the answers below are
    the base class's, without the generality it does not use (checked when this module loads).
    """

    if not _BaseLoader.yaml_path_resolvers and None not in _IMPLICIT:

        def descend_resolver(self, current_parent: object, current_index: object) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    for tag, pattern in _IMPLICIT.get(value[:1], ()):
                        if pattern.match(value):
                            return tag
                return _STR
            return _SEQ if kind is yaml.SequenceNode else _MAP


#: Scalar types a value may have, with the words used when one cannot be read.
_SCALARS = {
    _CORE + "int": "a whole number",
    _CORE + "float": "a number",
    _CORE + "bool": "true or false",
    _CORE + "null": "null",
}
#: Kept as written: ``updated: 2024-01-31`` is the text the schema checks (as YAML 1.2 and editors
#: read it), so an impossible date such as ``2024-13-45`` is a located schema error, not a crash.
_TEXT = frozenset({_STR, _CORE + "timestamp"})


@dataclass(frozen=True)
class Place:
    """Where a piece of YAML sits in an entry file, and how problems with it are named."""

    shown: str  #: the file, as diagnostics name it
    first_line: int  #: file line of the YAML's first line (the line after its opener)
    what: str  #: "front matter", "the plot block": the subject of messages
    code_prefix: (
        str  #: codes for the wrong shape: ``{prefix}-empty``, ``-not-mapping``, ``-too-large``
    )
    indent: int = 0  #: columns removed from each line (an indented fence)
    empty_hint: str | None = None

    def at(self, line: int, column: int) -> tuple[int, int]:
        """A 0-based position in the YAML text as a 1-based position in the file."""
        return self.first_line + line, self.indent + column + 1

    def error(
        self, at: tuple[int, int], code: str, message: str, hint: str | None = None
    ) -> Diagnostic:
        return error(self.shown, at[0], at[1], code, message, hint)


def parse_mapping(
    text: str,
    shown: str,
    first_line: int,
    what: str,
    *,
    code_prefix: str,
    indent: int = 0,
    empty_hint: str | None = None,
    max_chars: int = MAX_YAML_CHARS,
) -> tuple[dict[str, object] | None, Positions, list[Diagnostic]]:
    """Read untrusted YAML that must be a mapping: ``(data, positions, diagnostics)``.

    ``data`` is ``None`` when there is any problem (the diagnostics say where); otherwise the
    diagnostics are empty. Never raises for bad content, and never builds more than the text holds.
    """
    place = Place(shown, first_line, what, code_prefix, indent, empty_hint)
    if len(text) > max_chars:
        at = (first_line, indent + 1)
        message = f"{what} is longer than {max_chars // 1024} KiB"
        return None, {}, [place.error(at, f"{code_prefix}-too-large", message)]
    # Counting the characters that can open a level is cheap; the event scan runs only when they
    # are numerous enough to nest past the limit.
    deep = _too_deep_at(text) if sum(map(text.count, "[{-:?")) > MAX_DEPTH else None
    if deep is not None:
        return None, {}, [_too_deep_error(place, deep)]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            at = (first_line - 1, indent + 1)  # the opening line: '---' or the fence
            empty = place.error(at, f"{code_prefix}-empty", f"{what} is empty", empty_hint)
            return None, {}, [empty]
        if not isinstance(node, yaml.MappingNode):
            at = place.at(node.start_mark.line, node.start_mark.column)
            message = f"{what} must be a mapping of keys to values"
            return None, {}, [place.error(at, f"{code_prefix}-not-mapping", message)]
        # Without an '&' there is no anchor, so no alias (an undefined one is a syntax error):
        # every node is then new, and the builder need not remember the ones it has seen.
        builder = _Builder(loader, place, track=True if "&" in text else None)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_limit(exc):  # libyaml's own limit, on a shape the gate did not measure
            return None, {}, [_too_deep_error(place, _too_deep_at(text) or _mark_of(exc))]
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"invalid YAML in {what}: {problem}"
        return None, {}, [place.error(place.at(*_mark_of(exc)), "yaml-syntax", message)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a control character)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        # The reader stops at the first such character; libyaml counts its position in bytes.
        found = text.find(chr(char))
        position = found if found >= 0 else min(max(exc.position, 0), len(text))
        line = text.count("\n", 0, position)
        column = position - (text.rfind("\n", 0, position) + 1)
        message = f"invalid YAML in {what}: {exc.reason} (U+{char:04X})"
        return None, {}, [place.error(place.at(line, column), "yaml-syntax", message)]
    except yaml.YAMLError as exc:
        message = f"invalid YAML in {what}: {exc}"
        return None, {}, [place.error((first_line, indent + 1), "yaml-syntax", message)]
    finally:
        loader.dispose()
    if builder.problems or not isinstance(data, dict):
        return None, {}, builder.problems
    return data, builder.positions, []


def _too_deep_at(source: str) -> tuple[int, int] | None:
    """Where a node lies more than :data:`MAX_DEPTH` collections deep (0-based line, column).

    Measured on the event stream, which is produced without recursing. The rule is the one
    :class:`_Builder` applies (a value whose path is longer than ``MAX_DEPTH``), so the report is
    the same whichever check sees the document. When libyaml refuses the nesting itself (its own
    limit, newer releases) the pure-Python parser, which has none, finds the same place.
    """
    try:
        return _deep_event(yaml.parse(source, Loader=_Loader))
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
        if len(stack) > MAX_DEPTH and not is_key and event.start_mark is not None:
            return event.start_mark.line, event.start_mark.column
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([isinstance(event, yaml.MappingStartEvent), 0])
    return None


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    return "nesting depth" in (exc.problem or "")


def _mark_of(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line, mark.column) if mark is not None else (0, 0)


def _too_deep_error(place: Place, at: tuple[int, int]) -> Diagnostic:
    return place.error(
        place.at(*at),
        "yaml-too-deep",
        f"{place.what} is nested more than {MAX_DEPTH} levels deep",
        "keep entry data flat; lists of plain values or small mappings are enough",
    )


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Builder:
    """Turn composed nodes into Python data, recording each key's and item's position.

    Refused, with a located error: aliases (they add nothing to an entry and enable "billion
    laughs" documents), duplicate keys (YAML would silently keep the last one), non-scalar keys,
    and tags other than plain maps, sequences, strings, numbers, booleans, null and dates.
    Numbers, booleans and null go through the safe constructor, so ``true`` and ``3`` mean what
    YAML says; dates stay the text written (the schema checks them), and so do keys (``on:`` is a
    name, not ``True``).
    """

    __slots__ = ("line0", "loader", "place", "positions", "problems", "seen")

    def __init__(self, loader: yaml.SafeLoader, place: Place, track: bool | None = True) -> None:
        self.loader = loader
        self.place = place
        self.line0 = place.first_line  # file line of the YAML's line 0
        self.positions: Positions = {}
        self.problems: list[Diagnostic] = []
        #: the nodes built so far (an alias hands back one of them); None: no anchor, no alias
        self.seen: set[int] | None = set() if track else None

    def mark(self, node: yaml.Node) -> tuple[int, int]:
        return self.place.at(node.start_mark.line, node.start_mark.column)

    def refuse(self, node: yaml.Node, code: str, message: str, hint: str | None = None) -> None:
        self.problems.append(self.place.error(self.mark(node), code, message, hint))

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> object:
        what = self.place.what
        seen = self.seen
        if seen is not None:
            if id(node) in seen:  # the composer hands back the anchored node for an alias
                if any(p.code == "yaml-alias" for p in self.problems):
                    return None  # one located report is enough; the rest are the same mistake
                # An alias node carries the anchor's position: point at the key that holds it.
                owner = path[:-1] if path and isinstance(path[-1], int) else path
                at = self.positions.get(owner, self.mark(node))
                self.problems.append(
                    self.place.error(
                        at,
                        "yaml-alias",
                        f"YAML anchors and aliases are not allowed in {what}",
                        "write the value out in full",
                    )
                )
                return None
            seen.add(id(node))
        if len(path) > MAX_DEPTH:
            if not any(p.code == "yaml-too-deep" for p in self.problems):
                self.problems.append(
                    _too_deep_error(self.place, (node.start_mark.line, node.start_mark.column))
                )
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if node.tag not in (_MAP, _SEQ):
            self.refuse(
                node, "yaml-tag", f"YAML tag '{_tag_name(node.tag)}' is not allowed in {what}"
            )
            return None
        positions = self.positions
        line0, column0 = self.line0, self.place.indent + 1
        plain = seen is None and len(path) < MAX_DEPTH  # a text child needs no other check
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                where = (*path, index)
                start = item.start_mark
                positions[where] = (line0 + start.line, column0 + start.column)
                if plain and item.tag == _STR and isinstance(item, yaml.ScalarNode):
                    items.append(item.value)
                else:
                    items.append(self.build(item, where))
            return items
        mapping: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or (
                seen is not None and id(key_node) in seen
            ):
                self.refuse(
                    key_node, "yaml-key", "keys must be plain words, not lists, mappings or aliases"
                )
                continue
            if seen is not None:
                seen.add(id(key_node))
            if key_node.tag not in _TEXT and key_node.tag not in _SCALARS:
                self.scalar(key_node)  # refuses the tag
                continue
            key = key_node.value  # a key is the text written: 'on:' and '1:' are names too
            start = key_node.start_mark
            at, where = (line0 + start.line, column0 + start.column), (*path, key)
            if key in mapping or where in positions:
                first = positions.get(where, at)[0]
                self.refuse(
                    key_node,
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first defined on line {first})",
                )
                continue
            positions[where] = at
            if plain and value_node.tag == _STR and isinstance(value_node, yaml.ScalarNode):
                mapping[key] = value_node.value
            else:
                mapping[key] = self.build(value_node, where)
        return mapping

    def scalar(self, node: yaml.ScalarNode) -> object:
        if node.tag in _TEXT:
            return node.value
        if node.tag == _CORE + "value" and node.style is None:  # a plain '=' is just text
            return node.value
        kind = _SCALARS.get(node.tag)
        if kind is None:
            name = (
                "merge keys ('<<') are"
                if node.tag == _CORE + "merge"
                else f"tag '{_tag_name(node.tag)}' is"
            )
            self.refuse(node, "yaml-tag", f"YAML {name} not allowed in {self.place.what}")
            return _REFUSED
        try:
            return self.loader.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            reason = str(exc).split(":")[0].split("\n")[0]
            self.refuse(
                node,
                "yaml-value",
                f"cannot read '{shown}' as {kind} in {self.place.what}: {reason}",
                "put it in quotes to keep it as text",
            )
            return _REFUSED


#: What :meth:`_Builder.scalar` returns for a refused scalar (never a valid value).
_REFUSED = object()
