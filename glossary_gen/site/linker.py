"""Links between pages: term names resolved to pages, tooltips, and the page being rendered.

One :class:`Linker` per build, shared by every page kind and by the Markdown extension
(:mod:`glossary_gen.site.markdown_ext`), which asks it for the href and tooltip of ``[[Term]]``
links and for auto-link candidates. It holds the only per-page state of a build (the page being
rendered and the terms already linked on it), so the renderers and the extension agree on it.
"""

from __future__ import annotations

import datetime as _dt
import html
import posixpath
import re
from collections.abc import Callable, Mapping

from glossary_gen.core.model import Entry, Glossary
from glossary_gen.site.text import attr, plain_text, relative_path, relative_url, tooltip_text

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


class Linker:
    """Resolves term names to pages and knows the page being rendered.

    The Markdown extension (:mod:`glossary_gen.site.markdown_ext`) asks it for the href and tooltip of
    ``[[Term]]`` links and for auto-link candidates; the adapter calls :meth:`begin_page` before
    each page is rendered. ``src_of``/``url_of`` map a slug to its source path (``glossary/relu.md``)
    and site-root-relative URL (``glossary/relu/``).
    """

    def __init__(
        self,
        glossary: Glossary,
        src_of: Mapping[str, str],
        url_of: Mapping[str, str],
        *,
        autolink: str = "off",
        links: str = "url",
    ) -> None:
        self.glossary = glossary
        self.src_of = dict(src_of)
        self.url_of = dict(url_of)
        self.autolink = autolink
        #: How generated raw HTML links to pages (see :meth:`page_link`): ``url`` or ``source``.
        self.links = links
        #: Each published term's summary as plain text (descriptions, exports, lists).
        self.summaries = {
            e.slug: plain_text(e.summary) for e in glossary.entries if e.slug in self.src_of
        }
        #: The same as tooltip text (:func:`tooltip_text`): the ``title`` of every link to a term.
        self.tooltips = {slug: tooltip_text(text) for slug, text in self.summaries.items()}
        self.page_src = ""
        self.page_url = ""
        self.page_slug: str | None = None
        self.linked: set[str] = set()
        #: Math that failed to convert on the current page: (latex, message).
        self.math_errors: list[tuple[str, str]] = []
        self._first_words: dict[str, list[tuple[tuple[str, ...], str]]] | None = None
        self._trie: _Node | None = None
        self._by_src: dict[str, str] | None = None
        self._title_attrs: dict[str, str] = {}  # slug -> escaped tooltip, for anchor()
        #: An entry's date (``updated:``, else its last commit): the build's
        #: :meth:`~glossary_gen.site.page.RenderContext.date_of` once a renderer exists.
        self.date_of: Callable[[Entry], _dt.date | None] = lambda entry: entry.updated
        #: On a translation's pages: the terms shown in another language (slug -> its code),
        #: whose links say so (``hreflang``, ``lang`` and a marker class).
        self.fallback: Mapping[str, str] = {}

    def begin_page(self, src: str, url: str, slug: str | None = None) -> None:
        self.page_src, self.page_url, self.page_slug = src, url, slug
        self.math_errors = []
        # Terms the entry links explicitly are not auto-linked again, wherever they appear.
        self.linked = set(self.glossary.links.get(slug, ())) if slug else set()

    def resolve(self, name: str) -> Entry | None:
        """A published entry by title, alias or slug (drafts are not linkable)."""
        entry = self.glossary.resolve(name)
        return entry if entry is not None and entry.slug in self.src_of else None

    def href(self, slug: str) -> str:
        """Link to a term as a source path (for links in the Markdown tree, which the site
        generator validates and turns into URLs)."""
        return (
            relative_path(self.src_of[slug], self.page_src) if self.page_src else self.src_of[slug]
        )

    def slug_of_href(self, href: str) -> str | None:
        """The term a Markdown link on the current page points to (source-path links only)."""
        path = href.split("#", 1)[0]
        if not path or ":" in path or path.startswith("/"):
            return None
        if self._by_src is None:
            self._by_src = {src: slug for slug, src in self.src_of.items()}
        return self._by_src.get(
            posixpath.normpath(posixpath.join(posixpath.dirname(self.page_src), path))
        )

    def url(self, slug: str) -> str:
        """Link to a term from generated raw HTML (see :meth:`page_link`)."""
        return self.page_link(self.src_of[slug], self.url_of[slug])

    def page_link(self, src: str, url: str) -> str:
        """Link from generated raw HTML to the page with source path ``src`` and site-root-relative
        URL ``url``. Engines differ here: MkDocs leaves raw HTML alone, so the link is the final
        URL relative to the current page (``links="url"``: ``../beta/``); Zensical resolves every
        relative link of a page from its source file, raw HTML included, so the link is the
        source path relative to the current page's (``links="source"``: ``beta.md``)."""
        if self.links == "source":
            return relative_path(src, self.page_src) if self.page_src else src
        return relative_url(url, self.page_url)

    def anchor(self, slug: str, text: str, *, css: str = "glossary-link") -> str:
        """A complete, escaped ``<a>`` to a term with its summary as the tooltip."""
        title = self._title_attrs.get(slug)
        if title is None:
            title = self._title_attrs[slug] = attr(self.tooltips.get(slug, ""))
        lang = self.fallback.get(slug)
        if lang is not None:
            css += " glossary-link--fallback"
            title += f'" hreflang="{lang}" lang="{lang}'
        return f'<a href="{attr(self.url(slug))}" class="{css}" title="{title}">{html.escape(text)}</a>'

    # auto-linking: first plain mention of another term on a page -------------------------------

    def _index(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        if self._first_words is None:
            index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            for entry in self.glossary.entries:
                if entry.slug not in self.src_of:
                    continue
                for name in (entry.title, *(a.value for a in entry.aliases)):
                    words = tuple(w.casefold() for w in _WORD.findall(name))
                    if words:
                        index.setdefault(words[0], []).append((words, entry.slug))
            for candidates in index.values():
                candidates.sort(key=lambda c: -len(c[0]))
            self._first_words = index
        return self._first_words

    def _names(self) -> _Node:
        """Every published name as a trie of its casefolded words: one walk from each word of a
        page finds the longest name starting there, whatever the number of terms."""
        if self._trie is None:
            root = _Node()
            for entry in self.glossary.entries:
                if entry.slug not in self.src_of:
                    continue
                for name in (entry.title, *(a.value for a in entry.aliases)):
                    words = [w.casefold() for w in _WORD.findall(name)]
                    if not words:
                        continue
                    node = root
                    for word in words:
                        child = node.children.get(word)
                        if child is None:
                            child = node.children[word] = _Node()
                        node = child
                    node.slugs.append(entry.slug)
            self._trie = root
        return self._trie

    def find_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, slug)`` of first mentions in ``text`` of terms not yet linked on
        this page (and not the page's own term); marks them linked. The longest name wins, then
        the first entry; words of a name are separated by white space only."""
        top = self._names().children
        words = [(m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text)]
        found: list[tuple[int, int, str]] = []
        count = len(words)
        i = 0
        while i < count:
            node = top.get(words[i][2])
            matched = 0
            if node is not None:
                ends: list[tuple[int, list[str]]] = []  # (words in the name, its terms)
                k = 1
                while True:
                    if node.slugs:
                        ends.append((k, node.slugs))
                    if i + k >= count or text[words[i + k - 1][1] : words[i + k][0]].strip():
                        break
                    child = node.children.get(words[i + k][2])
                    if child is None:
                        break
                    node, k = child, k + 1
                for k, slugs in reversed(ends):
                    slug = next(
                        (s for s in slugs if s not in self.linked and s != self.page_slug), None
                    )
                    if slug is not None:
                        found.append((words[i][0], words[i + k - 1][1], slug))
                        self.linked.add(slug)
                        matched = k
                        break
            i += matched or 1
        return found


class _Node:
    """A trie node: the next words of the names through here, and the terms named here."""

    __slots__ = ("children", "slugs")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.slugs: list[str] = []
