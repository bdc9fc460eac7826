"""Validate: schema and structure rules for each entry, and the rules that span entries.

A rule is a small function that yields diagnostics; adding a rule is one function and one line in
:data:`ENTRY_RULES` or :data:`GLOSSARY_RULES`. Every rule runs and every problem is reported. The
rules that follow the site's entry model (sections, extra keys: mkdocs.yml) are in
:data:`MODEL_RULES` and get the :class:`~glossary_gen.config.EntryModel` as well.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import fastjsonschema

if TYPE_CHECKING:
    import jsonschema

from .config import DEFAULT_MODEL, EntryModel, package_schema
from .diagnostics import Diagnostic, did_you_mean, error, warning
from .loader import RESERVED_SLUGS, SLUG_RE
from .model import Entry, name_key
from .redirects import check_alias_slugs, check_old_addresses

EntryRule = Callable[[Entry], Iterable[Diagnostic]]
ModelRule = Callable[[Entry, EntryModel], Iterable[Diagnostic]]
GlossaryRule = Callable[[Sequence[Entry]], Iterable[Diagnostic]]

#: Sections generated from the front matter, which a body must not write by hand.
GENERATED_SECTIONS = {"related terms": "related", "referenced by": None}


def schema() -> dict[str, Any]:
    """The front-matter JSON Schema shipped in the package (``glossary_gen/schema/``); a site's
    own (with its extra keys) is :meth:`EntryModel.schema`."""
    return package_schema()


@lru_cache(maxsize=8)
def _fast_check(model: EntryModel) -> Callable[[object], object]:
    # Compiled to Python code: ~40x faster than interpreting the schema, which matters at
    # 10,000 entries. It stops at the first error, so jsonschema explains the invalid ones.
    return fastjsonschema.compile(model.schema())


@lru_cache(maxsize=8)
def _explainer(model: EntryModel) -> jsonschema.protocols.Validator:
    import jsonschema  # only when an entry is invalid: the import costs ~0.1 s per build

    cls = jsonschema.validators.validator_for(model.schema())
    return cls(model.schema())


def check_schema(entry: Entry, model: EntryModel = DEFAULT_MODEL) -> Iterable[Diagnostic]:
    try:
        _fast_check(model)(entry.meta)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    # JSON-like by construction: the loader builds only YAML's core types
    instance: Any = entry.meta
    problems = _explainer(model).iter_errors(instance)
    for problem in sorted(problems, key=lambda e: list(map(str, e.absolute_path))):
        yield from _schema_diagnostics(entry, problem)


def _schema_part(problem: jsonschema.ValidationError) -> Mapping[str, Any]:
    """The subschema a problem was found against (always a mapping in our schema)."""
    return problem.schema if isinstance(problem.schema, Mapping) else {}


def _schema_diagnostics(entry: Entry, problem: jsonschema.ValidationError) -> Iterable[Diagnostic]:
    path = tuple(problem.absolute_path)
    where = ".".join(str(p) for p in path) or "front matter"
    if problem.validator == "additionalProperties":
        allowed = list(_schema_part(problem).get("properties", {}))
        instance = problem.instance if isinstance(problem.instance, dict) else {}
        for key in instance:
            if key not in allowed:
                line, col = entry.position(*path, key)
                scope = f" in {where}" if path else ""
                yield error(
                    entry.path,
                    line,
                    col,
                    "unknown-key",
                    f"unknown key '{key}'{scope}",
                    did_you_mean(str(key), allowed) or f"allowed keys: {', '.join(allowed)}",
                )
        return
    if problem.validator == "required":
        line, col = entry.position(*path) if path else (1, 1)
        instance = problem.instance if isinstance(problem.instance, dict) else {}
        for key in cast("list[str]", problem.validator_value):
            if key not in instance:
                scope = f" in {where}" if path else ""
                yield error(
                    entry.path, line, col, "missing-key", f"required key '{key}' is missing{scope}"
                )
        return
    line, col = entry.position(*path)
    if problem.validator == "const":
        message = f"'{where}' must be {problem.validator_value!r}"
    elif path == ("updated",):
        message = f"'updated' must be a date written YYYY-MM-DD, got {problem.instance!r}"
    elif problem.validator == "pattern" and path and path[-1] == "url":
        message = f"'{where}' must be an http(s) URL, got {problem.instance!r}"
    elif problem.validator == "pattern" and path[:1] == ("redirect_from",):
        message = (
            f"'{where}' must be a path on this site such as /old/path/, got {problem.instance!r}"
        )
    elif problem.validator == "pattern":
        message = f"'{where}' must be a single non-blank line"
    else:
        message = f"'{where}': {problem.message}"
    yield error(entry.path, line, col, "schema", message)


def check_slug(entry: Entry) -> Iterable[Diagnostic]:
    if not SLUG_RE.match(entry.slug):
        suggestion = "-".join(
            filter(None, "".join(c if c.isalnum() else "-" for c in entry.slug.lower()).split("-"))
        )
        yield error(
            entry.path,
            1,
            1,
            "invalid-slug",
            f"file name '{entry.slug}.md' must be lower-case letters, digits and hyphens",
            f"rename it to '{suggestion or 'term'}.md'",
        )
    elif entry.slug in RESERVED_SLUGS:
        yield error(
            entry.path,
            1,
            1,
            "reserved-slug",
            f"file name '{entry.slug}.md' is reserved (the index page, or a device name on Windows)",
            f"rename it, e.g. to '{entry.slug}-term.md'",
        )


def check_sections(entry: Entry, model: EntryModel = DEFAULT_MODEL) -> Iterable[Diagnostic]:
    seen: dict[str, int] = {}
    for section in entry.sections:
        if section.key in GENERATED_SECTIONS:
            field = GENERATED_SECTIONS[section.key]
            yield error(
                entry.path,
                section.line,
                1,
                "generated-section",
                f"a '{section.title}' section is generated and must not be written by hand",
                f"list the terms under '{field}:' in the front matter" if field else "remove it",
            )
        if section.key in seen:
            yield error(
                entry.path,
                section.line,
                1,
                "duplicate-section",
                f"section '{section.title}' appears twice (first on line {seen[section.key]})",
            )
        seen.setdefault(section.key, section.line)
    known_titles = [s.title for s in entry.sections]
    for spec in model.sections:
        required = spec.title
        found = entry.section(required)
        if found is None and not spec.required:
            continue
        if found is None:
            close = did_you_mean(required, known_titles, cutoff=0.7)
            yield error(
                entry.path,
                entry.body_line,
                1,
                "missing-section",
                f"required section '{required}' is missing",
                close.replace("did you mean", "found")
                if close
                else f"add a '### {required}' heading",
            )
        elif spec.required and not _COMMENT.sub("", found.content).strip():
            yield error(
                entry.path,
                found.line,
                1,
                "empty-section",
                f"section '{required}' is empty",
                "write it under the heading; <!-- comments --> do not count",
            )
    yield from _section_order(entry, model)


def _section_order(entry: Entry, model: EntryModel) -> Iterable[Diagnostic]:
    """The configured sections in the configured order (pages show the file's order)."""
    rank = {s.key: i for i, s in enumerate(model.sections)}
    latest: tuple[int, str] | None = None
    seen: set[str] = set()
    for section in entry.sections:
        if section.key not in rank or section.key in seen:  # a repeat is duplicate-section's
            continue
        seen.add(section.key)
        if latest is not None and rank[section.key] < latest[0]:
            order = ", ".join(s.title for s in model.sections)
            yield warning(
                entry.path,
                section.line,
                1,
                "section-order",
                f"section '{section.title}' comes after '{latest[1]}'",
                f"the site's order is: {order}",
            )
            continue
        latest = (rank[section.key], section.title)


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def check_aliases(entry: Entry) -> Iterable[Diagnostic]:
    seen = {name_key(entry.title): "the title"}
    for alias in entry.aliases:
        key = name_key(alias.value)
        if key in seen:
            yield warning(
                entry.path,
                alias.line,
                alias.column,
                "duplicate-alias",
                f"alias '{alias.value}' repeats {seen[key]}",
            )
        seen.setdefault(key, f"alias on line {alias.line}")


def check_tags(entry: Entry) -> Iterable[Diagnostic]:
    seen: set[str] = set()
    for tag in entry.tags:
        if tag.value.casefold() in seen:
            yield warning(
                entry.path,
                tag.line,
                tag.column,
                "duplicate-tag",
                f"tag '{tag.value}' is listed twice",
            )
        seen.add(tag.value.casefold())


def check_updated(entry: Entry) -> Iterable[Diagnostic]:
    """``updated:`` is a real calendar date (the schema checks its shape) and not in the future,
    where it would keep the term at the top of the feed."""
    value = entry.meta.get("updated")
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return
    line, col = entry.position("updated")
    if entry.updated is None:
        yield error(
            entry.path, line, col, "invalid-date", f"'updated' is not a calendar date: {value}"
        )
    elif entry.updated > _dt.date.today() + _dt.timedelta(days=1):  # +1: time zones
        yield warning(
            entry.path,
            line,
            col,
            "future-date",
            f"'updated' is in the future: {value}",
            "write the date of the change (YYYY-MM-DD), or remove the key to use the git date",
        )


#: Rules that look at one entry at a time.
def check_live_fences(entry: Entry) -> Iterable[Diagnostic]:
    """``plot``/``playground`` fences (see :mod:`glossary_gen.live`, imported only when needed)."""
    if not any(b.language in ("plot", "playground") for b in entry.code_blocks):
        return ()
    from .live import check_live_blocks

    return check_live_blocks(entry)


def check_requires(entry: Entry) -> Iterable[Diagnostic]:
    """Every package the examples need is declared, present for the doctests, and in Pyodide."""
    from . import packages

    declared = {r.value: r for r in entry.requires}
    for name, item in declared.items():
        if not packages.VALID_NAME.match(name):
            continue  # the schema reports it
        if packages.is_stdlib(name):
            yield warning(
                entry.path,
                item.line,
                item.column,
                "requires-stdlib",
                f"'{name}' is in Python's standard library; it need not be declared",
                "remove it from 'requires:'",
            )
            continue
        if not packages.installed(name):
            yield error(
                entry.path,
                item.line,
                item.column,
                "requires-missing",
                f"package '{name}' is not installed where the doctests run",
                "add it to pyproject.toml and run 'bash scripts/lock', or drop the example",
            )
        if not packages.in_pyodide(name):
            yield warning(
                entry.path,
                item.line,
                item.column,
                "requires-not-in-pyodide",
                f"package '{name}' is not in Pyodide's package index, so Run cannot load it "
                "in the browser",
                "the printed output stays verified; prefer packages Pyodide ships",
            )
    reported: set[str] = set()
    for block in entry.code_blocks:
        if not block.is_doctest:
            continue
        for name, line in packages.imported_names(block):
            if name in declared or name in reported or not packages.needs_declaring(name):
                continue
            reported.add(name)
            yield error(
                entry.path,
                line,
                1,
                "requires-undeclared",
                f"the example imports '{name}', which 'requires:' does not list",
                f"add 'requires: [{name}]' to the front matter",
            )


# --- what an entry's markup may do ----------------------------------------------------------------

#: Classes of the site's own widgets (``glossary-*``: the "Verified example" badge, the Run
#: blocks, the playground) and of the theme (Material's ``md-*``): raw HTML in an entry may not
#: wear them, or it could pass for the real thing. :func:`check_raw_html` reports
#: them; the sanitizer (:func:`glossary_gen.render.sanitize`) removes them.
RESERVED_CLASS = re.compile(r"(?:glossary|md)-", re.I)

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
    """Markdown or HTML nested deeper than the limits (:data:`MAX_BLOCK_DEPTH` and friends):
    refused with its place, before anything renders it (the page shows a notice instead)."""
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


def too_deep(entry: Entry) -> bool:
    """Whether the entry nests deeper than the renderer can safely handle (see
    :func:`check_nesting`): such an entry's page shows a notice, not its body."""
    return next(iter(check_nesting(entry)), None) is not None


ENTRY_RULES: list[EntryRule] = [
    check_slug,
    check_aliases,
    check_tags,
    check_updated,
    check_live_fences,
    check_requires,
    check_raw_html,
    check_nesting,
]


def check_unique_names(entries: Sequence[Entry]) -> Iterable[Diagnostic]:
    """Titles, aliases and slugs share one namespace, so any name resolves to one entry."""
    owners: dict[str, tuple[Entry, str, int, int]] = {}
    for entry in entries:
        line, col = entry.position("title")
        names = [(entry.title, "title", line, col)]
        names += [(a.value, "alias", a.line, a.column) for a in entry.aliases]
        names.append((entry.slug, "slug", 1, 1))
        own: set[str] = set()
        for name, kind, n_line, n_col in names:
            key = name_key(name)
            if key in own:
                continue  # repeats inside one entry are check_aliases' business
            own.add(key)
            if key in owners:
                other, other_kind, o_line, _ = owners[key]
                if kind == "slug" and other_kind == "slug":
                    continue  # impossible on one file system; nothing to report twice
                yield error(
                    entry.path,
                    n_line,
                    n_col,
                    f"duplicate-{kind}",
                    f"{kind} '{name}' is already used as the {other_kind} of {other.path}:{o_line}",
                )
            else:
                owners[key] = (entry, kind, n_line, n_col)


#: Rules that need the whole glossary.
GLOSSARY_RULES: list[GlossaryRule] = [check_unique_names, check_alias_slugs, check_old_addresses]


#: Rules that follow the site's entry model (``sections`` and ``extra_keys`` in mkdocs.yml).
MODEL_RULES: list[ModelRule] = [check_schema, check_sections]


def validate(entries: Sequence[Entry], model: EntryModel = DEFAULT_MODEL) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for entry in entries:
        for model_rule in MODEL_RULES:
            diagnostics.extend(model_rule(entry, model))
        for rule in ENTRY_RULES:
            diagnostics.extend(rule(entry))
    for glossary_rule in GLOSSARY_RULES:
        diagnostics.extend(glossary_rule(entries))
    return diagnostics
