"""The MkDocs side of incremental builds: under ``mkdocs serve --dirty`` an edit rebuilds only
the pages it changes, and the site stays what a full ``mkdocs build`` makes of the same files.

MkDocs' dirty builds skip every page whose ``File.is_modified()`` is false: it is neither read,
nor rendered, nor written again. Left to MkDocs, that answer compares file times, which knows
nothing of a glossary (a summary shows on other pages) and leaves Material's search index and
tag listings holding only the pages just rebuilt. So this module answers for every page and
keeps the site-wide outputs whole:

* **Decide** (``on_files``): a page is rebuilt when its inputs changed
  (:func:`~glossary_gen.incremental.render_key` of a term page, the Markdown of the index page,
  the source of a docs page), when a fact its Markdown looked up changed
  (:class:`~glossary_gen.incremental.LinkFacts`: a name, a tooltip, an auto-link word), when it
  mentions a page that appeared or went away (its plain Markdown links are checked again), or
  when its output file is not the one this process wrote. Without a record of the last build
  of the same ``mkdocs.yml`` into the same folder, or with a plugin this module does not know,
  or when ``mkdocs.yml`` or the theme's ``custom_dir`` changed, every page is rebuilt.
* **Restore** (``on_env``, before Material's tags plugin): the pages kept get back the title,
  meta data and anchors they had, so the navigation and the tag listings built now see them.
  Pages that list tags are always rebuilt, with every page's tags. Should the navigation still
  differ from the last build's (a page title in it changed), every page is rebuilt after all.
* **Complete** (``on_post_build``, before Material's search plugin writes its index): the search
  entries of the pages kept are put back, in page order; the warnings logged for them are
  logged again; the output files of pages that no longer exist are deleted; and the record of
  this build is kept, in memory, for the next one.

The record is also kept in the user's cache folder, with the HTML of every page: the first
build of a new ``mkdocs serve --dirty`` decides every page against it and writes the pages it
keeps from their stored HTML (:mod:`~glossary_gen.engines.mkdocs.restart`; its entries come from
the entry cache, :mod:`glossary_gen.run.entry_cache`, its doctest results from theirs).

The record of a build and the keys of what every page shows are in
:mod:`~glossary_gen.engines.mkdocs.records`, what this keeps of Material's tags and search
plugins in :mod:`~glossary_gen.engines.mkdocs.search_and_tags`, the pages' warnings in
:mod:`~glossary_gen.engines.mkdocs.build_log`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_gen.engines.mkdocs import search_and_tags, search_sections
from glossary_gen.engines.mkdocs.build_log import BuildLog
from glossary_gen.engines.mkdocs.records import (
    PageRecord,
    SiteRecord,
    delete_stale,
    nav_key,
    output_stat,
    session,
    site_key,
)
from glossary_gen.engines.mkdocs.restart import RestartStore, restart_from
from glossary_gen.engines.mkdocs.search_and_tags import SearchEntry
from glossary_gen.incremental import ANYTHING, Fact, LinkFacts, mentions, text_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from glossary_gen.core.diagnostics import Diagnostic

log = logging.getLogger("mkdocs.plugins.glossary")

#: Plugins whose state this module keeps whole (search, tags) or that build nothing site-wide;
#: any other plugin may aggregate pages in ways unknown here, and then every page is rebuilt.
KNOWN_PLUGINS = frozenset(
    {
        "glossary_gen.engines.mkdocs.plugin.GlossaryPlugin",
        "material.plugins.search.plugin.SearchPlugin",
        "material.plugins.tags.plugin.TagsPlugin",
    }
)

#: Markdown extensions that put other files into a page: a page's source does not say what it
#: shows, so every page is rebuilt.
READING_EXTENSIONS = ("pymdownx.snippets", "markdown_include", "mdx_include")


class _Decision:
    """``File.is_modified`` as this module decided it (it may change between reading and
    writing the pages, for tag listings)."""

    __slots__ = ("modified",)

    def __init__(self, modified: bool) -> None:
        self.modified = modified

    def __call__(self) -> bool:
        return self.modified


def _stem(src: str) -> str:
    """What a link to the file most likely contains: ``relu`` of ``glossary/relu.md`` or of
    ``glossary/relu/index.html``, ``logo`` of ``img/logo.png``."""
    parts = src.rsplit("/", 2)
    name = parts[-1].rsplit(".", 1)[0]
    if name in ("index", "README") and len(parts) > 1:
        name = parts[-2]
    return name


def full_build_reason(config: MkDocsConfig, previous: SiteRecord | None, key: str) -> str:
    """Why every page is rebuilt ("" when only what changed is); ``key``: this build's
    :func:`~glossary_gen.engines.mkdocs.records.site_key`."""
    unknown = sorted(
        name
        for name, plugin in config.plugins.items()
        if f"{type(plugin).__module__}.{type(plugin).__qualname__}" not in KNOWN_PLUGINS
    )
    reading = [
        name
        for name in (
            e if isinstance(e, str) else type(e).__module__ for e in config.markdown_extensions
        )
        if name.startswith(READING_EXTENSIONS)
    ]
    return (
        "no earlier build"
        if previous is None
        else f"plugin {unknown[0]!r} is not known to the glossary's incremental builds"
        if unknown
        else f"{reading[0]} puts other files into pages"
        if reading
        else "mkdocs.yml or the theme changed"
        if previous.site_key != key
        else ""
    )


#: Why a page whose only change is its output file is rebuilt.
_OUTPUT = "its output file is not the last build's"


def _why_rebuild(
    record: PageRecord | None,
    key: object,
    source: str,
    changed: set[Fact],
    appeared: set[str],
    output: str,
) -> str:
    """Why a page of the last build (``record``) is rebuilt ("": it is kept)."""
    return (
        "new"
        if record is None
        else "its inputs changed"
        if key is None or record.key != key
        else f"it shows {sorted(record.reads & changed)[0]}"
        if not record.reads.isdisjoint(changed)
        else "it mentions a page that came or went"
        if appeared and mentions(source, appeared)
        else _OUTPUT
        if output_stat(output) != record.output
        else ""
    )


def _kept_pages(
    files: Files, decisions: Mapping[str, _Decision], records: Mapping[str, PageRecord]
) -> list[Page]:
    """The pages of the last build (``records``) that this build keeps."""
    pages = []
    for file in files.documentation_pages(inclusion=lambda _level: True):
        decision = decisions.get(file.src_uri)
        if (
            decision is not None
            and not decision.modified
            and file.page is not None
            and file.src_uri in records
        ):
            pages.append(file.page)
    return pages


class PartialBuild:
    """One build's decisions; the glossary plugin calls it from its events (see the module
    docstring for the story)."""

    def __init__(
        self,
        config: MkDocsConfig,
        cache_dir: Path | None = None,
        entries_dir: Path | None = None,
    ) -> None:
        self.config = config
        #: Where the record is kept for a new server (:mod:`.restart`); None: nowhere.
        self._cache = (cache_dir, entries_dir) if cache_dir is not None else None
        self._restart: RestartStore | None = None
        #: Whether this build started from the record a server before this process kept.
        self.restored = False
        self.session = session(config.config_file_path or "mkdocs.yml", config.site_dir)
        self.previous = self.session.record
        self.session.record = None  # until this build has finished: a failed one leaves none
        self.site_key = site_key(config)
        #: Why every page is rebuilt ("" when only what changed is).
        self.full_reason = full_build_reason(config, self.previous, self.site_key)
        site = Path(config.site_dir)
        accurate = self.previous is not None or not (site.is_dir() and any(site.iterdir()))
        self._log = BuildLog(config, accurate=accurate)
        self.decisions: dict[str, _Decision] = {}
        self.keys: dict[str, object] = {}
        self.sources: dict[str, str] = {}
        self.reads: dict[str, frozenset[Fact]] = {}
        self.diagnostics: dict[str, list[Diagnostic]] = {}
        self.built: dict[str, list[SearchEntry]] = {}
        self.facts: LinkFacts | None = None
        self.files: Files | None = None
        self.file_keys: dict[str, str] = {}
        self._search_mark = 0
        self._render: Callable[[str], None] | None = None
        self._listing_only: set[str] = set()
        #: The formulas (math cache keys) of the pages the plugin rendered, by source.
        self.formulas: dict[str, frozenset[str]] = {}
        self.nav = self.tags = ""
        self._sections: search_sections.SectionIndex | None = None
        self._exports = search_and_tags.TagExports()

    @property
    def incremental(self) -> bool:
        return not self.full_reason

    @property
    def dirty(self) -> bool:
        """Whether MkDocs said this build is dirty (``mkdocs serve --dirty``)."""
        return self._log.dirty

    # -- on_files --

    def plan(
        self,
        files: Files,
        *,
        facts: LinkFacts,
        terms: dict[str, tuple[object, str]],
        generated: dict[str, str],
        render: Callable[[str], None],
    ) -> set[str]:
        """Decide every page and generated file. ``terms``: each term page's render key and
        entry body; ``generated``: the content of the plugin's other generated files (the index
        page's Markdown included); ``render`` makes a kept term page's Markdown after all (when
        the navigation changed). Returns the term pages to render now."""
        self.files, self.facts, self._render = files, facts, render
        self._sections = search_sections.install(self.config, self.session.search)
        if self._cache is not None and self._log.dirty:  # a new server: the last one's record
            self._restart, self.previous, self.restored = restart_from(
                self.config, self.site_key, self._cache, self.previous
            )
            self.full_reason = full_build_reason(self.config, self.previous, self.site_key)
        previous = self.previous if self.incremental else None
        changed: set[Fact] = set()
        appeared: set[str] = set()
        now = {f.src_uri: f.abs_dest_path for f in files}
        if previous is not None:
            if previous.facts is not None:
                changed = facts.changed(previous.facts)
            appeared = {_stem(s) for s in now.keys() ^ previous.outputs.keys()}
        listings = previous.listings if previous is not None else frozenset()
        to_render = set()
        for file in files:
            src = file.src_uri
            if file.is_documentation_page():
                if src in terms:
                    key, source = terms[src]
                elif src in generated:
                    key, source = text_key(generated[src]), generated[src]
                elif file.generated_by is None:
                    try:
                        source = file.content_string
                    except (OSError, ValueError):
                        source = ""  # MkDocs reports an unreadable page when it reads it
                    key = text_key(source)
                else:  # another plugin's page: its inputs are unknown here
                    key, source = None, ""
                self.keys[src], self.sources[src] = key, source
                record = previous.pages.get(src) if previous is not None else None
                why = _why_rebuild(record, key, source, changed, appeared, file.abs_dest_path)
                restart = self._restart if why == _OUTPUT else None
                if restart and restart.write_kept(src, record, previous, file.abs_dest_path):
                    why = ""  # a page of the server before this process: its stored HTML
                if src in listings and not why:  # read for its listings; written if they changed
                    self._listing_only.add(src)
                modified = bool(why) or src in listings
                if why and previous is not None:
                    log.debug(f"glossary: rebuilding {src}: {why}")
                self._decide(file, modified)
                if modified and src in terms:
                    to_render.add(src)
            elif src in generated:
                key = self.file_keys[src] = text_key(generated[src])
                kept = previous.files.get(src) if previous is not None else None
                self._decide(
                    file,
                    kept is None or kept[0] != key or output_stat(file.abs_dest_path) != kept[1],
                )
        return to_render

    def _decide(self, file: File, modified: bool) -> None:
        decision = self.decisions[file.src_uri] = _Decision(modified)
        setattr(file, "is_modified", decision)  # what MkDocs' dirty builds ask  # noqa: B010

    def modified(self, src: str) -> bool:
        decision = self.decisions.get(src)
        return decision is None or decision.modified

    def kept_diagnostics(self, src: str) -> list[Diagnostic]:
        """The render problems of a term page that is kept (logged again, as a full build would)."""
        record = self.previous.pages.get(src) if self.previous is not None else None
        return list(record.diagnostics) if record is not None else []

    def rendered(self, src: str, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics[src] = diagnostics

    # -- pages --

    def converted(self, page: Page, reads: Iterable[Fact]) -> None:
        """``on_page_content``: the facts the page's Markdown conversion looked up."""
        self.reads[page.file.src_uri] = frozenset(reads)

    def before_pages(self, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """``on_env``: give kept pages back their title, meta data and anchors; rebuild every
        page if the navigation changed; give the tags plugin every page's tags."""
        records = self.previous.pages if self.previous is not None else {}
        kept = _kept_pages(files, self.decisions, records)
        self._titled: list[Page] = []
        for page in kept:
            record = records[page.file.src_uri]
            if "title" not in vars(page):  # not given by the nav: MkDocs reads it from the page
                page.title = record.title
                self._titled.append(page)
            page.meta = dict(record.meta)
            page.present_anchor_ids = record.anchors
        self.nav = nav_key(nav, config)
        if kept and self.previous is not None and self.nav != self.previous.nav:
            _read_all(self, config, files, kept)
        self.tags = search_and_tags.complete_tags(config, files, records, self.modified)
        if self.previous is not None and self.tags == self.previous.tags:
            for src in self._listing_only:  # the same listings: the page as it was
                self.decisions[src].modified = False
            # The exported mappings hold what the listings show: the file written before.
            self._exports.skip_unchanged(config, self.previous.tag_exports)

    def page_built(self, page: Page, config: MkDocsConfig) -> None:
        """``on_post_page``: the search entries Material's search plugin made of the page."""
        index = search_and_tags.search_index(config)
        entries: list[SearchEntry] = []
        if index is not None:
            entries = index.entries[self._search_mark :]
            self._search_mark = len(index.entries)
        self.built[page.file.src_uri] = entries

    # -- on_post_build --

    def finish(self, config: MkDocsConfig) -> None:
        """Complete search, log the kept pages' warnings, delete stale files, keep the record."""
        from glossary_gen.site.markdown_ext import MATH_CACHE

        try:
            files = self.files
            if files is None:  # the plugin is off: nothing to keep
                return
            previous = self.previous
            pages = list(files.documentation_pages(inclusion=lambda _l: True))
            records: dict[str, PageRecord] = {}
            search: list[SearchEntry] = []
            replay: list[logging.LogRecord] = []
            for file in pages:
                src = file.src_uri
                if src in self.built:
                    record = _page_record(self, file, config)
                elif previous is not None and not self.modified(src) and src in previous.pages:
                    record = previous.pages[src]
                    replay.extend(record.warnings)
                    if record.formulas:  # still in use: kept in the formula cache
                        MATH_CACHE.used.update(k for k in record.formulas if k in MATH_CACHE.data)
                else:
                    continue  # not part of this build (a draft of `mkdocs build`)
                records[src] = record
                search.extend(record.search)
            search_and_tags.restore_search(config, search, kept=previous is not None)
            if self._sections is not None:
                self.session.search = self._sections.finish()
            BuildLog.replay(replay)
            outputs = {f.src_uri: f.abs_dest_path for f in files}
            if previous is not None:
                delete_stale(
                    config.site_dir, set(previous.outputs.values()) - set(outputs.values())
                )
            kept_files = {}
            for src, key in self.file_keys.items():
                written = files.get_file_from_path(src)
                if written is not None:
                    kept_files[src] = (key, output_stat(written.abs_dest_path))
            exports = self._exports.written(config)
            rebuilt = frozenset(self.built)
            site = self.session.record = SiteRecord(
                site_key=self.site_key,
                facts=self.facts,
                pages=records,
                files=kept_files,
                outputs=outputs,
                nav=self.nav,
                listings=frozenset(search_and_tags.listing_pages(config)),
                tags=self.tags,
                rebuilt=rebuilt,
                tag_exports=exports,
            )
            if self._restart is not None:
                before = previous.digests if previous is not None else {}
                self._restart.save(site, config.site_dir, rebuilt, before)
            if previous is not None:
                how = f"incremental, {self.full_reason}" if self.full_reason else "incremental"
                log.info(f"glossary: rebuilt {len(rebuilt)} of {len(records)} pages ({how})")
        finally:
            self.stop()

    def stop(self) -> None:
        """Undo the logging changes and the tags plugins' skipped export (also after a failed
        build)."""
        self._exports.restore()
        self._log.stop()


def _page_record(build: PartialBuild, file: File, config: MkDocsConfig) -> PageRecord:
    """What the next build needs of a page this build made."""
    from glossary_gen.site.markdown_ext import formula_keys

    src, page = file.src_uri, file.page
    assert page is not None
    return PageRecord(
        key=build.keys.get(src),
        reads=build.reads.get(src, frozenset({ANYTHING})),
        source=build.sources.get(src, ""),
        title=page.title,
        meta=dict(page.meta),
        anchors=page.present_anchor_ids,
        search=build.built[src],
        warnings=build._log.warnings(src),
        diagnostics=build.diagnostics.get(src, []),
        output=output_stat(file.abs_dest_path),
        formulas=build.formulas.get(src) or frozenset(formula_keys(page.markdown or "")),
        tags=search_and_tags.tags_of(page, config),
    )


def _read_all(build: PartialBuild, config: MkDocsConfig, files: Files, kept: list[Page]) -> None:
    """A page title in the navigation changed: every page shows it, so read the kept pages
    now (MkDocs has read the others) and build them all."""
    from mkdocs.commands.build import _populate_page

    log.info("glossary: the navigation changed; rebuilding every page")
    build.full_reason = "the navigation changed"
    build._listing_only.clear()
    for page in kept:
        src = page.file.src_uri
        build.decisions[src].modified = True
        if build._render is not None and src in build.keys and not page.file.content_string:
            build._render(src)
        if page in build._titled:  # from the page again, as MkDocs does
            del page.title
        page.meta = {}
        _populate_page(page, config, files)
