"""Noticing a save under ``mkdocs serve``: the entries folder is watched with the system's change
events where there are (a save starts the rebuild at once) and with MkDocs' own polling until
polling has seen a save the system reported first (then polling stops: at 3,000 entries its
stat calls slow the builds down). The plugin's ``on_serve`` calls :func:`watch_entries`."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver, ObservedWatch

from glossary_gen.engines.mkdocs.records import output_stat

log = logging.getLogger("mkdocs.plugins.glossary")


class _Saves:
    """What two observers of the entries folder have passed on to MkDocs: the state (content
    time and size, or gone) of each file they reported, and which observer reported it first.
    An event is passed on only when it shows a file in a state not passed on before, so each
    save starts one rebuild, whichever observer sees it first."""

    def __init__(
        self,
        target: FileSystemEventHandler,
        proven: Callable[[], None],
        noted: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.target, self.noted = target, noted
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
                state = output_stat(path)
                seen = self._seen.get(path)
                if seen is not None and seen[0] == state:
                    # polling found what the system reported before: its events arrive
                    confirmed = confirmed or (source == "polling" and seen[1] == "events")
                    continue
                self._seen[path] = (state, source)
                new = True
            proven, self._proven = (self._proven, None) if confirmed else (None, self._proven)
        if new:
            if self.noted is not None:  # before the rebuild it starts
                self.noted(paths)
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


def watch_entries(
    server: LiveReloadServer, folder: Path, noted: Callable[[list[str]], None] | None = None
) -> BaseObserver | None:
    """Watch the entries folder for ``mkdocs serve``: where the system reports changes itself
    (inotify, FSEvents, ReadDirectoryChangesW), with an event observer, so that a save starts
    the rebuild at once instead of up to half a second later; and with MkDocs' own polling
    (every half second, as for ``docs/``) until polling has seen a save the system reported
    first. Then polling stops: it stats every entry twice a second, which at 3,000 entries
    slows the builds down. Where the system reports nothing (some network and container
    mounts), polling goes on. ``noted`` is told the paths of each save before the rebuild
    starts. Returns the event observer (a daemon thread), if one started.
    """
    capture = _Capture()
    observer: BaseObserver | None = getattr(server, "observer", None)
    try:
        server.observer = capture  # type: ignore[assignment]  # only its schedule() is called
        server.watch(str(folder))  # MkDocs' handler, and the folder in its "Watching" line
    finally:
        server.observer = observer  # type: ignore[assignment]  # as it was
    if capture.handler is None or observer is None:  # already watched (or an unknown server)
        return None
    polling: list[ObservedWatch] = []

    def stop_polling() -> None:
        def unschedule() -> None:
            with contextlib.suppress(KeyError, RuntimeError):
                observer.unschedule(polling[0])
                log.debug(f"glossary: {folder} is watched by system events only")

        threading.Thread(target=unschedule, daemon=True).start()  # not from its own dispatcher

    saves = _Saves(capture.handler, stop_polling, noted)
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
