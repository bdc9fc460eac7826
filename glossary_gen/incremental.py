"""Incremental builds: what one edit changes, and what a build can keep from the build before.

``mkdocs serve`` rebuilds the site on every save. Most of a glossary does not change with one
entry, so the site adapter keeps, from one build to the next, what this module computes (no
site engine is imported here; :mod:`glossary_gen.engines.mkdocs.partial_build` is the MkDocs side):

* :class:`EntryCache`: parsed entries by file and exact content. A file whose bytes are those of
  the last build is not parsed again. Memory only: nothing an entry writes can reach it (an
  on-disk cache would need authentication, DESIGN.md section 9).
* :class:`ValidationMemo`: what the per-entry validation rules found in an unchanged entry.
* :class:`DoctestMemo`: each entry's doctest verdict by entry content and limits, so an
  unchanged entry's examples are not looked up again (the on-disk cache of
  :mod:`glossary_gen.run.doctests` stays the one that survives the process).
* :func:`render_key`: everything a term page's Markdown is made of: the entry itself, the
  title and summary of every term it lists (related terms, backlinks), the docs pages that use
  it, its date and doctest verdict, and the site-wide options. Equal key, equal page.
* :class:`RecordingLinker` and :class:`LinkFacts`: what a page's Markdown conversion looked up
  about other terms (which name resolves to which term, a term's tooltip and address, which
  term an auto-link candidate word names), and which of those facts differ between two builds.
  A page whose lookups all still give the same answers renders to the same HTML.

Together they are the dependency graph of the site, found by construction rather than listed by
hand: a page is rebuilt when an input of its Markdown changed (:func:`render_key`, or the page's
own source), or when one of the facts it looked up changed (a tooltip, a name, an existence).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import posixpath
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.loader import (
    entry_files,
    parse_entry,
)
from glossary_gen.core.model import Entry, name_key

if TYPE_CHECKING:
    from glossary_gen.core.config import EntryModel, Settings
    from glossary_gen.run.entry_cache import Records
    from glossary_gen.site.linker import Linker
    from glossary_gen.site.page import RenderedPage
    from glossary_gen.site.render import Renderer

#: A fact a page's Markdown conversion read, as ``(kind, key)``:
#: ``("name", name_key)`` which published term a name resolves to; ``("tip", slug)`` a term's
#: tooltip; ``("src", slug)`` a term's page; ``("path", src path)`` which term a Markdown link
#: path is; ``("word", word)`` the terms an auto-link candidate word may start;
#: :data:`ANYTHING` a lookup this module does not model (the page then depends on every fact).
Fact = tuple[str, str]
ANYTHING: Fact = ("*", "")


# --- parsed entries --------------------------------------------------------------------------


class EntryCache:
    """Parsed entries by file, shown path and exact bytes, kept from one build to the next.

    :meth:`load_entries` returns what :func:`glossary_gen.core.loader.load_entries` returns (same
    reading rules, same order, same diagnostics); a file is parsed again only when its bytes
    changed. Entries are immutable, so the next build can share them.
    """

    def __init__(self) -> None:
        #: (file, shown path) -> (its bytes, or their SHA-256 for a seeded record; entry; problems)
        self._parsed: dict[tuple[str, str], tuple[bytes | str, Entry | None, list[Diagnostic]]] = {}
        #: Files parsed by the last :meth:`load_entries` (the others were reused).
        self.parsed: list[str] = []

    @property
    def empty(self) -> bool:
        return not self._parsed

    def seed(self, records: Records) -> None:
        """Start from the persistent entry cache's records (:mod:`glossary_gen.run.entry_cache`):
        a file is reused while its bytes have the recorded SHA-256."""
        for key, (digest, entry, problems, _checks) in records.items():
            self._parsed[key] = (digest, entry, list(problems))

    def load_entries(
        self, entries_dir: Path, *, saved: Collection[Path] | None = None
    ) -> tuple[list[Entry], list[Diagnostic]]:
        """``saved``: only these files (and new ones) are read; the others are taken as they
        were last read (for a preview of the saved entries' pages, which the build after it
        checks)."""
        entries: list[Entry] = []
        diagnostics: list[Diagnostic] = []
        kept: dict[tuple[str, str], tuple[bytes | str, Entry | None, list[Diagnostic]]] = {}
        self.parsed = []
        unread = None
        if saved is not None:
            names = {path.name for path in saved}

            def unread(path: Path, shown: str) -> bool:
                known = self._parsed.get((str(path), shown))
                return path.name not in names and known is not None and isinstance(known[0], bytes)

        for path, shown, data in entry_files(entries_dir, unread=unread):
            if data is None:  # as last read
                known = self._parsed[(str(path), shown)]
                kept[(str(path), shown)] = known
                diagnostics.extend(known[2])
                if known[1] is not None:
                    entries.append(known[1])
                continue
            if isinstance(data, Diagnostic):
                diagnostics.append(data)
                continue
            key = (str(path), shown)
            hit = self._parsed.get(key)
            if hit is not None and isinstance(hit[0], str):  # seeded: compare the digests
                same = hit[0] == hashlib.sha256(data).hexdigest()
                hit = (data, hit[1], hit[2]) if same else None
            if hit is None or hit[0] != data:
                entry, problems = parse_entry(data, path, shown)
                hit = (data, entry, problems)
                self.parsed.append(shown)
            kept[key] = hit
            diagnostics.extend(hit[2])
            if hit[1] is not None:
                entries.append(hit[1])
        self._parsed = kept  # files that are gone are forgotten
        return entries, diagnostics


# --- doctest verdicts ------------------------------------------------------------------------

#: Verdicts that do not depend on the machine's load (a timeout or a crash is tried again, as the
#: on-disk cache does).
_STEADY = frozenset({"passed", "empty", "failed", "error", "exit", "output", "memory"})


class DoctestMemo:
    """Doctest results of unchanged entries, from the build before (see :meth:`check`)."""

    def __init__(self) -> None:
        self._results: dict[tuple[str, str, str, str], tuple[object, list[Diagnostic]]] = {}
        self._general: list[Diagnostic] = []
        #: Entries whose examples the last :meth:`check` had to look up or run.
        self.checked: list[str] = []

    def check(
        self, entries: Sequence[Entry], settings: Settings, *, some: bool = False
    ) -> tuple[dict[str, object], list[Diagnostic]]:
        """:func:`glossary_gen.run.doctests.check_doctests` for the entries not seen unchanged
        before; the others get the verdict (and the diagnostics) of the last build. ``some``:
        ``entries`` are some of the glossary's (a preview of one page), and the verdicts of the
        others are kept for the next build; else only these entries' are."""
        from glossary_gen.run.doctests import check_doctests

        limits = repr(
            (
                settings.doctest_timeout,
                settings.doctest_memory_mb,
                settings.doctest_output_kb,
                str(settings.cache_dir),
            )
        )

        def key(entry: Entry) -> tuple[str, str, str, str]:
            return (entry.path, entry.slug, entry.digest, limits)

        todo = [e for e in entries if key(e) not in self._results]
        self.checked = [e.path for e in todo]
        fresh: dict[tuple[str, str, str, str], tuple[object, list[Diagnostic]]] = {}
        if todo:
            results, diagnostics = check_doctests(todo, settings)
            paths = {e.path for e in todo}
            by_path: dict[str, list[Diagnostic]] = {}
            self._general = []  # problems not located in an entry (e.g. about the sandbox)
            for diagnostic in diagnostics:
                if diagnostic.path in paths:
                    by_path.setdefault(diagnostic.path, []).append(diagnostic)
                else:
                    self._general.append(diagnostic)
            for entry in todo:
                fresh[key(entry)] = (results.get(entry.slug), by_path.get(entry.path, []))
        found: dict[str, object] = {}
        reported = list(self._general)
        kept: dict[tuple[str, str, str, str], tuple[object, list[Diagnostic]]] = {}
        for entry in entries:
            k = key(entry)
            result, problems = fresh.get(k) or self._results[k]
            if result is not None:
                found[entry.slug] = result
            reported.extend(problems)
            if getattr(result, "status", None) in _STEADY:
                kept[k] = (result, problems)
        self._results = {**self._results, **kept} if some else kept
        return found, reported


