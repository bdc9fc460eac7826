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
* ``on_post_page`` also puts a banner with the entry's located problems at the top of its term
  page when the build goes on despite them (``mkdocs serve``, ``mkdocs build`` without
  ``--strict``): :mod:`~glossary_gen.engines.mkdocs.problems_banner`.
* ``on_serve``: watch the entries folder, so editing an entry reloads the page (with the
  system's change events where there are, so a save starts the rebuild at once).

Under ``mkdocs serve --dirty`` (``scripts/serve``) a save rebuilds only the pages it changes, and
the site is still what a full build makes (:mod:`glossary_gen.engines.mkdocs.partial_build` tells how):

* ``on_pre_build``: start a :class:`~glossary_gen.engines.mkdocs.partial_build.PartialBuild` with the record of
  the last build of the same site; the cycle collector leaves what lives on alone.
* ``on_files``: the pipeline reuses unchanged entries (:class:`~glossary_gen.incremental.Memo`);
  every page is decided (its inputs, the facts it looked up, its output file) and only the term
  pages to rebuild are rendered; MkDocs skips the others (``File.is_modified()``).
* ``on_page_markdown`` ... ``on_page_content``: the linker notes what each page looks up.
* ``on_env`` (before the tags plugin): pages kept get back their title, meta and anchors, and
  the tags plugin gets their tags; ``on_post_page``: note each page's search entries.
* ``on_post_build`` (before search writes its index): put back the kept pages' search entries,
  log their warnings again, delete stale files, keep the record for the next build.

The events stay thin: the work is in :mod:`~glossary_gen.engines.mkdocs.handover` (``on_files``),
:mod:`~glossary_gen.engines.mkdocs.page_content` (sanitizing and finishing entry pages),
:mod:`~glossary_gen.engines.mkdocs.partial_build` and :mod:`~glossary_gen.engines.mkdocs.watch`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import cast

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from glossary_gen.core.config import (
    ConfigError,
    Settings,
    language_tag_titles,
    settings_from_options,
    tag_titles,
)
from glossary_gen.engines.mkdocs import search_and_tags
from glossary_gen.engines.mkdocs.audit_gate import AuditGate, allow_live_reload
from glossary_gen.engines.mkdocs.handover import Handover, hand_over, report
from glossary_gen.engines.mkdocs.page_content import Sanitizer, finish, math_problems
from glossary_gen.engines.mkdocs.partial_build import PartialBuild
from glossary_gen.engines.mkdocs.preview import (
    LastBuild,
    keep_for_preview,
    keep_last_build,
    serve_saved_page_first,
)
from glossary_gen.engines.mkdocs.problems_banner import page_with_banner
from glossary_gen.engines.mkdocs.serve_process import (
    collect_idle,
    compiled_templates,
    warm_theme,
)
from glossary_gen.engines.mkdocs.watch import watch_entries
from glossary_gen.fences.pyodide import (
    PYODIDE_CDN,
    PYODIDE_VERSION,
    PyodideChoice,
    choose_pyodide,
)
from glossary_gen.site.linker import Linker
from glossary_gen.site.markdown_ext import MATH_CACHE, GlossaryExtension
from glossary_gen.site.pages import ASSETS_DIR, PageOptions, page_assets
from glossary_gen.site.render import Renderer

log = logging.getLogger("mkdocs.plugins.glossary")

__all__ = ["ASSETS_DIR", "PYODIDE_CDN", "PYODIDE_VERSION", "GlossaryConfig", "GlossaryPlugin"]

#: Material templates the plugin overrides: partials for accessibility (a named search dialog, a
#: named tags landmark), ``main.html`` (the deferred bundle) and ``sitemap.xml`` (with hreflang
#: alternates): a theme folder between the site's ``custom_dir`` (which still wins) and Material's.
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
    pyodide_url = c.Type(str, default="auto")
    """Folder URL of Pyodide for the Run buttons. ``auto`` (the default): the local copy when
    ``npm ci`` (``scripts/setup``) made one, else the pinned CDN; ``local`` copies the npm
    package into the site's ``assets/pyodide/`` (an error without it); ``cdn``: the pinned CDN,
    falling back to the local copy (deployed with the site) when there is one; a URL (a CDN); a
    relative URL is taken from the site root. The build says its choice in one line."""
    theme_script = c.Choice(("interaction", "load"), default="interaction")
    """When Material's script bundle runs: ``interaction`` (at the reader's first pointer, touch,
    key, scroll or focus, or when the browser is idle 10 s after the load: nothing of the theme's
    runs while the page loads; the search button shows then) or ``load`` (deferred, as Material
    does it, once the page is parsed)."""
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
    tag_titles = c.Optional(c.Type(dict))
    """Tag -> the title pages show for it (``activation-functions: Activation functions``)."""
    schema_file = c.Optional(c.Type(str))
    """The front-matter schema for editors, relative to mkdocs.yml (``glossary-gen schema``)."""
    languages = c.Optional(c.Type(list))
    """Language codes, the default first (``[en, fr]``): ``entries/fr/<slug>.md`` translates
    ``entries/<slug>.md`` (see :mod:`glossary_gen.core.languages`)."""
    section_names = c.Optional(c.Type(dict))
    """Section headings per translated language, over the built-in ones: ``{fr: {ELI5: ...}}``."""
    labels = c.Optional(c.Type(dict))
    """The pages' own words per translated language, over the built-in ones:
    ``{fr: {"Edit this term": "Corriger ce terme"}}``."""


class GlossaryPlugin(BasePlugin[GlossaryConfig]):  # type: ignore[no-untyped-call]  # same
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.extension = GlossaryExtension(None)
        #: What on_files made (``None`` until then, and when the plugin is off).
        self.handover: Handover | None = None
        self.sanitizer = Sanitizer()
        self.audit = AuditGate()
        self._frozen = False
        self.entries_dir: Path | None = None
        self.partial: PartialBuild | None = None
        self.nav: Navigation | None = None
        self.options: PageOptions | None = None
        self.files: Files | None = None  # the build's files and templates, for :mod:`.preview`
        self.env: jinja2.Environment | None = None

    # -- configuration --

    @event_priority(100)  # first: the search plugin renders a template in its on_config
    def _warm_theme(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if self.config.enabled:
            warm_theme(config.theme)
        return config

    def _configure(self, config: MkDocsConfig) -> MkDocsConfig | None:
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
        _pyodide_choice(self.config, base_dir)
        self.extension.math = self.config.math
        MATH_CACHE.open(self.settings.cache_dir, self.settings.project_dir)
        _add_extensions_theme_and_assets(config, self.extension)
        return config

    on_config = CombinedEvent(_warm_theme, _configure)

    # -- incremental builds (see partial_build) --

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled:
            self.audit.start(self.config.pyodide_url, config.site_url, config.theme.name)
            keep_last_build(self._partial_build(config).session, None)  # until this one is done
            # What lives on from the last `mkdocs serve` build (the record of its pages, the
            # parsed entries) and that build's garbage are left out of the cycle collector's
            # walks during this build: they took half of a rebuild at 3,000 entries. Undone in
            # on_post_build; the garbage is collected once the site is served (collect_idle).
            self._freeze()

    def _partial_build(self, config: MkDocsConfig) -> PartialBuild:
        if self.partial is None:
            settings = self.settings
            cache = (settings.cache_dir, settings.entries_dir) if settings else (None, None)
            self.partial = PartialBuild(config, *cache)
        return self.partial

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self.nav = nav
        return nav

    @event_priority(110)  # before Material's tags plugin lists the tags of every page
    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        compiled_templates(env)
        self.env, self.files = env, files
        # The theme's sitemap.xml (glossary_gen/site/theme) lists each page's language versions.
        env.globals["glossary_alternates"] = self.handover.alternates if self.handover else {}
        env.globals["glossary_theme_script"] = self.config.theme_script  # the theme's main.html
        if self.partial is not None and self.nav is not None and self.handover is not None:
            self.partial.before_pages(config, files, self.nav)
        return env

    # -- files --

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.settings is None:
            return files
        self.options = _page_options(self.config)
        self.handover = hand_over(
            files,
            config,
            settings=self.settings,
            options=self.options,
            partial=self._partial_build(config),
            extension=self.extension,
        )
        # The glossary, its pages and MkDocs' file list live until the build ends: keep the cycle
        # collector from walking them again at every full collection while the pages are built
        # (a quarter of the plugin's extra time at 3,000 entries). Undone in on_post_build.
        self._freeze()
        return files

    # -- pages --

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.handover is not None:
            rendered = self.handover.pages.get(page.file.src_uri)
            entry = rendered.entry if rendered is not None else None
            slug = entry.slug if entry is not None else None
            self.handover.recorder.begin_page(page.file.src_uri, page.url, slug)
            # A translation's page links in its language (MkDocs makes the Markdown engine,
            # with this extension, after this event).
            linker = self.handover.page_linkers.get(page.file.src_uri)
            self.extension.linker = linker or cast(Linker, self.handover.recorder)
            if linker is not None:
                linker.begin_page(page.file.src_uri, page.url, slug)
        search_and_tags.own_tags(page)  # before Material's tags plugin reads them
        return markdown

    @event_priority(-100)  # last: what is sanitized is the content every other plugin left
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        handover = self.handover
        if handover is None:
            return html
        if self.partial is not None:
            self.partial.converted(page, handover.recorder.reads)
        rendered = handover.pages.get(page.file.src_uri)
        linker = handover.page_linkers.get(page.file.src_uri, handover.renderer.linker)
        report(math_problems(linker, page, rendered))
        if rendered is None:
            return html
        if not rendered.untrusted:
            return finish(handover.renderer, page, rendered, html)
        return self.sanitizer.start(page, html)

    @event_priority(100)  # first: search and the theme read the finished content
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        handover = self.handover
        rendered = handover.pages.get(page.file.src_uri) if handover is not None else None
        if rendered is not None and rendered.entry is not None and handover is not None:
            links = handover.renderer.edit_links  # the theme's edit button, if on, edits the entry
            page.edit_url = links.edit_url(rendered.entry.file) if links is not None else None
        search_and_tags.own_tag_links(page, context)
        search_and_tags.searchable_tags(page)  # for search's index, next
        clean = self.sanitizer.take(page.file.src_uri)
        if clean is not None and handover is not None:
            rendered = handover.pages[page.file.src_uri]
            page.content = finish(handover.renderer, page, rendered, clean, sanitized=True)
        return context

    @event_priority(50)  # before plugins that rewrite the HTML (minifiers drop the markers)
    def _finish_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        search_and_tags.own_tags(page)  # indexed: a translation's tags leave its meta again
        if self.partial is not None:  # after search has indexed the page (on_page_context)
            self.partial.page_built(page, config)
        handover = self.handover
        if handover is None:
            return output
        if handover.math is not None:
            output = handover.math.splice(output)
        if handover.feed_link is not None and "</head>" in output:  # every page: feed discovery
            at = output.index("</head>")
            output = output[:at] + handover.feed_link(page.url) + "\n" + output[at:]
        rendered = handover.pages.get(page.file.src_uri)
        if rendered is None:
            return output
        output = Renderer.finish_page(output, rendered)
        if rendered.entry is not None and not config.strict:  # a build going on despite problems
            languages = self.settings.languages if self.settings is not None else None
            path = rendered.entry.path
            output = page_with_banner(output, handover.diagnostics, path, page.url, languages)
        return output

    @event_priority(-100)  # last: the audit reads the page as it will be written
    def _audit_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return output
        rendered = self.handover.pages.get(page.file.src_uri) if self.handover else None
        entry = rendered.entry.path if rendered is not None and rendered.entry else None
        return self.audit.page(output, page.file.dest_uri, entry)

    on_post_page = CombinedEvent(_finish_page, _audit_page)

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        if not self.config.enabled or not template_name.endswith(".html"):
            return output_content
        return self.audit.page(output_content, template_name)

    def _freeze(self) -> None:
        gc.freeze()
        self._frozen = True

    def _unfreeze(self) -> None:
        if self._frozen:  # objects of this build may be collected again (mkdocs serve rebuilds)
            gc.unfreeze()
            self._frozen = False

    @event_priority(10)  # before Material's search plugin writes the index of every page
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._unfreeze()
        self.sanitizer.stop()
        if not self.config.enabled:
            return
        incremental = self.partial is not None and self.partial.incremental
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
        # The last gate: the pages are audited as they are written; here the rest, then the
        # build fails if anything could run or load in a reader's browser.
        self.audit.finish(Path(config.site_dir), every_file=not incremental)
        if self.files is not None and self.nav is not None and self.env is not None:
            keep_for_preview(LastBuild(config, self.files, self.nav, self.env, self))

    def on_build_error(self, *, error: Exception) -> None:
        if self.partial is not None:
            self.partial.stop()
        self._unfreeze()
        self.sanitizer.stop()
        MATH_CACHE.stop()

    # -- serve --

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., object]
    ) -> LiveReloadServer:
        if self.config.enabled and self.entries_dir is not None and self.entries_dir.is_dir():
            preview = serve_saved_page_first(server, self.partial)
            watch_entries(server, self.entries_dir, preview.saved if preview else None)
        if self.config.enabled and self.audit.enabled:
            allow_live_reload(server)
        return server


