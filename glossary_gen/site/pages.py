"""Engine-neutral page assembly: every file the glossary publishes, for any site engine.

Both adapters call :func:`assemble` with the result of :func:`glossary_gen.pipeline.check`:

* the MkDocs plugin (:mod:`glossary_gen.engines.plugin`) hands the files to MkDocs in memory and renders
  the pages' Markdown in MkDocs' own Markdown pass;
* the file writer (:mod:`glossary_gen.engines.zensical`, ``glossary-gen pages``) renders the pages' Markdown
  itself and writes every file into a folder, for Zensical or any other engine built on
  Python-Markdown.

What is assembled: the term pages, the A-Z index and (for engines without a tags plugin) the tag
pages as :class:`~glossary_gen.site.page.RenderedPage`; the alias redirects, ``glossary.json``,
``feed.xml`` and ``llms.txt`` as text; the CSS/JS assets as files to copy. This module knows no
engine: it takes what it needs to know about the site as a :class:`Site` (read from mkdocs.yml
by the adapter) and the glossary plugin's options as :class:`PageOptions`, and returns an
:class:`Assembly`. Sanitizing stays where it is (:meth:`~glossary_gen.site.render.Renderer.finish_html`),
so both engines publish exactly the same checked HTML.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypedDict

from glossary_gen.core.addresses import old_addresses
from glossary_gen.core.config import ConfigError, Settings, language_tag_titles, tag_titles
from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.fences import prepare_fences
from glossary_gen.core.model import Entry, Glossary, name_key, slugify
from glossary_gen.site.edit_links import EditLinks, edit_base
from glossary_gen.site.language_pages import (
    LanguageSite,
    build_languages,
    index_urls,
    language_exports,
)
from glossary_gen.site.math_font import LICENSE_NAME as MATH_FONT_LICENSE
from glossary_gen.site.math_font import SITE_NAME as MATH_FONT_NAME
from glossary_gen.site.math_font import find_license, find_math_font, find_package_font
from glossary_gen.site.page import RenderedPage, RenderOptions
from glossary_gen.site.render import Renderer
from glossary_gen.site.sanitize import PageFragments
from glossary_gen.site.summary_html import term_card
from glossary_gen.site.text import md_escape
from glossary_gen.site.used_on import DocsPage, scan
from glossary_gen.site.versions import Alternates

#: The Pyodide the pages load: ``pyodide_url: auto`` (the default) is the local copy when
#: ``npm ci`` made one, else the pinned CDN (see :mod:`glossary_gen.fences.pyodide`).
PYODIDE_AUTO = "auto"

#: Where the package's CSS/JS land in the site.
ASSETS_DIR = "assets/glossary"


class CheckedGlossary(Protocol):
    """What the assembly reads of a checked glossary (``glossary_gen.pipeline.CheckResult``,
    which lives above the site and is not imported here)."""

    @property
    def glossary(self) -> Glossary: ...

    #: Doctest outcome per entry slug (empty when doctests did not run).
    @property
    def doctest_results(self) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class PageOptions:
    """The ``glossary`` plugin's options that shape the pages (the plugin's ``GlossaryConfig``
    documents each; its defaults are these)."""

    url_prefix: str = "glossary/"
    index_title: str = "Glossary"
    autolink: str = "off"
    math: bool = True
    pyodide_url: str = PYODIDE_AUTO
    last_updated: bool = True
    repo_url: str | None = None
    edit_uri: str | None = None
    suggest_url: str | None = None
    feed_size: int = 20
    #: Tag -> the title pages show for it (:func:`glossary_gen.core.config.tag_titles`).
    tag_titles: tuple[tuple[str, str], ...] = ()
    #: A translated language's own tag titles, over those (``tag_titles: {fr: {...}}``).
    tag_titles_by_language: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @classmethod
    def from_mapping(cls, options: Mapping[str, object]) -> PageOptions:
        """From the plugin's block of mkdocs.yml, read without MkDocs: unknown keys are the
        plugin's other options (checks, caches); a wrong type is a configuration error."""
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in options or options[f.name] is None:
                continue
            value = options[f.name]
            if f.name == "tag_titles":
                values[f.name] = tag_titles(value)
                values["tag_titles_by_language"] = language_tag_titles(value)
                continue
            if f.name == "tag_titles_by_language":
                continue  # read from tag_titles
            expected = {"math": bool, "last_updated": bool, "feed_size": int}.get(f.name, str)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(
                    f"glossary option '{f.name}' must be a {expected.__name__}, not {value!r}"
                )
            values[f.name] = value
        if values.get("autolink", "off") not in ("off", "first"):
            raise ConfigError("glossary option 'autolink' must be 'off' or 'first'")
        return cls(**values)  # type: ignore[arg-type]  # each value has its field's type

    @property
    def prefix(self) -> str:
        """The term folder: ``glossary/`` (``""`` for the site root)."""
        prefix = self.url_prefix.strip("/")
        return prefix + "/" if prefix else ""


