"""The Markdown extension as engines load it by name (Zensical's ``markdown_extensions``):
``glossary_gen.engines.markdown: {entries: DIR, url_prefix: ..., version: ...}`` loads the
glossary through :mod:`glossary_gen.pipeline` once per process and hands it to
:class:`~glossary_gen.site.markdown_ext.GlossaryExtension`, which knows no pipeline."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from glossary_gen.core.model import Entry
from glossary_gen.pipeline import load_and_link
from glossary_gen.site.dates import last_updated
from glossary_gen.site.linker import Linker
from glossary_gen.site.markdown_ext import GlossaryExtension
from glossary_gen.site.pages import page_url

#: A glossary loaded for :func:`makeExtension`, kept for every page of the process.
_LINKERS: dict[tuple[str, str, str], Linker] = {}


def glossary_linker(entries: str, url_prefix: str = "glossary/", version: str = "") -> Linker:
    """The published terms of the glossary in ``entries`` as a :class:`~glossary_gen.site.render.Linker`
    that writes source-path links (the engine maps them to URLs). Loaded once per process and
    ``version`` (the writer puts a hash of the terms' names and summaries in the engine's
    configuration, so an engine that caches pages by their configuration renders them again)."""
    key = (entries, url_prefix, version)
    linker = _LINKERS.get(key)
    if linker is None:
        glossary, _ = load_and_link(Path(entries))  # the writer's check reported every problem
        prefix = url_prefix.strip("/") + "/" if url_prefix.strip("/") else ""
        src_of = {e.slug: f"{prefix}{e.slug}.md" for e in glossary.published}
        url_of = {slug: page_url(src) for slug, src in src_of.items()}
        linker = Linker(glossary, src_of, url_of, links="source")
        linker.date_of = _dates(glossary.published)
        _LINKERS.clear()
        _LINKERS[key] = linker
    return linker


def _dates(published: Sequence[Entry]) -> Callable[[Entry], _dt.date | None]:
    """An entry's date as the feed has it (``updated:``, else the file's last commit), the
    commits read once, when a docs page first lists recent changes."""
    found: dict[Path, _dt.date] | None = None

    def date_of(entry: Entry) -> _dt.date | None:
        nonlocal found
        if entry.updated is not None:
            return entry.updated
        if found is None:
            found = last_updated([e.file for e in published])
        return found.get(entry.file)

    return date_of


def makeExtension(**kwargs: Any) -> GlossaryExtension:  # pragma: no cover - Markdown's convention
    """For ``markdown_extensions: [glossary_gen.engines.markdown: {entries: DIR, ...}]`` (Zensical):
    ``entries`` (the entries folder), ``url_prefix`` and ``version`` load the glossary for
    ``[[wiki links]]``; ``html`` is the folder of the written pages' finished HTML
    (``OUT/.glossary-html`` of ``glossary-gen pages --out OUT``: each written page holds only a
    placeholder, replaced after Markdown is done); ``math`` as for :class:`GlossaryExtension`."""
    entries = kwargs.pop("entries", None)
    url_prefix = kwargs.pop("url_prefix", "glossary/")
    version = str(kwargs.pop("version", ""))
    page_html = kwargs.pop("html", None)
    if entries is not None:
        kwargs["linker"] = glossary_linker(str(entries), str(url_prefix), version)
        kwargs["engine_pages"] = True
        kwargs["page_html"] = Path(str(page_html)) if page_html else None
    return GlossaryExtension(**kwargs)
