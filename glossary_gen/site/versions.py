"""The language versions of each term: the hreflang alternates (both ways plus ``x-default``)
that ``sitemap.xml`` publishes, the language switcher that stays on the term, and the JSON-LD
links between the versions (``workTranslation`` / ``translationOfWork``).

The alternates go in the sitemap (``<xhtml:link rel="alternate" hreflang>`` under each
``<url>``, which search engines read as they read the ``<head>`` links), not in the pages'
``<head>``: Material and Zensical fetch ``sitemap.xml`` next to every
``<link rel="alternate" hreflang>`` of a page (they take such links for the roots of other
language sites, each with its sitemap), so a link to a term's other version made the reader's
browser ask for ``glossary/relu/sitemap.xml`` and log a 404 (zensical#908).

One :class:`Versions` per page language; the term page renderer reads it from its context
(``None`` on a one-language site, where nothing changes). Every text that reaches a page here
is a language code (:data:`~glossary_gen.core.languages.LANG_RE`), a URL we made from a slug, or
a title, which is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from glossary_gen.core.languages import LANGUAGE_NAMES
from glossary_gen.site.text import attr

#: A page's language versions as sitemap.xml lists them: (hreflang, address) pairs.
Alternates = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Versions:
    """Which languages each term is published in, seen from the pages of ``lang``."""

    lang: str
    default: str
    #: Every language, the default first.
    codes: tuple[str, ...]
    #: slug -> language -> the site-root-relative URL of that version (published ones only).
    urls: Mapping[str, Mapping[str, str]]
    #: slug -> language -> title of that version.
    titles: Mapping[str, Mapping[str, str]]
    #: slug -> language -> the Markdown source path of that version (``fr/glossary/relu.md``).
    srcs: Mapping[str, Mapping[str, str]]
    site_url: str | None = None

    def of(self, slug: str) -> Mapping[str, str]:
        return self.urls.get(slug, {})

    def address(self, url: str) -> str:
        """A version's address in ``sitemap.xml``, as the sitemap's ``<loc>`` gives pages: the
        absolute URL with ``site_url``, else the path from the server's root."""
        if self.site_url:
            return self.site_url.rstrip("/") + "/" + url
        return "/" + url

    def alternate_links(self, found: Mapping[str, str]) -> Alternates:
        """The hreflang alternates of a page published in the languages of ``found`` (language
        -> URL): every version (this one included, as search engines ask), then ``x-default``,
        the default language's. None for a page in one language."""
        if len(found) < 2:
            return ()
        links = [(lang, self.address(found[lang])) for lang in self.codes if lang in found]
        if self.default in found:
            links.append(("x-default", self.address(found[self.default])))
        return tuple(links)

    def sitemap_alternates(self, indexes: Mapping[str, str]) -> dict[str, Alternates]:
        """Page URL -> its alternates, for sitemap.xml: every version of a term published in
        two languages or more, and the A-Z pages (``indexes``: language -> URL)."""
        found: dict[str, Alternates] = {}
        for versions in [*self.urls.values(), indexes]:
            links = self.alternate_links(versions)
            for url in versions.values():
                if links:
                    found[url] = links
        return found

    def switcher(self, slug: str, page_link: Callable[[str, str], str]) -> str:
        """The language switcher of a term page: each other version, in its own language.
        ``page_link(src, url)``: how the engine wants raw HTML to link (the linker's)."""
        found = self.of(slug)
        if len(found) < 2:
            return ""
        items = []
        for lang in self.codes:
            if lang not in found:
                continue
            name = html.escape(LANGUAGE_NAMES.get(lang, lang))
            if lang == self.lang:
                items.append(f'<li><span aria-current="true" lang="{lang}">{name}</span></li>')
                continue
            href = attr(page_link(self.srcs[slug][lang], found[lang]))
            title = attr(self.titles.get(slug, {}).get(lang, ""))
            items.append(
                f'<li><a href="{href}" hreflang="{lang}" lang="{lang}" rel="alternate" '
                f'title="{title}">{name}</a></li>'
            )
        return (
            '<nav class="glossary-languages" aria-label="Languages / langues">'
            f"<ul>{''.join(items)}</ul></nav>"
        )

    def json_ld(self, slug: str, absolute: Mapping[str, str | None]) -> dict[str, object]:
        """``inLanguage`` and the links to the other versions, for the term's ``DefinedTerm``.
        ``absolute``: language -> the absolute URL of the version (``None`` without site_url;
        then the versions are named by language only)."""
        data: dict[str, object] = {"inLanguage": self.lang}
        others = []
        for lang in self.of(slug):
            if lang == self.lang:
                continue
            other: dict[str, object] = {"@type": "DefinedTerm", "inLanguage": lang}
            title = self.titles.get(slug, {}).get(lang)
            if title:
                other["name"] = title
            url = absolute.get(lang)
            if url:
                other["@id"] = url
                other["url"] = url
            others.append(other)
        if others:
            if self.lang == self.default:
                data["workTranslation"] = others
            else:
                original = [o for o in others if o["inLanguage"] == self.default]
                if original:
                    data["translationOfWork"] = original[0]
                rest = [o for o in others if o["inLanguage"] != self.default]
                if rest:
                    data["workExample"] = rest
        return data
