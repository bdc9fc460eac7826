"""The pages of each translated language: ``<lang>/glossary/<slug>/`` and ``<lang>/glossary/``.

Each language gets a :class:`~glossary_gen.site.render.Renderer` of its own over a *language
view* of the glossary: its translations, and the default language's entries for the terms not
translated yet. Only translations get a page in the language; a link to an untranslated term
goes to the default language's page and says so (``hreflang``, ``lang`` and a marker class, see
:attr:`~glossary_gen.site.linker.Linker.fallback`). The A-Z index of a language lists every
term, the untranslated ones in the default language, marked the same way.

Tooltips are in the page's language; the tooltip of a translated term adds its original title
when it differs ("... (Sigmoid Function)"), which is what readers of translated glossaries ask
for when they hover a term.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from glossary_gen.core.languages import Languages
from glossary_gen.core.model import Glossary
from glossary_gen.core.translations import Translations
from glossary_gen.site.page import RenderedPage
from glossary_gen.site.render import Renderer
from glossary_gen.site.text import tooltip_text
from glossary_gen.site.versions import Versions

#: The A-Z page's title per language, where the site's own (``index_title``) is the default.
INDEX_TITLES = {"fr": "Glossaire", "de": "Glossar", "es": "Glosario", "it": "Glossario"}


@dataclass
class LanguageSite:
    """One translated language's renderer and pages."""

    lang: str
    renderer: Renderer
    pages: list[RenderedPage]

    @property
    def fingerprint(self) -> str:
        """What every page of the language looks up through its linker (names, addresses,
        tooltips, fallbacks), as one digest: a page kept between ``mkdocs serve`` builds is
        rebuilt when it changes."""
        import hashlib
        import json

        linker = self.renderer.linker
        view = self.renderer.glossary
        facts = sorted(
            (slug, src, linker.tooltips.get(slug, ""), linker.fallback.get(slug, ""))
            for slug, src in linker.src_of.items()
        )
        names = sorted(view.index.items())
        data = json.dumps([facts, names], ensure_ascii=False).encode("utf-8")
        return "\n" + hashlib.sha256(data).hexdigest()


def language_view(default: Glossary, translation: Glossary) -> Glossary:
    """The glossary a language's pages are rendered from: its translations first, the default
    language's entries for the rest (names resolve in the language first)."""
    by_slug = {**default.by_slug, **translation.by_slug}
    translated = set(translation.by_slug)
    entries = tuple(
        sorted(
            (by_slug[e.slug] for e in default.entries),
            key=lambda e: (e.title.casefold(), e.slug),
        )
    )

    def merged(
        field: Mapping[str, tuple[str, ...]], own: Mapping[str, tuple[str, ...]]
    ) -> dict[str, tuple[str, ...]]:
        return {s: (own.get(s, ()) if s in translated else field.get(s, ())) for s in by_slug}

    return Glossary(
        entries=entries,
        by_slug=by_slug,
        index={**default.index, **translation.index},
        related=merged(default.related, translation.related),
        links=merged(default.links, translation.links),
        backlinks=merged(default.backlinks, translation.backlinks),
        tags=translation.tags,
    )


def versions_for(
    lang: str,
    languages: Languages,
    default: Glossary,
    translations: Translations,
    url: Callable[[str], str],
    prefix: str,
    site_url: str | None,
) -> Versions:
    """Every published version of every term, seen from the pages of ``lang``."""
    assert languages.default is not None
    titles: dict[str, dict[str, str]] = {}
    srcs: dict[str, dict[str, str]] = {}
    for entry in default.published:
        srcs[entry.slug] = {languages.default: f"{prefix}{entry.slug}.md"}
        titles[entry.slug] = {languages.default: entry.title}
    for code, translation in translations.by_lang.items():
        for entry in translation.glossary.published:
            if entry.slug in srcs:
                srcs[entry.slug][code] = f"{code}/{prefix}{entry.slug}.md"
                titles[entry.slug][code] = entry.title
    urls = {slug: {k: url(src) for k, src in found.items()} for slug, found in srcs.items()}
    return Versions(lang, languages.default, languages.codes, urls, titles, srcs, site_url)


