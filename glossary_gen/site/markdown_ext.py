"""Python-Markdown extension: ``[[wiki links]]``, auto-links to terms, and ``$math$`` as MathML.

* ``[[Term]]`` / ``[[Term|text]]`` become ``<a class="glossary-link" href="relu.md" title="summary">``;
  the href is a source path so the site generator validates it and maps it to the page URL, and
  the title is the term's summary, which Material shows as a tooltip. Unknown targets (already
  reported by the pipeline) render as plain text.
* Auto-linking (``autolink: first``): the first plain mention of another term on a term page
  becomes a link; never inside code, headings, links, math or raw HTML.
* ``$...$`` (inline) and ``$$ ... $$`` (a display block, on its own lines) are converted at build
  time to MathML with latex2mathml: no JavaScript, no CDN. Code spans and fences are left alone
  (they are handled first), and ``\\$`` is a literal dollar. ``$5 and $10`` is not math: the
  opening ``$`` must be followed, and the closing one preceded, by a non-space, and the closing
  one must not be followed by a digit.
* With a :class:`DeferredMath` (the MkDocs plugin sets one), a formula is first rendered as a
  marker element holding the formula as readable text (:func:`~glossary_gen.site.math_text.math_text`:
  ``x ≤ log(1 + eˣ)``), and :meth:`DeferredMath.splice` swaps the markers for the (sanitized, once
  per formula) MathML in the finished page: search indexes that text, never backslash-LaTeX, and
  neither the indexer nor the page sanitizer reads the MathML.

Processors are registered with explicit names and priorities, as in Python-Markdown's own
extensions. The extension instance is created once per build and reused for every page; the
per-page state lives in the :class:`~glossary_gen.site.linker.Linker`.
"""

from __future__ import annotations

import html
import re
import secrets
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any, ClassVar

from markdown import Extension, Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from glossary_gen.core.loader import WIKILINK
from glossary_gen.site.headings import (
    GeneratedTocPostprocessor,
    HeadingIdTreeprocessor,
    PageHtmlPostprocessor,
)
from glossary_gen.site.linker import Linker
from glossary_gen.site.math_cache import (
    INLINE_MATH_RE,
    MATH_CACHE,
    MathCache,
    formula_keys,
)
from glossary_gen.site.math_text import math_text
from glossary_gen.site.sanitize import TOKEN_PREFIX, TOKEN_RE, sanitize
from glossary_gen.site.term_lists import TermListPreprocessor

__all__ = ["MATH_CACHE", "DeferredMath", "GlossaryExtension", "MathCache", "formula_keys"]

WIKILINK_RE = WIKILINK.pattern  # the loader's, so what is checked is what is rendered

#: Elements whose text is never auto-linked.
_NO_AUTOLINK = frozenset(
    {
        "a",
        "code",
        "pre",
        "kbd",
        "samp",
        "script",
        "style",
        "math",
        "abbr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "button",
        "textarea",
    }
)


