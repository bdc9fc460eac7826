"""The A-Z index page: every published term under its first letter, with its aliases and its
summary, a jump bar to the letters, and the schema.org ``DefinedTermSet`` of the glossary.

The summaries are the entries' own Markdown (their links and math render), so the page is
sanitized like a term page; the links, the aliases and the jump bar are trusted fragments.
"""

from __future__ import annotations

import html
import json
import unicodedata

from glossary_gen.core.markup import too_deep
from glossary_gen.core.model import Entry, name_key
from glossary_gen.site.page import RenderContext, RenderedPage
from glossary_gen.site.text import md_escape, script_json


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
        }
        doc.md(
            "---",
            json.dumps(meta, ensure_ascii=False),
            "---",
            "",
            f"# {md_escape(options.index_title)}",
            "",
        )
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(published, key=lambda e: (name_key(e.title), e.slug)):
            groups.setdefault(_letter(entry.title), []).append(entry)
        order = sorted(groups, key=lambda g: (len(g) > 1, g))  # A..Z, then 0-9 and Other
        jump = " ".join(f'<a href="#letter-{g.lower()}">{html.escape(g)}</a>' for g in order)
        doc.html_block(
            f'<nav class="glossary-az" aria-label="{context.label("Jump to letter")}">{jump}</nav>'
        )
        for group in order:
            doc.md("", f"## {md_escape(group)} {{ #letter-{group.lower()} }}", "")
            for entry in groups[group]:
                aliases = ""
                if entry.aliases:
                    aliases = (
                        ' <span class="glossary-index-aliases">('
                        + ", ".join(html.escape(a.value) for a in entry.aliases)
                        + ")</span>"
                    )
                link = linker.anchor(entry.slug, entry.title)
                # The summary is the entry's own Markdown (links and math render); sanitized later.
                # Nested too deep to render safely: its plain text instead.
                summary = (
                    md_escape(linker.summaries.get(entry.slug, ""))
                    if too_deep(entry)
                    else entry.summary
                )
                doc.md(f"- {fragments.token(link + aliases)}: {summary}")
        fragments.head.append(self._json_ld())
        return RenderedPage(
            context.index_src, context.index_url, options.index_title, doc.markdown(), fragments
        )

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