# --- what a term page is made of ----------------------------------------------------------------


_VERDICTS: dict[int, tuple[object, str]] = {}


def _verdict(result: object | None) -> str:
    """A doctest result without what changes between two runs of the same examples (found once
    per result object: :class:`DoctestMemo` hands the same ones to every build)."""
    if result is None:
        return ""
    known = _VERDICTS.get(id(result))
    if known is not None and known[0] is result:
        return known[1]
    if len(_VERDICTS) > 100_000:
        _VERDICTS.clear()
    verdict = _describe(result)
    _VERDICTS[id(result)] = (result, verdict)
    return verdict


def _describe(result: object) -> str:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        names = {f.name for f in dataclasses.fields(result)}
        volatile = {k: v for k, v in (("duration", 0.0), ("cached", False)) if k in names}
        if volatile:
            result = dataclasses.replace(result, **volatile)
    return repr(result)


def site_render_key(renderer: Renderer, *extra: object) -> str:
    """What every term page depends on: the renderer's options and the adapter's settings."""
    return repr(
        (
            renderer.options,
            renderer.index_url,
            renderer.linker.autolink,
            renderer.edit_links,
            *extra,
        )
    )


def render_key(renderer: Renderer, entry: Entry, site: str) -> tuple[object, ...]:
    """Everything :meth:`glossary_gen.site.render.Renderer.render_entry` reads for ``entry``:
    equal keys give equal page Markdown (apart from the per-build token nonce). For every entry
    of a build, :class:`RenderKeys` computes the same keys faster."""
    return RenderKeys(renderer, site)(entry)