def latex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a LaTeX formula (raises on LaTeX that latex2mathml cannot read)."""
    return MATH_CACHE.convert(tex, display)


class DeferredMath:
    """Formulas placed into the page after the search indexer has read it.

    :meth:`marker` gives the element the Markdown tree holds instead of the MathML: a ``span``
    (inline) or ``div`` (display) with the classes ``glossary-math`` and a per-build key, holding
    the formula as readable text (``x ≤ 0``). The search index reads that text. :meth:`splice` (the plugin's
    ``on_post_page``) replaces each marker by its formula's MathML, sanitized once per formula
    with the page sanitizer (LaTeX is contributor input: ``\\href`` and friends make attributes),
    so the sanitizer of the page body never reads MathML either. A marker that some other tool
    altered stays as that text. Keys carry a random nonce, so an entry cannot forge one.
    """

    #: Sanitized MathML per formula, for the whole process (``mkdocs serve`` rebuilds too).
    _clean: ClassVar[dict[str, str]] = {}

    def __init__(self, nonce: str | None = None) -> None:
        self.prefix = f"glossarymath{nonce or secrets.token_hex(8)}x"
        self._keys: dict[str, str] = {}
        self._html: dict[str, str] = {}
        self._pattern = re.compile(
            rf'<(span|div) class="glossary-math(?: glossary-math--display)? ({self.prefix}\d+)">[^<]*</\1>'
        )

    def marker(self, tex: str, display: bool, mathml: str) -> etree.Element:
        formula = ("B" if display else "I") + tex.strip()
        key = self._keys.get(formula)
        if key is None:
            key = self._keys[formula] = f"{self.prefix}{len(self._keys)}"
            clean = self._clean.get(formula) or MATH_CACHE.clean.get(formula)
            if clean is None:
                clean = self._clean[formula] = sanitize(mathml)
            self._html[key] = (
                f'<div class="glossary-math glossary-math--display">{clean}</div>'
                if display
                else f'<span class="glossary-math">{clean}</span>'
            )
        el = etree.Element(
            "div" if display else "span",
            {
                "class": f"glossary-math glossary-math--display {key}"
                if display
                else f"glossary-math {key}"
            },
        )
        el.text = AtomicString(math_text(tex))  # what the search index reads: x ≤ log(1 + eˣ)
        return el

    def splice(self, document: str, *, text_twin: bool = False) -> str:
        """The page with every formula marker replaced by its MathML.

        ``text_twin`` (for engines that index the finished page, Zensical): the MathML is marked
        ``data-search-exclude`` and followed by the formula's readable text, which the search
        index reads and the page hides (``.glossary-math-text``, ``aria-hidden``): the index
        holds ``max(a x, x)`` as text, not the MathML leaves run together."""
        if self.prefix not in document:
            return document
        items = self._html

        def formula(m: re.Match[str]) -> str:
            found = items.get(m.group(2))
            if found is None or not text_twin:
                return found or m.group(0)
            tag, start = m.group(1), found.index(">") + 1
            text = m.group(0)[m.group(0).index(">") + 1 : -len(f"</{tag}>")]
            return (
                f"{found[:start]}<span data-search-exclude>{found[start : -len(f'</{tag}>')]}</span>"
                f'<span class="glossary-math-text" aria-hidden="true">{text}</span></{tag}>'
            )

        return self._pattern.sub(formula, document)


def _math_html(
    md: Markdown,
    linker: Linker | None,
    tex: str,
    display: bool,
    deferred: DeferredMath | None = None,
) -> str | etree.Element:
    """The formula as a stash placeholder of its HTML, or as a :class:`DeferredMath` marker."""
    try:
        mathml = latex_to_mathml(tex, display)
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many types; each is the entry's
        if linker is not None:
            linker.math_errors.append((tex, f"{type(exc).__name__}: {exc}".rstrip(": ")))
        marker = "$$" if display else "$"
        return md.htmlStash.store(
            f'<code class="glossary-math-error">{html.escape(marker + tex + marker)}</code>'
        )
    if deferred is not None:
        return deferred.marker(tex, display, mathml)
    if display:
        return md.htmlStash.store(
            f'<div class="glossary-math glossary-math--display">{mathml}</div>'
        )
    return md.htmlStash.store(f'<span class="glossary-math">{mathml}</span>')


def _title(linker: Linker, slug: str) -> str:
    """A term's tooltip as an element attribute of the Markdown tree.

    The tooltip is text without ``<`` or ``>`` (:func:`~glossary_gen.site.text.tooltip_text`), but
    Python-Markdown's serializer leaves ``&`` alone when it starts something that looks like an
    entity, so a summary whose text is ``&lt;img ...&gt;`` would reach the reader's browser as
    ``<img ...>``. Escaping every ``&`` first makes the browser read back exactly the text (docs
    pages are not sanitized, so this matters there)."""
    return linker.tooltips.get(slug, "").replace("&", "&amp;")


class WikiLinkProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, linker: Linker) -> None:
        super().__init__(pattern, md)
        self.linker = linker

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        target = m.group("target").strip()
        text = (m.group("text") or target).strip()
        entry = self.linker.resolve(target)
        if entry is None:
            el = etree.Element("span", {"class": "glossary-link glossary-link--missing"})
        else:
            el = etree.Element(
                "a",
                {
                    "href": self.linker.href(entry.slug),
                    "class": "glossary-link",
                    "title": _title(self.linker, entry.slug),
                },
            )
            lang = self.linker.fallback.get(entry.slug)
            if lang is not None:  # another language's page: marked for readers and machines
                el.set("class", "glossary-link glossary-link--fallback")
                el.set("hreflang", lang)
                el.set("lang", lang)
        el.text = AtomicString(text)
        return el, m.start(0), m.end(0)


class InlineMathProcessor(InlineProcessor):
    def __init__(
        self, pattern: str, md: Markdown, linker: Linker | None, ext: GlossaryExtension
    ) -> None:
        super().__init__(pattern, md)
        self.linker = linker
        self.ext = ext

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | etree.Element, int, int]:
        return (
            _math_html(self.md, self.linker, m.group("tex"), False, self.ext.deferred),
            m.start(0),
            m.end(0),
        )


class DisplayMathProcessor(BlockProcessor):
    """``$$`` on a line, the formula, ``$$`` (or ``$$ formula $$`` on one line)."""

    def __init__(self, parser: BlockParser, linker: Linker | None, ext: GlossaryExtension) -> None:
        super().__init__(parser)
        self.linker = linker
        self.ext = ext

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.lstrip().startswith("$$")

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        collected = []
        while blocks:
            block = blocks.pop(0)
            collected.append(block)
            text = "\n\n".join(collected).strip()
            if len(text) > 4 and text.endswith("$$"):
                break
        else:
            text = "\n\n".join(collected).strip()
            if not (len(text) > 4 and text.endswith("$$")):
                blocks[:0] = collected[1:]  # not closed: treat the first block as a paragraph
                p = etree.SubElement(parent, "p")
                p.text = collected[0]
                return True
        out = _math_html(self.parser.md, self.linker, text[2:-2], True, self.ext.deferred)
        if isinstance(out, str):  # a stash placeholder: a paragraph of its own, unwrapped later
            etree.SubElement(parent, "p").text = out
        else:
            parent.append(out)
        return True


class TrustedBlockProcessor(BlockProcessor):
    """A block that is only a trusted-fragment token (:class:`~glossary_gen.site.sanitize.PageFragments`)
    becomes a paragraph whose text is atomic: no inline pattern, auto-linker or other processor
    looks at it (the renderer swaps it for its HTML after sanitizing)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return TOKEN_PREFIX in block[:64] and TOKEN_RE.fullmatch(block.strip()) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        etree.SubElement(parent, "p").text = AtomicString(blocks.pop(0).strip())
        return True


