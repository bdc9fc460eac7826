"""A term's summary as one line of HTML, for compact lists (related terms, the A-Z index, tag
pages): its first sentence, its formulas as MathML (as on the term page), its code spans as
``<code>``, everything else escaped text.

The result is trusted HTML (it is spliced into pages after the sanitizer has run): the text is
escaped here, and each formula's MathML goes through the page sanitizer (LaTeX is contributor
input). A formula latex2mathml cannot read stays as its readable text
(:func:`~glossary_gen.site.math_text.math_text`).
"""

from __future__ import annotations

import functools
import html
import re

from glossary_gen.site.math_cache import MATH_CACHE
from glossary_gen.site.math_text import math_text
from glossary_gen.site.sanitize import sanitize
from glossary_gen.site.text import first_sentence, text_parts

_HOLE = re.compile("\ue000(\\d+)\ue001")


@functools.lru_cache(maxsize=4096)
def formula_html(tex: str) -> str:
    """One formula as inline MathML (sanitized), else as escaped readable text."""
    try:
        mathml = MATH_CACHE.convert(tex, False)
    except Exception:  # noqa: BLE001 - latex2mathml raises many types; the text stands in
        return html.escape(math_text(tex))
    return f'<span class="glossary-math">{sanitize(mathml)}</span>'


@functools.lru_cache(maxsize=4096)
def summary_html(markdown_text: str, *, whole: bool = False) -> str:
    """The summary's first sentence (``whole``: all of it) as one line of trusted HTML."""
    text, literals = text_parts(markdown_text)
    text = re.sub(r"\s+", " ", html.unescape(text))
    if not whole:
        text = first_sentence(text)
    parts = _HOLE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(html.escape(part, quote=False))
            continue
        kind, source = literals[int(part)]
        if kind == "code":
            out.append(f"<code>{html.escape(html.unescape(source), quote=False)}</code>")
        else:
            out.append(formula_html(source))
    return "".join(out).strip()


def term_card(anchor: str, summary_markdown: str, extra: str = "") -> str:
    """One item of a compact term list: the link (trusted HTML), the first sentence of the
    summary, and ``extra`` (trusted HTML, e.g. a date)."""
    summary = summary_html(summary_markdown)
    text = f'<span class="glossary-card-summary">{summary}</span>' if summary else ""
    return f"<li>{anchor}{extra}{text}</li>"
