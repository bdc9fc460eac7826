"""Term lists on hand-written docs pages (the home page): a line that is only

* ``<!-- glossary:featured ReLU | GELU | Softplus -->`` becomes those terms as compact cards (the
  title, the first sentence of the summary), in that order;
* ``<!-- glossary:recent 6 -->`` becomes the terms changed last (their date is the feed's:
  ``updated:``, else the file's last commit), newest first, each with its date.

Elsewhere, and where the glossary plugin is not installed, the line is an HTML comment: the page
shows nothing. A name that is no published term shows as a missing link, as ``[[name]]`` would.

The lists are trusted HTML stashed in the page (Python-Markdown's raw-HTML stash), with links
written as the page's other generated links are (:meth:`~glossary_gen.site.linker.Linker.anchor`).
"""

from __future__ import annotations

import datetime as _dt
import html
import re

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from glossary_gen.core.model import name_key
from glossary_gen.site.linker import Linker
from glossary_gen.site.summary_html import term_card

#: A directive line. Bounded, so a hostile docs page costs nothing.
DIRECTIVE = re.compile(r"<!--\s*glossary:(featured|recent)\b([^\n]{0,1000}?)-->")
#: The most terms one list shows.
MOST = 24


class TermListPreprocessor(Preprocessor):
    """Replaces each directive line by its list (after the code fences are stashed, before raw
    HTML blocks are)."""

    def __init__(self, md: Markdown, linker: Linker) -> None:
        super().__init__(md)
        self.linker = linker

    def run(self, lines: list[str]) -> list[str]:
        if not any("glossary:" in line for line in lines):
            return lines
        out: list[str] = []
        for line in lines:
            m = DIRECTIVE.fullmatch(line.strip())
            if m is None:
                out.append(line)
                continue
            kind, argument = m.group(1), m.group(2).strip()
            body = (
                featured(self.linker, argument)
                if kind == "featured"
                else recent(self.linker, argument)
            )
            out += ["", self.md.htmlStash.store(body), ""]
        return out


def featured(linker: Linker, names: str) -> str:
    """The named terms (``ReLU | GELU``) as cards."""
    items = []
    for name in [n.strip() for n in names.split("|") if n.strip()][:MOST]:
        entry = linker.resolve(name)
        if entry is None:
            missing = (
                f'<span class="glossary-link glossary-link--missing">{html.escape(name)}</span>'
            )
            items.append(f"<li>{missing}</li>")
        else:
            items.append(term_card(linker.anchor(entry.slug, entry.title), entry.summary))
    return f'<ul class="glossary-cards glossary-featured">{"".join(items)}</ul>'


def recent(linker: Linker, count: str) -> str:
    """The ``count`` (default 6) terms changed last, newest first, with their dates."""
    wanted = int(count) if count.isdigit() else 6
    dated: list[tuple[_dt.date, str]] = []
    for entry in linker.glossary.published:
        if entry.slug in linker.src_of and (date := linker.date_of(entry)) is not None:
            dated.append((date, entry.slug))
    dated.sort(key=lambda d: (-d[0].toordinal(), name_key(linker.glossary.by_slug[d[1]].title)))
    items = []
    for date, slug in dated[: max(0, min(wanted, MOST))]:
        entry = linker.glossary.by_slug[slug]
        when = f' <time class="glossary-card-date" datetime="{date.isoformat()}">{date.isoformat()}</time>'
        items.append(term_card(linker.anchor(slug, entry.title), entry.summary, when))
    if not items:
        return '<p class="glossary-recent">No dated changes yet.</p>'
    return f'<ul class="glossary-cards glossary-recent">{"".join(items)}</ul>'
