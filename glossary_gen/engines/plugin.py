"""The MkDocs adapter: ``plugins: [search, tags, glossary]``.

A thin layer over :mod:`glossary_gen.pipeline` (one :func:`~glossary_gen.pipeline.check` call, the
same as ``glossary-gen check``) and :mod:`glossary_gen.site.pages` (the page assembly it shares with the
Zensical file writer, :mod:`glossary_gen.engines.zensical`):

* ``on_files``: check the glossary, log every diagnostic with exactly the line the CLI prints (so a
  content error fails ``mkdocs build --strict`` with the located message), then add what
  :func:`~glossary_gen.site.pages.assemble` made: the term pages, the index page, the alias redirects,
  ``glossary.json``, ``feed.xml``, ``llms.txt`` and the site assets, as in-memory files (the docs
  pages' wiki links are read first, for "Used on"). Nothing
  is written into ``docs/`` or ``entries/``; drafts get no page. Term pages are left out of the navigation
  (``NOT_IN_NAV``): a nav listing thousands of pages makes MkDocs quadratic.
* ``on_page_markdown``: tell the Markdown extension which page it renders.
* ``on_page_content`` (last): hand the rendered entry to the sanitizer's thread;
  ``on_page_context`` (first, before search reads the page): take the clean HTML and splice in
  the trusted HTML.
* ``on_post_page`` (after Material's search has indexed the content): put in the navigation
  fragments, the ``<head>`` data and the formulas' MathML (the index holds their LaTeX), and on
  every page the feed's ``<link rel="alternate">``.
* ``on_serve``: watch the entries folder, so editing an entry reloads the page (with the
  system's change events where there are, so a save starts the rebuild at once).

Under ``mkdocs serve --dirty`` (``scripts/serve``) a save rebuilds only the pages it changes, and
the site is still what a full build makes (:mod:`glossary_gen.engines.partial_build` tells how):

* ``on_pre_build``: start a :class:`~glossary_gen.engines.partial_build.PartialBuild` with the record of
  the last build of the same site; the cycle collector leaves what lives on alone.
* ``on_files``: the pipeline reuses unchanged entries (:class:`~glossary_gen.incremental.Memo`);
  every page is decided (its inputs, the facts it looked up, its output file) and only the term
  pages to rebuild are rendered; MkDocs skips the others (``File.is_modified()``).
* ``on_page_markdown`` ... ``on_page_content``: the linker notes what each page looks up.
* ``on_env`` (before the tags plugin): pages kept get back their title, meta and anchors, and
  the tags plugin gets their tags; ``on_post_page``: note each page's search entries.
* ``on_post_build`` (before search writes its index): put back the kept pages' search entries,
  log their warnings again, delete stale files, keep the record for the next build.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jinja2
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

from glossary_gen.core.config import ConfigError, settings_from_options
from glossary_gen.core.diagnostics import Diagnostic, Severity
from glossary_gen.core.model import Glossary
from glossary_gen.engines.partial_build import (
    PartialBuild,
    collect_idle,
    compiled_templates,
    watch_entries,
)
from glossary_gen.incremental import (
    LinkFacts,
    RecordingLinker,
    page_text,
    render_key,
    site_render_key,
)
from glossary_gen.site import exports
from glossary_gen.site.linker import Linker
from glossary_gen.site.markdown_ext import MATH_CACHE, DeferredMath, GlossaryExtension, formula_keys
from glossary_gen.site.page import RenderedPage
from glossary_gen.site.pages import (
    ASSETS_DIR,
    PYODIDE_CDN,
    PYODIDE_VERSION,
    DocsFile,
    Output,
    PageOptions,
    Site,
    assemble,
    math_diagnostic,
    page_assets,
)
from glossary_gen.site.render import Renderer
from glossary_gen.site.sanitize import sanitize
from glossary_gen.site.used_on import nav_titles, page_title

__all__ = ["ASSETS_DIR", "PYODIDE_CDN", "PYODIDE_VERSION", "GlossaryConfig", "GlossaryPlugin"]

#: Not ``get_plugin_logger``: its prefix would change the line; the CLI's exact line is the contract.
log = logging.getLogger("mkdocs.plugins.glossary")

#: An entry page's content between on_page_content and on_page_context, while it is sanitized.
_PENDING = "<!-- glossary: this page's content is being sanitized -->"

#: Material partials the plugin overrides for accessibility (a named search dialog, a named tags
#: landmark): a theme folder between the site's ``custom_dir`` (which still wins) and Material's.
THEME_DIR = resources.files("glossary_gen.site").joinpath("theme")


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
        self.recorder: RecordingLinker | None = None
        self.partial: PartialBuild | None = None
        self.nav: Navigation | None = None

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
        css, js = page_assets()
        for uri in css:
            if uri not in config.extra_css:
                config.extra_css.append(uri)
        for uri in js:
            if uri not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(uri)
        return config

    # -- incremental builds (see partial_build) --

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled:
            self._partial_build(config)
            # What lives on from the last `mkdocs serve` build (the record of its pages, the
            # parsed entries) and that build's garbage are left out of the cycle collector's
            # walks during this build: they took half of a rebuild at 3,000 entries. Undone in
            # on_post_build; the garbage is collected once the site is served (collect_idle).
            gc.freeze()
            self._frozen = True

    def _partial_build(self, config: MkDocsConfig) -> PartialBuild:
        if self.partial is None:
            self.partial = PartialBuild(config)
        return self.partial

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self.nav = nav
        return nav

    @event_priority(110)  # before Material's tags plugin lists the tags of every page
    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        compiled_templates(env)
        if self.partial is not None and self.nav is not None and self.renderer is not None:
            self.partial.before_pages(config, files, self.nav)
        return env

    # -- files --

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        from glossary_gen.pipeline import check

        partial = self._partial_build(config)
        try:
            result = check(self.settings, memo=partial.session.memo)
        except ConfigError as exc:
            raise PluginError(f"glossary: {exc}") from None
        report(result.diagnostics)
        self.doctest_results = result.doctest_results
        options = PageOptions(**{f.name: self.config[f.name] for f in fields(PageOptions)})
        for output in _outputs_before_rendering(result.glossary, options):
            _refuse_to_replace(files, output)
        # Term pages are rendered below, once it is known which this build makes.
        assembly = assemble(
            result,
            options,
            _site(config),
            self._docs(files, config),
            settings=self.settings,
            defer_terms=True,
        )
        renderer = self.renderer = assembly.renderer
        # The Markdown extension asks the linker about other terms; what it asks is noted per
        # page, so that the next `mkdocs serve` build knows which pages an edit changes.
        self.recorder = RecordingLinker(renderer.linker)
        self.extension.linker = cast(Linker, self.recorder)
        # Formulas: markers with their LaTeX until the search index has read the page.
        self.math = self.extension.deferred = (
            DeferredMath(renderer.nonce) if self.config.math else None
        )
        self.pages = assembly.pages
        generated: dict[str, File] = {}
        by_src = files.src_uris  # sources are POSIX paths already: no parsing per file
        for output in assembly.files:
            existing = by_src.get(output.src)
            if existing is not None:
                _refuse_to_replace(files, output)
                files.remove(existing)
            if output.page is not None or output.entry is not None:
                file = File.generated(
                    config,
                    output.src,
                    content=output.page.markdown if output.page is not None else "",
                    inclusion=InclusionLevel.NOT_IN_NAV
                    if not output.in_nav
                    else InclusionLevel.UNDEFINED,
                )
            elif output.source is not None:
                file = File.generated(config, output.src, abs_src_path=str(output.source))
            else:
                file = File.generated(config, output.src, content=output.content or "")
            files.append(file)
            generated[output.src] = file
        already = set(result.diagnostics)  # check() evaluated the plots too: log each problem once

        # Which term pages this build makes: all of them, unless a `mkdocs serve --dirty` build
        # before has made the others from the same inputs (see partial_build).
        def render(src: str) -> list[Diagnostic]:
            page, diagnostics = assembly.render(src)
            generated[src].content_string = page.markdown
            partial.rendered(src, diagnostics)
            return [d for d in diagnostics if d not in already]

        deferred = {o.src: o.entry for o in assembly.files if o.entry is not None}
        site = site_render_key(renderer, self.prefix, config.use_directory_urls, self.config.math)
        todo = partial.plan(
            files,
            facts=LinkFacts(renderer.linker),
            terms={
                src: (render_key(renderer, entry, site), entry.body)
                for src, entry in deferred.items()
            },
            generated={
                o.src: page_text(o.page, renderer.nonce) if o.page is not None else o.content or ""
                for o in assembly.files
                if o.entry is None and o.source is None
            },
            render=lambda src: report(render(src)),
        )
        problems = list(assembly.diagnostics)
        for src in deferred:
            problems += render(src) if src in todo else partial.kept_diagnostics(src)
        if self.config.math:  # new formulas: converted by a second process while MkDocs works
            formulas = {src: frozenset(formula_keys(p.markdown)) for src, p in self.pages.items()}
            partial.formulas.update(formulas)
            MATH_CACHE.prefetch(k for keys in formulas.values() for k in keys)
        self._feed_link = None
        if assembly.feed:
            link = exports.feed_link
            self._feed_link = lambda url: link(renderer, url)
        report([d for d in problems if d not in already])
        # The glossary, its pages and MkDocs' file list live until the build ends: keep the cycle
        # collector from walking them again at every full collection while the pages are built
        # (a quarter of the plugin's extra time at 3,000 entries). Undone in on_post_build.
        gc.freeze()
        self._frozen = True
        return files

    @staticmethod
    def _docs(files: Files, config: MkDocsConfig) -> list[DocsFile]:
        """The hand-written files, with the Markdown and title of each page (for "Used on")."""
        from mkdocs.utils.meta import get_data

        titles = nav_titles(config.nav)
        docs = []
        for file in files:
            if file.generated_by is not None:
                continue
            if not file.is_documentation_page():
                docs.append(DocsFile(file.src_uri, file.dest_uri))
                continue
            try:
                body, meta = get_data(file.content_string)
            except (OSError, ValueError):
                docs.append(DocsFile(file.src_uri, file.dest_uri))
                continue  # MkDocs reports an unreadable page itself
            title = titles.get(file.src_uri) or meta.get("title") or page_title(body, file.src_uri)
            url = "" if file.url == "./" else file.url  # the root page: "" like the site root
            docs.append(DocsFile(file.src_uri, file.dest_uri, url, str(title), body))
        return docs

    # -- pages --

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is not None:
            rendered = self.pages.get(page.file.src_uri)
            slug = (
                rendered.entry.slug if rendered is not None and rendered.entry is not None else None
            )
            linker = self.recorder or self.renderer.linker
            linker.begin_page(page.file.src_uri, page.url, slug)
        return markdown

    @event_priority(-100)  # last: what is sanitized is the content every other plugin left
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None:
            return html
        linker = self.renderer.linker
        if self.partial is not None and self.recorder is not None:
            self.partial.converted(page, self.recorder.reads)
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
        if self.partial is not None:  # after search has indexed the page (on_page_context)
            self.partial.page_built(page, config)
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
        return math_diagnostic(entry, page.file.src_uri, page.markdown or "", tex, message)

    def _stop_cleaner(self) -> None:
        if self._cleaner is not None:
            self._cleaner.shutdown(cancel_futures=True)
            self._cleaner = None
        self._cleaning = {}

    def _unfreeze(self) -> None:
        if self._frozen:  # objects of this build may be collected again (mkdocs serve rebuilds)
            gc.unfreeze()
            self._frozen = False

    @event_priority(10)  # before Material's search plugin writes the index of every page
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._unfreeze()
        self._stop_cleaner()
        if not self.config.enabled:
            return
        if self.partial is not None:
            self.partial.finish(config)
            collect_idle()
        MATH_CACHE.save()
        from glossary_gen.fences import pyodide

        try:  # pyodide_url: local -> copy the npm package's runtime files into the site
            pyodide.install_pyodide(
                self.config.pyodide_url,
                Path(config.site_dir),
                Path(config.config_file_path or ".").resolve().parent,
            )
        except pyodide.PyodideNotFound as exc:
            raise PluginError(f"glossary: {exc}") from None

    def on_build_error(self, *, error: Exception) -> None:
        if self.partial is not None:
            self.partial.stop()
        self._unfreeze()
        self._stop_cleaner()
        MATH_CACHE.stop()

    # -- serve --

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        if self.config.enabled and self.entries_dir is not None and self.entries_dir.is_dir():
            watch_entries(server, self.entries_dir)
        return server


def report(diagnostics: list[Diagnostic]) -> None:
    """Log diagnostics with the CLI's exact text line: errors as errors, the rest as warnings
    (both fail ``mkdocs build --strict``)."""
    for diagnostic in diagnostics:
        level = logging.ERROR if diagnostic.severity is Severity.ERROR else logging.WARNING
        log.log(level, diagnostic.format_text())


def _site(config: MkDocsConfig) -> Site:
    """What the page assembly needs to know about the MkDocs site."""
    return Site(
        site_name=config.site_name,
        site_url=config.site_url or None,
        site_description=config.site_description,
        site_author=config.site_author,
        directory_urls=config.use_directory_urls,
        base_dir=Path(config.config_file_path or ".").resolve().parent,
        docs_dir=Path(config.docs_dir),
        repo_url=config.repo_url,
        edit_uri=config.edit_uri,
        toc=config.mdx_configs.get("toc") or {},
        links="url",  # MkDocs leaves raw HTML as it is: links are final URLs
    )


def _outputs_before_rendering(glossary: Glossary, options: PageOptions) -> list[Output]:
    """The term pages and the index, to refuse a clash with docs/ before anything is rendered."""
    prefix = options.prefix
    return [Output(f"{prefix}{e.slug}.md") for e in glossary.published] + [
        Output(f"{prefix}index.md")
    ]


def _refuse_to_replace(files: Files, output: Output) -> None:
    existing = files.get_file_from_path(output.src)
    if existing is not None and existing.generated_by is None:
        raise PluginError(
            f"glossary: docs/{output.src} would be overwritten by a generated page; "
            f"rename it or change the plugin's url_prefix"
        )


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