@dataclass(frozen=True)
class Site:
    """What the glossary needs to know about the site (mkdocs.yml, whichever engine reads it)."""

    site_name: str = "Glossary"
    site_url: str | None = None
    site_description: str | None = None
    site_author: str | None = None
    directory_urls: bool = True
    #: The folder of mkdocs.yml (entry paths in edit links are taken from it) and ``docs_dir``.
    base_dir: Path = Path(".")
    docs_dir: Path = Path("docs")
    #: MkDocs' own ``repo_url`` and ``edit_uri`` (the plugin's options come first).
    repo_url: str | None = None
    edit_uri: str | None = None
    #: The ``toc`` extension's options (permalinks of the generated headings).
    toc: Mapping[str, Any] = field(default_factory=dict)
    #: How generated raw HTML links to pages (:meth:`glossary_gen.site.linker.Linker.page_link`).
    links: str = "url"


@dataclass(frozen=True)
class DocsFile:
    """A hand-written file of ``docs/``: its source path, where it lands in the site, and for a
    Markdown page its URL, title and Markdown (front matter removed)."""

    src: str
    dest: str
    url: str | None = None
    title: str | None = None
    markdown: str | None = None


@dataclass
class Output:
    """One generated file: a page (its Markdown source path, ``page``), text (``content``, at
    the site path ``src``) or a file to copy (``source``)."""

    src: str
    content: str | None = None
    source: Path | None = None
    page: RenderedPage | None = None
    #: Term pages stay out of the navigation (a nav of thousands of pages is quadratic).
    in_nav: bool = True
    #: A term page not rendered yet (``assemble(defer_terms=True)``): :meth:`Assembly.render`.
    entry: Entry | None = None


@dataclass
class Assembly:
    renderer: Renderer
    #: Pages by source path, in output order.
    pages: dict[str, RenderedPage]
    files: list[Output]
    #: Problems found while assembling (fences, alias addresses); ``check`` reported the rest.
    diagnostics: list[Diagnostic]
    #: ``feed.xml`` is published (its ``<link rel="alternate">`` goes on every page).
    feed: bool = False
    #: The translated languages' renderers and pages (:mod:`.language_pages`).
    languages: list[LanguageSite] = field(default_factory=list)
    #: Page URL -> its language versions, for sitemap.xml's hreflang alternates (a page in one
    #: language has none): the engines' ``sitemap.xml`` templates write them.
    alternates: dict[str, Alternates] = field(default_factory=dict)
    _deferred: dict[str, Output] = field(default_factory=dict, repr=False)

    def render(self, src: str) -> tuple[RenderedPage, list[Diagnostic]]:
        """Render a deferred term page (its problems are returned, not added to
        :attr:`diagnostics`)."""
        if not self._deferred:
            self._deferred = {o.src: o for o in self.files if o.entry is not None}
        output = self._deferred[src]
        assert output.entry is not None
        page, diagnostics = self.renderer.render_entry(output.entry)
        output.page = self.pages[src] = page
        return page, diagnostics


