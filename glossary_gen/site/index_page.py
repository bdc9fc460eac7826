"""The A-Z index page: every published term under its first letter as one compact row (its link,
the first sentence of its summary, its other names), a sticky bar of the letters, and the
schema.org ``DefinedTermSet`` of the glossary. A glossary without terms says so, and how to add one.

The rows are trusted fragments: the titles and names are escaped, the summaries written by
:func:`~glossary_gen.site.summary_html.summary_html` (escaped text, sanitized MathML); the letter
headings are Markdown, so they have ids and permalinks as every heading.
"""

from __future__ import annotations

import html
import json
import unicodedata

from glossary_gen.core.model import Entry, name_key
from glossary_gen.site.page import RenderContext, RenderedPage
from glossary_gen.site.summary_html import summary_html
from glossary_gen.site.text import md_escape, script_json

#: What the index of a glossary without terms says: that it is empty, and how to add a term.
EMPTY_INDEX = (
    '<div class="glossary-empty" role="status"><p><strong>This glossary has no terms yet.</strong>'
    '</p><p>To add one, run <code>glossary-gen new "Term name"</code>: it writes '
    "<code>entries/term-name.md</code> with every section to fill in. Write its summary, then run "
    "<code>glossary-gen check</code> and build the site again; the term appears here.</p></div>"
)


def _letter(title: str) -> str:
    base = unicodedata.normalize("NFKD", title.strip())[:1].upper()
    return base if "A" <= base <= "Z" else "0-9" if base.isdigit() else "Other"


class IndexRenderer:
    """Writes the index page of the glossary (``glossary/index.md``)."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context

    def render(self) -> RenderedPage:
        context, linker, options = self.context, self.context.linker, self.context.options
        published = context.glossary.published
        linker.begin_page(context.index_src, context.index_url, None)
        doc = context.new_page()
        fragments = doc.fragments
        meta = {
            "title": html.escape(options.index_title),
            "description": html.escape(
                f"All {len(published)} terms of {options.site_name}, A to Z, "
                "with a one-line summary."
            ),
            # The letter bar is the page's navigation: no table of contents repeating it.
            "hide": ["toc"],
        }
        doc.md(
            "---",
            json.dumps(meta, ensure_ascii=False),
            "---",
            "",
            f"# {md_escape(options.index_title)}",
            "",
        )
        if not published:
            doc.html_block(EMPTY_INDEX)
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(published, key=lambda e: (name_key(e.title), e.slug)):
            groups.setdefault(_letter(entry.title), []).append(entry)
        order = sorted(groups, key=lambda g: (len(g) > 1, g))  # A..Z, then 0-9 and Other
        if order:
            jump_label = html.escape(context.label("Jump to letter"))
            jump = "".join(
                f'<li><a href="#letter-{g.lower()}">{html.escape(g)}</a></li>' for g in order
            )
            doc.html_block(
                f'<nav class="glossary-az" aria-label="{jump_label}"><ul>{jump}</ul></nav>',
                indexed=False,
            )
        for group in order:
            doc.md("", f"## {md_escape(group)} {{ #letter-{group.lower()} }}", "")
            rows = "".join(self._row(entry) for entry in groups[group])
            doc.html_block(f'<ul class="glossary-index">{rows}</ul>')
        fragments.head.append(self._json_ld())
        return RenderedPage(
            context.index_src, context.index_url, options.index_title, doc.markdown(), fragments
        )

    def _row(self, entry: Entry) -> str:
        """One compact row: the link, the summary's first sentence (formulas as MathML), and the
        other names, collapsed when there are more than two."""
        linker = self.context.linker
        link = linker.anchor(entry.slug, entry.title)
        summary = summary_html(entry.summary)
        row = f"{link}" + (
            f' <span class="glossary-card-summary">{summary}</span>' if summary else ""
        )
        names = [html.escape(a.value) for a in entry.aliases]
        if len(names) > 2:
            row += (
                '<details class="glossary-index-aliases"><summary>'
                f"{len(names)} other names</summary>{', '.join(names)}</details>"
            )
        elif names:
            row += f' <span class="glossary-index-aliases">Also: {", ".join(names)}</span>'
        return f"<li>{row}</li>"

    def _json_ld(self) -> str:
        """The schema.org ``DefinedTermSet`` of the glossary, for the index page's ``<head>``."""
        context = self.context
        site_url = context.options.site_url
        json_ld: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "DefinedTermSet",
            "name": context.options.site_name,
            "hasDefinedTerm": [
                {
                    "@type": "DefinedTerm",
                    "name": e.title,
                    "termCode": e.slug,
                    **(
                        {"url": context.absolute(context.linker.url_of[e.slug])} if site_url else {}
                    ),
                }
                for e in context.glossary.published
            ],
        }
        if site_url:
            json_ld["url"] = context.absolute(context.index_url)
        return f'<script type="application/ld+json">{script_json(json_ld)}</script>'