class RenderKeys:
    """:func:`render_key` of each entry of one build: how a term shows on other pages is
    worked out once per term, not once per page that lists it."""

    def __init__(self, renderer: Renderer, site: str) -> None:
        self.renderer, self.site = renderer, site
        self._shown: dict[str, tuple[str, str, str, str, str]] = {}

    def _show(self, slug: str) -> tuple[str, str, str, str, str]:
        """How a page shows another term: title, summary as written (the cards render its
        markup), as plain text (lists) and tooltip (links)."""
        shown = self._shown.get(slug)
        if shown is None:
            linker = self.renderer.linker
            if slug in linker.src_of:
                other = self.renderer.glossary.by_slug[slug]
                shown = (
                    slug,
                    other.title,
                    other.summary,
                    linker.summaries.get(slug, ""),
                    linker.tooltips.get(slug, ""),
                )
            else:
                shown = (slug, "", "", "", "")
            self._shown[slug] = shown
        return shown

    def __call__(self, entry: Entry) -> tuple[object, ...]:
        renderer, glossary, show = self.renderer, self.renderer.glossary, self._show
        used_on = renderer.used_on.get(entry.slug) or ()
        return (
            self.site,
            entry.path,
            str(entry.file),
            entry.digest,
            tuple(show(s) for s in glossary.related.get(entry.slug, ())),
            tuple(show(s) for s in glossary.backlinks.get(entry.slug, ())),
            glossary.links.get(entry.slug, ()),
            tuple((p.src, p.url, p.title) for p in used_on),
            renderer.date_of(entry) if renderer.options.last_updated else None,
            _verdict(renderer.doctest_results.get(entry.slug)),
            _versions(renderer, entry.slug),
        )


def _versions(renderer: Renderer, slug: str) -> object:
    """The term's language versions as its page shows them (switcher, alternates, JSON-LD)."""
    versions = renderer.context.versions
    if versions is None:
        return None
    return (tuple(versions.of(slug).items()), tuple(versions.titles.get(slug, {}).items()))


