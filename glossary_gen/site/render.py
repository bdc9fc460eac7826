"""Render: the linked :class:`~glossary_gen.core.model.Glossary` -> site pages and exports.

This module knows Markdown and HTML, not MkDocs: it turns each published entry into the Markdown
source of a page (with JSON front matter), builds the A-Z index page and the schema.org JSON-LD
(``glossary.json``, the feed and ``llms.txt`` are :mod:`glossary_gen.site.exports`), and finishes a
page's HTML once a Markdown engine has rendered it (sanitizing what contributors wrote, then
splicing in the trusted pieces the renderer produced). The MkDocs
adapter is :mod:`glossary_gen.engines.plugin`; another generator would need only another thin adapter.

Trust boundary
--------------
Everything an entry contributes (titles, aliases, tags, sources, body Markdown and any raw HTML
in it) is escaped when it is placed into HTML by this module, and the rendered body is passed
through :func:`sanitize` (nh3, an allow-list HTML sanitizer): no ``<script>``, no ``on*=``
handler, no ``javascript:`` URL, no ``data-*`` attribute, no ``style`` survives. HTML produced by
trusted code (fence formatters, the runnable wrappers, the JSON islands) never goes through the
Markdown source: :class:`PageFragments` stands a random, per-build token in its place, and
:meth:`Renderer.finish_html` swaps the token for the HTML *after* sanitizing, so contributors can
neither forge nor break it.

Fence formatters
----------------
A fence whose language (or info-string option word) has a formatter in the fence registry
(:mod:`glossary_gen.core.fences`) is rendered by it; the rest are rendered here.

Runnable blocks (for ``assets/live.js``)
----------------------------------------
Every doctest block (``python``/``pycon`` fence with ``>>>``) is wrapped as::

    <div class="glossary-runnable" data-glossary-block="1" data-glossary-entry="relu"
         data-glossary-path="entries/relu.md" data-glossary-line="41" data-glossary-doctest="passed">
      ...highlighted code (Material adds the copy button)...
    </div>

``data-glossary-block`` is the position of the block in the island's ``blocks`` list;
``data-glossary-line`` the file line of its first code line; ``data-glossary-doctest`` is
``passed``, ``failed`` or ``not-run``. Each term page carries one JSON island in its ``<head>``
(with the JSON-LD; :meth:`Renderer.finish_page`), not in the content, because Material's
instant navigation re-creates the content's ``<script>`` elements without their ``type`` (JSON
would run as JavaScript) while it swaps ``<head>`` elements whole, so
``document.querySelector("script[data-glossary-code]")`` always finds the current page's::

    <script type="application/json" class="glossary-data" data-glossary-code
            data-glossary-pyodide="https://cdn.jsdelivr.net/npm/pyodide@.../">{...}</script>

``data-glossary-pyodide`` (and ``pyodide_url`` in the JSON) is the Pyodide folder: absolute when
configured as a URL, otherwise relative to the page (resolve with ``new URL(v, location.href)``).

holding ``{"entry": slug, "title": ..., "path": ..., "pyodide_url": ..., "blocks": [{"index",
"line", "language", "doctest", "code", "source"}, ...]}`` for every Python block of the entry,
in order (``index`` is the position in ``entry.code_blocks``). ``code`` is the fence text;
``source`` is the Python to execute (prompts and expected output removed for doctests). Blocks
share one namespace top to bottom, so to run block *i* run every earlier block of the list first.
Contributors cannot produce ``data-*`` attributes or ``<script>`` elements (the sanitizer removes
them), so select on ``script[data-glossary-code]`` and ``[data-glossary-block]``: those hooks
cannot be forged by an entry (an ``id`` can: entries may set ids, so never select by id).
The island's JSON escapes ``<``, ``>`` and ``&``, so no string can close the script element.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import posixpath
import re
import secrets
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nh3

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.fences import FenceContext, FenceError, Markdown
from glossary_gen.core.fences import formatter as fence_formatter
from glossary_gen.core.markup import RESERVED_CLASS, RESERVED_ID, too_deep
from glossary_gen.core.model import PYTHON_LANGUAGES, CodeBlock, Entry, Glossary, name_key
from glossary_gen.site.text import (
    attr,
    md_escape,
    plain_text,
    relative_path,
    relative_url,
    script_json,
    tooltip_text,
)

if TYPE_CHECKING:
    from glossary_gen.site.edit_links import EditLinks
    from glossary_gen.site.used_on import DocsPage

# --- public extension points ---------------------------------------------------------------------


# --- links and tooltips -------------------------------------------------------------------------

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
        self._by_src: dict[str, str] | None = None
        self._title_attrs: dict[str, str] = {}  # slug -> escaped tooltip, for anchor()

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

    def find_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, slug)`` of first mentions in ``text`` of terms not yet linked on
        this page (and not the page's own term); marks them linked."""
        index = self._index()
        words = [(m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text)]
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            candidates = index.get(words[i][2])
            matched = 0
            if candidates:
                for name_words, slug in candidates:
                    k = len(name_words)
                    if slug in self.linked or slug == self.page_slug or i + k > len(words):
                        continue
                    span = words[i : i + k]
                    if tuple(w[2] for w in span) != name_words:
                        continue
                    if any(text[span[j][1] : span[j + 1][0]].strip() for j in range(k - 1)):
                        continue
                    found.append((span[0][0], span[-1][1], slug))
                    self.linked.add(slug)
                    matched = k
                    break
            i += matched or 1
        return found