def page_url(src: str, *, directory_urls: bool = True) -> str:
    """A Markdown source path's site-root-relative URL, as MkDocs and Zensical give it:
    ``glossary/relu.md`` -> ``glossary/relu/``, ``glossary/index.md`` -> ``glossary/``, the root
    ``index.md`` -> ``""`` (or ``.html`` files without directory URLs)."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    folder, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        url = folder + "/" if folder else ""
        return url if directory_urls else url + "index.html"
    if directory_urls:
        return stem + "/"
    return stem + ".html"


def dest_path(src: str, *, directory_urls: bool = True) -> str:
    """Where a source file lands in the built site (``glossary/relu/index.html``)."""
    if not src.endswith(".md"):
        return src
    url = page_url(src, directory_urls=directory_urls)
    return url + "index.html" if url == "" or url.endswith("/") else url


class PermalinkOptions(TypedDict, total=False):
    """The ``toc`` extension's permalink settings, as :class:`RenderOptions` takes them."""

    permalink: bool | str
    permalink_class: str
    permalink_title: str
    permalink_leading: bool


def permalink_options(toc: Mapping[str, object] | None) -> PermalinkOptions:
    """The ``toc`` extension's permalink settings, for the headings the renderer writes (values
    of another type than the extension takes are left at their defaults)."""
    toc = toc or {}
    options: PermalinkOptions = {}
    permalink = toc.get("permalink", False)
    options["permalink"] = permalink if isinstance(permalink, (bool, str)) else False
    for name in ("permalink_class", "permalink_title"):
        value = toc.get(name)
        if isinstance(value, str):
            options[name] = value
    leading = toc.get("permalink_leading")
    if isinstance(leading, bool):
        options["permalink_leading"] = leading
    return options


