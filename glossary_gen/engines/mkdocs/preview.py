"""Under ``mkdocs serve --dirty``, the page of the entry just saved is served first.

MkDocs rebuilds after a save and reloads the browsers once the whole build is done: at 1,000
entries that is a second or more, most of it MkDocs' own work for the whole site (page objects,
navigation, tags, search index, sitemap), which no plugin can shorten. So the server's builder
is wrapped (``on_serve``, :func:`serve_saved_page_first`): when the save was of entry files
that have a term page, those pages are made first, from the last build's MkDocs objects (its
configuration, files, navigation and templates) and the glossary checked again, and the
browsers are reloaded at once. Then MkDocs' build runs as before and makes the whole site; if
it changed any other page, or made a previewed page differently, the browsers reload again.

The previewed page is what the build makes of it: the same Markdown, the same plugin events
(the sanitizer, the finishing, the output audit), the same template. It is written only if the
audit passed it, by an atomic rename; anything unexpected (an exception, a new page, an unknown
plugin, a server without the expected internals) and the preview is skipped: the build that
follows is the one that would have run anyway. Hugo's "fast render" mode is the same idea.

Nothing is logged by the preview: the build that follows logs the glossary's problems once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mkdocs.commands.build import get_context

from glossary_gen.engines.mkdocs.handover import preview_handover
from glossary_gen.engines.mkdocs.partial_build import full_build_reason
from glossary_gen.engines.mkdocs.records import Session

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from glossary_gen.core.config import Settings
    from glossary_gen.engines.mkdocs.audit_gate import AuditGate
    from glossary_gen.engines.mkdocs.handover import Handover
    from glossary_gen.engines.mkdocs.page_content import Sanitizer
    from glossary_gen.engines.mkdocs.partial_build import PartialBuild
    from glossary_gen.incremental import Memo
    from glossary_gen.site.markdown_ext import GlossaryExtension
    from glossary_gen.site.pages import PageOptions

log = logging.getLogger("mkdocs.plugins.glossary")

#: At most this many entry files saved at once are previewed (a checkout of a branch is not).
MAX_PREVIEWED = 5


@dataclass(frozen=True)
class Written:
    """A previewed page's output file and the SHA-256 of what was written."""

    path: Path
    digest: str


class Plugin(Protocol):
    """What the preview uses of the glossary plugin of the last build (``plugin.py``, which
    imports this module)."""

    settings: Settings | None
    options: PageOptions | None
    extension: GlossaryExtension
    partial: PartialBuild | None
    handover: Handover | None
    sanitizer: Sanitizer
    audit: AuditGate


@dataclass
class LastBuild:
    """What the last complete ``mkdocs serve --dirty`` build made, kept for the next preview."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    plugin: Plugin


#: The last complete dirty build of each site (its :class:`~.records.Session`) in this process.
_LAST_BUILDS: weakref.WeakKeyDictionary[Session, LastBuild] = weakref.WeakKeyDictionary()


def keep_last_build(session: Session, last: LastBuild | None) -> None:
    """Keep the objects of a complete dirty build (``None``: a build has started)."""
    if last is None:
        _LAST_BUILDS.pop(session, None)
    else:
        _LAST_BUILDS[session] = last


def last_build(session: Session) -> LastBuild | None:
    return _LAST_BUILDS.get(session)


def keep_for_preview(last: LastBuild) -> None:
    """After a build (``on_post_build``): kept if it was a complete dirty build whose successor
    can be partial too (no plugin or extension the partial builds do not know)."""
    partial = last.plugin.partial
    if partial is None or not partial.dirty or partial.session.record is None:
        return
    if not full_build_reason(last.config, partial.session.record, partial.site_key):
        keep_last_build(partial.session, last)


def preview(last: LastBuild, changed: Iterable[Path], memo: Memo) -> dict[str, Written]:
    """Make and write the term pages of the entry files ``changed`` from the last build's
    objects. Returns what was written, by page source (empty: nothing was previewed, nothing
    written)."""
    plugin, config, files = last.plugin, last.config, last.files
    settings, options = plugin.settings, plugin.options
    changed = [Path(p) for p in changed if str(p).endswith(".md")]
    if settings is None or options is None or not 0 < len(changed) <= MAX_PREVIEWED:
        return {}
    if any(not path.is_file() for path in changed):
        return {}  # deleted or renamed: pages and links change everywhere
    handover, made = preview_handover(
        files,
        config,
        settings=settings,
        options=options,
        extension=plugin.extension,
        memo=memo,
        changed=changed,
    )
    mkdocs_files = {src: files.get_file_from_path(src) for src in made}
    if not made or any(f is None or f.page is None for f in mkdocs_files.values()):
        return {}  # a new page: the navigation, the sitemap and the search index change
    outputs: dict[str, Written] = {}
    partial, plugin.partial = plugin.partial, None  # the build record is the builds' own
    plugin.handover = handover
    problems = len(plugin.audit.problems)
    try:
        pages = []
        for src, rendered in made.items():
            file = mkdocs_files[src]
            assert file is not None and file.page is not None
            file.content_string = rendered.markdown
            pages.append(file.page)
        for page in pages:  # read every page first, as a build does (sanitized meanwhile)
            _read(page, config, files)
        built = [(page, _built(page, config, files, last.nav, last.env)) for page in pages]
        if len(plugin.audit.problems) != problems:
            return {}  # refused: the build that follows reports it, and fails
        for page, html in built:
            data = html.encode("utf-8", errors="xmlcharrefreplace")
            path = Path(page.file.abs_dest_path)
            _write_atomically(path, data)
            outputs[page.file.src_uri] = Written(path, hashlib.sha256(data).hexdigest())
    finally:
        plugin.sanitizer.stop()
        plugin.partial = partial
        del plugin.audit.problems[problems:]
    return outputs


def _read(page: Page, config: MkDocsConfig, files: Files) -> None:
    """MkDocs' reading of a page (``_populate_page``, which is private): its Markdown, the
    plugins' ``page_markdown`` events, the conversion, their ``page_content`` events."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown or "", page=page, config=config, files=files
        )
        page.render(config, files)
        page.content = config.plugins.on_page_content(
            page.content or "", page=page, config=config, files=files
        )
    finally:
        config._current_page = None


