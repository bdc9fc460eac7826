"""Headings of term pages, and the finished HTML of pages an engine renders from written files.

Heading ids are slugs we make (:data:`~glossary_gen.site.sanitize.HEADING_ID`: lowercase
letters, digits, hyphens), wherever they come from: the ``toc`` extension, an attribute list
(``### Title {: #x }``) or raw HTML. Themes print the table of contents' links unescaped
(Material: ``href="{{ toc_item.url }}"``), so an id that is not a slug must never reach it.

* :class:`HeadingIdTreeprocessor` (term pages, after ``toc``) makes every heading id of the
  Markdown tree a slug, and changes the heading's permalink, the page's links to it and the
  ``toc`` extension's tokens with it: the table of contents and the page agree.
* The sanitizer makes the ids of raw HTML headings slugs too
  (:func:`~glossary_gen.site.sanitize.heading_id`).

Sanitize last: the file writer (``glossary-gen pages``, Zensical's workspace) writes a page as
a Markdown file holding only a placeholder line (:func:`placeholder`), and the finished HTML in
a file of its own, named by its SHA-256 (:func:`page_html_file`). The engine's Markdown pass
sees nothing an entry wrote; :class:`PageHtmlPostprocessor`, the last postprocessor of the
glossary's extension, puts the finished HTML in place of the placeholder, and
:class:`GeneratedTocPostprocessor` then lists its headings (slugs only) in ``md.toc_tokens``.
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path

from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from glossary_gen.site.sanitize import HEADING_ID, heading_id

_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class HeadingIdTreeprocessor(Treeprocessor):
    """Make the heading ids of a term page slugs (module docstring). ``active`` says whether the
    page being rendered is a term page (docs pages are the site's own and keep their ids)."""

    def __init__(self, md: Markdown, active: Callable[[], bool]) -> None:
        super().__init__(md)
        self.active = active

    def run(self, root: etree.Element) -> None:
        if not self.active():
            return
        headings = [el for el in root.iter() if el.tag in _HEADING_TAGS and "id" in el.attrib]
        if all(HEADING_ID.fullmatch(el.attrib["id"]) for el in headings):
            return
        taken = {el.attrib["id"] for el in root.iter() if "id" in el.attrib}
        renamed: dict[str, list[str]] = {}
        for el in headings:
            old = el.attrib["id"]
            if HEADING_ID.fullmatch(old):
                continue
            base = heading_id(old) or "section"
            new, n = base, 1
            while new in taken:
                n += 1
                new = f"{base}-{n}"
            taken.add(new)
            el.set("id", new)
            renamed.setdefault(old, []).append(new)
            for link in el.iter("a"):  # its permalink
                if link.get("href") == f"#{old}":
                    link.set("href", f"#{new}")
        first = {old: new[0] for old, new in renamed.items()}
        for link in root.iter("a"):  # links of the page to a renamed heading
            href = link.get("href") or ""
            if href[:1] == "#" and href[1:] in first:
                link.set("href", f"#{first[href[1:]]}")
        _rename_tokens(getattr(self.md, "toc_tokens", []), renamed)


def _rename_tokens(tokens: list[dict[str, object]], renamed: dict[str, list[str]]) -> None:
    """The ``toc`` extension's tokens (in page order) with the headings' new ids."""
    for token in tokens:
        old = str(token.get("id", ""))
        queue = renamed.get(old)
        if queue:
            token["id"] = queue.pop(0) if len(queue) > 1 else queue[0]
        elif not HEADING_ID.fullmatch(old):
            token["id"] = heading_id(old) or "section"
        children = token.get("children")
        if isinstance(children, list):
            _rename_tokens(children, renamed)


# --- the finished HTML of written pages -----------------------------------------------------------

#: The placeholder of a written page: this prefix and the SHA-256 of its finished HTML.
PLACEHOLDER_PREFIX = "glossarypagehtml"
_PLACEHOLDER = re.compile(rf"(?:<p>\s*)?{PLACEHOLDER_PREFIX}([0-9a-f]{{64}})(?:\s*</p>)?")
#: The folder of the finished HTML, in the output folder of ``glossary-gen pages`` (engines
#: leave dot folders out of the site).
PAGE_HTML_DIR = ".glossary-html"


def page_html_file(finished: str) -> tuple[str, str]:
    """The placeholder line for a page's finished HTML and the name of the file holding it."""
    digest = hashlib.sha256(finished.encode("utf-8")).hexdigest()
    return f"{PLACEHOLDER_PREFIX}{digest}", f"{digest}.html"


def placeholder(token: str) -> str:
    """The Markdown of a written page's body: its placeholder alone on a line."""
    return f"\n{token}\n"


MISSING = (
    "<p><strong>This page's content is missing.</strong> Run <code>glossary-gen pages</code> "
    "again, and give the glossary's Markdown extension the folder it wrote "
    f"(<code>html: OUT/{PAGE_HTML_DIR}</code>).</p>"
)


class PageHtmlPostprocessor(Postprocessor):
    """Put each written page's finished HTML in place of its placeholder, read from ``folder``
    (only a file whose SHA-256 is the one the placeholder names): after every other processor,
    so nothing parses it again."""

    def __init__(self, md: Markdown, folder: Path | None) -> None:
        super().__init__(md)
        self.folder = folder

    def run(self, text: str) -> str:
        if PLACEHOLDER_PREFIX not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self._read(m.group(1)), text)

    def _read(self, digest: str) -> str:
        if self.folder is None:
            return MISSING
        try:
            data = (self.folder / f"{digest}.html").read_bytes()
        except OSError:
            return MISSING
        if hashlib.sha256(data).hexdigest() != digest:
            return MISSING
        return data.decode("utf-8")


#: The attribute the file writer puts on a generated page's outermost element
#: (:mod:`glossary_gen.engines.zensical`); entries cannot write ``data-*`` attributes (sanitized).
GENERATED_PAGE = "data-glossary-page"
_HEADING = re.compile(r'<h([1-6])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)


class GeneratedTocPostprocessor(Postprocessor):
    """The table of contents of a page the writer pre-rendered: its headings are raw HTML, which
    the ``toc`` extension does not see, so read them from the page (text only, escaped, as the
    MkDocs plugin lists an entry's headings) into ``md.toc_tokens``. Only headings whose id is a
    slug (:data:`~glossary_gen.site.sanitize.HEADING_ID`) are listed: the theme prints the id
    unescaped."""

    def run(self, text: str) -> str:
        if GENERATED_PAGE not in text:
            return text
        tokens: list[dict[str, object]] = []
        stack: list[dict[str, object]] = []
        for m in _HEADING.finditer(text):
            level, anchor = int(m.group(1)), m.group(2)
            if level == 1 or not HEADING_ID.fullmatch(anchor):
                continue
            name = html.unescape(re.sub(r"<[^>]*>", "", _HEADERLINK.sub("", m.group(3)))).strip()
            token: dict[str, object] = {
                "level": level,
                "id": anchor,
                "name": html.escape(name, quote=False),
                "html": html.escape(name, quote=False),
                "data-toc-label": "",
                "children": [],
            }
            while stack and int(stack[-1]["level"]) >= level:  # type: ignore[call-overload]
                stack.pop()
            siblings = stack[-1]["children"] if stack else tokens
            siblings.append(token)  # type: ignore[attr-defined]
            stack.append(token)
        self.md.toc_tokens = tokens  # type: ignore[attr-defined]
        return text
