"""The trust boundary of a page: what contributors wrote is sanitized, what trusted code wrote
is kept out of its way.

Everything an entry contributes (titles, aliases, tags, sources, body Markdown and any raw HTML
in it) is escaped when a renderer places it into HTML, and the rendered body is passed through
:func:`sanitize` (nh3, an allow-list HTML sanitizer): no ``<script>``, no ``on*=`` handler, no
``javascript:`` URL, no ``data-*`` attribute, no ``style`` survives. HTML produced by trusted
code (fence formatters, the runnable wrappers, the JSON islands) never goes through the Markdown
source: :class:`PageFragments` stands a random, per-build token in its place, and
:meth:`glossary_gen.site.render.Renderer.finish_html` swaps the token for the HTML *after*
sanitizing, so contributors can neither forge nor break it.
"""

from __future__ import annotations

import re

import nh3

from glossary_gen.core.markup import RESERVED_CLASS, RESERVED_CLASS_HINT, RESERVED_ID
from glossary_gen.site.text import tooltip_text

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
        "glossary-link--fallback",
        "glossary-math",
        "glossary-math--display",
        "glossary-math-error",
    }
)


#: The ids a heading may have on a page: slugs, lowercase letters, digits and hyphens. The table
#: of contents links to them, and themes print its links unescaped (``href="{{ toc_item.url }}"``).
HEADING_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def heading_id(value: str) -> str | None:
    """A heading id as a slug (:data:`HEADING_ID`): kept when it is one, else lowercased with every
    run of other characters made one hyphen (``cache_dir`` -> ``cache-dir``); ``None`` when nothing
    is left."""
    if HEADING_ID.fullmatch(value):
        return value
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or None


#: A URL of another site (a scheme, or a protocol-relative ``//host``), anywhere in a src/srcset.
_FOREIGN_URL = re.compile(r"(?:^|[\s,])(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """nh3's hook for every attribute it keeps (values come decoded and are escaped again)."""
    if attribute == "id" and element in _HEADINGS:
        return heading_id(value)
    if attribute == "class":
        if (
            RESERVED_CLASS_HINT.search(value) is None
        ):  # the common case: pygments and Markdown classes
            return value
        kept = [c for c in value.split() if c in GENERATED_CLASSES or not RESERVED_CLASS.match(c)]
        return " ".join(kept) or None
    if attribute == "title":
        return tooltip_text(value)
    if attribute in ("src", "srcset") and _FOREIGN_URL.search(value):
        return None  # an image from another site would tell it who reads the page
    if attribute in ("id", "name"):
        return None if RESERVED_ID.match(value) else value
    return value


_CLEANER: nh3.Cleaner | None = None


def sanitize(fragment: str) -> str:
    """Allow-list sanitizing of rendered entry HTML (nh3): formatting, tables, code highlighting,
    footnotes and MathML stay; scripts, styles, event handlers, ``data-*`` attributes, forms,
    frames and non-http(s)/mailto URLs go. Titles become tooltip text (:func:`tooltip_text`),
    heading ids slugs (:func:`heading_id`), and the site's and the theme's own classes and ids (:data:`RESERVED_CLASS`,
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


# --- trusted fragments --------------------------------------------------------------------------

#: Tokens are ``glossarytrusted<nonce>x<n>``: letters and digits only, so Markdown and the
#: sanitizer leave them alone; a line holding only a token is one atomic block
#: (:class:`glossary_gen.site.markdown_ext.TrustedBlockProcessor`).
TOKEN_PREFIX = "glossarytrusted"
TOKEN_RE = re.compile(TOKEN_PREFIX + r"[0-9a-f]+x\d+")


class PageFragments:
    """Trusted HTML kept out of the Markdown source: each piece is represented by a token that
    Markdown and the sanitizer leave alone, and put back by
    :meth:`glossary_gen.site.render.Renderer.finish_html`."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.items: dict[str, str] = {}
        #: Tokens of navigation fragments (related terms, backlinks, the footer) that are placed
        #: after the search index has read the content
        #: (:meth:`glossary_gen.site.render.Renderer.finish_page`): a search
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
