"""A new ``mkdocs serve --dirty`` process starts from the last one's build of the same site.

The record of a build (:class:`~glossary_gen.engines.mkdocs.records.SiteRecord`: each page's
render key, the facts it looked up, its title, meta data, anchors, search entries and tags) and
the HTML each page was written as are kept in the user's cache folder, never the repository
(:mod:`glossary_gen.run.cache`). The first build of a new server decides every page as a
rebuild in the same process does, against that record; a page it keeps is written from its
stored HTML instead of being read, converted and rendered again. So an edit made while no
server ran, a renamed or deleted entry, a changed setting: each rebuilds what it changes and
nothing else, and the site is what a full build makes.

* **Keyed** by ``mkdocs.yml``'s path; the record holds a stamp of everything every page depends
  on besides its own inputs: the record format, the versions of this package, MkDocs, Material
  and Python, this package's modules as they are (an edited checkout), the installed packages,
  ``mkdocs.yml`` and the theme overrides (:func:`~glossary_gen.engines.mkdocs.records.site_key`)
  and the loaded configuration (``site_url``, which ``mkdocs serve`` sets from its address,
  ``!ENV`` values). Any difference: no record, every page is built.
* **Authenticated** with the doctest cache's key and MAC
  (:meth:`~glossary_gen.run.cache.ResultStore.get_bytes`): the record is unpickled only after its
  MAC is checked; a page's HTML is used only when its SHA-256 is the one the record holds. A
  tampered or foreign file is a miss (DESIGN.md section 9); any problem only costs time.
* **Only for dirty builds** (``mkdocs serve --dirty``, ``scripts/serve``): a build that builds
  every page anyway has nothing to gain.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_gen.engines.mkdocs.records import output_stat
from glossary_gen.run.cache import STALE_RECORD, UNPICKLABLE, ResultStore, open_store
from glossary_gen.run.entry_cache import code_stamp, environment_stamp

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from glossary_gen.engines.mkdocs.records import PageRecord, SiteRecord

#: Bump when the shape of a stored record (or of the objects in it) changes.
FORMAT = 1
NAMESPACE = "serve"
#: The package's folders whose modules decide what a page is made of.
CODE = ("", "core", "schema", "site", "fences", "engines/mkdocs", "run")
#: A page's output stat that no file has: the page is written from its stored HTML, or rebuilt.
UNWRITTEN = (-1, -1)

#: Seconds after a build at which its record is written (while the server waits for an edit).
SAVE_DELAY = 0.3

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_saving: threading.Timer | None = None


def wait_saved() -> None:
    """Wait until the record of the last build is written (a new build reads it)."""
    if _saving is not None:
        _saving.join()


def config_stamp(config: MkDocsConfig) -> str:
    """The loaded configuration as every page sees it (not where the site is written), the
    same in every process (sets in order, no object addresses)."""
    parts = []
    for name, value in config.items():
        if name in ("site_dir", "dev_addr"):
            continue
        if name == "plugins":
            value = [
                (key, type(plugin).__qualname__, dict(plugin.config.items()))
                for key, plugin in value.items()
            ]
        parts.append((name, value))
    return _canonical(parts)


def _canonical(value: object, depth: int = 0) -> str:
    """``repr`` that does not change from one process to the next."""
    if depth > 30:
        return type(value).__qualname__
    if isinstance(value, Mapping):
        items = sorted(
            f"{_canonical(k, depth + 1)}:{_canonical(v, depth + 1)}" for k, v in value.items()
        )
        extra = [
            _canonical(getattr(value, name), depth + 1)
            for name in ("name", "dirs", "static_templates", "custom_dir")
            if not isinstance(value, dict) and hasattr(value, name)
        ]
        return f"{type(value).__qualname__}{{{','.join(items)}|{','.join(extra)}}}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v, depth + 1) for v in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v, depth + 1) for v in value) + "]"
    return _ADDRESS.sub("", repr(value))


def stamp(config: MkDocsConfig, site_key: str) -> str:
    import material  # type: ignore[import-untyped]
    import mkdocs

    import glossary_gen

    return repr(
        (
            FORMAT,
            glossary_gen.__version__,
            mkdocs.__version__,
            getattr(material, "__version__", ""),
            sys.version,
            code_stamp(CODE),
            environment_stamp(),
            site_key,
            config_stamp(config),
        )
    )


def _name(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()[:40]


def restart_from(
    config: MkDocsConfig,
    site_key: str,
    cache: tuple[Path | None, Path | None],
    previous: SiteRecord | None,
) -> tuple[RestartStore | None, SiteRecord | None, bool]:
    """For a dirty build: the store (``cache``: the cache folder and the entries folder), the
    record to start from (``previous``, this process's, else the stored one) and whether it is
    the stored one."""
    store = RestartStore.open(config, site_key, *cache)
    if previous is not None or store is None:
        return store, previous, False
    loaded = store.load(config.site_dir)
    return store, loaded, loaded is not None


class RestartStore:
    """The stored build of one site (``mkdocs.yml``) and the HTML of its pages."""

    def __init__(self, store: ResultStore, config: MkDocsConfig, site_key: str) -> None:
        self._store = store
        self._config_file = os.path.abspath(config.config_file_path or "mkdocs.yml")
        self._stamp = stamp(config, site_key)

    @classmethod
    def open(
        cls, config: MkDocsConfig, site_key: str, cache_dir: Path | None, entries_dir: Path | None
    ) -> RestartStore | None:
        store = open_store(cache_dir, NAMESPACE, entries_dir)
        return cls(store, config, site_key) if store is not None else None

    def _page_name(self, src: str) -> str:
        return _name(self._config_file, "page", src)

    def load(self, site_dir: str) -> SiteRecord | None:
        """The last stored build of this site, its outputs moved to ``site_dir`` and not written
        there yet (:data:`UNWRITTEN`); None when there is none that applies."""
        from glossary_gen.engines.mkdocs.records import SiteRecord

        wait_saved()
        data = self._store.get_bytes(_name(self._config_file, "site"))
        if data is None:
            return None
        try:  # authenticated bytes that this package wrote; a stale layout is still only a miss
            loaded = pickle.loads(data)
        except STALE_RECORD:
            return None
        if not (
            isinstance(loaded, tuple)
            and len(loaded) == 2
            and loaded[0] == self._stamp
            and isinstance(loaded[1], SiteRecord)
        ):
            return None
        record: SiteRecord = loaded[1]
        pages = {
            src: replace(page, output=UNWRITTEN)
            for src, page in record.pages.items()
            if src in record.digests
        }
        outputs = {src: os.path.join(site_dir, path) for src, path in record.outputs.items()}
        return replace(record, pages=pages, outputs=outputs, files={}, rebuilt=frozenset())

    def write_kept(
        self, src: str, page: PageRecord | None, site: SiteRecord | None, path: str
    ) -> bool:
        """A page the first build of this process keeps from the stored record (``site``):
        write its stored HTML to ``path`` and note the file in ``page``; False when it cannot
        (the page is built)."""
        if page is None or site is None or page.output != UNWRITTEN:
            return False
        if not self.write_page(src, site.digests.get(src), path):
            return False
        page.output = output_stat(path)
        return True

    def write_page(self, src: str, expected: str | None, path: str) -> bool:
        """Write the stored HTML of the page ``src`` to ``path``; False when there is none (or
        its SHA-256 is not ``expected``, the record's)."""
        data = self._store.get_bytes(self._page_name(src)) if expected else None
        if data is None or hashlib.sha256(data).hexdigest() != expected:
            return False
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError:
            return False
        return True

    def save(
        self, record: SiteRecord, site_dir: str, built: frozenset[str], before: dict[str, str]
    ) -> None:
        """Keep ``record`` with the HTML of the pages this build wrote (``built``); the other
        pages' HTML is the one stored before (``before``: its SHA-256 by page). Sets
        ``record.digests``. The HTML is stored now; the record (megabytes of search entries at
        1,000 pages) a moment later, by a thread that the process waits for when it ends."""
        global _saving
        if _saving is not None:  # this record replaces the last build's, if not written yet
            _saving.cancel()
            _saving.join()
        digests = record.digests
        for src, page in record.pages.items():
            path = record.outputs.get(src)
            if src in built and path is not None:
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    continue
                digests[src] = hashlib.sha256(data).hexdigest()
                if before.get(src) != digests[src]:
                    self._store.put_bytes(self._page_name(src), data)
            elif src in before and page.output is not None:
                digests[src] = before[src]
        root = os.path.join(site_dir, "")
        outputs = {
            src: path[len(root) :] if path.startswith(root) else os.path.relpath(path, root)
            for src, path in record.outputs.items()
        }
        kept = replace(record, outputs=outputs, files={}, rebuilt=frozenset())
        _saving = threading.Timer(SAVE_DELAY, self._write, (kept,))
        _saving.start()

    def _write(self, kept: SiteRecord) -> None:
        try:
            blob = pickle.dumps((self._stamp, kept), protocol=pickle.HIGHEST_PROTOCOL)
        except UNPICKLABLE:
            return  # something in the record does not keep (a logged object): no restart record
        self._store.put_bytes(_name(self._config_file, "site"), blob)