# --- dates --------------------------------------------------------------------------------------


def last_updated(files: Sequence[Path]) -> dict[Path, _dt.date]:
    """Last-change date of each file: its last git commit, else its modification time.

    One ``git log`` call for the whole folder (not one per file), so it stays cheap at any size.
    """
    dates: dict[Path, _dt.date] = {}
    # Resolve each folder once, not each file (thousands of realpath calls add up).
    resolved = {parent: parent.resolve() for parent in {f.parent for f in files}}
    folders = set(resolved.values())
    for folder in folders:
        try:
            out = subprocess.run(
                [
                    "git",
                    "log",
                    "--format=%x00%ct",
                    "--name-only",
                    "--relative",
                    "--no-renames",
                    "--",
                    ".",
                ],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        stamp = None
        for line in out.splitlines():
            if line.startswith("\x00"):
                stamp = int(line[1:])
            elif line and stamp is not None:
                path = folder / line
                if path not in dates:
                    dates[path] = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).date()
    result: dict[Path, _dt.date] = {}
    for file in files:
        date = dates.get(resolved[file.parent] / file.name)
        if date is None:
            try:
                date = _dt.datetime.fromtimestamp(file.stat().st_mtime, _dt.timezone.utc).date()
            except OSError:
                continue
        result[file] = date
    return result


# --- sanitizing ---------------------------------------------------------------------------------

MATHML_TAGS = frozenset(
    [
        "math",
        "annotation",
        "maction",
        "menclose",
        "merror",
        "mfenced",
        "mfrac",
        "mi",
        "mmultiscripts",
        "mn",
        "mo",
        "mover",
        "mpadded",
        "mphantom",
        "mprescripts",
        "mroot",
        "mrow",
        "ms",
        "mspace",
        "msqrt",
        "mstyle",
        "msub",
        "msubsup",
        "msup",
        "mtable",
        "mtd",
        "mtext",
        "mtr",
        "munder",
        "munderover",
        "none",
        "semantics",
    ]
)

_MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "xmlns",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "form",
        "minsize",
        "maxsize",
        "accent",
        "accentunder",
        "movablelimits",
        "largeop",
        "symmetric",
        "displaystyle",
        "scriptlevel",
        "width",
        "height",
        "depth",
        "linethickness",
        "notation",
        "columnalign",
        "columnspan",
        "rowspan",
        "rowspacing",
        "columnspacing",
        "columnlines",
        "rowlines",
        "frame",
        "voffset",
        "encoding",
        "open",
        "close",
        "separators",
        "linebreak",
    ]
)

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden"},
    "a": {"href", "name", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "details": {"open"},
    "time": {"datetime"},
    "abbr": {"title"},
    **{tag: set(_MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
}

#: The classes :mod:`glossary_gen.site.markdown_ext` itself puts on elements of an entry's body, before
#: the body is sanitized: kept (raw HTML using them is still reported by ``check``).
GENERATED_CLASSES = frozenset(
    {
        "glossary-link",
        "glossary-autolink",
        "glossary-link--missing",
        "glossary-math",
        "glossary-math--display",
        "glossary-math-error",
    }
)

_CLASS_HINT = re.compile(r"(?:glossary|md)-", re.I)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """nh3's hook for every attribute it keeps (values come decoded and are escaped again)."""
    if attribute == "class":
        if _CLASS_HINT.search(value) is None:  # the common case: pygments and Markdown classes
            return value
        kept = [c for c in value.split() if c in GENERATED_CLASSES or not RESERVED_CLASS.match(c)]
        return " ".join(kept) or None
    if attribute == "title":
        return tooltip_text(value)
    if attribute in ("id", "name"):
        return None if RESERVED_ID.match(value) else value
    return value


_CLEANER: nh3.Cleaner | None = None


def sanitize(fragment: str) -> str:
    """Allow-list sanitizing of rendered entry HTML (nh3): formatting, tables, code highlighting,
    footnotes and MathML stay; scripts, styles, event handlers, ``data-*`` attributes, forms,
    frames and non-http(s)/mailto URLs go. Titles become tooltip text (:func:`tooltip_text`),
    and the site's and the theme's own classes and ids (:data:`RESERVED_CLASS`,
    :data:`RESERVED_ID`) are removed."""
    global _CLEANER
    if _CLEANER is None:
        _CLEANER = nh3.Cleaner(
            tags=set(nh3.ALLOWED_TAGS) | set(MATHML_TAGS),
            attributes=_ATTRIBUTES,
            attribute_filter=_attribute_filter,
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
            strip_comments=True,
        )
    return _CLEANER.clean(fragment)


# --- pages --------------------------------------------------------------------------------------


#: Tokens are ``glossarytrusted<nonce>x<n>``: letters and digits only, so Markdown and the
#: sanitizer leave them alone; a line holding only a token is one atomic block
#: (:class:`glossary_gen.site.markdown_ext.TrustedBlockProcessor`).
TOKEN_PREFIX = "glossarytrusted"
TOKEN_RE = re.compile(TOKEN_PREFIX + r"[0-9a-f]+x\d+")


class PageFragments:
    """Trusted HTML kept out of the Markdown source: each piece is represented by a token that
    Markdown and the sanitizer leave alone, and put back by :meth:`Renderer.finish_html`."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.items: dict[str, str] = {}
        #: Tokens of navigation fragments (related terms, backlinks, the footer) that are placed
        #: after the search index has read the content (:meth:`Renderer.finish_page`): a search
        #: for a term finds its own page, not every page that lists it.
        self.unindexed: set[str] = set()
        #: Trusted HTML for the page's ``<head>`` (the JSON-LD and the code island), out of the
        #: content: Material's instant navigation re-creates every ``<script>`` of the content
        #: without its ``type`` (so JSON would run as JavaScript), while it swaps ``<head>``
        #: elements whole; and the search indexer never has to read them.
        self.head: list[str] = []

    def pattern(self) -> re.Pattern[str]:
        """A token alone in a paragraph (group 1) or inline (group 2)."""
        return re.compile(
            rf"<p>\s*({TOKEN_PREFIX}{self.nonce}x\d+)\s*</p>|({TOKEN_PREFIX}{self.nonce}x\d+)"
        )

    def token(self, html_text: str, *, indexed: bool = True) -> str:
        key = f"{TOKEN_PREFIX}{self.nonce}x{len(self.items)}"
        self.items[key] = html_text
        if not indexed:
            self.unindexed.add(key)
        return key


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
    #: engine neither parses them nor lists them: :meth:`Renderer.finish_html` makes their ids
    #: unique on the page and leaves ``(title, id)`` in :attr:`toc` for the adapter to list.
    headings: list[tuple[str, str, str]] = field(default_factory=list)
    toc: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RenderOptions:
    """Renderer settings (the plugin's options, minus what only MkDocs needs)."""

    url_prefix: str = "glossary/"
    index_title: str = "Glossary"
    site_name: str = "Glossary"
    site_url: str | None = None
    pyodide_url: str = ""
    last_updated: bool = True
    directory_urls: bool = True
    #: Section key -> the heading a page shows for it (mkdocs.yml ``sections``: ``heading``).
    section_headings: Mapping[str, str] = field(default_factory=dict)
    #: Permalinks of the generated headings, as Python-Markdown's ``toc`` extension writes them
    #: (its ``permalink``, ``permalink_class``, ``permalink_title``, ``permalink_leading``).
    permalink: bool | str = False
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    permalink_leading: bool = False
    #: How generated raw HTML links to pages: ``url`` (MkDocs) or ``source`` (Zensical), see
    #: :meth:`Linker.page_link`.
    links: str = "url"


@dataclass
class _Doc:
    """Generated-document helper: trusted HTML blocks and Markdown lines, in order."""

    fragments: PageFragments
    lines: list[str] = field(default_factory=list)

    def md(self, *lines: str) -> None:
        self.lines.extend(lines)

    def html_block(self, html_text: str, indent: int = 0, *, indexed: bool = True) -> str:
        """A trusted HTML block as its own paragraph (so the token is replaced whole); returns
        its token."""
        key = self.fragments.token(html_text, indexed=indexed)
        self.lines.extend(["", " " * indent + key, ""])
        return key


_PROMPT = re.compile(r"^(\s*)(>>>|\.\.\.)( |$)")


def doctest_source(code: str) -> str:
    """The Python a doctest block executes: the prompted lines, prompts removed (expected output
    and blank lines between examples dropped), as ``doctest.DocTestParser`` would run them."""
    lines = []
    for line in code.splitlines():
        match = _PROMPT.match(line)
        if match:
            lines.append(line[match.end() :])
    return "\n".join(lines) + "\n" if lines else ""


def doctest_status(result: object | None, block: CodeBlock | None = None) -> str:
    """``passed``, ``failed`` or ``not-run`` for an entry's doctest result (duck-typed, so the
    renderer does not depend on the doctest runner's classes)."""
    if result is None:
        return "not-run"
    for name in ("ok", "passed", "success"):
        value = getattr(result, name, None)
        if isinstance(value, bool):
            status = "passed" if value else "failed"
            break
    else:
        failures = getattr(result, "failures", None)
        if failures is None and isinstance(result, Mapping):
            failures = result.get("failures")
        if failures is None:
            return "not-run"
        status = "failed" if failures else "passed"
    if status == "failed" and block is not None:
        # Blame only the blocks with a failing line, when the result says where.
        lines = set()
        for item in getattr(result, "failures", None) or getattr(result, "diagnostics", None) or ():
            line = getattr(item, "line", None)
            if isinstance(line, int):
                lines.add(line)
        if lines and not any(block.line <= line <= block.end_line for line in lines):
            return "passed"
    return status


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


def _letter(title: str) -> str:
    base = unicodedata.normalize("NFKD", title.strip())[:1].upper()
    return base if "A" <= base <= "Z" else "0-9" if base.isdigit() else "Other"


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
        self.glossary = glossary
        self.options = options
        self.doctest_results = dict(doctest_results or {})
        self.nonce = nonce or secrets.token_hex(8)
        self.linker = Linker(glossary, src_of, url_of, autolink=autolink, links=options.links)
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

    def date_of(self, entry: Entry) -> _dt.date | None:
        """The entry's date: ``updated:`` from its front matter, else its file's last commit
        (else its modification time)."""
        if entry.updated is not None:
            return entry.updated
        if not self._dated:  # last_updated is off for the pages, but the feed needs dates
            self.dates, self._dated = last_updated([e.file for e in self.glossary.published]), True
        return self.dates.get(entry.file)

    # -- term pages --

    def render_entry(self, entry: Entry) -> tuple[RenderedPage, list[Diagnostic]]:
        linker = self.linker
        src, url = linker.src_of[entry.slug], linker.url_of[entry.slug]
        linker.begin_page(src, url, entry.slug)
        fragments = PageFragments(self.nonce)
        doc = _Doc(fragments)
        diagnostics: list[Diagnostic] = []
        summary = linker.summaries.get(entry.slug) or plain_text(entry.summary)
        meta = {
            "title": html.escape(entry.title),
            "description": html.escape(summary),
            "tags": [html.escape(t.value) for t in entry.tags],
            "glossary_entry": entry.slug,
        }
        doc.md("---", json.dumps(meta, ensure_ascii=False), "---", "")
        if _has_h1(entry):
            # The theme prints the title as the H1 unless the content has one (Material does).
            doc.md(f"# {md_escape(entry.title)}", "")
        if entry.aliases:
            names = ", ".join(f"<em>{html.escape(a.value)}</em>" for a in entry.aliases)
            doc.html_block(f'<p class="glossary-aliases">Also known as {names}</p>')

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

        # The closing sections are trusted HTML, headings included (listed in the TOC by the
        # adapter): the Markdown engine has nothing to do for them.
        headings: list[tuple[str, str, str]] = []

        def section(title: str, anchor: str, body: str, *, indexed: bool) -> None:
            headings.append(
                (
                    doc.html_block(self._heading(title, anchor) + body, indexed=indexed),
                    title,
                    anchor,
                )
            )

        related = self.glossary.related.get(entry.slug, ())
        if related:
            section(
                "Related terms",
                "related-terms",
                self._term_list(related, "glossary-related"),
                indexed=False,
            )
        backlinks = [s for s in self.glossary.backlinks.get(entry.slug, ()) if s in linker.src_of]
        if backlinks:
            # Compact: the summaries are one hover away, and a popular term has many referrers.
            section(
                "Referenced by",
                "referenced-by",
                '<p class="glossary-backlinks">'
                + ", ".join(
                    self.linker.anchor(s, self.glossary.by_slug[s].title) for s in backlinks
                )
                + "</p>",
                indexed=False,
            )
        used_on = self.used_on.get(entry.slug)
        if used_on:
            from glossary_gen.site.used_on import used_on_html

            section(
                "Used on",
                "used-on",
                used_on_html(used_on, url, link=lambda p: linker.page_link(p.src, p.url)),
                indexed=False,
            )
        if entry.sources:
            section("Sources", "sources", self._sources(entry), indexed=True)
        date = self.date_of(entry) if self.options.last_updated else None
        footer = []
        if date is not None:
            footer.append(
                f'Last updated <time datetime="{date.isoformat()}">{date.isoformat()}</time>'
            )
        footer.append(
            f'<a href="{attr(linker.page_link(self.index_src, self.index_url))}">All terms</a>'
        )
        contribute = (
            self.edit_links.footer(entry, url, link=linker.page_link)
            if self.edit_links is not None
            else []
        )
        doc.html_block(
            f'<p class="glossary-meta">{" · ".join(footer)}</p>'
            + (
                f'<p class="glossary-contribute">{" · ".join(contribute)}</p>' if contribute else ""
            ),
            indexed=False,
        )

        fragments.head.append(self._json_ld(entry, summary, date))
        fragments.head.append(self._island(entry))
        page = RenderedPage(
            src, url, entry.title, "\n".join(doc.lines) + "\n", fragments, entry, headings=headings
        )
        return page, diagnostics

    def _heading(self, title: str, anchor: str) -> str:
        """A level-2 heading as the ``toc`` extension writes it (id and permalink)."""
        options = self.options
        text = html.escape(title)
        if options.permalink:
            mark = (
                "&para;"
                if options.permalink is True
                else html.escape(str(options.permalink), quote=False)
            )
            title_attr = (
                f' title="{attr(options.permalink_title)}"' if options.permalink_title else ""
            )
            link = f'<a class="{attr(options.permalink_class)}" href="#{anchor}"{title_attr}>{mark}</a>'
            text = link + text if options.permalink_leading else text + link
        return f'<h2 id="{anchor}">{text}</h2>'

    def _body(self, entry: Entry, doc: _Doc) -> list[Diagnostic]:
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
                diagnostics += self._code_block(
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
                    shown = self.options.section_headings.get(section.key, section.title)
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

    def _code_block(
        self, entry: Entry, index: int, block: CodeBlock, raw: list[str], doc: _Doc
    ) -> list[Diagnostic]:
        result = self.doctest_results.get(entry.slug)
        formatter = fence_formatter(block)
        ctx = FenceContext(entry, block, index, self.glossary, result, self.linker.page_url)
        if formatter is not None:
            try:
                out = formatter(ctx)
            except FenceError as exc:
                ctx.report(
                    error(
                        entry.path,
                        exc.line or block.fence_line,
                        exc.column,
                        "fence",
                        exc.message,
                        exc.hint,
                    )
                )
                out = None
            except Exception as exc:  # noqa: BLE001 - a formatter bug must not take the build down
                ctx.report(
                    error(
                        entry.path,
                        block.fence_line,
                        block.indent + 1,
                        "fence",
                        f"'{block.language}' block could not be rendered: {type(exc).__name__}: {exc}",
                    )
                )
                out = None
            if isinstance(out, Markdown):
                doc.md(*str(out).split("\n"))
                return ctx.diagnostics
            if isinstance(out, str):
                doc.html_block(out, block.indent)
                return ctx.diagnostics
        if block.is_doctest:
            status = doctest_status(result, block)
            position = sum(1 for b in entry.code_blocks[:index] if b.language in PYTHON_LANGUAGES)
            opening = (
                f'<div class="glossary-runnable" data-glossary-block="{position}" '
                f'data-glossary-entry="{attr(entry.slug)}" data-glossary-path="{attr(entry.path)}" '
                f'data-glossary-line="{block.line}" data-glossary-doctest="{status}">'
            )
            if status == "passed":
                opening += (
                    '<p class="glossary-verified" title="This example ran when the site was built '
                    'and printed exactly this output">Verified example</p>'
                )
            doc.html_block(opening, block.indent)
            fence = raw[0]
            language = block.info.split()[0] if block.info.split() else ""
            if language.lower() in ("python", "py", "python3"):
                fence = fence.replace(language, "pycon", 1)
            doc.md(fence, *raw[1:])
            doc.html_block("</div>", block.indent)
        else:
            doc.md(*raw)
        return ctx.diagnostics

    def _term_list(self, slugs: Iterable[str], css: str) -> str:
        items = []
        for slug in slugs:
            entry = self.glossary.by_slug[slug]
            summary = self.linker.summaries.get(slug, "")
            items.append(
                f"<li>{self.linker.anchor(slug, entry.title)}"
                + (
                    f'<span class="glossary-list-summary"> — {html.escape(summary)}</span>'
                    if summary
                    else ""
                )
                + "</li>"
            )
        return f'<ul class="{css}">' + "".join(items) + "</ul>"

    def _sources(self, entry: Entry) -> str:
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

    def _absolute(self, url: str) -> str | None:
        base = self.options.site_url
        return base.rstrip("/") + "/" + url if base else None

    def _json_ld(self, entry: Entry, summary: str, date: _dt.date | None) -> str:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "DefinedTerm",
            "@id": f"#{entry.slug}",
            "name": entry.title,
            "termCode": entry.slug,
            "description": summary,
            "inDefinedTermSet": {"@type": "DefinedTermSet", "name": self.options.site_name},
        }
        if entry.aliases:
            data["alternateName"] = [a.value for a in entry.aliases]
        if entry.tags:
            data["keywords"] = [t.value for t in entry.tags]
        url = self._absolute(self.linker.url_of[entry.slug])
        if url:
            data["url"] = url
            data["@id"] = url
            data["inDefinedTermSet"]["url"] = self._absolute(self.index_url)
        if date is not None:
            data["dateModified"] = date.isoformat()
        return f'<script type="application/ld+json">{script_json(data)}</script>'

    def _island(self, entry: Entry) -> str:
        blocks = []
        for i, block in enumerate(entry.code_blocks):
            if block.language not in PYTHON_LANGUAGES:
                continue
            blocks.append(
                {
                    "index": i,
                    "line": block.line,
                    "language": block.language,
                    "doctest": block.is_doctest,
                    "code": block.code,
                    "source": doctest_source(block.code) if block.is_doctest else block.code,
                }
            )
        pyodide = self.pyodide_url(self.linker.url_of[entry.slug])
        data = {
            "entry": entry.slug,
            "title": entry.title,
            "path": entry.path,
            "pyodide_url": pyodide,
            "blocks": blocks,
        }
        return (
            f'<script type="application/json" class="glossary-data" data-glossary-code '
            f'data-glossary-pyodide="{attr(pyodide)}">{script_json(data)}</script>'
        )

    def pyodide_url(self, page_url: str) -> str:
        """The Pyodide folder as seen from a page: absolute URLs as configured, a site-relative
        folder (``assets/pyodide/``) relative to the page, like every other link in it. Resolve
        it against the page (``new URL(value, location.href)``), not against a script."""
        value = self.options.pyodide_url
        if not value or re.match(r"^[a-z][a-z0-9+.-]*:|^/", value, re.I):
            return value
        return relative_url(value if value.endswith("/") else value + "/", page_url)

    # -- index page --

    def render_index(self) -> RenderedPage:
        linker = self.linker
        linker.begin_page(self.index_src, self.index_url, None)
        fragments = PageFragments(self.nonce)
        doc = _Doc(fragments)
        meta = {
            "title": html.escape(self.options.index_title),
            "description": html.escape(
                f"All {len(self.glossary.published)} terms of "
                f"{self.options.site_name}, A to Z, with a one-line summary."
            ),
        }
        doc.md(
            "---",
            json.dumps(meta, ensure_ascii=False),
            "---",
            "",
            f"# {md_escape(self.options.index_title)}",
            "",
        )
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(self.glossary.published, key=lambda e: (name_key(e.title), e.slug)):
            groups.setdefault(_letter(entry.title), []).append(entry)
        order = sorted(groups, key=lambda g: (len(g) > 1, g))  # A..Z, then 0-9 and Other
        jump = " ".join(f'<a href="#letter-{g.lower()}">{html.escape(g)}</a>' for g in order)
        doc.html_block(f'<nav class="glossary-az" aria-label="Jump to letter">{jump}</nav>')
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
        json_ld: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "DefinedTermSet",
            "name": self.options.site_name,
            "hasDefinedTerm": [
                {
                    "@type": "DefinedTerm",
                    "name": e.title,
                    "termCode": e.slug,
                    **(
                        {"url": self._absolute(linker.url_of[e.slug])}
                        if self.options.site_url
                        else {}
                    ),
                }
                for e in self.glossary.published
            ],
        }
        if self.options.site_url:
            json_ld["url"] = self._absolute(self.index_url)
        fragments.head.append(f'<script type="application/ld+json">{script_json(json_ld)}</script>')
        return RenderedPage(
            self.index_src,
            self.index_url,
            self.options.index_title,
            "\n".join(doc.lines) + "\n",
            fragments,
        )

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
        """Give each generated heading an id no element of the entry has (``sources_1`` after an
        entry's own "Sources" heading, as the ``toc`` extension numbers them)."""
        taken = set(re.findall(r'\sid="([^"]*)"', body))
        items = page.fragments.items
        page.toc = []
        for key, title, anchor in page.headings:
            unique, n = anchor, 0
            while unique in taken:
                n += 1
                unique = f"{anchor}_{n}"
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
