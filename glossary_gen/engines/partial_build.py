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

Nothing is cached across processes here: a new ``mkdocs serve`` starts with a full build.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from glossary_gen.incremental import ANYTHING, Fact, LinkFacts, Memo, mentions, text_key

if TYPE_CHECKING:
    import jinja2
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
        "glossary_gen.engines.plugin.GlossaryPlugin",
        "material.plugins.search.plugin.SearchPlugin",
        "material.plugins.tags.plugin.TagsPlugin",
    }
)

#: Markdown extensions that put other files into a page: a page's source does not say what it
#: shows, so every page is rebuilt.
READING_EXTENSIONS = ("pymdownx.snippets", "markdown_include", "mdx_include")

#: What MkDocs logs about dirty builds; not true of the builds this module completes.
_DIRTY_MESSAGES = ("A 'dirty' build is being performed", "The directory contains stale files")


@dataclass
class PageRecord:
    """What one page was made of when it was last built, and what it gave the rest of the site."""

    key: object
    reads: frozenset[Fact]
    source: str
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    anchors: set[str] | None = None
    search: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[logging.LogRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    output: tuple[int, int] | None = None
    #: The formulas of the page (math cache keys), still in use while the page is kept.
    formulas: frozenset[str] = frozenset()
    #: The page's tags as each tags plugin (by name) made them, for when the page is kept.
    tags: dict[str, frozenset[Any]] = field(default_factory=dict)


@dataclass
class SiteRecord:
    """The last build of one site (``mkdocs.yml`` and site folder)."""

    site_key: str
    facts: LinkFacts | None
    pages: dict[str, PageRecord]
    #: Generated files other than pages: content key and output stat, by source path.
    files: dict[str, tuple[str, tuple[int, int] | None]]
    #: Every file of the site (source path -> output path), for stale files and mentions.
    outputs: dict[str, str]
    nav: str
    listings: frozenset[str]
    #: Every page's tags and title, as the tag listings show them.
    tags: str
    #: Pages built by that build (for tests and the log line).
    rebuilt: frozenset[str] = frozenset()


@dataclass
class Session:
    """Cross-build state of one site in this process."""

    memo: Memo = field(default_factory=Memo)
    record: SiteRecord | None = None


#: Sessions by (mkdocs.yml, site folder); a few, so that unrelated builds in one process (tests)
#: neither share state nor pile it up.
_SESSIONS: OrderedDict[tuple[str, str], Session] = OrderedDict()
_MAX_SESSIONS = 4


def session(config_file: str, site_dir: str) -> Session:
    key = (os.path.abspath(config_file), os.path.abspath(site_dir))
    found = _SESSIONS.pop(key, None) or Session()
    _SESSIONS[key] = found
    while len(_SESSIONS) > _MAX_SESSIONS:
        _SESSIONS.popitem(last=False)
    return found


class _Decision:
    """``File.is_modified`` as this module decided it (it may change between reading and
    writing the pages, for tag listings)."""

    __slots__ = ("modified",)

    def __init__(self, modified: bool) -> None:
        self.modified = modified

    def __call__(self) -> bool:
        return self.modified


def _stat(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _stem(src: str) -> str:
    """What a link to the file most likely contains: ``relu`` of ``glossary/relu.md`` or of
    ``glossary/relu/index.html``, ``logo`` of ``img/logo.png``."""
    parts = src.rsplit("/", 2)
    name = parts[-1].rsplit(".", 1)[0]
    if name in ("index", "README") and len(parts) > 1:
        name = parts[-2]
    return name


class _WarningsByPage(logging.Handler):
    """Keeps the warnings MkDocs and the plugins log while a page is read or built."""

    def __init__(self, config: MkDocsConfig) -> None:
        super().__init__(logging.WARNING)
        self.config = config
        self.by_page: dict[str, list[logging.LogRecord]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        page = getattr(self.config, "_current_page", None)
        if page is not None:
            self.by_page.setdefault(page.file.src_uri, []).append(record)


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_DIRTY_MESSAGES)


class PartialBuild:
    """One build's decisions; the glossary plugin calls it from its events (see the module
    docstring for the story)."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.session = session(config.config_file_path or "mkdocs.yml", config.site_dir)
        self.previous = self.session.record
        self.session.record = None  # until this build has finished: a failed one leaves none
        self.site_key = _site_key(config)
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
        #: Why every page is rebuilt ("" when only what changed is).
        self.full_reason = (
            "no earlier build"
            if self.previous is None
            else f"plugin {unknown[0]!r} is not known to the glossary's incremental builds"
            if unknown
            else f"{reading[0]} puts other files into pages"
            if reading
            else "mkdocs.yml or the theme changed"
            if self.previous.site_key != self.site_key
            else ""
        )
        site = Path(config.site_dir)
        self._accurate = self.previous is not None or not (site.is_dir() and any(site.iterdir()))
        self._filter = _DropDirtyWarning()
        if self._accurate:  # this build leaves the site as a full build would
            logging.getLogger("mkdocs.commands.build").addFilter(self._filter)
        self._warnings = _WarningsByPage(config)
        logging.getLogger("mkdocs").addHandler(self._warnings)
        self.decisions: dict[str, _Decision] = {}
        self.keys: dict[str, object] = {}
        self.sources: dict[str, str] = {}
        self.reads: dict[str, frozenset[Fact]] = {}
        self.diagnostics: dict[str, list[Diagnostic]] = {}
        self.built: dict[str, list[dict[str, Any]]] = {}
        self.facts: LinkFacts | None = None
        self.files: Files | None = None
        self.file_keys: dict[str, str] = {}
        self._search_mark = 0
        self._render: Callable[[str], None] | None = None
        self._listing_only: set[str] = set()
        #: The formulas (math cache keys) of the pages the plugin rendered, by source.
        self.formulas: dict[str, frozenset[str]] = {}
        self.nav = self.tags = ""

    @property
    def incremental(self) -> bool:
        return not self.full_reason

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
                why = (
                    "new"
                    if record is None
                    else "its inputs changed"
                    if key is None or record.key != key
                    else f"it shows {sorted(record.reads & changed)[0]}"
                    if not record.reads.isdisjoint(changed)
                    else "it mentions a page that came or went"
                    if appeared and mentions(source, appeared)
                    else "its output file is not the last build's"
                    if _stat(file.abs_dest_path) != record.output
                    else ""
                )
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
                    kept is None or kept[0] != key or _stat(file.abs_dest_path) != kept[1],
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
        kept = self._kept_pages(files)
        self._titled: list[Page] = []
        records = self.previous.pages if self.previous is not None else {}
        for page in kept:
            record = records[page.file.src_uri]
            if "title" not in vars(page):  # not given by the nav: MkDocs reads it from the page
                page.title = record.title
                self._titled.append(page)
            page.meta = dict(record.meta)
            page.present_anchor_ids = record.anchors
        self.nav = _nav_key(nav, config)
        if kept and self.previous is not None and self.nav != self.previous.nav:
            self._read_all(config, files, kept)
        self.tags = self._complete_tags(config, files)
        if self.previous is not None and self.tags == self.previous.tags:
            for src in self._listing_only:  # the same listings: the page as it was
                self.decisions[src].modified = False

    def _kept_pages(self, files: Files) -> list[Page]:
        if self.previous is None:
            return []
        pages = []
        for file in files.documentation_pages(inclusion=lambda _level: True):
            decision = self.decisions.get(file.src_uri)
            if (
                decision is not None
                and not decision.modified
                and file.page is not None
                and file.src_uri in self.previous.pages
            ):
                pages.append(file.page)
        return pages

    def _read_all(self, config: MkDocsConfig, files: Files, kept: list[Page]) -> None:
        """A page title in the navigation changed: every page shows it, so read the kept pages
        now (MkDocs has read the others) and build them all."""
        from mkdocs.commands.build import _populate_page

        log.info("glossary: the navigation changed; rebuilding every page")
        self.full_reason = "the navigation changed"
        self._listing_only.clear()
        for page in kept:
            src = page.file.src_uri
            self.decisions[src].modified = True
            if self._render is not None and src in self.keys and not page.file.content_string:
                self._render(src)
            if page in self._titled:  # from the page again, as MkDocs does
                del page.title
            page.meta = {}
            _populate_page(page, config, files)

    def _complete_tags(self, config: MkDocsConfig, files: Files) -> str:
        """Material's tags plugin collects tags while pages are read, so pages kept from the
        last build are missing from its mappings: put them in, in page order. Returns what the
        tag listings show of the pages (their address, title and tags)."""
        try:
            from material.plugins.tags.plugin import TagsPlugin  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - Material is a dependency
            return ""
        pages = [f.page for f in files.documentation_pages(inclusion=lambda _l: True) if f.page]
        # A theme that overrides the tag fragments may show more of a page than its title.
        custom = config.theme.custom_dir
        whole = bool(custom) and any(
            os.path.isdir(os.path.join(str(custom), d, "tags")) for d in ("fragments", "partials")
        )
        shown: list[object] = []
        from material.plugins.tags.structure.mapping import (  # type: ignore[import-untyped]
            Mapping,
        )

        records = self.previous.pages if self.previous is not None else {}
        for name, plugin in config.plugins.items():
            if not isinstance(plugin, TagsPlugin) or not plugin.config.enabled:
                continue
            mappings = plugin.mappings
            fresh = dict(mappings.data)
            mappings.data = {}
            for page in pages:
                src = page.file.src_uri
                if page.url in fresh:
                    mappings.data[page.url] = fresh[page.url]
                elif not self.modified(src) and plugin.filter(page.file):
                    tags = records[src].tags.get(name) if src in records else None
                    if tags is not None:  # the tags the plugin made of the page last time
                        mappings.data[page.url] = Mapping(page, tags=tags)
                    else:
                        mappings.add(page, "")
            for mapping in mappings:
                item = mapping.item
                shown.append(
                    (
                        item.url,
                        item.title,
                        sorted((t.name, bool(t.hidden)) for t in mapping.tags),
                        json.dumps(item.meta, sort_keys=True, default=str) if whole else "",
                    )
                )
        return text_key(repr(shown))

    def page_built(self, page: Page, config: MkDocsConfig) -> None:
        """``on_post_page``: the search entries Material's search plugin made of the page."""
        index = _search_index(config)
        entries: list[dict[str, Any]] = []
        if index is not None:
            entries = index.entries[self._search_mark :]
            self._search_mark = len(index.entries)
        self.built[page.file.src_uri] = entries

    # -- on_post_build --

    def finish(self, config: MkDocsConfig) -> None:
        """Complete search, log the kept pages' warnings, delete stale files, keep the record."""
        from glossary_gen.site.markdown_ext import MATH_CACHE, formula_keys

        try:
            files = self.files
            if files is None:  # the plugin is off: nothing to keep
                return
            previous = self.previous
            pages = list(files.documentation_pages(inclusion=lambda _l: True))
            records: dict[str, PageRecord] = {}
            search: list[dict[str, Any]] = []
            replay: list[logging.LogRecord] = []
            for file in pages:
                src = file.src_uri
                if src in self.built:
                    page = file.page
                    assert page is not None
                    record = PageRecord(
                        key=self.keys.get(src),
                        reads=self.reads.get(src, frozenset({ANYTHING})),
                        source=self.sources.get(src, ""),
                        title=page.title,
                        meta=dict(page.meta),
                        anchors=page.present_anchor_ids,
                        search=self.built[src],
                        warnings=self._warnings.by_page.get(src, []),
                        diagnostics=self.diagnostics.get(src, []),
                        output=_stat(file.abs_dest_path),
                        formulas=self.formulas.get(src)
                        or frozenset(formula_keys(page.markdown or "")),
                        tags=_tags_of(page, config),
                    )
                elif previous is not None and not self.modified(src) and src in previous.pages:
                    record = previous.pages[src]
                    replay.extend(record.warnings)
                    if record.formulas:  # still in use: kept in the formula cache
                        MATH_CACHE.used.update(k for k in record.formulas if k in MATH_CACHE.data)
                else:
                    continue  # not part of this build (a draft of `mkdocs build`)
                records[src] = record
                search.extend(record.search)
            index = _search_index(config)
            if index is not None and previous is not None:
                index.entries = search
            for plugin in config.plugins.values():  # its own dirty-build merging would duplicate
                if hasattr(plugin, "search_index_prev"):
                    plugin.search_index_prev = None
            for warning in replay:
                logging.getLogger(warning.name).handle(warning)
            outputs = {f.src_uri: f.abs_dest_path for f in files}
            if previous is not None:
                _delete_stale(
                    config.site_dir, set(previous.outputs.values()) - set(outputs.values())
                )
            kept_files = {}
            for src, key in self.file_keys.items():
                written = files.get_file_from_path(src)
                if written is not None:
                    kept_files[src] = (key, _stat(written.abs_dest_path))
            rebuilt = frozenset(self.built)
            self.session.record = SiteRecord(
                site_key=self.site_key,
                facts=self.facts,
                pages=records,
                files=kept_files,
                outputs=outputs,
                nav=self.nav,
                listings=frozenset(_listing_pages(config)),
                tags=self.tags,
                rebuilt=rebuilt,
            )
            if previous is not None:
                how = f"incremental, {self.full_reason}" if self.full_reason else "incremental"
                log.info(f"glossary: rebuilt {len(rebuilt)} of {len(records)} pages ({how})")
        finally:
            self.stop()

    def stop(self) -> None:
        """Undo the logging changes (also after a failed build)."""
        logging.getLogger("mkdocs").removeHandler(self._warnings)
        logging.getLogger("mkdocs.commands.build").removeFilter(self._filter)


def _site_key(config: MkDocsConfig) -> str:
    """What every page depends on besides its own inputs: mkdocs.yml and the theme overrides."""
    parts: list[object] = []
    path = config.config_file_path
    if path:
        try:
            parts.append(Path(path).read_bytes())
        except OSError:
            parts.append(None)
    custom = config.theme.custom_dir
    if custom and os.path.isdir(custom):
        for folder, _dirs, names in sorted(os.walk(custom)):
            for name in sorted(names):
                parts.append((folder, name, _stat(os.path.join(folder, name))))
    parts.append(tuple(config.theme.dirs))
    return text_key(repr(parts))


#: The meta data of a page that Material shows in the navigation (next to the page's title).
NAV_META = ("icon", "subtitle", "status")


def _nav_key(nav: Navigation, config: MkDocsConfig) -> str:
    """The navigation every page shows: its sections, links and pages with their titles and the
    meta data the theme shows there (all of it if ``custom_dir`` overrides navigation parts)."""
    custom = config.theme.custom_dir
    partials = os.path.join(str(custom), "partials") if custom else ""
    whole = (
        bool(partials)
        and os.path.isdir(partials)
        and any(name.startswith(("nav", "tabs")) for name in os.listdir(partials))
    )

    def walk(items: Iterable[Any]) -> list[object]:
        out: list[object] = []
        for item in items:
            children = getattr(item, "children", None)
            meta = getattr(item, "meta", None) or {}
            shown = meta if whole else {k: meta[k] for k in NAV_META if k in meta}
            out.append(
                (
                    type(item).__name__,
                    item.title,
                    getattr(item, "url", None),
                    json.dumps(shown, sort_keys=True, default=str),
                    walk(children) if children else None,
                )
            )
        return out

    return text_key(repr(walk(nav.items)))


def _tags_of(page: Page, config: MkDocsConfig) -> dict[str, frozenset[Any]]:
    """The tags each of Material's tags plugins made of a page (none: no mapping)."""
    found: dict[str, frozenset[Any]] = {}
    for name, plugin in config.plugins.items():
        mappings = getattr(plugin, "mappings", None)
        if type(plugin).__module__ == "material.plugins.tags.plugin" and mappings is not None:
            mapping = mappings.data.get(page.url)
            if mapping is not None:
                found[name] = frozenset(mapping.tags)
    return found


def _search_index(config: MkDocsConfig) -> Any:
    """Material's search index of this build (``None`` without Material's search plugin)."""
    for plugin in config.plugins.values():
        if type(plugin).__module__ == "material.plugins.search.plugin" and plugin.config.enabled:
            return getattr(plugin, "search_index", None)
    return None


def _listing_pages(config: MkDocsConfig) -> set[str]:
    """The pages that hold tag listings (Material's tags plugin found them while reading)."""
    found: set[str] = set()
    for plugin in config.plugins.values():
        listings = getattr(plugin, "listings", None)
        if type(plugin).__module__ == "material.plugins.tags.plugin" and listings is not None:
            found.update(listing.page.file.src_uri for listing in listings)
    return found


def _delete_stale(site_dir: str, gone: Iterable[str]) -> None:
    """Delete the output files of the last build that no file of this build writes (a deleted
    entry's page, a removed alias's redirect), and the folders that leaves empty; only inside
    the site folder."""
    root = os.path.realpath(site_dir)
    for output in gone:
        path = os.path.realpath(output)
        if not path.startswith(root + os.sep):
            continue
        try:
            os.remove(path)
        except OSError:
            continue
        folder = os.path.dirname(path)
        while folder != root and folder.startswith(root + os.sep):
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = os.path.dirname(folder)


class MemoryBytecodeCache:
    """Compiled theme templates for the whole process: every build makes a new Jinja
    environment, which would compile Material's templates again (keyed by template source, so a
    changed override is compiled anew)."""

    def __init__(self) -> None:
        import jinja2

        class _Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                code = self.store.get(bucket.key)
                if code is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                self.store[bucket.key] = bucket.bytecode_to_string()

        self.cache = _Cache()

    def attach(self, env: jinja2.Environment) -> None:
        if env.bytecode_cache is None:
            env.bytecode_cache = self.cache


_BYTECODE: MemoryBytecodeCache | None = None


def compiled_templates(env: jinja2.Environment) -> None:
    """Let ``env`` reuse the templates compiled by earlier builds of this process."""
    global _BYTECODE
    if _BYTECODE is None:
        _BYTECODE = MemoryBytecodeCache()
    _BYTECODE.attach(env)


#: Seconds after a build at which the cycle collector runs (see :func:`collect_idle`).
IDLE_COLLECT_DELAY = 2.0
_collector: threading.Timer | None = None


def collect_idle() -> None:
    """Collect the garbage of a finished build a little later, while the server waits for the
    next edit, instead of in the middle of the next build (where it cost half a rebuild at
    3,000 entries: the collector walks everything that lives on, parsed entries included)."""
    global _collector
    if _collector is not None:
        _collector.cancel()
    _collector = threading.Timer(IDLE_COLLECT_DELAY, gc.collect)
    _collector.daemon = True
    _collector.start()


# -- noticing an edit ---------------------------------------------------------------------------


class _Saves:
    """What two observers of the entries folder have passed on to MkDocs: the state (content
    time and size, or gone) of each file they reported, and which observer reported it first.
    An event is passed on only when it shows a file in a state not passed on before, so each
    save starts one rebuild, whichever observer sees it first."""

    def __init__(self, target: FileSystemEventHandler, proven: Callable[[], None]) -> None:
        self.target = target
        self._proven: Callable[[], None] | None = proven
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[tuple[int, int] | None, str]] = {}

    def handler(self, source: str) -> _ChangedFiles:
        return _ChangedFiles(self, source)

    def changed(self, event: FileSystemEvent, source: str) -> None:
        paths = [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
        new = confirmed = False
        with self._lock:
            for path in paths:
                state = _stat(path)
                seen = self._seen.get(path)
                if seen is not None and seen[0] == state:
                    # polling found what the system reported before: its events arrive
                    confirmed = confirmed or (source == "polling" and seen[1] == "events")
                    continue
                self._seen[path] = (state, source)
                new = True
            proven, self._proven = (self._proven, None) if confirmed else (None, self._proven)
        if new:
            self.target.dispatch(event)
        if proven is not None:
            proven()


class _ChangedFiles(FileSystemEventHandler):
    """One observer's events, for :class:`_Saves`."""

    #: Events that may change a file (not: opened, closed without writing, which reading the
    #: entries during a build causes).
    CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})

    def __init__(self, saves: _Saves, source: str) -> None:
        super().__init__()
        self.saves, self.source = saves, source

    def dispatch(self, event: FileSystemEvent) -> None:
        if not event.is_directory and event.event_type in self.CHANGES:
            self.saves.changed(event, self.source)