#: ``pyodide_url`` as written in mkdocs.yml and the folder of mkdocs.yml -> what it came to in
#: this process. ``mkdocs serve`` makes a new plugin (and reads mkdocs.yml again) for every
#: rebuild: the choice is made, and said, once per server, not at every save.
_PYODIDE_CHOICES: dict[tuple[str, Path], PyodideChoice] = {}


def _pyodide_choice(options: GlossaryConfig, base_dir: Path) -> PyodideChoice:
    """``pyodide_url: auto`` -> local or the CDN: decided and said once per process and
    setting; ``options`` gets the resolved value."""
    asked = (options.pyodide_url, base_dir)
    known = _PYODIDE_CHOICES.get(asked)
    if known is None:
        known = _PYODIDE_CHOICES[asked] = choose_pyodide(options.pyodide_url, base_dir)
        log.info(known.note)
    options.pyodide_url = known.option
    return known


def _page_options(options: GlossaryConfig) -> PageOptions:
    return PageOptions(
        **{
            f.name: options[f.name]
            for f in fields(PageOptions)
            if not f.name.startswith("tag_titles")
        },
        tag_titles=tag_titles(options.tag_titles),
        tag_titles_by_language=language_tag_titles(options.tag_titles),
    )


def _add_extensions_theme_and_assets(config: MkDocsConfig, extension: GlossaryExtension) -> None:
    """The glossary's Markdown extension (and ``attr_list``), its theme partials (Material) and
    its CSS and JavaScript."""
    config.markdown_extensions.append(extension)  # type: ignore[arg-type]
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
            # Deferred: nothing of the glossary's is needed for the first paint.
            script = ExtraScriptValue(uri)
            script.defer = True
            config.extra_javascript.append(script)