def build_languages(
    default_renderer: Renderer,
    translations: Translations,
    results: Mapping[str, Mapping[str, object]],
    *,
    url: Callable[[str], str],
    tag_titles: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> list[LanguageSite]:
    """A renderer and the rendered pages (term pages and A-Z) of each translated language; the
    default renderer's term pages get their versions too (set before they are rendered).
    ``tag_titles``: a language's own tag titles, over the default language's."""
    languages = translations.languages
    if languages.default is None or not translations.by_lang:
        return []
    options = default_renderer.options
    prefix = options.url_prefix
    default = default_renderer.glossary
    site_url = options.site_url

    def versions(lang: str) -> Versions:
        return versions_for(lang, languages, default, translations, url, prefix, site_url)

    default_renderer.context.versions = versions(languages.default)
    built = []
    for lang, translation in translations.by_lang.items():
        own = translation.glossary
        view = language_view(default, own)
        published = {e.slug for e in own.published if e.slug in default_renderer.linker.src_of}
        src_of = {
            slug: (f"{lang}/{prefix}{slug}.md" if slug in published else src)
            for slug, src in default_renderer.linker.src_of.items()
        }
        renderer = Renderer(
            view,
            replace(
                options,
                url_prefix=f"{lang}/{prefix}",
                index_title=INDEX_TITLES.get(lang, options.index_title),
                labels=languages.words(lang),
                tag_titles={**options.tag_titles, **dict((tag_titles or {}).get(lang, ()))},
            ),
            src_of=src_of,
            url_of={slug: url(src) for slug, src in src_of.items()},
            doctest_results=results.get(lang, {}),
            autolink=default_renderer.linker.autolink,
            nonce=default_renderer.nonce,
        )
        linker = renderer.linker
        linker.fallback = {slug: languages.default for slug in src_of if slug not in published}
        for slug in published:  # hovering a translated term shows its original title too
            original, local = default.by_slug[slug].title, own.by_slug[slug].title
            if original.casefold() != local.casefold() and linker.tooltips.get(slug):
                linker.tooltips[slug] = tooltip_text(f"{linker.summaries[slug]} ({original})")
        renderer.context.versions = versions(lang)
        renderer.used_on = {}
        renderer.edit_links = default_renderer.edit_links
        pages: list[RenderedPage] = []
        for slug in sorted(published):
            page, _ = renderer.render_entry(own.by_slug[slug])
            page.lang = lang
            pages.append(page)
        index = renderer.render_index()
        index.lang = lang
        pages.append(index)
        built.append(LanguageSite(lang, renderer, pages))
    return built


def language_exports(languages: list[LanguageSite]) -> list[tuple[str, str]]:
    """``<lang>/glossary.json`` for each translated language: its translated terms only."""
    from glossary_gen.site import exports

    found = []
    for language in languages:
        renderer = language.renderer
        own = [t for t in exports.terms(renderer) if t.slug not in renderer.linker.fallback]
        path = f"{language.lang}/{exports.GLOSSARY_JSON}"
        found.append((path, exports.glossary_json(renderer, own)))
    return found


def index_urls(
    default_renderer: Renderer, default_index: RenderedPage, languages: list[LanguageSite]
) -> dict[str, str]:
    """Language -> the URL of its A-Z page (the default language's first), for the hreflang
    alternates in sitemap.xml (:meth:`~glossary_gen.site.versions.Versions.sitemap_alternates`)."""
    versions = default_renderer.context.versions
    if versions is None or not languages:
        return {}
    indexes = {versions.default: default_index.url}
    for language in languages:
        found = [p for p in language.pages if p.src == language.renderer.index_src]
        if found:
            indexes[language.lang] = found[0].url
    return indexes
