"""What an entry's markup may do: raw HTML that may not wear the site's classes or ids, and
nesting limits that keep Markdown rendering bounded. Validation rules, and their helpers for the
renderer."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import Entry

#: Classes of the site's own widgets (``glossary-*``: the "Verified example" badge, the Run
#: blocks, the playground) and of the theme (Material's ``md-*``): raw HTML in an entry may not
#: wear them, or it could pass for the real thing. ``mermaid`` too: Material fetches the Mermaid
#: library from a third-party CDN (unpkg, unpinned) into the site's origin as soon as a page has
#: an element of that class. :func:`check_raw_html` reports them; the sanitizer
#: (:func:`glossary_gen.site.render.sanitize`) removes them.
RESERVED_CLASS = re.compile(r"(?:glossary|md)-|mermaid$", re.I)
#: Whether a class attribute may hold a reserved class at all (a quick search before the split).
RESERVED_CLASS_HINT = re.compile(r"(?:glossary|md)-|mermaid", re.I)

#: ``id`` (and ``name``) values an entry may not take: a global that an element with that id would
#: clobber (``window.glossaryLive``, Material's ``document$`` and friends), or one of Material's
#: own elements, which all have ids starting with ``__`` (``#__config`` holds the theme's
#: settings and translations, read with ``querySelector``, so the first one in the page wins).
#: Python dunder names (``__init__``, as a heading's anchor) are not Material's and stay.
RESERVED_ID = re.compile(r"__(?![a-z0-9]+__)|glossary[A-Z_]|.*\$$")

#: How deep an entry's Markdown and HTML may nest. Python-Markdown recurses once or more per level
#: (in ``mkdocs build``, a 300-level nested list or 1,000 nested emphases end in RecursionError;
#: 400 nested ``??? details`` take seconds) and Material's search indexer walks its stack of open
#: elements for every piece of text (40,000 nested ``<div>`` take two minutes). Far above what a
#: glossary entry needs and far below what breaks, even all combined; deeper entries are refused
#: before they are rendered. See docs/site.md for the measurements.
MAX_BLOCK_DEPTH = 16  # lists, block quotes, indented blocks (admonitions, details, footnotes)
MAX_INLINE_DEPTH = 16  # emphasis inside emphasis, brackets inside brackets (links, images)
MAX_HTML_DEPTH = 64  # raw HTML elements inside each other

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).{0,1000}?(?<!`)\1(?!`)", re.S)
_COMMENT_OR_MATH = re.compile(r"<!--.*?(?:-->|$)|\$\$.{0,4000}?\$\$|\$[^$\n]{1,1000}\$", re.S)


#: What stands in for each character of code, comments and formulas in :func:`_markup`.
_MASK = "\x00"


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", _MASK, match.group(0))


@lru_cache(maxsize=4)
def _markup(entry: Entry) -> str:
    """The entry body with what is never markup masked out (every character but newlines becomes
    :data:`_MASK`, so offsets, lines and columns stay): fenced code, code spans, comments and
    formulas."""
    lines = entry.body.split("\n")
    first = entry.body_line
    for block in entry.code_blocks:
        for number in range(block.fence_line, block.end_line + 1):
            if 0 <= number - first < len(lines):
                lines[number - first] = _MASK * len(lines[number - first])
    text = "\n".join(lines)
    if "`" in text:
        text = _CODE_SPAN.sub(_blank, text)
    if "<!--" in text or "$" in text:
        text = _COMMENT_OR_MATH.sub(_blank, text)
    return text


def _where(entry: Entry, text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return entry.body_line + text.count("\n", 0, offset), offset - line_start + 1


_TAG = re.compile(
    r"""<([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*/?>"""
)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_ATTR_LIST = re.compile(r"\{:?[ \t]*([^{}\n]*?)[ \t]*\}")
_ATTR_LIST_ITEM = re.compile(
    r"""(?:^|(?<=\s))(?:([.#])([^\s}]+)|([A-Za-z][\w:-]*)=("[^"]*"|'[^']*'|\S+))"""
)


def _reserved(attribute: str, value: str) -> str | None:
    """Why an attribute of an entry's HTML may not have this value (``None``: it may)."""
    if attribute == "class":
        names = [f"'{name}'" for name in value.split() if RESERVED_CLASS.match(name)]
        if names:
            subject = (
                f"class {names[0]} is" if len(names) == 1 else f"classes {', '.join(names)} are"
            )
            return f"{subject} reserved for the site's and the theme's own elements"
    elif attribute in ("id", "name") and RESERVED_ID.match(value):
        if value.startswith("__"):
            return (
                f"{attribute} '{value}' is reserved for the theme's own elements (like '__config')"
            )
        return f"{attribute} '{value}' would replace a global variable of the site's scripts"
    return None


def check_raw_html(entry: Entry) -> Iterable[Diagnostic]:
    """Raw HTML (and ``{: attribute lists }``) may not use the site's or the theme's classes and
    ids: a fake "Verified example" badge, a fake Run block, an element that replaces
    ``window.glossaryLive`` or Material's ``#__config``. The sanitizer removes them from the
    page; this tells the contributor where."""
    body = entry.body
    found: list[tuple[int, str]] = []
    if "<" in body:
        for tag in _TAG.finditer(body):
            for attribute in _ATTRIBUTE.finditer(tag.group(2) or ""):
                name, raw = attribute.group(1).lower(), attribute.group(2)
                if raw is None or name not in ("class", "id", "name"):
                    continue
                value = html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw)
                problem = _reserved(name, value)
                if problem is not None:
                    found.append((tag.start(2) + attribute.start(), problem))
    if "{" in body:
        for attr_list in _ATTR_LIST.finditer(body):
            for item in _ATTR_LIST_ITEM.finditer(attr_list.group(1)):
                if item.group(1):
                    name, value = ("class" if item.group(1) == "." else "id"), item.group(2)
                else:
                    name, value = item.group(3).lower(), item.group(4).strip("\"'")
                problem = _reserved(name, html.unescape(value))
                if problem is not None:
                    found.append((attr_list.start(1) + item.start(), problem))
    if not found:
        return
    text = _markup(entry)  # what is shown as code (or is a comment or a formula) is no HTML
    for offset, message in sorted(found):
        if text[offset] == _MASK:
            continue
        line, column = _where(entry, body, offset)
        yield error(
            entry.path,
            line,
            column,
            "reserved-html",
            message,
            "the page leaves it out; use a name of your own",
        )


#: A line starting with more than MAX_BLOCK_DEPTH characters that could each open a container
#: (the body is searched with a newline before it: a literal first character is fast to find).
_DEEP_LINE = re.compile(rf"\n[ \t>*+\-\d.)]{{{MAX_BLOCK_DEPTH + 1},}}")
_MARKER = re.compile(r">[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def _block_depth(line: str) -> int:
    """Containers a line opens or continues: block quote and list markers (with the one space
    after each), and indentation in steps of four columns (lists, admonitions and details nest
    by indenting)."""
    markers = columns = i = 0
    while i < len(line):
        char = line[i]
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4
        else:
            marker = _MARKER.match(line, i)
            if marker is None:
                break
            markers += 1
            i = marker.end()
            continue
        i += 1
    return markers + columns // 4


#: Elements whose end tag may be left out (HTML closes them) or that have none: never "open".
_NO_NESTING = frozenset(
    {
        *("area", "base", "br", "col", "colgroup", "dd", "dt", "embed", "hr", "img", "input"),
        *("li", "link", "meta", "optgroup", "option", "p", "param", "rb", "rp", "rt", "rtc"),
        *("source", "tbody", "td", "tfoot", "th", "thead", "tr", "track", "wbr"),
    }
)
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?(/?)>")
_EMPHASIS_OR_BRACKET = re.compile(r"\*+|_+|\\.|[\[\]]")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + _MASK)


def _html_depth(text: str) -> tuple[int, int]:
    """Deepest nesting of raw HTML elements, and the offset of the first tag past the limit."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    deepest, at = 0, -1
    for tag in _ANY_TAG.finditer(text):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _NO_NESTING or self_closing:
            continue
        if closing:
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            continue
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        deepest = max(deepest, len(stack))
        if at < 0 and deepest > MAX_HTML_DEPTH:
            at = tag.start()
    return deepest, at


def _inline_depth(paragraph: str) -> tuple[int, int]:
    """Deepest nesting of emphasis runs and of square brackets in one paragraph (an unclosed
    ``[`` stays open: Python-Markdown looks for its end from every one of them), and the offset
    of the first one past the limit."""
    emphasis: list[str] = []
    brackets = 0
    deepest, at = 0, -1
    for token in _EMPHASIS_OR_BRACKET.finditer(paragraph):
        mark = token.group(0)
        if mark[0] == "\\":
            continue
        if mark == "[":
            brackets += 1
        elif mark == "]":
            brackets = max(brackets - 1, 0)
        else:
            start, end = token.start(), token.end()
            before = paragraph[start - 1] if start else " "
            after = paragraph[end] if end < len(paragraph) else " "
            opens = not after.isspace() and (before.isspace() or before in _PUNCTUATION)
            closes = not before.isspace() and (after.isspace() or after in _PUNCTUATION)
            if opens and not closes:
                emphasis.append(mark[0])
            elif closes and not opens and emphasis:
                emphasis.pop()
        deepest = max(deepest, len(emphasis), brackets)
        if at < 0 and deepest > MAX_INLINE_DEPTH:
            at = token.start()
    return deepest, at


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for gap in re.finditer(r"\n[ \t]*\n", text):
        yield start, text[start : gap.start()]
        start = gap.end()
    yield start, text[start:]


def check_nesting(entry: Entry) -> Iterable[Diagnostic]:
    """Markdown or HTML nested deeper than the limits (:data:`MAX_BLOCK_DEPTH` and friends), or
    over the render budget (:func:`check_render_budget`): refused with its place, before anything
    renders it (the page shows a notice instead)."""
    yield from check_render_budget(entry)
    body = entry.body
    checks = (
        _DEEP_LINE.search(body) is not None or _DEEP_LINE.match("\n" + body[:80]) is not None,
        body.count("<") > MAX_HTML_DEPTH,
        body.count("[") > MAX_INLINE_DEPTH or body.count("*") + body.count("_") > MAX_INLINE_DEPTH,
    )
    if not any(checks):
        return
    text = _markup(entry)
    if checks[0]:
        deepest, first = 0, -1
        for line in _DEEP_LINE.finditer("\n" + text):  # offsets: +1 for the newline, -1 for it
            end = text.find("\n", line.start())
            depth = _block_depth(text[line.start() : end if end >= 0 else len(text)])
            deepest = max(deepest, depth)
            if first < 0 and depth > MAX_BLOCK_DEPTH:
                first = line.start()
        if first >= 0:
            number, column = _where(entry, text, first)
            yield error(
                entry.path,
                number,
                column,
                "too-deep",
                f"lists, quotes and indented blocks nest {deepest} levels deep; "
                f"the limit is {MAX_BLOCK_DEPTH}",
                "flatten it: split the list or quote, or give the detail an entry of its own",
            )
    if checks[1]:
        depth, offset = _html_depth(text)
        if depth > MAX_HTML_DEPTH:
            number, column = _where(entry, text, offset)
            yield error(
                entry.path,
                number,
                column,
                "too-deep",
                f"HTML elements nest {depth} levels deep; the limit is {MAX_HTML_DEPTH}",
                "close the elements you open, or nest fewer of them",
            )
    if checks[2]:
        for start, paragraph in _paragraphs(text):
            depth, offset = _inline_depth(paragraph)
            if depth > MAX_INLINE_DEPTH:
                number, column = _where(entry, text, start + offset)
                yield error(
                    entry.path,
                    number,
                    column,
                    "too-deep",
                    f"emphasis or brackets nest {depth} levels deep; the limit is {MAX_INLINE_DEPTH}",
                    "close each '*', '_' and '[', or escape it with a backslash",
                )
                break


#: The longest entry body rendered (characters): far above a glossary entry (this repository's
#: longest is 8 KB), and rendered in a fraction of a second.
MAX_BODY_CHARS = 100_000
#: Characters Python-Markdown may scan again for openers that close late or never, per entry
#: (:func:`_rescans`). Each ``](`` makes the link parser read on until its parentheses balance
#: (within the paragraph), each ``<`` before a letter makes the HTML parser read on until the
#: tag's ``>`` (within the body, quoted values skipped): 510 KB of ``[a](b `` or ``<a `` would
#: take half an hour. At this budget the worst entry found renders in 0.2 s (one paragraph of
#: ``[a](b ``: 0.16 s; 40-opener paragraphs up to 50 KB: 0.19 s; 100 KB of ordinary entry: 0.25 s).
MAX_RESCAN = 1_000_000

_LINK_OPENER = re.compile(r"\]\(")
_TAG_OPENER = re.compile(r"<[A-Za-z/!?]")


def _link_rescans(paragraph: str) -> list[tuple[int, int]]:
    """``(offset, characters scanned)`` of each ``](`` of a paragraph: up to the ``)`` that
    balances its ``(``, or the paragraph's end."""
    if "](" not in paragraph:
        return []
    closes: dict[int, int] = {}
    stack: list[int] = []
    for m in re.finditer(r"[()]", paragraph):
        if m.group(0) == "(":
            stack.append(m.start())
        elif stack:
            closes[stack.pop()] = m.start()
    return [
        (m.start(), closes.get(m.start() + 1, len(paragraph)) - m.start())
        for m in _LINK_OPENER.finditer(paragraph)
    ]


def _tag_rescans(text: str) -> list[tuple[int, int]]:
    """``(offset, characters scanned)`` of each tag opener (``<`` and a letter, ``/``, ``!`` or
    ``?``): up to the first ``>`` outside quotes, or the end (computed from the end backwards, so
    in linear time)."""
    openers = [m.start() for m in _TAG_OPENER.finditer(text)]
    if not openers:
        return []
    n = len(text)
    end = [n] * (n + 2)  # end[p]: where a tag read from p (outside quotes) ends
    next_quote = {'"': n, "'": n}
    after_quote: dict[int, int] = {}  # position of a quote -> position of the next same quote
    for p in range(n - 1, -1, -1):
        char = text[p]
        if char in next_quote:
            after_quote[p] = next_quote[char]
            next_quote[char] = p
    for p in range(n - 1, -1, -1):
        char = text[p]
        if char == ">":
            end[p] = p
        elif p in after_quote:
            closing = after_quote[p]
            end[p] = end[closing + 1] if closing < n else n
        else:
            end[p] = end[p + 1]
    return [(at, end[at + 1] - at) for at in openers]


def check_render_budget(entry: Entry) -> Iterable[Diagnostic]:
    """An entry whose page would take too long to render: a body over :data:`MAX_BODY_CHARS`, or
    openers that make Python-Markdown read the rest of a paragraph (or the body) again for each
    one, over :data:`MAX_RESCAN` characters in all (quadratic time: see :data:`MAX_RESCAN`).
    Located at the paragraph that exceeds the budget."""
    body = entry.body
    if len(body) > MAX_BODY_CHARS:
        yield error(
            entry.path,
            entry.body_line,
            1,
            "too-long",
            f"the body has {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}",
            "split it: give the details entries of their own",
        )
        return
    if "](" not in body and "<" not in body:
        return
    text = _markup(entry)
    scans = _tag_rescans(text) if "<" in body else []
    if "](" in body:
        for start, paragraph in _paragraphs(text):
            scans += [(start + at, cost) for at, cost in _link_rescans(paragraph)]
    total = sum(cost for _, cost in scans)
    if total <= MAX_RESCAN:
        return
    running = offset = 0
    for at, cost in sorted(scans):
        running += cost
        if running > MAX_RESCAN:
            offset = at
            break
    where = max(start for start, _ in _paragraphs(text[: offset + 1]))
    line, column = _where(entry, text, where)
    yield error(
        entry.path,
        line,
        column,
        "too-slow",
        f"this paragraph has links or HTML tags that do not close ('](' without ')', '<' "
        f"without '>'): rendering would read {total:,} characters; the limit is {MAX_RESCAN:,}",
        "close each link and tag, or escape the '[' or '<' with a backslash",
    )


def too_deep(entry: Entry) -> bool:
    """Whether the entry nests deeper than the renderer can safely handle (see
    :func:`check_nesting`): such an entry's page shows a notice, not its body."""
    return next(iter(check_nesting(entry)), None) is not None
