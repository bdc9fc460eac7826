"""Render: the linked :class:`~glossary_gen.core.model.Glossary` -> site pages.

This package knows Markdown and HTML, not MkDocs: it turns each published entry into the Markdown
source of a page (with JSON front matter), builds the A-Z index page and the schema.org JSON-LD
(``glossary.json``, the feed and ``llms.txt`` are :mod:`glossary_gen.site.exports`), and finishes a
page's HTML once a Markdown engine has rendered it (sanitizing what contributors wrote, then
splicing in the trusted pieces the renderer produced). The MkDocs adapter is
:mod:`glossary_gen.engines.plugin`; another generator would need only another thin adapter.

:class:`Renderer` is what the adapters hold, one per build. It composes the page kinds around one
:class:`~glossary_gen.site.page.RenderContext`:

* :mod:`.term_page` writes a term page (its code through :mod:`.code_blocks`);
* :mod:`.index_page` writes the A-Z index;
* :meth:`Renderer.finish_html` and :meth:`Renderer.finish_page` finish what the Markdown engine
  made of either, on the trust boundary of :mod:`.sanitize`.
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets
from collections.abc import Mapping, Sequence

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.model import Entry, Glossary
from glossary_gen.site.edit_links import EditLinks
from glossary_gen.site.index_page import IndexRenderer
from glossary_gen.site.linker import Linker
from glossary_gen.site.page import RenderContext, RenderedPage, RenderOptions
from glossary_gen.site.sanitize import TOKEN_PREFIX, sanitize
from glossary_gen.site.term_page import TermPageRenderer
from glossary_gen.site.used_on import DocsPage

_HTML_LANG = re.compile(r'<html lang="[^"]*"')


class Renderer:
    """Renders the published entries of one glossary; one instance per build."""

    def __init__(
        self,
        glossary: Glossary,
        options: RenderOptions,
        *,
        src_of: Mapping[str, str],
        url_of: Mapping[str, str],
        doctest_results: Mapping[str, object] | None = None,
        autolink: str = "off",
        nonce: str | None = None,
    ) -> None:
        linker = Linker(glossary, src_of, url_of, autolink=autolink, links=options.links)
        self.context = context = RenderContext(
            glossary,
            options,
            linker,
            nonce=nonce or secrets.token_hex(8),
            doctest_results=doctest_results,
        )
        self.glossary = glossary
        self.options = options
        self.linker = linker
        self.nonce = context.nonce
        self.doctest_results = context.doctest_results
        self.index_src = context.index_src
        self.index_url = context.index_url
        self._terms = TermPageRenderer(context)
        self._index = IndexRenderer(context)

    @property
    def used_on(self) -> Mapping[str, Sequence[DocsPage]]:
        """The docs pages that link to each term (:mod:`.used_on`); set by the adapter."""
        return self.context.used_on

    @used_on.setter
    def used_on(self, value: Mapping[str, Sequence[DocsPage]]) -> None:
        self.context.used_on = value

    @property
    def edit_links(self) -> EditLinks | None:
        """Where entries are edited (:mod:`.edit_links`); set by the adapter."""
        return self.context.edit_links

    @edit_links.setter
    def edit_links(self, value: EditLinks | None) -> None:
        self.context.edit_links = value

    def date_of(self, entry: Entry) -> _dt.date | None:
        """The entry's date: ``updated:`` from its front matter, else its file's last commit
        (else its modification time)."""
        return self.context.date_of(entry)

    def render_entry(self, entry: Entry) -> tuple[RenderedPage, list[Diagnostic]]:
        """A term page, and the problems its fences had."""
        return self._terms.render(entry)

    def render_index(self) -> RenderedPage:
        """The A-Z index page."""
        return self._index.render()

    # -- after the Markdown engine --

    def finish_html(
        self, rendered_html: str, page: RenderedPage, *, sanitized: bool = False
    ) -> str:
        """The page content: sanitize what the entry wrote (unless the caller has, ``sanitized``),
        then splice in the trusted fragments (unindexed ones stay markers until :meth:`finish_page`)."""
        body = sanitize(rendered_html) if page.untrusted and not sanitized else rendered_html
        fragments = page.fragments
        if page.headings:
            self._unique_heading_ids(body, page)
        if fragments.items:
            items, unindexed = fragments.items, fragments.unindexed

            def splice(m: re.Match[str]) -> str:
                key = m.group(1) or m.group(2)
                return f"<!--{key}-->" if key in unindexed else items.get(key, "")

            body = fragments.pattern().sub(splice, body)
        return body

    @staticmethod
    def _unique_heading_ids(body: str, page: RenderedPage) -> None:
        """Give each generated heading an id no element of the entry has (``sources-1`` after an
        entry's own "Sources" heading, as the ``toc`` extension numbers them)."""
        taken = set(re.findall(r'\sid="([^"]*)"', body))
        items = page.fragments.items
        page.toc = []
        for key, title, anchor in page.headings:
            unique, n = anchor, 0
            while unique in taken:
                n += 1
                unique = f"{anchor}-{n}"
            taken.add(unique)
            if unique != anchor:
                items[key] = (
                    items[key]
                    .replace(f'id="{anchor}"', f'id="{unique}"', 1)
                    .replace(f'href="#{anchor}"', f'href="#{unique}"', 1)
                )
            page.toc.append((title, unique))

    @staticmethod
    def finish_page(document: str, page: RenderedPage) -> str:
        """The whole HTML document: the unindexed fragments replace their markers, and the
        page's ``<head>`` fragments go before ``</head>``."""
        fragments = page.fragments
        if page.lang is not None:  # a translation: a language code (LANG_RE), nothing else
            document = _HTML_LANG.sub(f'<html lang="{page.lang}"', document, count=1)
        if fragments.unindexed:
            items = fragments.items
            document = re.sub(
                rf"<!--({TOKEN_PREFIX}{fragments.nonce}x\d+)-->",
                lambda m: items.get(m.group(1), ""),
                document,
            )
        if not fragments.head:
            return document
        at = document.find("</head>")
        if at < 0:  # not a full document (a theme without <head>): keep them, at the end
            return document + "\n" + "\n".join(fragments.head)
        return document[:at] + "\n".join(fragments.head) + "\n" + document[at:]
