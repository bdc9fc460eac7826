"""Material's search index of a page, its unchanged sections parsed once per process.

Material's search plugin parses a rebuilt page's whole HTML into sections (one per heading).
The glossary's index page holds every term's summary, so an edit to one summary has the
plugin parse every letter of the A-Z list again. Here a page's HTML is cut where a line
starts with a heading tag, each piece is parsed by Material's own parser and the sections of
a piece are kept, by its digest, for the next build.

A piece stands alone only when the whole page's parse would be in the same state at its start
as a fresh parser: no element open, nothing held back, no section still taking text. A piece
is parsed after a stand-in of the section before it; if the piece ends with an element still
open, or leaves text, a title or a nested heading's fall-back to the stand-in, the cut is not
safe and the page is parsed whole, as Material does. The index made is the same list of
entries either way (tests/test_search_sections.py compares them).
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

#: Where a piece may start: a line that starts with a heading tag.
_CUT = re.compile(r"(?<=\n)(?=<h[1-6][\s>])")

#: Pieces kept at most (their sections); beyond it the memo starts again.
_MAX_PIECES = 50_000


class Section(Protocol):
    """What this module uses of a section of Material's search parser (untyped)."""

    id: str | None
    title: list[str]
    text: list[str]

    def is_excluded(self) -> bool: ...


class PieceIndex(Protocol):
    """What this module uses of Material's search index (untyped; checked in :func:`install`)."""

    def add_entry_from_context(self, page: Page) -> None: ...

    def create_entry_for_section(
        self, section: Section, toc: object, url: str, page: Page
    ) -> None: ...


#: Sections by the digest of a piece and whether it is the page's first piece.
Memo = dict[tuple[bool, bytes], list[Section]]


def _parse(html: str, first: bool) -> list[Section] | None:
    """The sections of one piece (``None``: it does not stand alone)."""
    from material.plugins.search.plugin import (  # type: ignore[import-untyped]
        Element,
        Parser,
        Section,
    )

    parser = Parser()
    before = None
    if not first:  # as after the pieces before it: a section under way, its text taken
        before = Section(Element("hx"), 0)
        parser.section = before
        parser.data.append(before)
    skip = set(parser.skip)
    parser.feed(html)
    if parser.context or parser.rawdata or parser.cdata_elem is not None or parser.skip != skip:
        return None
    parser.close()
    if before is None:
        return list(parser.data)
    if before.text or before.title or len(parser.data) < 2 or parser.data[1].id is None:
        return None
    return list(parser.data[1:])


def sections(html: str, memo: Memo, used: Memo) -> list[Section] | None:
    """The sections of a page's HTML, as Material's parser makes them (``None``: parse it
    whole). ``used``: the pieces of this build, with their sections."""
    out: list[Section] = []
    for i, piece in enumerate(_CUT.split(html)):
        key = (i == 0, hashlib.blake2b(piece.encode(), digest_size=16).digest())
        found = used.get(key)
        if found is None:
            found = memo.get(key)
        if found is None:
            found = _parse(piece, i == 0)
            if found is None:
                return None
        used[key] = found
        for section in found:  # Material sets a missing title: a copy, not the kept one
            fresh = copy.copy(section)
            fresh.title = list(section.title)
            out.append(fresh)
    return out


class SectionIndex:
    """``add_entry_from_context`` of Material's search index, by pieces (see the module)."""

    def __init__(self, index: PieceIndex, memo: Memo) -> None:
        self.index = index
        self.memo = memo
        self.used: Memo = {}
        self.whole = index.add_entry_from_context

    def __call__(self, page: Page) -> None:
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        found = sections(page.content or "", self.memo, self.used)
        if found is None:
            self.whole(page)
            return
        for section in found:
            if not section.is_excluded():
                self.index.create_entry_for_section(section, page.toc, page.url, page)

    def finish(self) -> Memo:
        """The memo for the next build: this build's pieces, then the older ones."""
        kept = dict(self.used)
        for key, value in self.memo.items():
            if len(kept) >= _MAX_PIECES:
                break
            kept.setdefault(key, value)
        return kept


def install(config: MkDocsConfig, memo: Memo) -> SectionIndex | None:
    """Have Material's search index of this build parse pages by pieces (``None``: no search
    plugin, or one whose index is not the one this module knows)."""
    from glossary_gen.engines.mkdocs.search_and_tags import search_index

    index = search_index(config)
    if index is None or type(index).__module__ != "material.plugins.search.plugin":
        return None
    if not callable(getattr(index, "create_entry_for_section", None)):
        return None
    by_pieces = SectionIndex(cast("PieceIndex", index), memo)
    setattr(index, "add_entry_from_context", by_pieces)  # noqa: B010
    return by_pieces
