"""A term page: the entry's Markdown (front matter, aliases, body), then the closing sections
(related terms, backlinks, "Used on", sources, the footer with the edit links) and, for the
page's ``<head>``, its schema.org JSON-LD and its code island.

The body is written line by line from the entry file, so every line keeps its place; its code
blocks go through :class:`~glossary_gen.site.code_blocks.CodeBlockRenderer`. Everything after
the body is trusted HTML written here, headings included (the adapter lists them in the table
of contents): the Markdown engine has nothing to do for it, and the navigation parts of it are
kept out of the search index (:class:`~glossary_gen.site.sanitize.PageFragments`).

"Used on" (:mod:`.used_on`) and the edit links (:mod:`.edit_links`) are page parts below this
module: it calls them with what the adapter found out about the site
(:attr:`RenderContext.used_on <glossary_gen.site.page.RenderContext.used_on>`,
:attr:`~glossary_gen.site.page.RenderContext.edit_links`), in the order the page shows them.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
from collections.abc import Iterable

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.languages import widget_words
from glossary_gen.core.markup import too_deep
from glossary_gen.core.model import Entry, slugify
from glossary_gen.site.code_blocks import CodeBlockRenderer
from glossary_gen.site.page import PageDoc, RenderContext, RenderedPage, RenderOptions
from glossary_gen.site.summary_html import term_card
from glossary_gen.site.text import attr, md_escape, plain_text, script_json
from glossary_gen.site.used_on import used_on_html


def _blank(markdown_text: str) -> bool:
    """Nothing but whitespace and ``<!-- comments -->``."""
    return not re.sub(r"<!--.*?(?:-->|$)", "", markdown_text, flags=re.S).strip()


_H1 = re.compile(r"^ {0,3}(?:#(?:[ \t]|$)|=+[ \t]*$)|<h1[\s>]", re.I)
#: An ATX subheading (level 3 to 6) of an entry's body.
_SUBHEADING = re.compile(r"^( {0,3})(#{3,6})(?=[ \t]|$)")


def _has_h1(entry: Entry) -> bool:
    """Whether an entry body may render a level-1 heading of its own (ATX, setext or raw HTML),
    code blocks aside. Then the page writes its title as a Markdown H1 too, since the theme
    prints the title only when the content has no H1 (Material does)."""
    code = {n for b in entry.code_blocks for n in range(b.fence_line, b.end_line + 1)}
    for number, line in enumerate(entry.body.split("\n"), entry.body_line):
        if number not in code and ("#" in line or "=" in line or "<" in line) and _H1.search(line):
            return True
    return False


def heading_html(options: RenderOptions, title: str, anchor: str) -> str:
    """A level-2 heading as the ``toc`` extension writes it (id and permalink)."""
    text = html.escape(title)
    if options.permalink:
        mark = (
            "&para;"
            if options.permalink is True
            else html.escape(str(options.permalink), quote=False)
        )
        title_attr = f' title="{attr(options.permalink_title)}"' if options.permalink_title else ""
        link = f'<a class="{attr(options.permalink_class)}" href="#{anchor}"{title_attr}>{mark}</a>'
        text = link + text if options.permalink_leading else text + link
    return f'<h2 id="{anchor}">{text}</h2>'


def sources_html(entry: Entry) -> str:
    """The entry's sources as a numbered list (http(s) links only; authors and year when the
    front matter gives them)."""
    items = []
    for source in entry.sources:
        title = html.escape(source.title)
        if source.url and re.match(r"^https?://", source.url):
            title = f'<a href="{attr(source.url)}" rel="nofollow noopener" class="glossary-source">{title}</a>'
        extra = []
        authors = entry.meta.get("sources")
        raw = (
            next(
                (s for s in authors if isinstance(s, dict) and s.get("title") == source.title),
                {},
            )
            if isinstance(authors, list)
            else {}
        )
        if isinstance(raw.get("authors"), str):
            extra.append(html.escape(raw["authors"]))
        if isinstance(raw.get("year"), int):
            extra.append(str(raw["year"]))
        items.append(f"<li>{title}" + (f" — {', '.join(extra)}" if extra else "") + "</li>")
    return '<ol class="glossary-sources">' + "".join(items) + "</ol>"


def term_json_ld(context: RenderContext, entry: Entry, summary: str, date: _dt.date | None) -> str:
    """The schema.org ``DefinedTerm`` of a term page, for its ``<head>``."""
    options = context.options
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": f"#{entry.slug}",
        "name": entry.title,
        "termCode": entry.slug,
        "description": summary,
    }
    term_set: dict[str, object] = {"@type": "DefinedTermSet", "name": options.site_name}
    data["inDefinedTermSet"] = term_set
    if entry.aliases:
        data["alternateName"] = [a.value for a in entry.aliases]
    if entry.tags:
        data["keywords"] = [t.value for t in entry.tags]
    url = context.absolute(context.linker.url_of[entry.slug])
    if url:
        data["url"] = url
        data["@id"] = url
        term_set["url"] = context.absolute(context.index_url)
    if date is not None:
        data["dateModified"] = date.isoformat()
    versions = context.versions
    if versions is not None:
        found = versions.of(entry.slug)
        data.update(
            versions.json_ld(entry.slug, {k: context.absolute(u) for k, u in found.items()})
        )
    return f'<script type="application/ld+json">{script_json(data)}</script>'


def tag_url(context: RenderContext, tag: str) -> str:
    """The site-root-relative URL of a tag's page (``fr/glossary/tags/activation/``), as
    :func:`glossary_gen.site.pages.render_tag_pages` writes it."""
    stem = f"{context.options.url_prefix}tags/{slugify(tag) or 'tag'}"
    return stem + "/" if context.options.directory_urls else stem + ".html"


class TermPageRenderer:
    """Writes the page of one published entry."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.code = CodeBlockRenderer(context)

    def render(self, entry: Entry) -> tuple[RenderedPage, list[Diagnostic]]:
        context, linker = self.context, self.context.linker
        src, url = linker.src_of[entry.slug], linker.url_of[entry.slug]
        linker.begin_page(src, url, entry.slug)
        doc = context.new_page()
        diagnostics: list[Diagnostic] = []
        summary = linker.summaries.get(entry.slug) or plain_text(entry.summary)
        meta: dict[str, object] = {
            "title": html.escape(entry.title),
            "description": html.escape(summary),
            "tags": [html.escape(context.tag_title(t.value)) for t in entry.tags],
            "glossary_entry": entry.slug,
        }
        versions = context.versions
        if versions is not None and versions.lang != versions.default and entry.tags:
            # A translation's tags link to its language's tag pages (engines with a tags plugin
            # of their own show these instead of theirs: see engines/mkdocs/search_and_tags.py).
            meta["glossary_tag_links"] = [
                {"name": html.escape(context.tag_title(t.value)), "url": tag_url(context, t.value)}
                for t in entry.tags
            ]
        doc.md("---", json.dumps(meta, ensure_ascii=False), "---", "")
        if _has_h1(entry):
            # The theme prints the title as the H1 unless the content has one (Material does).
            doc.md(f"# {md_escape(entry.title)}", "")
        if entry.aliases:
            names = ", ".join(f"<em>{html.escape(a.value)}</em>" for a in entry.aliases)
            doc.html_block(
                f'<p class="glossary-aliases">{context.label("Also known as")} {names}</p>'
            )
        versions = context.versions
        if versions is not None and (switcher := versions.switcher(entry.slug, linker.page_link)):
            doc.html_block(switcher, indexed=False)
        if words := widget_words(context.options.labels):
            # live.js's words in the page's language: a data attribute (no script, nothing more
            # for the CSP); entries cannot write data-* attributes (the sanitizer drops them).
            data = attr(json.dumps(words, ensure_ascii=False, sort_keys=True))
            doc.html_block(
                f'<div class="glossary-words" hidden data-glossary-words="{data}"></div>',
                indexed=False,
            )

        if too_deep(entry):
            # Markdown nested this deep would crash or stall the Markdown engine or the search
            # indexer; `check` reports where (validate.check_nesting), the page says so.
            doc.html_block(
                '<p class="glossary-too-deep">This entry is not shown: its Markdown or HTML nests '
                f"deeper than the site renders. See the error for <code>{html.escape(entry.path)}"
                "</code> in the build's output.</p>"
            )
        else:
            diagnostics += self._body(entry, doc)

        headings = self._closing_sections(entry, doc)
        date = context.date_of(entry) if context.options.last_updated else None
        self._footer(entry, doc, date)
        doc.fragments.head.append(term_json_ld(context, entry, summary, date))
        doc.fragments.head.append(self.code.island(entry))
        page = RenderedPage(
            src, url, entry.title, doc.markdown(), doc.fragments, entry, headings=headings
        )
        return page, diagnostics

    def _body(self, entry: Entry, doc: PageDoc) -> list[Diagnostic]:
        """The entry body, line by line from the file: section headings normalized to level 2
        and their subheadings moved up with them (no skipped heading level for screen readers),
        the Summary as the lead, code blocks through the fence formatters."""
        diagnostics: list[Diagnostic] = []
        lines = entry.body.split("\n")
        first = entry.body_line
        headings = {s.line: s for s in entry.sections}
        blocks = {b.fence_line: (i, b) for i, b in enumerate(entry.code_blocks)}
        in_summary = False
        shift = 0  # levels the current section's subheadings move up (1 under a ### section)
        index = 0
        while index < len(lines):
            number = first + index
            if number in blocks:
                i, block = blocks[number]
                diagnostics += self.code.render(
                    entry, i, block, lines[index : block.end_line - first + 1], doc
                )
                index = block.end_line - first + 1
                continue
            section = headings.get(number)
            if section is not None:
                if in_summary:
                    doc.html_block("</div>")
                    in_summary = False
                shift = max(0, section.level - 2)
                if section.key == "summary":
                    doc.html_block('<div class="glossary-summary">')
                    in_summary = True
                elif not _blank(section.content):  # an empty optional section is not shown
                    shown = self.context.options.section_headings.get(section.key, section.title)
                    doc.md("", f"## {shown}", "")
                index += 1
                continue
            line = lines[index]
            if shift and (sub := _SUBHEADING.match(line)):
                level = max(3, len(sub.group(2)) - shift)
                line = sub.group(1) + "#" * level + line[sub.end() :]
            doc.md(line)
            index += 1
        if in_summary:
            doc.html_block("</div>")
        return diagnostics

    def _closing_sections(self, entry: Entry, doc: PageDoc) -> list[tuple[str, str, str]]:
        """Related terms, backlinks, "Used on" and sources, as trusted HTML with their headings;
        returns the headings as ``(token, title, id)`` for the table of contents."""
        context, linker = self.context, self.context.linker
        glossary = context.glossary
        headings: list[tuple[str, str, str]] = []

        def section(title: str, anchor: str, body: str, *, indexed: bool) -> None:
            block = heading_html(context.options, title, anchor) + body
            headings.append((doc.html_block(block, indexed=indexed), title, anchor))

        related = glossary.related.get(entry.slug, ())
        if related:
            body = self._term_list(related, "glossary-related")
            section(context.label("Related terms"), "related-terms", body, indexed=False)
        backlinks = [s for s in glossary.backlinks.get(entry.slug, ()) if s in linker.src_of]
        if backlinks:
            # Compact: the summaries are one hover away, and a popular term has many referrers.
            anchors = ", ".join(linker.anchor(s, glossary.by_slug[s].title) for s in backlinks)
            body = f'<p class="glossary-backlinks">{anchors}</p>'
            section(context.label("Referenced by"), "referenced-by", body, indexed=False)
        used_on = context.used_on.get(entry.slug)
        if used_on:
            body = used_on_html(
                used_on, linker.page_url, link=lambda p: linker.page_link(p.src, p.url)
            )
            section(context.label("Used on"), "used-on", body, indexed=False)
        if entry.sources:
            section(context.label("Sources"), "sources", sources_html(entry), indexed=True)
        return headings

    def _footer(self, entry: Entry, doc: PageDoc, date: _dt.date | None) -> None:
        """The date, the link to the index and the edit links, out of the search index."""
        context, linker = self.context, self.context.linker
        footer = []
        if date is not None:
            footer.append(
                f'{context.label("Last updated")} <time datetime="{date.isoformat()}">{date.isoformat()}</time>'
            )
        index_link = linker.page_link(context.index_src, context.index_url)
        footer.append(f'<a href="{attr(index_link)}">{context.label("All terms")}</a>')
        contribute = (
            context.edit_links.footer(
                entry, linker.page_url, link=linker.page_link, say=context.label
            )
            if context.edit_links is not None
            else []
        )
        doc.html_block(
            f'<p class="glossary-meta">{" · ".join(footer)}</p>'
            + (
                f'<p class="glossary-contribute">{" · ".join(contribute)}</p>' if contribute else ""
            ),
            indexed=False,
        )

    def _term_list(self, slugs: Iterable[str], css: str) -> str:
        """Terms as a compact grid: each title with the first sentence of its summary (formulas
        as MathML); beyond :data:`SHOWN_RELATED`, the rest behind a "Show all" disclosure."""
        linker, by_slug = self.context.linker, self.context.glossary.by_slug
        items = [
            term_card(linker.anchor(slug, by_slug[slug].title), by_slug[slug].summary)
            for slug in slugs
        ]
        shown = f'<ul class="{css} glossary-cards">' + "".join(items[:SHOWN_RELATED]) + "</ul>"
        if len(items) <= SHOWN_RELATED:
            return shown
        rest = f'<ul class="{css} glossary-cards">' + "".join(items[SHOWN_RELATED:]) + "</ul>"
        return (
            shown
            + f'<details class="glossary-more"><summary>Show all {len(items)} related terms'
            + f"</summary>{rest}</details>"
        )


#: How many related terms a page lists before "Show all".
SHOWN_RELATED = 6
