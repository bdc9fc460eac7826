"""What a ``mkdocs serve --dirty`` build keeps for the next one, in memory (and on disk for the
next server: :mod:`~glossary_gen.engines.mkdocs.restart`): a record of each page (what it was
made of, what it gave the rest of the site) and of the site (its files, navigation and tag
listings), by ``mkdocs.yml`` and site folder; and the keys that tell whether what every page
shows (the configuration, the theme, the navigation) changed since."""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_gen.incremental import Fact, LinkFacts, Memo, text_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure import StructureItem
    from mkdocs.structure.nav import Navigation

    from glossary_gen.core.diagnostics import Diagnostic


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
    tags: dict[str, frozenset[object]] = field(default_factory=dict)


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
    #: SHA-256 of each page's HTML as kept for a new server (:mod:`.restart`), by source path.
    digests: dict[str, str] = field(default_factory=dict)
    #: The tags plugins' exported mappings (``tags.json``) as written: path to output stat.
    tag_exports: dict[str, tuple[int, int] | None] = field(default_factory=dict)


@dataclass(eq=False)  # one per site: compared (and hashed) by identity
class Session:
    """Cross-build state of one site in this process."""

    memo: Memo = field(default_factory=Memo)
    record: SiteRecord | None = None
    #: Material's search sections of the pieces of pages built before (:mod:`.search_sections`).
    search: dict[tuple[bool, bytes], list[Any]] = field(default_factory=dict)


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


def output_stat(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def site_key(config: MkDocsConfig) -> str:
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
                parts.append((folder, name, output_stat(os.path.join(folder, name))))
    parts.append(tuple(config.theme.dirs))
    return text_key(repr(parts))


#: The meta data of a page that Material shows in the navigation (next to the page's title).
NAV_META = ("icon", "subtitle", "status")


def nav_key(nav: Navigation, config: MkDocsConfig) -> str:
    """The navigation every page shows: its sections, links and pages with their titles and the
    meta data the theme shows there (all of it if ``custom_dir`` overrides navigation parts)."""
    custom = config.theme.custom_dir
    partials = os.path.join(str(custom), "partials") if custom else ""
    whole = (
        bool(partials)
        and os.path.isdir(partials)
        and any(name.startswith(("nav", "tabs")) for name in os.listdir(partials))
    )

    def walk(items: Iterable[StructureItem]) -> list[object]:
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


def delete_stale(site_dir: str, gone: Iterable[str]) -> None:
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
