"""Text for pages: escaping for HTML, JSON islands and Markdown, Markdown as one line of plain
text (descriptions, exports, tooltips), and relative URLs between pages. Every page part uses
these; they import nothing of the site but the formula reader :mod:`.math_text`."""

from __future__ import annotations

import functools
import html
import json
import re

from glossary_gen.site.math_text import math_text


def script_json(value: object) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def attr(value: str) -> str:
    return html.escape(value, quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!$|~^=])")


def md_escape(text: str) -> str:
    """Plain text -> Markdown that renders as exactly that text (HTML-escaped, syntax escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


#: How much of a summary :func:`plain_text` reads: far more than a tooltip or a description
#: shows, and a bound on the work a hostile summary can cause.
PLAIN_TEXT_MAX = 4000

# Every pattern is bounded ({1,300}, not +) and a code span starts at the start of a backtick
# run, so a summary of thousands of '[', '*' or '`' costs milliseconds, not minutes.
_PLAIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[\[([^\[\]|\n]{1,300}?)\|([^\[\]\n]{1,300}?)\]\]"), r"\2"),
    (re.compile(r"\[\[([^\[\]|\n]{1,300}?)\]\]"), r"\1"),
    (re.compile(r"!?\[([^\]]{0,300})\]\([^)]{0,300}\)"), r"\1"),
    (re.compile(r"\[([^\]]{0,300})\]\[[^\]]{0,300}\]"), r"\1"),
    (re.compile(r"<!--.{0,300}?-->", re.S), ""),
    (re.compile(r"<(script|style)\b.{0,300}?</\1\s*>", re.S | re.I), ""),
    (re.compile(r"</?[A-Za-z!][^>\n]{0,300}>"), ""),
    (re.compile(r"(\*\*|__)(.{1,300}?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.{1,300}?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?!\s)(.{1,300}?)(?<!\s)_(?!\w)"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|])"), r"\1"),
    (re.compile(r"\s+"), " "),
)


#: Code spans, display math and inline math (the Markdown extension's pattern), read first: their
#: text is kept whole while the rules above strip the Markdown around them.
_LITERALS = re.compile(
    r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>.{1,300}?)(?<!`)(?P=ticks)(?!`)"
    r"|\$\$(?P<display>[^$]{1,2000}?)\$\$"
    r"|(?<![\\$\w])\$(?=[^\s$])(?P<inline>(?:\\.|[^$\\\n]){1,2000}?)(?<=[^\s\\])\$(?![\w$])",
    re.S,
)
#: Where a literal sat while the rules ran: private-use characters, removed from the input first.
_HOLE = re.compile("\ue000(\\d+)\ue001")
_PRIVATE = str.maketrans("", "", "\ue000\ue001")


def text_parts(markdown_text: str) -> tuple[str, list[tuple[str, str]]]:
    """Markdown -> one line of text with its code spans and formulas left out: the text (still
    HTML-escaped as the Markdown had it) holds ``\\ue000N\\ue001`` where literal ``N`` was, and
    the literals are ``(kind, source)`` with kind ``code``, ``math`` or ``display``.
    :func:`plain_text` and :func:`glossary_gen.site.summary_html.summary_html` fill them in."""
    literals: list[tuple[str, str]] = []

    def hole(m: re.Match[str]) -> str:
        kind = m.lastgroup or "code"
        if kind == "ticks":
            kind = "code"
        literals.append((kind, m.group(kind)))
        return f"\ue000{len(literals) - 1}\ue001"

    text = _LITERALS.sub(hole, markdown_text[:PLAIN_TEXT_MAX].translate(_PRIVATE))
    for pattern, replacement in _PLAIN_RULES:
        text = pattern.sub(replacement, text)
    return text.strip(), literals


@functools.lru_cache(maxsize=16384)  # the same summaries, build after build (mkdocs serve)
def plain_text(markdown_text: str) -> str:
    """Markdown -> one line of plain text, for meta descriptions and JSON exports (the first
    :data:`PLAIN_TEXT_MAX` characters; see :func:`tooltip_text` for tooltips). Formulas become
    readable Unicode (:func:`~glossary_gen.site.math_text.math_text`): ``x ≤ log(1 + eˣ)``."""
    text, literals = text_parts(markdown_text)
    if not literals:
        return html.unescape(text).strip()
    parts = _HOLE.split(html.unescape(text))
    for i in range(1, len(parts), 2):
        kind, source = literals[int(parts[i])]
        parts[i] = html.unescape(source) if kind == "code" else math_text(source)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def first_sentence(text: str) -> str:
    """The first sentence of a one-line text (a summary's, for compact lists), or all of it."""
    m = re.search(r"(?<=[^\s.]{2}[.!?])\s+(?=[A-Z\ue000\\d])", text)
    return text[: m.start()] if m else text


#: What tooltips show instead of ``<`` and ``>``: look-alikes that no HTML parser reads as markup.
_TOOLTIP_SAFE = str.maketrans({"<": "\u2039", ">": "\u203a"})


def tooltip_text(text: str) -> str:
    """Text for a ``title`` attribute: ``<`` and ``>`` become the look-alike single angle
    quotation marks U+2039 and U+203A.

    Material's ``content.tooltips`` feature shows an element's ``title`` as HTML (it sets the
    tooltip's ``innerHTML``), so a title holding ``<img onerror=...>`` once its entities are
    decoded would run in the reader's browser on hover. A title without ``<`` or ``>`` cannot
    open a tag: it is text however it is shown. Every title the build writes goes through this
    (the linker's tooltips, and the sanitizer for titles an entry writes itself)."""
    if "<" in text or ">" in text:
        return text.translate(_TOOLTIP_SAFE)
    return text


def relative_url(target: str, base: str) -> str:
    """URL of ``target`` seen from the page at ``base``; both site-root-relative ('' is the root,
    'a/b/' a directory URL, 'a/b.html' a file URL)."""
    target_path, _, anchor = target.partition("#")
    base_parts = base.split("/")[:-1]  # the folder of the page
    target_parts = target_path.split("/")
    common = 0
    while (
        common < len(base_parts)
        and common < len(target_parts) - 1
        and base_parts[common] == target_parts[common]
    ):
        common += 1
    rel = "/".join([".."] * (len(base_parts) - common) + target_parts[common:])
    if not rel:
        rel = "./"
    elif rel.endswith("..") and target_path.endswith("/"):
        rel += "/"
    return rel + ("#" + anchor if anchor else "")


def relative_path(target: str, base: str) -> str:
    """Source path of ``target`` relative to the folder of source file ``base``."""
    return relative_url(target, base)
