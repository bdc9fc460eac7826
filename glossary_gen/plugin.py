"""The MkDocs adapter: ``plugins: [search, tags, glossary]``.

A thin layer over :mod:`glossary_gen.pipeline` (one :func:`~glossary_gen.pipeline.check` call, the
same as ``glossary-gen check``) and :mod:`glossary_gen.render`:

* ``on_files``: check the glossary, log every diagnostic with exactly the line the CLI prints (so a
  content error fails ``mkdocs build --strict`` with the located message), then add the term pages,
  the index page, the alias redirects, ``glossary.json``, ``feed.xml``, ``llms.txt`` and the site
  assets as in-memory files (the docs pages' wiki links are read first, for "Used on"). Nothing
  is written into ``docs/`` or ``entries/``; drafts get no page. Term pages are left out of the navigation
  (``NOT_IN_NAV``): a nav listing thousands of pages makes MkDocs quadratic.
* ``on_page_markdown``: tell the Markdown extension which page it renders.
* ``on_page_content`` (last): hand the rendered entry to the sanitizer's thread;
  ``on_page_context`` (first, before search reads the page): take the clean HTML and splice in
  the trusted HTML.
* ``on_post_page`` (after Material's search has indexed the content): put in the navigation
  fragments, the ``<head>`` data and the formulas' MathML (the index holds their LaTeX), and on
  every page the feed's ``<link rel="alternate">``.
* ``on_serve``: watch the entries folder, so editing an entry reloads the page.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from .config import ConfigError, settings_from_options
from .diagnostics import Diagnostic, Severity, error
from .edit_links import EditLinks, edit_base
from .markdown_ext import MATH_CACHE, DeferredMath, GlossaryExtension, formula_keys
from .render import RenderedPage, Renderer, RenderOptions, sanitize
from .used_on import DocsPage, nav_titles, page_title, scan

#: Not ``get_plugin_logger``: its prefix would change the line; the CLI's exact line is the contract.
log = logging.getLogger("mkdocs.plugins.glossary")

#: The Pyodide the published site loads by default: the npm package pinned in package.json,
#: served by jsDelivr. Point ``pyodide_url`` at a local copy for offline use and tests.
PYODIDE_VERSION = "314.0.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/npm/pyodide@{PYODIDE_VERSION}/"

#: An entry page's content between on_page_content and on_page_context, while it is sanitized.
_PENDING = "<!-- glossary: this page's content is being sanitized -->"

#: Where the package's CSS/JS land in the site.
ASSETS_DIR = "assets/glossary"

#: Material partials the plugin overrides for accessibility (a named search dialog, a named tags
#: landmark): a theme folder between the site's ``custom_dir`` (which still wins) and Material's.
THEME_DIR = resources.files("glossary_gen").joinpath("templates").joinpath("theme")


class GlossaryConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs' hook is untyped
    """Options of the ``glossary`` plugin in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (e.g. ``enabled: !ENV [GLOSSARY, true]``)."""
    entries_dir = c.Type(str, default="entries")
    """Folder of the entry files, relative to mkdocs.yml."""
    url_prefix = c.Type(str, default="glossary/")
    """Folder of the term pages in the site: ``glossary/relu/``. The index is its ``index.md``."""
    index_title = c.Type(str, default="Glossary")
    """Title of the A-Z index page (put ``glossary/index.md`` in ``nav`` to list it)."""
    autolink = c.Choice(("off", "first"), default="off")
    """``first``: link the first plain mention of another term on each term page."""
    math = c.Type(bool, default=True)
    """Convert ``$...$`` and ``$$...$$`` to MathML at build time."""
    doctest = c.Type(bool, default=True)
    """Run the entries' Python examples as part of the build (results cached)."""
    doctest_timeout = c.Optional(c.Type((int, float)))
    """Wall-clock seconds per entry's examples (default: the pipeline's, 10)."""
    doctest_memory_mb = c.Optional(c.Type(int))
    """Memory limit per worker process, MiB."""
    doctest_output_kb = c.Optional(c.Type(int))
    """Captured output cap per entry, KiB."""
    cache_dir = c.Optional(c.Type(str))
    """Result cache (doctests, plots, math), relative to mkdocs.yml; empty to disable. Default:
    the user's cache folder (``GLOSSARY_CACHE_DIR``, else e.g. ``~/.cache/glossary-gen``); a
    folder inside the repository is ignored, as results there could be committed."""
    pyodide_url = c.Type(str, default=PYODIDE_CDN)
    """Folder URL of Pyodide for the Run buttons: the pinned CDN by default; ``local`` copies the
    npm package (``npm ci``) into the site's ``assets/pyodide/``; a relative URL is taken from the
    site root."""
    last_updated = c.Type(bool, default=True)
    """Show each term's last-change date (``updated:``, else git, else file time)."""
    repo_url = c.Optional(c.Type(str))
    """The glossary's repository, for "Edit this term" (default: MkDocs' ``repo_url``). Its own
    option because MkDocs' one makes Material ask the GitHub API for star counts on every page."""
    edit_uri = c.Optional(c.Type(str))
    """The edit view of the folder holding mkdocs.yml, relative to ``repo_url`` (``edit/main/``;
    default: MkDocs' ``edit_uri`` without its docs folder, else the host's ``main`` branch)."""
    suggest_url = c.Optional(c.Type(str))
    """Target of "Suggest a new term": a docs page (``contributing.md``) or a URL (default: the
    docs page ``contributing.md`` if there is one, else the repository)."""
    feed_size = c.Type(int, default=20)
    """How many of the newest and last changed terms ``feed.xml`` lists (0: no feed)."""
    sections = c.Optional(c.Type(list))
    """The entries' body sections, in order: a title (required) or ``{title, required, heading,
    hint}``; the first is ``Summary``. Default: Summary, ELI5, In-depth explanation, all required."""
    extra_keys = c.Optional(c.Type((list, dict)))
    """Front-matter keys the site allows besides the built-in ones: names, or name -> JSON Schema."""
    schema_file = c.Optional(c.Type(str))
    """The front-matter schema for editors, relative to mkdocs.yml (``glossary-gen schema``)."""


