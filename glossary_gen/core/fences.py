"""The registry of fence kinds: what a fenced block other than a doctest does (``plot``,
``playground``, a site's own kinds).

A kind is registered once, at import, by the module that implements it (the kinds of the package
live in :mod:`glossary_gen.fences`; :mod:`glossary_gen.pipeline` imports them). The core and the
renderer only ask this registry, so neither imports a kind:

* :func:`check_fences` is the validation rule: each kind's ``check`` parses its fences and
  returns located diagnostics, before anything runs;
* :func:`prepare_fences` lets each kind evaluate its fences (in the sandbox) before pages are
  rendered; the pipeline calls it once per build;
* :func:`formatter` gives the renderer the kind's formatter, ``format(ctx)``, for a fence language or an
  option word of the info string (``plot`` in ```` ```python plot ````). It returns trusted HTML
  (``str``), :class:`Markdown` to render in place (sanitized like the rest of the entry), or
  ``None`` for the default rendering. It may raise :class:`FenceError` (or call ``ctx.report``)
  for a located problem; any other exception is reported as a located error too, and the block
  falls back to the default rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from glossary_gen.core.config import Settings
from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.model import CodeBlock, Entry, Glossary


class Markdown(str):
    """A formatter result that is Markdown (rendered and sanitized in place), not trusted HTML."""


class FenceError(Exception):
    """Raised by a fence formatter for a problem in the fence; reported at ``line`` (default: the
    fence line) of the entry file."""

    def __init__(
        self, message: str, line: int | None = None, column: int = 1, hint: str | None = None
    ):
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


@dataclass
class FenceContext:
    """What a fence formatter gets: the block, its entry, the linked glossary and the doctest
    result of the entry (``pipeline.CheckResult.doctest_results[entry.slug]``, or ``None``)."""

    entry: Entry
    block: CodeBlock
    index: int
    glossary: Glossary
    doctest: object | None
    #: Where the page will live, site-root-relative (``glossary/relu/``), for relative links.
    page_url: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: The page's words for an English text (a translation's page is in its language).
    say: Callable[[str], str] = str

    def report(self, diagnostic: Diagnostic) -> None:
        """Add a located problem (use ``diagnostics.error(ctx.entry.path, line, col, code, msg)``)."""
        self.diagnostics.append(diagnostic)


FenceFormatter = Callable[[FenceContext], "str | Markdown | None"]
FenceCheck = Callable[[Entry], Iterable[Diagnostic]]
FencePrepare = Callable[[Sequence[Entry], Settings], list[Diagnostic]]


@dataclass(frozen=True)
class FenceKind:
    """One kind of fence: the fence languages it owns, and what it does with them (``formats``:
    a formatter per language, or per option word of the info string)."""

    languages: tuple[str, ...]
    check: FenceCheck | None = None
    prepare: FencePrepare | None = None
    formats: Mapping[str, FenceFormatter] = field(default_factory=dict)


#: Registered kinds, in registration order.
KINDS: list[FenceKind] = []

#: Fence language (or info-string option word) -> formatter; kept by :func:`register`, and
#: writable for a site's own formatters (``FENCE_FORMATTERS["shout"] = shout``).
FENCE_FORMATTERS: dict[str, FenceFormatter] = {}


def register(kind: FenceKind) -> FenceKind:
    """Add a kind (once: registering the same languages again keeps the first)."""
    if any(k.languages == kind.languages for k in KINDS):
        return kind
    KINDS.append(kind)
    for language, format_ in kind.formats.items():
        FENCE_FORMATTERS.setdefault(language, format_)
    return kind


def formatter(block: CodeBlock) -> FenceFormatter | None:
    """The formatter of a block: its option words first, then its language."""
    for key in (*block.options, block.language):
        found = FENCE_FORMATTERS.get(key)
        if found is not None:
            return found
    return None


def check_fences(entry: Entry) -> Iterable[Diagnostic]:
    """Validation rule: each registered kind checks the entry's fences of its languages."""
    languages = {b.language for b in entry.code_blocks}
    for kind in KINDS:
        if kind.check is not None and languages.intersection(kind.languages):
            yield from kind.check(entry)


def prepare_fences(entries: Sequence[Entry], settings: Settings) -> list[Diagnostic]:
    """Let every kind evaluate its fences before pages are rendered (once per build)."""
    diagnostics: list[Diagnostic] = []
    for kind in KINDS:
        if kind.prepare is not None:
            diagnostics.extend(kind.prepare(entries, settings))
    return diagnostics
