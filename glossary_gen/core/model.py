"""The domain objects every step shares: an :class:`Entry` and the linked :class:`Glossary`.

Every part of an entry keeps the line (and column) it came from, so any later step can report a
problem at the exact place a contributor has to edit.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import overload

#: Fence languages whose blocks are Python examples.
PYTHON_LANGUAGES = frozenset({"python", "py", "pycon", "python3"})

#: The sections every entry must have, in the order the page shows them.
REQUIRED_SECTIONS = ("Summary", "ELI5", "In-depth explanation")


@dataclass(frozen=True)
class Located:
    """A value written in the front matter, with where it was written."""

    value: str
    line: int
    column: int


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None
    line: int
    column: int


class _SectionKey:
    """``Section.key``: the normalized heading, computed on first use and kept in the instance
    (as ``functools.cached_property`` does, without the lock it takes on Python 3.11; every
    section of every entry asks for it)."""

    @overload
    def __get__(self, section: None, owner: type | None = None) -> _SectionKey: ...

    @overload
    def __get__(self, section: Section, owner: type | None = None) -> str: ...

    def __get__(self, section: Section | None, owner: type | None = None) -> str | _SectionKey:
        if section is None:
            return self
        key = section.__dict__["key"] = normalize_heading(section.canonical or section.title)
        return key


@dataclass(frozen=True)
class Section:
    """A level-2 or level-3 heading and the Markdown under it, up to the next such heading."""

    title: str
    level: int
    line: int
    content: str
    content_line: int
    #: In a translation: the site's section title this heading stands for (``Résumé`` ->
    #: ``Summary``); the heading shown stays ``title``.
    canonical: str = ""

    key = _SectionKey()


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block; ``line`` is the file line of its first code line."""

    language: str
    info: str
    code: str
    line: int
    fence_line: int
    end_line: int
    indent: int = 0
    #: Inside an HTML comment: the page does not show it (a validation error; it never runs).
    hidden: bool = False

    @property
    def is_doctest(self) -> bool:
        return self.language in PYTHON_LANGUAGES and ">>>" in self.code

    @property
    def options(self) -> tuple[str, ...]:
        """Words after the language in the info string, e.g. ``plot`` in ```` ```python plot ````."""
        return tuple(self.info.split()[1:])


@dataclass(frozen=True)
class WikiLink:
    """``[[target]]`` or ``[[target|text]]`` in an entry body."""

    target: str
    text: str | None
    line: int
    column: int
    raw: str


@dataclass(frozen=True, eq=False)
class Entry:
    """One glossary term, as loaded from ``entries/<slug>.md``.

    Typed fields are filled best-effort from the front matter so that later steps never have to
    guard against wrong types; the raw mapping stays in ``meta`` for schema validation.
    """

    path: str
    file: Path
    slug: str
    meta: Mapping[str, object]
    #: Where each front-matter key or item was written (see :mod:`glossary_gen.core.untrusted_yaml`).
    positions: Mapping[tuple[str | int, ...], tuple[int, int]]
    title: str
    aliases: tuple[Located, ...]
    related: tuple[Located, ...]
    tags: tuple[Located, ...]
    draft: bool
    sources: tuple[Source, ...]
    body: str
    body_line: int
    sections: tuple[Section, ...]
    code_blocks: tuple[CodeBlock, ...]
    wikilinks: tuple[WikiLink, ...]
    digest: str = ""
    #: Code blocks the page does not show (inside an HTML comment): reported, never run.
    hidden_code: tuple[CodeBlock, ...] = ()
    #: Import names the examples need beyond the standard library (``requires:``).
    requires: tuple[Located, ...] = ()

    def position(self, *path: str | int) -> tuple[int, int]:
        """Line and column of a front-matter key or item (falls back to the parent, then line 1)."""
        key = tuple(path)
        while key:
            if key in self.positions:
                return self.positions[key]
            key = key[:-1]
        return (1, 1)

    def section(self, title: str) -> Section | None:
        wanted = normalize_heading(title)
        for section in self.sections:
            if section.key == wanted:
                return section
        return None

    @cached_property
    def summary(self) -> str:
        """The first paragraph of the Summary section: tooltip and index text (found once per
        entry: entries do not change, and every page that shows the term asks for it)."""
        section = self.section("Summary")
        if section is None:
            return ""
        return first_paragraph(section.content)

    @property
    def updated(self) -> _dt.date | None:
        """``updated: YYYY-MM-DD`` from the front matter: the date the page and the feed show
        (without it, the entry file's last commit). ``None`` when absent or not a real date
        (validation reports it)."""
        value = self.meta.get("updated")
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                return None
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the entry answers to: title, aliases and slug."""
        return (self.title, *(a.value for a in self.aliases), self.slug)


@dataclass(frozen=True, eq=False)
class Glossary:
    """The linked glossary: one object the renderer, the doctests and the exports all read."""

    entries: tuple[Entry, ...]
    by_slug: Mapping[str, Entry]
    index: Mapping[str, str]
    related: Mapping[str, tuple[str, ...]]
    links: Mapping[str, tuple[str, ...]]
    backlinks: Mapping[str, tuple[str, ...]]
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def resolve(self, name: str) -> Entry | None:
        """Find an entry by title, alias or slug, case-insensitively."""
        slug = self.index.get(name_key(name))
        return self.by_slug.get(slug) if slug else None

    @functools.cached_property
    def published(self) -> tuple[Entry, ...]:
        """The entries that are not drafts (asked for many times per build: kept)."""
        return tuple(e for e in self.entries if not e.draft)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def slugify(title: str) -> str:
    """``"Leaky ReLU"`` -> ``leaky-relu``; accents are folded, anything else becomes a hyphen.
    The file name ``new`` proposes for a title, and the redirect page of an alias."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_key(name: str) -> str:
    """The key names are compared by: case-insensitive, whitespace-collapsed."""
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=4096)  # a few heading texts, asked for once per section of every entry
def normalize_heading(title: str) -> str:
    return " ".join(title.rstrip().rstrip(":").split()).casefold()


def first_paragraph(markdown_text: str) -> str:
    lines: list[str] = []
    for raw in markdown_text.strip().splitlines():
        if not raw.strip():
            if lines:
                break
            continue
        lines.append(raw.strip())
    return " ".join(lines)
