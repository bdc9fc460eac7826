"""The language versions of each term, as a page shows them: ``<link rel="alternate" hreflang>``
both ways plus ``x-default``, the language switcher that stays on the term, and the JSON-LD
links between the versions (``workTranslation`` / ``translationOfWork``).

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
from glossary_gen.site.text import attr, relative_url


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

    def href(self, url: str, page_url: str) -> str:
        """A version's address for ``<link rel="alternate">``: absolute with ``site_url``."""
        return self._href(url, page_url)

    def _href(self, url: str, page_url: str) -> str:
        if self.site_url:
            return self.site_url.rstrip("/") + "/" + url
        return relative_url(url, page_url)

    def alternates(self, slug: str, page_url: str) -> str:
        """``<link rel="alternate" hreflang>`` to every version (this one included, as search
        engines ask) and ``x-default`` to the default language's."""
        found = self.of(slug)
        if len(found) < 2:
            return ""
        links = [
            f'<link rel="alternate" hreflang="{lang}" href="{attr(self._href(url, page_url))}">'
            for lang, url in found.items()
        ]
        if self.default in found:
            href = attr(self._href(found[self.default], page_url))
            links.append(f'<link rel="alternate" hreflang="x-default" href="{href}">')
        return "\n".join(links)

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