def _built(
    page: Page, config: MkDocsConfig, files: Files, nav: Navigation, env: jinja2.Environment
) -> str:
    """MkDocs' building of a page (``_build_page``, private too), without writing it: the
    context, the ``page_context`` events, the template, the ``post_page`` events."""
    config._current_page = page
    page.active = True
    try:
        context = get_context(nav, files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        output = template.render(context)
        return str(config.plugins.on_post_page(output, page=page, config=config))
    finally:
        page.active = False
        config._current_page = None


def _write_atomically(path: Path, data: bytes) -> None:
    """The server may be reading the file meanwhile: it sees the old page or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".preview-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Quiet(logging.Filter):
    """Drops what this thread logs (the preview's logs repeat what the build will say)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


class SavedPageFirst:
    """The server's builder, wrapped: the saved entries' pages first, then MkDocs' build."""

    def __init__(
        self, server: LiveReloadServer, builder: Callable[[], object], session: Session
    ) -> None:
        self.server, self.builder, self.session = server, builder, session
        self._lock = threading.Lock()
        self._saved: set[Path] = set()

    def saved(self, paths: Iterable[str]) -> None:
        """Entry files the watcher saw change (called from its thread)."""
        with self._lock:
            self._saved.update(Path(p) for p in paths)

    def __call__(self) -> None:
        with self._lock:
            saved, self._saved = self._saved, set()
        previewed = self._preview(saved) if saved else {}
        self.builder()  # the last build's objects are let go once it has started
        if previewed and self._changed_more(previewed):
            # the build changed more than the preview showed: the browsers reload again
            self.server._wanted_epoch = max(self.server._wanted_epoch + 1, _timestamp())

    def _preview(self, saved: set[Path]) -> dict[str, Written]:
        last = last_build(self.session)
        if last is None:
            return {}
        start = time.perf_counter()
        quiet = _Quiet()
        handlers = [*logging.getLogger().handlers, *logging.getLogger("mkdocs").handlers]
        for handler in handlers:
            handler.addFilter(quiet)
        failure: Exception | None = None
        try:
            previewed = preview(last, saved, self.session.memo)
        except Exception as exc:  # noqa: BLE001 - the build that follows makes the page, and reports why
            previewed, failure = {}, exc
        finally:
            for handler in handlers:
                handler.removeFilter(quiet)
        if failure is not None:
            log.debug("glossary: no preview of the saved page", exc_info=failure)
        if previewed:
            with self.server._epoch_cond:  # the browsers reload now, and are served at once
                self.server._visible_epoch = self.server._wanted_epoch
                self.server._epoch_cond.notify_all()
            pages = ", ".join(sorted(previewed))
            log.info(f"glossary: {pages} served first ({time.perf_counter() - start:.2f} s)")
        return previewed

    def _changed_more(self, previewed: dict[str, Written]) -> bool:
        """Whether the build rebuilt a page besides the previewed ones, or made one of those
        differently."""
        record = self.session.record
        if record is None or not record.rebuilt <= set(previewed):
            return True
        for written in previewed.values():
            try:
                if hashlib.sha256(written.path.read_bytes()).hexdigest() != written.digest:
                    return True
            except OSError:
                return True
        return False


def _timestamp() -> int:
    """An epoch as MkDocs' server counts them (milliseconds of the monotonic clock)."""
    return round(time.monotonic() * 1000)


def serve_saved_page_first(
    server: LiveReloadServer, partial: PartialBuild | None
) -> SavedPageFirst | None:
    """Wrap the server's builder (``on_serve``, after the first build: ``partial``); ``None``
    when the server does not make dirty builds, or lacks what the preview needs (then builds
    run as they always have)."""
    needed = ("builder", "_epoch_cond", "_visible_epoch", "_wanted_epoch")
    if partial is None or not partial.dirty or not all(hasattr(server, n) for n in needed):
        return None
    wrapped = SavedPageFirst(server, server.builder, partial.session)
    server.builder = wrapped
    return wrapped
