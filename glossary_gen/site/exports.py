"""Exports: the published glossary as data for other readers, from one list of :class:`Term`.

* ``glossary.json``: every term (slug, title, aliases, summary, url, related, tags), for tools;
* ``feed.xml``: an Atom feed of the newest and most recently changed terms, for feed readers;
* ``llms.txt``: the glossary as a plain Markdown list in the https://llmstxt.org format, for
  language models and the tools that feed them.

All three are built from :func:`terms`, so they always agree. Entry text is untrusted: only the
plain-text summary goes out (never the entry's HTML), escaped for the format it lands in (JSON,
XML text, a Markdown list item), with the characters XML 1.0 cannot hold removed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from glossary_gen.core.model import Entry
from glossary_gen.site.text import plain_text, relative_url

if TYPE_CHECKING:
    from glossary_gen.site.render import Renderer

#: Where the exports land in the site (site-root-relative).
GLOSSARY_JSON = "glossary.json"
FEED = "feed.xml"
LLMS_TXT = "llms.txt"

#: How many terms the feed lists by default.
FEED_SIZE = 20


@dataclass(frozen=True)
class Term:
    """One published term as every export sees it."""

    entry: Entry
    slug: str
    title: str
    aliases: tuple[str, ...]
    #: The summary as one line of plain text (what the tooltip shows).
    summary: str
    #: Site-root-relative page URL (``glossary/relu/``).
    path: str
    #: Absolute page URL when the site's URL is known, else :attr:`path`.
    url: str
    related: tuple[str, ...]
    tags: tuple[str, ...]
    #: ``updated:`` from the front matter, else the file's last commit (else its file time).
    date: _dt.date | None


def terms(renderer: Renderer) -> list[Term]:
    """The published terms in the glossary's order (by title)."""
    linker = renderer.linker
    found = []
    for entry in renderer.glossary.published:
        path = linker.url_of[entry.slug]
        found.append(
            Term(
                entry=entry,
                slug=entry.slug,
                title=entry.title,
                aliases=tuple(a.value for a in entry.aliases),
                summary=linker.summaries.get(entry.slug) or plain_text(entry.summary),
                path=path,
                url=absolute(renderer, path) or path,
                related=tuple(
                    s for s in renderer.glossary.related.get(entry.slug, ()) if s in linker.url_of
                ),
                tags=tuple(t.value for t in entry.tags),
                date=renderer.date_of(entry),
            )
        )
    return found


def absolute(renderer: Renderer, path: str) -> str | None:
    """``path`` (site-root-relative) as an absolute URL, when the site's URL is configured."""
    base = renderer.options.site_url
    return base.rstrip("/") + "/" + path if base else None


# --- glossary.json -------------------------------------------------------------------------------


def glossary_json(renderer: Renderer, found: Sequence[Term] | None = None) -> str:
    """``glossary.json``: every published term, for other tools (search, bots, IDEs)."""
    items = terms(renderer) if found is None else found
    versions = renderer.context.versions
    translated: list[tuple[str, tuple[tuple[str, str, str], ...]] | None] = [None] * len(items)
    if versions is not None:  # a site with translations: each term says which it has
        translated = [
            (
                versions.lang,
                tuple(
                    (lang, versions.titles[t.slug][lang], absolute(renderer, url) or url)
                    for lang, url in versions.of(t.slug).items()
                    if lang != versions.lang
                ),
            )
            for t in items
        ]
    # One term per line: readable and diffable, and each line is written by json's C encoder
    # (``indent`` would switch the whole document to the pure-Python one).
    head = json.dumps(
        {"name": renderer.options.site_name, "count": len(items)}, ensure_ascii=False
    )[:-1]
    lines = ",\n".join(
        " " + _json_line(t.slug, t.title, t.aliases, t.summary, t.url, t.related, t.tags, lang)
        for t, lang in zip(items, translated, strict=True)
    )
    return f'{head}, "terms": [\n{lines}\n]}}\n' if items else f'{head}, "terms": []}}\n'


@functools.lru_cache(maxsize=32768)  # the same terms, build after build (mkdocs serve)
def _json_line(
    slug: str,
    title: str,
    aliases: tuple[str, ...],
    summary: str,
    url: str,
    related: tuple[str, ...],
    tags: tuple[str, ...],
    translated: tuple[str, tuple[tuple[str, str, str], ...]] | None,
) -> str:
    """One term of ``glossary.json``; ``translated``: the page's language and the other
    versions (language, title, URL), on a site with translations."""
    item: dict[str, object] = {
        "slug": slug,
        "title": title,
        "aliases": list(aliases),
        "summary": summary,
        "url": url,
        "related": list(related),
        "tags": list(tags),
    }
    if translated is not None:
        item["lang"] = translated[0]
        item["translations"] = {lang: {"title": t, "url": u} for lang, t, u in translated[1]}
    return json.dumps(item, ensure_ascii=False)


# --- feed.xml ------------------------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"

#: Characters XML 1.0 cannot hold at all (not even escaped): C0 controls other than tab and line
#: breaks, lone surrogates, U+FFFE/U+FFFF. An entry may contain them; the feed must still parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _timestamp(date: _dt.date) -> str:
    return date.isoformat() + "T00:00:00Z"