def assets() -> list[Path]:
    """The package's CSS/JS (and what they load), copied to :data:`ASSETS_DIR`."""
    folder = resources.files("glossary_gen.site").joinpath("assets")
    return sorted(
        (Path(str(p)) for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def page_assets() -> tuple[list[str], list[str]]:
    """The site paths of the stylesheets and the scripts every page loads (the worker and
    other helpers are loaded by ``live.js`` itself)."""
    css, js = [], []
    for asset in assets():
        uri = f"{ASSETS_DIR}/{asset.name}"
        if asset.suffix == ".css":
            css.append(uri)
        elif asset.suffix in (".js", ".mjs") and not asset.stem.endswith("-worker"):
            js.append(uri)
    return css, js


def edit_links(options: PageOptions, site: Site, docs: Mapping[str, DocsFile]) -> EditLinks:
    """Where entries are edited and new terms suggested (see :mod:`glossary_gen.site.edit_links`)."""
    repo_url = options.repo_url or site.repo_url
    base = edit_base(
        repo_url,
        options.edit_uri,
        mkdocs_edit_uri=site.edit_uri if site.repo_url else None,
        docs_dir=site.docs_dir,
        base_dir=site.base_dir,
    )
    suggest = options.suggest_url
    if suggest is None:
        suggest = "contributing.md" if "contributing.md" in docs else repo_url
    suggest_src = None
    if suggest and suggest.endswith(".md"):
        page = docs.get(suggest)
        if page is not None and page.url is not None:
            suggest_src, suggest = suggest, page.url
    return EditLinks(base, site.base_dir, suggest or None, suggest_src)


def assemble(
    glossary_result: CheckedGlossary,
    options: PageOptions,
    site: Site,
    docs: Sequence[DocsFile] = (),
    *,
    settings: Settings | None = None,
    tag_pages: bool = False,
    defer_terms: bool = False,
    terms_only: bool = False,
) -> Assembly:
    """Every page and file of the glossary. ``glossary_result`` is what
    :func:`glossary_gen.pipeline.check` returned; ``docs`` the hand-written files (for "Used on",
    the edit links and address clashes). With ``settings`` and doctests off, the plots are
    evaluated here (with doctests on, ``check`` has done it). ``defer_terms``: the term pages
    are listed but not rendered (``Output.entry``); the adapter renders the ones it needs with
    :meth:`Assembly.render` (``mkdocs serve`` keeps the others from the build before).
    ``terms_only``: only the term pages (and their problems), for a preview of some of them:
    no index, tag pages, exports or assets."""
    from glossary_gen.fences import pyodide

    glossary = glossary_result.glossary
    prefix = options.prefix
    if settings is not None and not settings.doctest:
        prepare_fences(glossary.published, settings)
    src_of = {e.slug: f"{prefix}{e.slug}.md" for e in glossary.published}
    url_of = {
        slug: page_url(src, directory_urls=site.directory_urls) for slug, src in src_of.items()
    }
    render_options = RenderOptions(
        url_prefix=prefix,
        index_title=options.index_title,
        site_name=site.site_name,
        site_url=site.site_url or None,
        pyodide_url=pyodide.page_pyodide_url(options.pyodide_url),
        pyodide_packages=pyodide.packages_url(options.pyodide_url),
        pyodide_fallback=pyodide.page_pyodide_fallback(options.pyodide_url),
        editor_url=pyodide.page_editor_url(site.base_dir),
        last_updated=options.last_updated,
        directory_urls=site.directory_urls,
        links=site.links,
        section_headings=settings.entry_model.headings if settings is not None else {},
        tag_titles=dict(options.tag_titles),
        **permalink_options(site.toc),
    )
    renderer = Renderer(
        glossary,
        render_options,
        src_of=src_of,
        url_of=url_of,
        doctest_results=glossary_result.doctest_results,
        autolink=options.autolink,
    )
    by_src = {d.src: d for d in docs}
    renderer.used_on = _used_on(docs, renderer)
    renderer.edit_links = edit_links(options, site, by_src)

    problems: list[Diagnostic] = []
    pages: dict[str, RenderedPage] = {}
    files: list[Output] = []
    translations = getattr(glossary_result, "translations", None)
    languages = (
        build_languages(
            renderer,
            translations,
            getattr(glossary_result, "translation_results", {}),
            url=lambda src: page_url(src, directory_urls=site.directory_urls),
            tag_titles=dict(options.tag_titles_by_language),
        )
        if translations is not None
        else []
    )
    for language in languages:
        # Each language's own tag pages (<lang>/glossary/tags/), in its language: with either
        # engine (under MkDocs, Material's tags plugin lists the default language's pages only).
        if any(e.tags for e in language.renderer.glossary.published):
            for page in render_tag_pages(language.renderer):
                page.lang = language.lang
                language.pages.append(page)
        for page in language.pages:
            pages[page.src] = page
            files.append(Output(page.src, page=page, in_nav=False))
    for entry in glossary.published:
        if defer_terms:
            files.append(Output(src_of[entry.slug], in_nav=False, entry=entry))
            continue
        page, diagnostics = renderer.render_entry(entry)
        problems += diagnostics
        pages[page.src] = page
        files.append(Output(page.src, page=page, in_nav=False))
    docs_taken = {d.dest: d.src for d in docs}
    pages_taken = {
        dest_path(src, directory_urls=site.directory_urls): src
        for src in [*pages, renderer.context.index_src, *(o.src for o in files if o.entry)]
    }
    if terms_only:  # the redirects' problems are the term pages' problems too
        problems += _redirects(renderer, site, docs_taken, pages_taken, [])
        return Assembly(renderer, pages, files, problems, options.feed_size > 0, languages)
    index = renderer.render_index()
    versions = renderer.context.versions
    alternates = (
        versions.sitemap_alternates(index_urls(renderer, index, languages))
        if versions is not None
        else {}
    )
    pages[index.src] = index
    files.append(Output(index.src, page=index))
    if tag_pages:
        for page in render_tag_pages(renderer):
            pages[page.src] = page
            files.append(Output(page.src, page=page, in_nav=False))
            pages_taken[dest_path(page.src, directory_urls=site.directory_urls)] = page.src
    problems += _redirects(renderer, site, docs_taken, pages_taken, files)
    feed = _exports(renderer, options, site, files)
    files += [Output(path, content=text) for path, text in language_exports(languages)]
    for asset in assets():
        files.append(Output(f"{ASSETS_DIR}/{asset.name}", source=asset))
    font = find_math_font(site.base_dir)
    if font is not None:
        files.append(Output(f"{ASSETS_DIR}/{MATH_FONT_NAME}", source=font))
        package = find_package_font(site.base_dir)
        license_file = find_license(package) if package is not None else None
        if license_file is not None:
            files.append(Output(f"{ASSETS_DIR}/{MATH_FONT_LICENSE}", source=license_file))
    return Assembly(renderer, pages, files, problems, feed, languages, alternates)


def _used_on(docs: Sequence[DocsFile], renderer: Renderer) -> dict[str, list[DocsPage]]:
    """The docs pages that wiki-link each term, from their Markdown (see :mod:`.used_on`)."""
    pages = [
        (DocsPage(d.src, d.url, d.title or d.src), d.markdown)
        for d in docs
        if d.markdown is not None and d.url is not None
    ]

    def resolve(name: str) -> str | None:
        entry = renderer.linker.resolve(name)
        return entry.slug if entry is not None else None

    return scan(pages, resolve)


def _redirects(
    renderer: Renderer,
    site: Site,
    docs: Mapping[str, str],
    pages: Mapping[str, str],
    files: list[Output],
) -> list[Diagnostic]:
    """The redirect pages of the aliases and of the old addresses (``redirect_from:``). ``docs``
    and ``pages`` map the site files of the docs and of the generated pages to their sources; an
    alias whose address is a docs file's, or an old address that is any file's, is a located
    error."""
    from glossary_gen.site import redirects

    prefix = renderer.options.url_prefix
    problems = []
    taken = {**docs, **pages}
    for redirect in redirects.redirects(renderer.glossary.published):
        src = redirects.redirect_src(prefix, redirect.slug, directory_urls=site.directory_urls)
        if src in docs:
            alias = redirect.alias
            problems.append(
                error(
                    redirect.entry.path,
                    alias.line,
                    alias.column,
                    "alias-slug",
                    f"alias '{alias.value}' would have the address of docs/{docs[src]}",
                    "reword the alias or move the page",
                )
            )
            continue
        address = src[: -len("index.html")] if site.directory_urls else src
        content = redirects.redirect_html(
            redirect.entry.title,
            renderer.linker.url_of[redirect.entry.slug],
            address,
            site_url=site.site_url or None,
        )
        files.append(Output(src, content=content))
        taken[src] = src
    for entry in renderer.glossary.published:
        for old, src in old_addresses(entry):
            if src in taken:  # a page of the site (or another redirect) is there already
                problems.append(
                    error(
                        entry.path,
                        old.line,
                        old.column,
                        "redirect-path",
                        f"old address '{old.value}' is the address of {taken[src]}",
                        "drop it from 'redirect_from:'; that page exists",
                    )
                )
                continue
            address = src[: -len("index.html")] if src.endswith("/index.html") else src
            content = redirects.redirect_html(
                entry.title,
                renderer.linker.url_of[entry.slug],
                address,
                site_url=site.site_url or None,
            )
            files.append(Output(src, content=content))
            taken[src] = src
    return problems


def _exports(renderer: Renderer, options: PageOptions, site: Site, files: list[Output]) -> bool:
    """``glossary.json``, ``llms.txt`` and ``feed.xml``; whether there is a feed."""
    from glossary_gen.site import exports

    terms = exports.terms(renderer)
    files.append(Output(exports.GLOSSARY_JSON, content=exports.glossary_json(renderer, terms)))
    files.append(
        Output(
            exports.LLMS_TXT,
            content=exports.llms_txt(renderer, terms, description=site.site_description),
        )
    )
    if options.feed_size <= 0:
        return False
    feed = exports.feed_xml(
        renderer,
        terms,
        size=options.feed_size,
        description=site.site_description,
        author=site.site_author,
    )
    files.append(Output(exports.FEED, content=feed))
    return True


# --- tag pages ------------------------------------------------------------------------------------


def render_tag_pages(renderer: Renderer) -> list[RenderedPage]:
    """One page per tag (``glossary/tags/<tag>.md``: its terms with their summaries) and the
    list of tags (``glossary/tags/index.md``), for engines without a tags plugin. Tag names are
    entry text: escaped like every other."""
    linker = renderer.linker
    prefix = renderer.options.url_prefix
    directory_urls = renderer.options.directory_urls
    by_tag: dict[str, tuple[str, list[Entry]]] = {}
    titles = renderer.options.tag_titles
    for entry in renderer.glossary.published:
        for tag in entry.tags:
            slug = slugify(tag.value) or "tag"
            by_tag.setdefault(slug, (titles.get(tag.value, tag.value), []))[1].append(entry)
    index_src = f"{prefix}tags/index.md"
    index_url = page_url(index_src, directory_urls=directory_urls)
    say = renderer.context.label
    pages = []
    items = []
    for slug in sorted(by_tag, key=lambda s: (name_key(by_tag[s][0]), s)):
        name, entries = by_tag[slug]
        src = f"{prefix}tags/{slug}.md"
        url = page_url(src, directory_urls=directory_urls)
        linker.begin_page(src, url, None)
        fragments = PageFragments(renderer.nonce)
        listing = "".join(
            term_card(linker.anchor(e.slug, e.title), e.summary)
            for e in sorted(entries, key=lambda e: (name_key(e.title), e.slug))
        )
        back = linker.page_link(index_src, index_url)
        body = (
            f'<ul class="glossary-tag-terms glossary-cards">{listing}</ul>'
            f'<p class="glossary-meta"><a href="{html.escape(back)}">{say("All tags")}</a></p>'
        )
        key = fragments.token(body)
        title = f"{say('Tag:')} {name}"
        markdown = _page_markdown(title, f"{say('Terms tagged')} {name}.", key)
        pages.append(RenderedPage(src, url, title, markdown, fragments, untrusted=False))
        items.append((name, src, url, len(entries)))
    linker.begin_page(index_src, index_url, None)
    fragments = PageFragments(renderer.nonce)
    listing = "".join(
        f'<li><a href="{html.escape(linker.page_link(src, url))}">{html.escape(name)}</a> '
        f"({count})</li>"
        for name, src, url, count in items
    )
    key = fragments.token(f'<ul class="glossary-tags">{listing}</ul>')
    markdown = _page_markdown(say("Tags"), say("Every tag of the glossary."), key)
    pages.append(
        RenderedPage(index_src, index_url, say("Tags"), markdown, fragments, untrusted=False)
    )
    return pages


def _page_markdown(title: str, description: str, token: str) -> str:
    import json

    meta = {"title": html.escape(title), "description": html.escape(description)}
    lines = ["---", json.dumps(meta, ensure_ascii=False), "---", "", f"# {md_escape(title)}"]
    return "\n".join([*lines, "", token, ""])


# --- problems found while an engine renders -------------------------------------------------------


def math_diagnostic(
    entry: Entry | None, src: str, markdown: str, tex: str, message: str
) -> Diagnostic:
    """A formula that failed to convert, located in the entry file (or the docs page ``src``)."""
    path = entry.path if entry is not None else f"docs/{src}"
    text = entry.body if entry is not None else markdown
    first = entry.body_line if entry is not None else 1
    line, column = first, 1
    at = text.find(tex)
    if at >= 0:
        line = first + text.count("\n", 0, at)
        column = at - (text.rfind("\n", 0, at) + 1)  # the '$' before the formula
    return error(
        path,
        line,
        max(column, 1),
        "math",
        f"cannot convert math '{tex.strip()}': {message}",
        "check the LaTeX; see https://github.com/roniemartinez/latex2mathml for what is supported",
    )