class _Capture:
    """Stands in for the server's observer while it registers a folder, to get its handler."""

    handler: FileSystemEventHandler | None = None

    def schedule(
        self, handler: FileSystemEventHandler, path: str, recursive: bool = False
    ) -> object:
        self.handler = handler
        return self


def watch_entries(server: Any, folder: Path) -> BaseObserver | None:
    """Watch the entries folder for ``mkdocs serve``: where the system reports changes itself
    (inotify, FSEvents, ReadDirectoryChangesW), with an event observer, so that a save starts
    the rebuild at once instead of up to half a second later; and with MkDocs' own polling
    (every half second, as for ``docs/``) until polling has seen a save the system reported
    first. Then polling stops: it stats every entry twice a second, which at 3,000 entries
    slows the builds down. Where the system reports nothing (some network and container
    mounts), polling goes on. Returns the event observer (a daemon thread), if one started.
    """
    capture = _Capture()
    observer = getattr(server, "observer", None)
    try:
        server.observer = capture
        server.watch(str(folder))  # MkDocs' handler, and the folder in its "Watching" line
    finally:
        server.observer = observer
    if capture.handler is None or observer is None:  # already watched (or an unknown server)
        return None
    polling: list[Any] = []

    def stop_polling() -> None:
        def unschedule() -> None:
            with contextlib.suppress(KeyError, RuntimeError):
                observer.unschedule(polling[0])
                log.debug(f"glossary: {folder} is watched by system events only")

        threading.Thread(target=unschedule, daemon=True).start()  # not from its own dispatcher

    saves = _Saves(capture.handler, stop_polling)
    polling.append(observer.schedule(saves.handler("polling"), str(folder), recursive=True))
    try:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:  # pragma: no cover - watchdog is MkDocs' dependency
        return None
    if Observer is PollingObserver:
        return None
    try:
        events = Observer()
        events.daemon = True
        events.schedule(saves.handler("events"), str(folder), recursive=True)
        events.start()
    except OSError as exc:  # e.g. the system's limit of watches is reached
        log.debug(f"glossary: watching {folder} by polling only ({exc})")
        return None
    return events