class GlossaryPlugin(BasePlugin[GlossaryConfig]):  # type: ignore[no-untyped-call]  # same
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.renderer: Renderer | None = None
        self.pages: dict[str, RenderedPage] = {}
        self.extension = GlossaryExtension(None)
        self.math: DeferredMath | None = None
        self._frozen = False
        self.entries_dir: Path | None = None
        self.doctest_results: dict[str, object] = {}
        self._cleaner: ThreadPoolExecutor | None = None
        self._cleaning: dict[str, Future[str]] = {}
        self._feed_link: Callable[[str], str] | None = None

    # -- configuration --

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        base_dir = Path(config.config_file_path or ".").resolve().parent
        options = {k: v for k, v in self.config.items() if v is not None}
        try:
            self.settings = settings_from_options(
                options, base_dir, config.config_file_path or "mkdocs.yml"
            )
        except ConfigError as exc:
            raise PluginError(f"glossary: {exc}") from None
        self.entries_dir = self.settings.entries_dir
        prefix = self.config.url_prefix.strip("/")
        self.prefix = prefix + "/" if prefix else ""
        self.extension.math = self.config.math
        MATH_CACHE.open(self.settings.cache_dir)
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        if not any(str(e).endswith("attr_list") for e in config.markdown_extensions):
            config.markdown_extensions.append("attr_list")
        if config.theme.name == "material" and str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        for asset in self._assets():
            uri = f"{ASSETS_DIR}/{asset.name}"
            if asset.suffix == ".css" and uri not in config.extra_css:
                config.extra_css.append(uri)
            elif (
                asset.suffix in (".js", ".mjs")
                and not asset.stem.endswith("-worker")  # loaded by live.js
                and uri not in [str(s) for s in config.extra_javascript]
            ):
                config.extra_javascript.append(uri)
        return config

    @staticmethod
    def _assets() -> list[Path]:
        folder = resources.files("glossary_gen").joinpath("assets")
        return sorted(
            (Path(str(p)) for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
            key=lambda p: p.name,
        )

    # -- files --

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        from .pipeline import check

        try:
            result = check(self.settings)
        except ConfigError as exc:
            raise PluginError(f"glossary: {exc}") from None
        report(result.diagnostics)
        glossary = result.glossary
        self.doctest_results = result.doctest_results

        generated: dict[str, File] = {}

        def add(
            src: str,
            *,
            content: str | bytes | None = None,
            abs_src_path: str | None = None,
            inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
        ) -> File:
            """A generated file: ``content`` in memory, or a package asset at ``abs_src_path``."""
            existing = files.get_file_from_path(src)
            if existing is not None and existing.generated_by is None:
                raise PluginError(
                    f"glossary: docs/{src} would be overwritten by a generated page; "
                    f"rename it or change the plugin's url_prefix"
                )
            if existing is not None:
                files.remove(existing)
            if content is not None:
                file = File.generated(config, src, content=content, inclusion=inclusion)
            else:
                assert abs_src_path is not None
                file = File.generated(config, src, abs_src_path=abs_src_path, inclusion=inclusion)
            files.append(file)
            generated[src] = file
            return file

        src_of, url_of = {}, {}
        for entry in glossary.published:
            src = f"{self.prefix}{entry.slug}.md"
            file = add(src, content="", inclusion=InclusionLevel.NOT_IN_NAV)
            src_of[entry.slug], url_of[entry.slug] = src, file.url
        index_file = add(f"{self.prefix}index.md", content="")

        from . import live

        if not self.settings.doctest:  # with doctests on, check() above has evaluated the plots
            live.prepare(glossary.published, self.settings)
        options = RenderOptions(
            url_prefix=self.prefix,
            index_title=self.config.index_title,
            site_name=config.site_name,
            site_url=config.site_url or None,
            pyodide_url=live.page_pyodide_url(self.config.pyodide_url),
            last_updated=self.config.last_updated,
            directory_urls=config.use_directory_urls,
            section_headings=self.settings.entry_model.headings,
            **_permalink_options(config),
        )
        renderer = Renderer(
            glossary,
            options,
            src_of=src_of,
            url_of=url_of,
            doctest_results=result.doctest_results,
            autolink=self.config.autolink,
        )
        renderer.index_url = index_file.url
        renderer.used_on = self._used_on(files, config, renderer)
        renderer.edit_links = self._edit_links(files, config)
        self.renderer = renderer
        self.extension.linker = renderer.linker
        # Formulas: markers with their LaTeX until the search index has read the page.
        self.math = self.extension.deferred = (
            DeferredMath(renderer.nonce) if self.config.math else None
        )

        problems: list[Diagnostic] = []
        self.pages = {}
        for entry in glossary.published:
            page, diagnostics = renderer.render_entry(entry)
            problems += diagnostics
            generated[page.src].content_string = page.markdown
            self.pages[page.src] = page
        index = renderer.render_index()
        index_file.content_string = index.markdown
        self.pages[index.src] = index
        if self.config.math:  # new formulas: converted by a second process while MkDocs works
            MATH_CACHE.prefetch(
                k for page in self.pages.values() for k in formula_keys(page.markdown)
            )
        self._reader_files(files, config, add, result.diagnostics)
        for asset in self._assets():
            add(f"{ASSETS_DIR}/{asset.name}", abs_src_path=str(asset))
        already = set(result.diagnostics)  # check() evaluated the plots too: log each problem once
        report([d for d in problems if d not in already])
        # The glossary, its pages and MkDocs' file list live until the build ends: keep the cycle
        # collector from walking them again at every full collection while the pages are built
        # (a quarter of the plugin's extra time at 3,000 entries). Undone in on_post_build.
        gc.freeze()
        self._frozen = True
        return files

    # -- reader features: redirects, "Used on", edit links, feed, llms.txt --

    def _used_on(
        self, files: Files, config: MkDocsConfig, renderer: Renderer
    ) -> dict[str, list[DocsPage]]:
        """The docs pages that wiki-link each term, from their Markdown (see :mod:`.used_on`)."""
        from mkdocs.utils.meta import get_data

        titles = nav_titles(config.nav)
        pages = []
        for file in files.documentation_pages():
            if file.generated_by is not None:
                continue
            try:
                body, meta = get_data(file.content_string)
            except (OSError, ValueError):
                continue  # MkDocs reports an unreadable page itself
            title = titles.get(file.src_uri) or meta.get("title") or page_title(body, file.src_uri)
            url = "" if file.url == "./" else file.url  # the root page: "" like the site root
            pages.append((DocsPage(file.src_uri, url, str(title)), body))

        def resolve(name: str) -> str | None:
            entry = renderer.linker.resolve(name)
            return entry.slug if entry is not None else None

        return scan(pages, resolve)

    def _edit_links(self, files: Files, config: MkDocsConfig) -> EditLinks:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        repo_url = self.config.repo_url or config.repo_url
        base = edit_base(
            repo_url,
            self.config.edit_uri,
            mkdocs_edit_uri=config.edit_uri if config.repo_url else None,
            docs_dir=Path(config.docs_dir),
            base_dir=base_dir,
        )
        suggest = self.config.suggest_url
        if suggest is None:
            suggest = "contributing.md" if files.get_file_from_path("contributing.md") else repo_url
        if suggest and suggest.endswith(".md"):
            page = files.get_file_from_path(suggest)
            suggest = page.url if page is not None else suggest
        return EditLinks(base, base_dir, suggest or None)

    def _reader_files(
        self,
        files: Files,
        config: MkDocsConfig,
        add: Callable[..., File],
        reported: list[Diagnostic],
    ) -> None:
        """The alias redirects, ``glossary.json``, ``feed.xml`` and ``llms.txt``."""
        from . import exports, redirects

        renderer = self.renderer
        assert renderer is not None
        taken = {f.dest_uri: f for f in files}
        problems = []
        for redirect in redirects.redirects(renderer.glossary.published):
            src = redirects.redirect_src(
                self.prefix, redirect.slug, directory_urls=config.use_directory_urls
            )
            if src in taken and taken[src].generated_by is None:
                alias = redirect.alias
                problems.append(
                    error(
                        redirect.entry.path,
                        alias.line,
                        alias.column,
                        "alias-slug",
                        f"alias '{alias.value}' would have the address of docs/{taken[src].src_uri}",
                        "reword the alias or move the page",
                    )
                )
                continue
            page_url = src[: -len("index.html")] if config.use_directory_urls else src
            html = redirects.redirect_html(
                redirect.entry.title,
                renderer.linker.url_of[redirect.entry.slug],
                page_url,
                site_url=config.site_url or None,
            )
            taken[src] = add(src, content=html)
        for entry in renderer.glossary.published:
            for old, src in redirects.old_addresses(entry):
                if src in taken:  # a page of the site (or another redirect) is there already
                    problems.append(
                        error(
                            entry.path,
                            old.line,
                            old.column,
                            "redirect-path",
                            f"old address '{old.value}' is the address of {taken[src].src_uri}",
                            "drop it from 'redirect_from:'; that page exists",
                        )
                    )
                    continue
                page_url = src[: -len("index.html")] if src.endswith("/index.html") else src
                html = redirects.redirect_html(
                    entry.title,
                    renderer.linker.url_of[entry.slug],
                    page_url,
                    site_url=config.site_url or None,
                )
                taken[src] = add(src, content=html)
        report([d for d in problems if d not in reported])
        terms = exports.terms(renderer)
        add(exports.GLOSSARY_JSON, content=exports.glossary_json(renderer, terms))
        add(
            exports.LLMS_TXT,
            content=exports.llms_txt(renderer, terms, description=config.site_description),
        )
        self._feed_link = None
        if self.config.feed_size > 0:
            feed = exports.feed_xml(
                renderer,
                terms,
                size=self.config.feed_size,
                description=config.site_description,
                author=config.site_author,
            )
            add(exports.FEED, content=feed)
            link = exports.feed_link
            self._feed_link = lambda url: link(renderer, url)

    # -- pages --

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is not None:
            rendered = self.pages.get(page.file.src_uri)
            slug = (
                rendered.entry.slug if rendered is not None and rendered.entry is not None else None
            )
            self.renderer.linker.begin_page(page.file.src_uri, page.url, slug)
        return markdown

    @event_priority(-100)  # last: what is sanitized is the content every other plugin left
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None:
            return html
        linker = self.renderer.linker
        rendered = self.pages.get(page.file.src_uri)
        for tex, message in linker.math_errors:
            report([self._math_diagnostic(page, rendered, tex, message)])
        if rendered is None:
            return html
        if not rendered.untrusted:
            return self._finish(page, rendered, html)
        if page.toc:
            _escape_toc(page.toc)
        # The sanitizer (Rust) releases the GIL: entry pages are cleaned on a second thread while
        # MkDocs renders the next pages, and finished in on_page_context, before anything reads
        # them (MkDocs renders every page before it builds the first one). Until then the page
        # has no content, so the unsanitized HTML is never visible to another plugin.
        if self._cleaner is None:
            self._cleaner = ThreadPoolExecutor(1, thread_name_prefix="glossary-sanitize")
        self._cleaning[page.file.src_uri] = self._cleaner.submit(sanitize, html)
        return _PENDING

    @event_priority(100)  # first: search and the theme read the finished content
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        rendered = self.pages.get(page.file.src_uri)
        if rendered is not None and rendered.entry is not None and self.renderer is not None:
            links = self.renderer.edit_links  # the theme's edit button, if on, edits the entry
            page.edit_url = links.edit_url(rendered.entry.file) if links is not None else None
        cleaning = self._cleaning.pop(page.file.src_uri, None)
        if cleaning is not None and self.renderer is not None:
            page.content = self._finish(
                page, self.pages[page.file.src_uri], cleaning.result(), sanitized=True
            )
        return context

    def _finish(
        self, page: Page, rendered: RenderedPage, html: str, *, sanitized: bool = False
    ) -> str:
        assert self.renderer is not None
        html = self.renderer.finish_html(html, rendered, sanitized=sanitized)
        if rendered.toc:
            _add_to_toc(page, rendered.toc)
        return html

    @event_priority(50)  # before plugins that rewrite the HTML (minifiers drop the markers)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.math is not None:
            output = self.math.splice(output)
        if self._feed_link is not None and "</head>" in output:  # every page: feed discovery
            at = output.index("</head>")
            output = output[:at] + self._feed_link(page.url) + "\n" + output[at:]
        rendered = self.pages.get(page.file.src_uri) if self.renderer is not None else None
        return output if rendered is None else Renderer.finish_page(output, rendered)

    def _math_diagnostic(
        self, page: Page, rendered: RenderedPage | None, tex: str, message: str
    ) -> Diagnostic:
        """Locate a formula that failed to convert in the entry file (or the docs page)."""
        entry = rendered.entry if rendered is not None else None
        path = entry.path if entry is not None else f"docs/{page.file.src_uri}"
        text = entry.body if entry is not None else page.markdown or ""
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

    def _stop_cleaner(self) -> None:
        if self._cleaner is not None:
            self._cleaner.shutdown(cancel_futures=True)
            self._cleaner = None
        self._cleaning = {}

    def _unfreeze(self) -> None:
        if self._frozen:  # objects of this build may be collected again (mkdocs serve rebuilds)
            gc.unfreeze()
            self._frozen = False

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._unfreeze()
        self._stop_cleaner()
        if not self.config.enabled:
            return
        MATH_CACHE.save()
        from . import live

        try:  # pyodide_url: local -> copy the npm package's runtime files into the site
            live.install_pyodide(
                self.config.pyodide_url,
                Path(config.site_dir),
                Path(config.config_file_path or ".").resolve().parent,
            )
        except live.PyodideNotFound as exc:
            raise PluginError(f"glossary: {exc}") from None

    def on_build_error(self, *, error: Exception) -> None:
        self._unfreeze()
        self._stop_cleaner()
        MATH_CACHE.stop()

    # -- serve --

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        if self.config.enabled and self.entries_dir is not None and self.entries_dir.is_dir():
            server.watch(str(self.entries_dir))
        return server


def report(diagnostics: list[Diagnostic]) -> None:
    """Log diagnostics with the CLI's exact text line: errors as errors, the rest as warnings
    (both fail ``mkdocs build --strict``)."""
    for diagnostic in diagnostics:
        level = logging.ERROR if diagnostic.severity is Severity.ERROR else logging.WARNING
        log.log(level, diagnostic.format_text())


def _permalink_options(config: MkDocsConfig) -> dict[str, Any]:
    """The ``toc`` extension's permalink settings, for the headings the renderer writes (values
    as mkdocs.yml gives them: the toc extension's own option types)."""
    toc = config.mdx_configs.get("toc") or {}
    options: dict[str, Any] = {"permalink": toc.get("permalink", False)}
    for name in ("permalink_class", "permalink_title", "permalink_leading"):
        if name in toc:
            options[name] = toc[name]
    return options


def _add_to_toc(page: Page, headings: list[tuple[str, str]]) -> None:
    """List the renderer's level-2 headings (the last ones of the page) in the page's TOC,
    under the H1 when the TOC has one."""
    toc = page.toc
    if toc is None:
        return
    container: list[AnchorLink] = toc if isinstance(toc, list) else toc.items
    while container and container[-1].level < 2:
        container = container[-1].children
    for title, anchor in headings:
        container.append(AnchorLink(title, anchor, 2))


def _escape_toc(toc: Iterable[AnchorLink]) -> None:
    """Entry headings end up in the sidebar table of contents, which MkDocs themes print without
    escaping: keep only their text, escaped."""
    import html
    import re

    for item in toc:
        if "<" in item.title or "&" in item.title or ">" in item.title:
            item.title = html.escape(html.unescape(re.sub(r"<[^>]*>", "", item.title)), quote=False)
        _escape_toc(item.children)