def text_key(*parts: str) -> str:
    """A short digest of page text (the index page, a docs page, a generated file)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


# --- what a page's Markdown conversion looked up ------------------------------------------------


class LinkFacts:
    """The facts about terms a page can look up while its Markdown is converted, for one build.

    :meth:`changed` lists the facts that differ from another build's, in the vocabulary of
    :data:`Fact`, so that a page is rebuilt exactly when one of the facts it read changed.
    """

    def __init__(self, linker: Linker) -> None:
        glossary = linker.glossary
        srcs = linker.src_of
        self.names = {k: s for k, s in glossary.index.items() if s in srcs}
        self.tips = dict(linker.tooltips)
        self.srcs = dict(srcs)
        self.paths = {src: slug for slug, src in srcs.items()}
        self.words: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {}
        if linker.autolink != "off":
            index = getattr(linker, "_index", None)
            if callable(index):
                self.words = {w: tuple(c) for w, c in index().items()}
            else:  # pragma: no cover - a Linker without the auto-link index
                self.words = {"": (((), ANYTHING[0]),)}

    def changed(self, before: LinkFacts) -> set[Fact]:
        found: set[Fact] = set()
        found.update(("name", k) for k in _differing(self.names, before.names))
        found.update(("tip", s) for s in _differing(self.tips, before.tips))
        found.update(("src", s) for s in _differing(self.srcs, before.srcs))
        found.update(("path", p) for p in _differing(self.paths, before.paths))
        found.update(("word", w) for w in _differing(self.words, before.words))
        if found:
            found.add(ANYTHING)
        return found


def _differing(new: Mapping[str, object], old: Mapping[str, object]) -> Iterator[str]:
    if new == old:
        return
    for key in new.keys() | old.keys():
        if new.get(key) != old.get(key):
            yield key


class _RecordingTips(Mapping[str, str]):
    """``linker.tooltips``, noting which terms' tooltips a page read (``get`` is Mapping's,
    through ``__getitem__``)."""

    def __init__(self, tips: Mapping[str, str], owner: RecordingLinker) -> None:
        self._tips, self._owner = tips, owner

    def __getitem__(self, slug: str) -> str:
        self._owner.reads.add(("tip", slug))
        return self._tips[slug]

    def __contains__(self, slug: object) -> bool:
        self._owner.reads.add(("tip", str(slug)))
        return slug in self._tips

    def __iter__(self) -> Iterator[str]:
        self._owner.reads.add(ANYTHING)
        return iter(self._tips)

    def __len__(self) -> int:
        self._owner.reads.add(ANYTHING)
        return len(self._tips)


class RecordingLinker:
    """A :class:`~glossary_gen.site.render.Linker` for the Markdown extension that notes, per page,
    every fact it is asked for (:attr:`reads`, reset by :meth:`begin_page`).

    It answers exactly as the linker it wraps. Lookups it does not model are passed on and
    recorded as :data:`ANYTHING`, so a new kind of lookup makes pages depend on more, never less.
    """

    def __init__(self, linker: Linker) -> None:
        from glossary_gen.site.linker import _WORD

        self._linker = linker
        self._words = _WORD
        self.reads: set[Fact] = set()
        self.tooltips = _RecordingTips(linker.tooltips, self)

    def begin_page(self, src: str, url: str, slug: str | None = None) -> None:
        self._linker.begin_page(src, url, slug)
        self.reads = set()

    # the per-page state the extension reads and writes
    @property
    def autolink(self) -> str:
        return self._linker.autolink

    @property
    def page_slug(self) -> str | None:
        return self._linker.page_slug

    @property
    def page_src(self) -> str:
        return self._linker.page_src

    @property
    def page_url(self) -> str:
        return self._linker.page_url

    @property
    def linked(self) -> set[str]:
        return self._linker.linked

    @property
    def math_errors(self) -> list[tuple[str, str]]:
        return self._linker.math_errors

    @property
    def fallback(self) -> Mapping[str, str]:
        """Terms in another language (a translation's pages): fixed for a build, not a fact."""
        return self._linker.fallback

    # lookups about other terms
    def resolve(self, name: str) -> Entry | None:
        self.reads.add(("name", name_key(name)))
        return self._linker.resolve(name)

    def href(self, slug: str) -> str:
        self.reads.add(("src", slug))
        return self._linker.href(slug)

    def url(self, slug: str) -> str:
        self.reads.add(("src", slug))
        return self._linker.url(slug)

    def anchor(self, slug: str, text: str, *, css: str = "glossary-link") -> str:
        self.reads.update((("src", slug), ("tip", slug)))
        return self._linker.anchor(slug, text, css=css)

    def slug_of_href(self, href: str) -> str | None:
        path = href.split("#", 1)[0]
        if path and ":" not in path and not path.startswith("/"):
            base = posixpath.dirname(self._linker.page_src)
            self.reads.add(("path", posixpath.normpath(posixpath.join(base, path))))
        return self._linker.slug_of_href(href)

    def find_mentions(self, text: str) -> list[tuple[int, int, str]]:
        self.reads.update(("word", w.casefold()) for w in self._words.findall(text))
        return self._linker.find_mentions(text)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.reads.add(ANYTHING)
        return getattr(self._linker, name)


def mentions(text: str, names: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``names`` (file stems of pages that appeared or went
    away): the page may link to that file with a plain Markdown link, which the site engine
    resolves, so its links are checked again."""
    return any(name and name in text for name in names)


class ValidationMemo:
    """:func:`glossary_gen.core.validate.validate` with what the per-entry rules found kept for
    unchanged entries (the rules that need the whole glossary always run)."""

    def __init__(self) -> None:
        self._found: dict[tuple[object, ...], list[Diagnostic]] = {}

    def seed(self, records: Records, model: EntryModel) -> None:
        """Start from what the persistent entry cache's records say the per-entry rules found."""
        today = _dt.date.today()
        for _digest, entry, _problems, checks in records.values():
            if entry is not None and checks is not None:
                key = (entry.path, str(entry.file), entry.digest, model, today)
                self._found[key] = list(checks)

    def validate(self, entries: Sequence[Entry], model: EntryModel) -> list[Diagnostic]:
        from glossary_gen.core.validate import ENTRY_RULES, GLOSSARY_RULES, MODEL_RULES

        today = _dt.date.today()  # a rule compares `updated:` with today
        diagnostics: list[Diagnostic] = []
        kept: dict[tuple[object, ...], list[Diagnostic]] = {}
        for entry in entries:
            key = (entry.path, str(entry.file), entry.digest, model, today)
            found = self._found.get(key)
            if found is None:
                found = [d for rule in MODEL_RULES for d in rule(entry, model)]
                found += [d for rule in ENTRY_RULES for d in rule(entry)]
            kept[key] = found
            diagnostics.extend(found)
        for glossary_rule in GLOSSARY_RULES:
            diagnostics.extend(glossary_rule(entries))
        self._found = kept
        return diagnostics


@dataclasses.dataclass
class Memo:
    """What :func:`glossary_gen.pipeline.check` may reuse from the last build of the same site."""

    entries: EntryCache = dataclasses.field(default_factory=EntryCache)
    validation: ValidationMemo = dataclasses.field(default_factory=ValidationMemo)
    doctests: DoctestMemo = dataclasses.field(default_factory=DoctestMemo)


def page_text(page: RenderedPage, nonce: str) -> str:
    """A generated page's Markdown and trusted fragments, without the per-build token nonce
    (which never reaches the output): equal text, equal page."""
    fragments = page.fragments
    parts = [
        page.markdown,
        *fragments.items.values(),
        *fragments.head,
        *sorted(fragments.unindexed),
    ]
    return "\0".join(parts).replace(nonce, "")
