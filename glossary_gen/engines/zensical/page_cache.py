"""Finished pages kept between runs of the pages writer (``glossary-gen pages``, ``zensical
prepare``), so that a run after an edit converts only the pages the edit changed.

A page's finished HTML and file are a function of its generated Markdown and trusted fragments
(:func:`~glossary_gen.incremental.page_text`), of the site (:func:`site_key`: the renderer's
options, the Markdown extensions, the package) and of the facts about other terms its Markdown
conversion looked up (:class:`~glossary_gen.incremental.RecordingLinker`: which term a name is, a
tooltip, an address, the names an auto-link candidate word starts). Each page is stored with a
digest of the first two and the value of each fact it read; it is reused when the digest is the
same and every fact still has that value. A term page's digest is that of its render key
(:func:`term_digest`: what its Markdown is made from), so a warm run neither renders nor
converts the term pages it reuses. A page that made a lookup the recorder does not model
(:data:`~glossary_gen.incremental.ANYTHING`) is never stored.

The record is JSON, authenticated with the doctest cache's key and MAC
(:meth:`~glossary_gen.run.cache.ResultStore.get_bytes`) and kept in the user's cache folder: a
record someone else wrote, or changed, is a miss (DESIGN.md section 9).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_gen.incremental import ANYTHING, Fact, LinkFacts, render_key
from glossary_gen.run.cache import ResultStore, open_store

if TYPE_CHECKING:
    from glossary_gen.core.model import Entry
    from glossary_gen.site.render import Renderer

NAMESPACE = "pages"
FORMAT = 2

#: What a page's conversion produced: its file text, finished HTML and math errors.
Finished = tuple[str, str, list[tuple[str, str]]]


def site_key(*parts: object) -> str:
    """What every page depends on, as a digest (the package version and code included)."""
    import glossary_gen
    from glossary_gen.run.entry_cache import code_stamp, environment_stamp

    folders = ("site", "fences", "engines", "engines/zensical")
    # The installed packages too: an upgraded Markdown, extension or sanitizer renders otherwise.
    stamp = (FORMAT, glossary_gen.__version__, code_stamp(folders), environment_stamp())
    text = repr((*stamp, *parts))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def page_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def term_digest(renderer: Renderer, entry: Entry, problems: Sequence[str] = ()) -> str:
    """A term page's digest without rendering it: of its render key
    (:func:`~glossary_gen.incremental.render_key`, everything the page's Markdown is made from
    besides the site), of the related terms' summaries as written (their cards render them) and
    of the problems ``check`` found in the entry. The site is the cache's (:func:`site_key`)."""
    glossary = renderer.glossary
    related = tuple(
        glossary.by_slug[s].summary if s in glossary.by_slug else None
        for s in glossary.related.get(entry.slug, ())
    )
    key = repr(("term", render_key(renderer, entry, ""), related, tuple(problems)))
    return "term:" + page_digest(key)


class PageCache:
    """The pages of one output folder (see the module docstring)."""

    def __init__(self, store: ResultStore | None, name: str, site: str, facts: LinkFacts) -> None:
        self._store, self._name, self._site = store, name, site
        self._tables: Mapping[str, Mapping[str, object]] = {
            "name": facts.names,
            "tip": facts.tips,
            "src": facts.srcs,
            "path": facts.paths,
            "word": facts.words,
        }
        #: Each fact's value as stored (JSON), computed once (pages share facts).
        self._values: dict[tuple[str, str], str] = {}
        self._old: dict[str, list[object]] = self._load()
        self._new: dict[str, list[object]] = {}
        #: Pages taken from the cache by this run.
        self.reused: list[str] = []

    @classmethod
    def open(
        cls, cache_dir: Path | None, out: Path, entries_dir: Path, site: str, facts: LinkFacts
    ) -> PageCache:
        store = open_store(cache_dir, NAMESPACE, entries_dir)
        where = os.path.abspath(out).encode("utf-8", "surrogatepass")
        return cls(store, hashlib.sha256(where).hexdigest()[:40], site, facts)

    def _load(self) -> dict[str, list[object]]:
        data = self._store.get_bytes(self._name) if self._store is not None else None
        if data is None:
            return {}
        try:
            record = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(record, dict) or record.get("site") != self._site:
            return {}
        pages = record.get("pages")
        return pages if isinstance(pages, dict) else {}

    def _value(self, kind: str, key: str) -> str:
        found = self._values.get((kind, key))
        if found is None:
            table = self._tables.get(kind)
            value = table.get(key) if table is not None else None
            found = self._values[kind, key] = json.dumps(value, ensure_ascii=False)
        return found

    def get(self, src: str, digest: str) -> Finished | None:
        """The page as stored, if its digest and every fact it read are the same now."""
        hit = self._old.get(src)
        try:
            if hit is None or hit[0] != digest:
                return None
            _, text, html, errors, facts = hit
            if not all(self._value(kind, key) == value for kind, key, value in facts):  # type: ignore[attr-defined]
                return None
            finished: Finished = (
                str(text),
                str(html),
                [(str(tex), str(message)) for tex, message in errors],  # type: ignore[attr-defined]
            )
        except (TypeError, ValueError):
            return None
        self._new[src] = hit
        self.reused.append(src)
        return finished

    def put(self, src: str, digest: str, finished: Finished, reads: set[Fact]) -> None:
        if ANYTHING in reads:
            return
        facts = [[kind, key, self._value(kind, key)] for kind, key in sorted(reads)]
        self._new[src] = [digest, finished[0], finished[1], [list(e) for e in finished[2]], facts]

    def save(self) -> None:
        if self._store is None or self._new == self._old:
            return
        data = json.dumps({"site": self._site, "pages": self._new}, ensure_ascii=False)
        self._store.put_bytes(self._name, data.encode("utf-8", "surrogatepass"))
