"""An entry page's HTML between its Markdown and its template (``on_page_content`` ...
``on_page_context``): sanitized on a second thread while MkDocs renders the next pages, then
finished (the trusted HTML spliced in, the generated headings added to the table of contents).
Until then the page holds a placeholder, so the unsanitized HTML is never visible to another
plugin."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.site.linker import Linker
from glossary_gen.site.page import RenderedPage
from glossary_gen.site.pages import math_diagnostic
from glossary_gen.site.render import Renderer
from glossary_gen.site.sanitize import HEADING_ID, heading_id, sanitize

#: An entry page's content between on_page_content and on_page_context, while it is sanitized.
_PENDING = "<!-- glossary: this page's content is being sanitized -->"


class Sanitizer:
    """The sanitizer (Rust) releases the GIL: entry pages are cleaned on a second thread and
    taken back in ``on_page_context``, before anything reads them (MkDocs renders every page
    before it builds the first one)."""

    def __init__(self) -> None:
        self._cleaner: ThreadPoolExecutor | None = None
        self._cleaning: dict[str, Future[str]] = {}

    def start(self, page: Page, html: str) -> str:
        """Start cleaning the page's HTML; returns what the page holds meanwhile."""
        if page.toc:
            _escape_toc(page.toc)
        if self._cleaner is None:
            self._cleaner = ThreadPoolExecutor(1, thread_name_prefix="glossary-sanitize")
        self._cleaning[page.file.src_uri] = self._cleaner.submit(sanitize, html)
        return _PENDING

    def take(self, src: str) -> str | None:
        """The clean HTML of the page ``src`` (``None``: it was not sanitized here)."""
        cleaning = self._cleaning.pop(src, None)
        return cleaning.result() if cleaning is not None else None

    def stop(self) -> None:
        if self._cleaner is not None:
            self._cleaner.shutdown(cancel_futures=True)
            self._cleaner = None
        self._cleaning = {}


def finish(
    renderer: Renderer, page: Page, rendered: RenderedPage, html: str, *, sanitized: bool = False
) -> str:
    """The trusted HTML spliced in; the renderer's headings listed in the page's TOC."""
    html = renderer.finish_html(html, rendered, sanitized=sanitized)
    if rendered.toc:
        _add_to_toc(page, rendered.toc)
    return html


def math_problems(linker: Linker, page: Page, rendered: RenderedPage | None) -> list[Diagnostic]:
    """The formulas of the page that failed to convert, located in the entry file (or the docs
    page)."""
    entry = rendered.entry if rendered is not None else None
    return [
        math_diagnostic(entry, page.file.src_uri, page.markdown or "", tex, message)
        for tex, message in linker.math_errors
    ]


def _add_to_toc(page: Page, headings: list[tuple[str, str]]) -> None:
    """List the renderer's level-2 headings (the last ones of the page) in the page's TOC,
    under the H1 when the TOC has one."""
    toc = page.toc
    if toc is None:
        return
    container: list[AnchorLink] = toc if isinstance(toc, list) else toc.items
    while container and container[-1].level < 2:
        container = container[-1].children
    for title, anchor in headings:
        container.append(AnchorLink(title, anchor, 2))


def _escape_toc(toc: Iterable[AnchorLink]) -> None:
    """Entry headings end up in the sidebar table of contents, which MkDocs themes print without
    escaping (``href="{{ toc_item.url }}"`` too): keep only their text, escaped, and only ids
    that are slugs (the Markdown extension has made the page's ones so, and the sanitizer makes
    a raw heading's id the same slug)."""
    for item in toc:
        if not HEADING_ID.fullmatch(item.id):
            item.id = heading_id(item.id) or "section"
        if "<" in item.title or "&" in item.title or ">" in item.title:
            item.title = html_lib.escape(
                html_lib.unescape(re.sub(r"<[^>]*>", "", item.title)), quote=False
            )
        _escape_toc(item.children)
