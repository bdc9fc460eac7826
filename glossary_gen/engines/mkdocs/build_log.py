"""The log of a partial build: the warnings MkDocs and the plugins log while each page is read
or built are kept with the page's record, and logged again when the page is kept (as a full
build would log them); MkDocs' notices about dirty builds are dropped when the build leaves the
site as a full build would."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

#: What MkDocs logs about dirty builds; not true of the builds this module completes.
_DIRTY_MESSAGES = ("A 'dirty' build is being performed", "The directory contains stale files")


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


class _NoteDirty(logging.Filter):
    """Notes MkDocs' notice that the build is dirty (the only place it says so to plugins)."""

    def __init__(self) -> None:
        super().__init__()
        self.dirty = False

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(_DIRTY_MESSAGES[0]):
            self.dirty = True
        return True


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_DIRTY_MESSAGES)


class BuildLog:
    """Installed for one build (:meth:`stop` undoes it, also after a failed build)."""

    def __init__(self, config: MkDocsConfig, *, accurate: bool) -> None:
        # First, before any filter that drops the notice: this one and MkDocs' own (its CLI's
        # DuplicateFilter lets each message through once per process, so a `mkdocs serve`
        # rebuild's notice never gets past it).
        self._dirty = _NoteDirty()
        logging.getLogger("mkdocs.commands.build").filters.insert(0, self._dirty)
        self._filter = _DropDirtyWarning()
        if accurate:  # this build leaves the site as a full build would
            logging.getLogger("mkdocs.commands.build").addFilter(self._filter)
        self._warnings = _WarningsByPage(config)
        logging.getLogger("mkdocs").addHandler(self._warnings)

    @property
    def dirty(self) -> bool:
        """Whether MkDocs said this build is dirty (it skips the pages not modified)."""
        return self._dirty.dirty

    def warnings(self, src: str) -> list[logging.LogRecord]:
        """What was logged while the page ``src`` was read or built."""
        return self._warnings.by_page.get(src, [])

    @staticmethod
    def replay(warnings: Iterable[logging.LogRecord]) -> None:
        for warning in warnings:
            logging.getLogger(warning.name).handle(warning)

    def stop(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self._warnings)
        logging.getLogger("mkdocs.commands.build").removeFilter(self._filter)
        logging.getLogger("mkdocs.commands.build").removeFilter(self._dirty)