def feed_xml(
    renderer: Renderer,
    found: Sequence[Term] | None = None,
    *,
    size: int = FEED_SIZE,
    description: str | None = None,
    author: str | None = None,
) -> str:
    """``feed.xml``: an Atom feed (RFC 4287) of the ``size`` terms changed last, newest first,
    each dated by :attr:`Term.date`, with its summary as plain text. Links are absolute when the
    site's URL is known, else relative to the feed, which sits at the site root."""
    options = renderer.options
    dated = sorted(
        (t for t in (terms(renderer) if found is None else found) if t.date is not None),
        key=lambda t: (-t.date.toordinal(), t.title.casefold(), t.slug),  # type: ignore[union-attr]
    )[: max(size, 0)]
    site = options.site_url
    index = renderer.index_url

    def element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            child.text = xml_text(text)
        return child

    def ident(path: str) -> str:
        # A permanent id: the page's absolute URL, else a name-based UUID of site and page.
        url = absolute(renderer, path)
        return url or uuid.uuid5(uuid.NAMESPACE_URL, f"{options.site_name}/{path}").urn

    feed = ET.Element("feed", {"xmlns": ATOM})
    element(feed, "title", options.site_name)
    if description:
        element(feed, "subtitle", description)
    if site:
        element(feed, "link", rel="self", type="application/atom+xml", href=absolute_or(site, FEED))
    element(feed, "link", rel="alternate", type="text/html", href=absolute_or(site, index))
    element(feed, "id", ident(index))
    newest = dated[0].date if dated else None
    element(feed, "updated", _timestamp(newest or _dt.date(1970, 1, 1)))
    element(element(feed, "author"), "name", author or options.site_name)
    element(feed, "generator", "glossary_gen")
    for term in dated:
        item = element(feed, "entry")
        element(item, "title", term.title)
        element(item, "link", rel="alternate", type="text/html", href=term.url)
        element(item, "id", ident(term.path))
        element(item, "updated", _timestamp(term.date))  # type: ignore[arg-type]
        if term.summary:
            element(item, "summary", term.summary, type="text")
        for tag in term.tags:
            element(item, "category", term=tag)
    ET.indent(feed, space=" ")
    body = ET.tostring(feed, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def absolute_or(site_url: str | None, path: str) -> str:
    """``path`` (site-root-relative) absolute when the site's URL is known; else as seen from the
    site root (where the feed and llms.txt are), with ``./`` for the root itself."""
    if site_url:
        return site_url.rstrip("/") + "/" + path
    return path or "./"


def feed_link(renderer: Renderer, page_url: str) -> str:
    """The ``<link rel="alternate">`` that lets browsers and feed readers find the feed from the
    page at ``page_url``."""
    from html import escape

    href = relative_url(FEED, page_url)
    title = escape(f"{renderer.options.site_name}: new and changed terms")
    return (
        f'<link rel="alternate" type="application/atom+xml" title="{title}" href="{escape(href)}">'
    )


# --- llms.txt ------------------------------------------------------------------------------------

#: Backslash-escaped in llms.txt: no entry text can close a link, open one, or be read as HTML
#: by a Markdown renderer (``\<script>`` is literal text in CommonMark).
_MD_SPECIAL = re.compile(r"([\\\[\]<>`])")


@functools.lru_cache(maxsize=32768)  # the same terms, build after build (mkdocs serve)
def _llms_item(title: str, aliases: tuple[str, ...], summary: str, url: str) -> str:
    """One term of llms.txt: ``- [Title](url): summary (also: other names)``."""
    names = f" (also: {', '.join(_one_line(a) for a in aliases)})" if aliases else ""
    text = _one_line(summary)
    return f"- [{_one_line(title)}]({url})" + (f": {text}" if text else "") + names


def _one_line(text: str) -> str:
    """Entry text as one line of Markdown that shows exactly that text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def llms_txt(
    renderer: Renderer, found: Sequence[Term] | None = None, *, description: str | None = None
) -> str:
    """``llms.txt`` (https://llmstxt.org): an H1 with the site's name, a blockquote with its
    description, then H2 sections of ``- [Title](url): summary`` items: the terms A to Z, and
    under "Optional" the machine-readable exports."""
    options = renderer.options
    items = terms(renderer) if found is None else found
    site = options.site_url
    lines = [f"# {' '.join(options.site_name.split())}", ""]  # trusted: mkdocs.yml
    if description:
        lines += [f"> {' '.join(description.split())}", ""]
    lines += [
        f"A glossary of {len(items)} terms. Each page has a summary, a plain-language "
        "explanation (ELI5), an in-depth explanation with examples checked when the site is "
        "built, related terms and sources.",
        "",
        "## Terms",
        "",
    ]
    lines += [_llms_item(t.title, t.aliases, t.summary, t.url) for t in items]
    lines += [
        "",
        "## Optional",
        "",
        f"- [Glossary index]({absolute_or(site, renderer.index_url)}): the terms A to Z",
        f"- [glossary.json]({absolute_or(site, GLOSSARY_JSON)}): every term as JSON "
        "(slug, title, aliases, summary, url, related terms, tags)",
        f"- [Atom feed]({absolute_or(site, FEED)}): the newest and recently changed terms",
        "",
    ]
    return "\n".join(lines)