class AutoLinkTreeprocessor(Treeprocessor):
    """Link the first plain mention of each other term on a term page."""

    def __init__(self, md: Markdown, linker: Linker) -> None:
        super().__init__(md)
        self.linker = linker

    def run(self, root: etree.Element) -> None:
        if self.linker.autolink != "first" or self.linker.page_slug is None:
            return
        # Terms linked anywhere on the page already (by [[...]] or a Markdown link) are skipped.
        for a in root.iter("a"):
            slug = self.linker.slug_of_href(a.get("href", ""))
            if slug is not None:
                self.linker.linked.add(slug)
        self._walk(root)
        return

    def _anchor(self, slug: str, text: str) -> etree.Element:
        el = etree.Element(
            "a",
            {
                "href": self.linker.href(slug),
                "class": "glossary-link glossary-autolink",
                "title": _title(self.linker, slug),
            },
        )
        el.text = AtomicString(text)
        return el

    def _split(self, text: str) -> tuple[str, list[tuple[etree.Element, str]]]:
        """The text before the first mention, then each mention's anchor with the text after it."""
        spans = self.linker.find_mentions(text)
        if not spans:
            return text, []
        anchors: list[tuple[etree.Element, str]] = []
        for index, (start, end, slug) in enumerate(spans):
            after = spans[index + 1][0] if index + 1 < len(spans) else len(text)
            anchors.append((self._anchor(slug, text[start:end]), text[end:after]))
        return text[: spans[0][0]], anchors

    def _walk(self, el: etree.Element) -> None:
        if el.text and not isinstance(el.text, AtomicString):
            head, anchors = self._split(el.text)
            if anchors:
                el.text = head
                self._insert(el, 0, anchors)
        index = 0
        while index < len(el):
            child = el[index]
            if child.tag not in _NO_AUTOLINK and not (child.get("class") or "").startswith(
                "glossary-"
            ):
                self._walk(child)
            index += 1
            if child.tail and not isinstance(child.tail, AtomicString):
                head, anchors = self._split(child.tail)
                if anchors:
                    child.tail = head
                    index += self._insert(el, index, anchors)

    @staticmethod
    def _insert(
        parent: etree.Element, position: int, anchors: list[tuple[etree.Element, str]]
    ) -> int:
        """Insert each anchor, followed by its text, at ``position``; returns elements added."""
        for added, (anchor, tail) in enumerate(anchors):
            anchor.tail = tail or None
            parent.insert(position + added, anchor)
        return len(anchors)


