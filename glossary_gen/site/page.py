"""What every page kind shares: the options, the build's :class:`RenderContext`, the
:class:`PageDoc` a page is written into, and the :class:`RenderedPage` it becomes.

The page kinds (:mod:`.term_page`, :mod:`.code_blocks`, :mod:`.index_page`, the tag pages of
:mod:`.pages`) each read the one context of a build and write into their own document;
:class:`~glossary_gen.site.render.Renderer` composes them. This module sits under all of them, so
none imports another to learn what a page is.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from glossary_gen.core.languages import label
from glossary_gen.core.model import Entry, Glossary
from glossary_gen.site.dates import last_updated
from glossary_gen.site.edit_links import EditLinks
from glossary_gen.site.linker import Linker
from glossary_gen.site.sanitize import PageFragments
from glossary_gen.site.used_on import DocsPage
from glossary_gen.site.versions import Versions


@dataclass
class RenderedPage:
    """One page ready for a site generator: where it goes and its Markdown source."""

    src: str
    url: str
    title: str
    markdown: str
    fragments: PageFragments
    entry: Entry | None = None
    #: Contributor content: the page HTML is sanitized before the fragments are spliced in.
    untrusted: bool = True
    #: Headings the renderer wrote as trusted HTML (``Related terms``, ``Referenced by``,
    #: ``Sources``): ``(fragment token, title, id)``. They are not Markdown, so the Markdown
    #: engine neither parses them nor lists them:
    #: :meth:`glossary_gen.site.render.Renderer.finish_html` makes their ids
    #: unique on the page and leaves ``(title, id)`` in :attr:`toc` for the adapter to list.
    headings: list[tuple[str, str, str]] = field(default_factory=list)
    toc: list[tuple[str, str]] = field(default_factory=list)
    #: The page's language where it is not the site's (``<html lang>``; a translation's page).
    lang: str | None = None


@dataclass
class RenderOptions:
    """Renderer settings (the plugin's options, minus what only MkDocs needs)."""

    url_prefix: str = "glossary/"
    index_title: str = "Glossary"
    site_name: str = "Glossary"
    site_url: str | None = None
    pyodide_url: str = ""
    #: Where the pages fetch Pyodide's packages (NumPy...): an absolute URL, or "" for the
    #: Pyodide folder itself (:func:`glossary_gen.fences.pyodide.packages_url`).
    pyodide_packages: str = ""
    #: Where the pages try Pyodide when ``pyodide_url`` fails: site-relative, or "" for nowhere.
    pyodide_fallback: str = ""
    #: The code editor's bundle, site-relative (``assets/editor/live-editor.js``), or "" for none.
    editor_url: str = ""
    last_updated: bool = True
    directory_urls: bool = True
    #: Section key -> the heading a page shows for it (mkdocs.yml ``sections``: ``heading``).
    section_headings: Mapping[str, str] = field(default_factory=dict)
    #: Tag -> the title pages show for it (mkdocs.yml ``tag_titles``); a tag not named shows as
    #: it is written.
    tag_titles: Mapping[str, str] = field(default_factory=dict)
    #: English text -> what the pages say instead (a translated language's words, built-in and
    #: the option ``labels``: :meth:`glossary_gen.core.languages.Languages.words`).
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Permalinks of the generated headings, as Python-Markdown's ``toc`` extension writes them
    #: (its ``permalink``, ``permalink_class``, ``permalink_title``, ``permalink_leading``).
    permalink: bool | str = False
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    permalink_leading: bool = False
    #: How generated raw HTML links to pages: ``url`` (MkDocs) or ``source`` (Zensical), see
    #: :meth:`glossary_gen.site.linker.Linker.page_link`.
    links: str = "url"


class PageDoc:
    """A page being written: Markdown lines and trusted HTML blocks, in order."""

    def __init__(self, fragments: PageFragments) -> None:
        self.fragments = fragments
        self.lines: list[str] = []

    def md(self, *lines: str) -> None:
        self.lines.extend(lines)

    def html_block(self, html_text: str, indent: int = 0, *, indexed: bool = True) -> str:
        """A trusted HTML block as its own paragraph (so the token is replaced whole); returns
        its token."""
        key = self.fragments.token(html_text, indexed=indexed)
        self.lines.extend(["", " " * indent + key, ""])
        return key

    def markdown(self) -> str:
        return "\n".join(self.lines) + "\n"


class RenderContext:
    """What the page kinds of one build read: the glossary, the options, the linker (and through
    it the page being rendered), the build's token nonce, the doctest results, the index page's
    address, the entry dates, and what the adapter found out about the site (:attr:`used_on`,
    :attr:`edit_links`)."""

    def __init__(
        self,
        glossary: Glossary,
        options: RenderOptions,
        linker: Linker,
        *,
        nonce: str,
        doctest_results: Mapping[str, object] | None = None,
    ) -> None:
        self.glossary = glossary
        self.options = options
        self.linker = linker
        self.nonce = nonce
        self.doctest_results = dict(doctest_results or {})
        self.index_src = options.url_prefix + "index.md"
        self.index_url = (
            options.url_prefix
            if options.directory_urls or not options.url_prefix
            else options.url_prefix + "index.html"
        )
        self.dates: dict[Path, _dt.date] = {}
        self._dated = options.last_updated
        if options.last_updated:
            self.dates = last_updated([e.file for e in glossary.published])
        #: Set by the adapter: the docs pages that link to each term (:mod:`.used_on`) and where
        #: entries are edited (:mod:`.edit_links`).
        self.used_on: Mapping[str, Sequence[DocsPage]] = {}
        self.edit_links: EditLinks | None = None
        linker.date_of = self.date_of  # the docs pages' lists of recent changes read it
        #: Set on a site with translations: the language versions of the terms (:mod:`.versions`).
        self.versions: Versions | None = None

    def label(self, text: str) -> str:
        """The page's own words in its language (:data:`~glossary_gen.core.languages.LABELS`)."""
        found = self.options.labels.get(text)
        if found is not None:
            return found
        return label(self.versions.lang if self.versions is not None else None, text)

    def new_page(self) -> PageDoc:
        """An empty document whose trusted fragments carry this build's nonce."""
        return PageDoc(PageFragments(self.nonce))

    def date_of(self, entry: Entry) -> _dt.date | None:
        """The entry's date: ``updated:`` from its front matter, else its file's last commit
        (else its modification time)."""
        if entry.updated is not None:
            return entry.updated
        if not self._dated:  # last_updated is off for the pages, but the feed needs dates
            self.dates, self._dated = last_updated([e.file for e in self.glossary.published]), True
        return self.dates.get(entry.file)

    def tag_title(self, tag: str) -> str:
        """The title a page shows for a tag (``activation-functions`` -> ``Activation functions``)."""
        return self.options.tag_titles.get(tag, tag)

    def absolute(self, url: str) -> str | None:
        """A site-root-relative URL made absolute, when the site's URL is configured."""
        base = self.options.site_url
        return base.rstrip("/") + "/" + url if base else None