class GlossaryExtension(Extension):
    """The glossary's Markdown syntax. ``linker`` may be ``None`` (math only, no wiki links)."""

    def __init__(
        self,
        linker: Linker | None = None,
        *,
        math: bool = True,
        deferred: DeferredMath | None = None,
        engine_pages: bool = False,
        page_html: Path | None = None,
        **kwargs: Any,
    ) -> None:
        self.linker = linker
        self.math = math
        #: The engine renders the pages (Zensical): take the page from it, put in the finished
        #: HTML of the pages the writer wrote, from ``page_html``
        #: (:class:`~glossary_gen.site.headings.PageHtmlPostprocessor`), and list their headings
        #: (:class:`~glossary_gen.site.headings.GeneratedTocPostprocessor`).
        self.engine_pages = engine_pages
        self.page_html = page_html
        #: Set: formulas become markers that :meth:`DeferredMath.splice` fills in after indexing.
        self.deferred = deferred
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # Above 'backtick' (190) nothing; below it code spans win. Above 'escape' (180), so
        # backslashes inside math reach LaTeX; '$' becomes escapable for a literal dollar.
        if self.math:
            if "$" not in md.ESCAPED_CHARS:
                md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "$"]
            md.inlinePatterns.register(
                InlineMathProcessor(INLINE_MATH_RE, md, self.linker, self), "glossary_math", 185
            )
            # After indented code (80), before headings, lists and paragraphs.
            md.parser.blockprocessors.register(
                DisplayMathProcessor(md.parser, self.linker, self), "glossary_display_math", 75
            )
        # Before every built-in block processor ('empty' is 100): cheap, and a token block is final.
        md.parser.blockprocessors.register(
            TrustedBlockProcessor(md.parser), "glossary_trusted", 110
        )
        if self.linker is not None:
            # Before 'reference' (170) and 'link' (160), which would read [[x]] as [x].
            md.inlinePatterns.register(
                WikiLinkProcessor(WIKILINK_RE, md, self.linker), "glossary_wikilink", 175
            )
            # After 'inline' (20) so links exist; before MkDocs' link rewriting (0).
            md.treeprocessors.register(
                AutoLinkTreeprocessor(md, self.linker), "glossary_autolink", 8
            )
            if self.engine_pages:
                md.preprocessors.register(PagePreprocessor(md, self.linker), "glossary_page", 40)
            # After the code fences (25) are stashed, before raw HTML blocks (20) are.
            md.preprocessors.register(
                TermListPreprocessor(md, self.linker), "glossary_term_lists", 22
            )
        # After 'toc' (5): every heading id of a term page is a slug, in the page and its TOC.
        md.treeprocessors.register(
            HeadingIdTreeprocessor(md, self._term_page), "glossary_heading_ids", 4
        )
        if self.engine_pages:
            # Last of all: the finished HTML is never parsed again; then its headings.
            md.postprocessors.register(
                PageHtmlPostprocessor(md, self.page_html), "glossary_page_html", -1000
            )
            md.postprocessors.register(GeneratedTocPostprocessor(md), "glossary_toc", -1001)

    def _term_page(self) -> bool:
        return self.linker is not None and self.linker.page_slug is not None


class PagePreprocessor(Preprocessor):
    """Tell the linker which page is rendered, from the engine's own record of it: Zensical keeps
    the page (``path``, ``url``) on its ``rendering_context`` preprocessor. Without one, links are
    written from the docs root."""

    def __init__(self, md: Markdown, linker: Linker) -> None:
        super().__init__(md)
        self.linker = linker

    def run(self, lines: list[str]) -> list[str]:
        page = None
        if "rendering_context" in self.md.preprocessors:
            page = getattr(self.md.preprocessors["rendering_context"], "page", None)
        path, url = getattr(page, "path", None), getattr(page, "url", None)
        if isinstance(path, str):
            self.linker.begin_page(path.replace("\\", "/"), url if isinstance(url, str) else "")
        return lines
