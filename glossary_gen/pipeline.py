"""The data path in one place: load -> validate -> link -> doctest.

The CLI, the MkDocs plugin and the pytest plugin all call :func:`check`; none of them
re-implements a step.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import glossary_gen.fences  # noqa: F401  (registers the package's fence kinds)
from glossary_gen.core.config import DEFAULT_MODEL, ConfigError, EntryModel, Settings
from glossary_gen.core.diagnostics import (
    Diagnostic,
    Severity,
    has_errors,
    sort_diagnostics,
    warning,
)
from glossary_gen.core.fences import prepare_fences
from glossary_gen.core.links import link
from glossary_gen.core.loader import display_path, load_entries
from glossary_gen.core.model import Entry, Glossary
from glossary_gen.core.translations import Translations, load_translations, missing_report
from glossary_gen.core.validate import validate
from glossary_gen.run.entry_cache import Records, load_validated
from glossary_gen.run.sandbox import Isolation

if TYPE_CHECKING:
    from glossary_gen.incremental import Memo


@dataclass
class CheckResult:
    glossary: Glossary
    diagnostics: list[Diagnostic]
    #: Doctest outcome per entry slug (filled when doctests ran); see :mod:`glossary_gen.run.doctests`.
    doctest_results: dict[str, object] = field(default_factory=dict)
    #: The sandbox entry code ran in (None with doctests off); its summary names the isolation.
    isolation: Isolation | None = None
    #: Every translated language, linked (empty for a one-language site).
    translations: Translations | None = None
    #: Doctest outcomes of each language's translations: language -> slug -> outcome.
    translation_results: dict[str, dict[str, object]] = field(default_factory=dict)
    #: What each translated language still lacks, as infos (``check --format json`` lists them).
    missing: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def summary_line(
    checked: int,
    entries_dir: Path,
    diagnostics: Collection[Diagnostic],
    isolation: Isolation | None,
    scope: str = "",
    *,
    translated: int = 0,
) -> str:
    """The line ``glossary-gen check`` ends with (and the Zensical build, after its check):
    ``glossary-gen: checked 21 entries in entries: 0 error(s), 0 warning(s) (isolation)``."""
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    return (
        f"glossary-gen: checked {checked} entr{'y' if checked == 1 else 'ies'}{scope}"
        + (f" and {translated} translation(s)" if translated else "")
        + f" in {display_path(entries_dir)}: {errors} error(s), {warnings} warning(s)"
        + (f" ({isolation.summary})" if isolation is not None else "")
    )


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while the glossary is built.

    Loading creates many small acyclic objects (entries, their located parts); each generation-2
    pass walks all of them again, which took ~40% of a 10,000-entry check. Reference counting
    still frees everything as usual; the collector runs again afterwards. What was built meanwhile
    joins the oldest generation directly (``freeze`` then ``unfreeze`` move the lists, in constant
    time): otherwise the first young-generation pass after this walks all of it at once. When
    the caller has frozen objects already (the MkDocs plugin during a serve rebuild), what was
    built joins them, and the caller's own ``unfreeze`` releases everything later: an
    ``unfreeze`` here would undo the caller's freeze in the middle of its build.
    """
    was_enabled = gc.isenabled()
    frozen_by_caller = gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not frozen_by_caller:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def load_and_link(
    entries_dir: Path,
    model: EntryModel = DEFAULT_MODEL,
    *,
    memo: Memo | None = None,
    cache_dir: Path | None = None,
    saved: Collection[Path] | None = None,
) -> tuple[Glossary, list[Diagnostic]]:
    """Load, validate (against the site's entry model) and link a glossary folder (no code is
    run). With a ``memo`` (the site adapter's, kept between ``mkdocs serve`` rebuilds) only
    changed files are parsed and checked again (``saved``: only these files are read, the
    others are taken as the memo last read them: a preview, which the next build checks);
    without one, a ``cache_dir`` keeps parsed and validated entries between processes
    (:mod:`glossary_gen.run.entry_cache`)."""
    if not entries_dir.is_dir():
        raise ConfigError(f"entries folder '{entries_dir}' does not exist")
    with _without_cyclic_gc():
        if memo is not None:
            if memo.entries.empty and cache_dir is not None:  # a new server: start from disk
                records: Records = {}
                load_validated(entries_dir, model, cache_dir, records)
                memo.entries.seed(records)
                memo.validation.seed(records, model)
            entries, diagnostics = memo.entries.load_entries(entries_dir, saved=saved)
            diagnostics += memo.validation.validate(entries, model)
        elif cache_dir is not None:
            entries, diagnostics = load_validated(entries_dir, model, cache_dir)
        else:
            entries, diagnostics = load_entries(entries_dir)
            diagnostics += validate(entries, model)
        glossary, link_diagnostics = link(entries)
    diagnostics += link_diagnostics
    return glossary, diagnostics


def entries_of_files(entries: Iterable[Entry], files: Collection[Path]) -> list[Entry]:
    """The entries of those files, however each path is spelled.
    Only the entries whose file has the name of one of them are resolved (resolving every
    entry's path would take most of a serve preview's time at 1,000 entries)."""
    names = {path.name for path in files}
    wanted: set[Path] | None = None
    found = []
    for entry in entries:
        if entry.file.name not in names:
            continue
        if wanted is None:
            wanted = {path.resolve() for path in files}
        if entry.file.resolve() in wanted:
            found.append(entry)
    return found


def check(
    settings: Settings,
    *,
    only: Collection[Path] | None = None,
    memo: Memo | None = None,
    saved: Collection[Path] | None = None,
) -> CheckResult:
    """Run the whole pipeline. ``only`` limits reporting and doctests to those files (the whole
    glossary is still loaded and linked, since links need it). ``memo`` (see
    :class:`glossary_gen.incremental.Memo`) reuses the last build's parsing, validation and
    doctest verdicts for unchanged entries; the result is the same. ``saved``: see
    :func:`load_and_link`."""
    glossary, diagnostics = load_and_link(
        settings.entries_dir,
        settings.entry_model,
        memo=memo,
        cache_dir=settings.cache_dir,
        saved=saved,
    )
    translations, problems = load_translations(
        settings.entries_dir,
        settings.languages,
        settings.entry_model,
        glossary,
        at_root=not str(settings.plugin.get("url_prefix", "glossary/")).strip("/"),
    )
    diagnostics += problems
    selected: list[Entry] = list(glossary.entries)
    translated = {lang: list(t.glossary.entries) for lang, t in translations.by_lang.items()}
    if only is not None:
        selected = entries_of_files(glossary.entries, only)
        translated = {lang: entries_of_files(found, only) for lang, found in translated.items()}
        shown = {display_path(p) for p in only}
        # A folder's problem (entries/de/: not a language of the site) concerns its files.
        diagnostics = [d for d in diagnostics if d.path in shown or d.path.endswith("/")]
    diagnostics += schema_file_problems(settings)
    result = CheckResult(glossary, diagnostics, translations=translations)
    result.missing = missing_report(settings.entries_dir, translations, glossary)
    if settings.doctest:
        from glossary_gen.run.doctests import check_doctests
        from glossary_gen.run.sandbox import SandboxUnavailable, isolation

        # First, so that a required but missing sandbox stops the check: a usage error.
        try:
            result.isolation = isolation()
        except SandboxUnavailable as exc:
            raise ConfigError(str(exc)) from None

        results: Mapping[str, object]
        if memo is not None:
            results, doctest_diagnostics = memo.doctests.check(
                selected, settings, some=only is not None
            )
        else:
            results, doctest_diagnostics = check_doctests(selected, settings)
        result.doctest_results = dict(results)
        result.diagnostics += doctest_diagnostics
        # Plots run the entry's code too (in the same sandbox): a plot that only fails when its
        # code runs is found by `check`, not first by the site build.
        result.diagnostics += prepare_fences([e for e in selected if not e.draft], settings)
        for lang, entries in translated.items():  # one run per language: slugs repeat across
            found, doctest_diagnostics = check_doctests(entries, settings)
            result.translation_results[lang] = dict(found)
            result.diagnostics += doctest_diagnostics
            result.diagnostics += prepare_fences([e for e in entries if not e.draft], settings)
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


def schema_file_problems(settings: Settings) -> list[Diagnostic]:
    """The editors' copy of the schema (``schema_file``) must say what ``check`` applies."""
    from glossary_gen.core.schema import schema_text

    path = settings.schema_file
    if path is None:
        return []
    try:
        current = path.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current == schema_text(settings.entry_model):
        return []
    state = "does not exist" if current is None else "does not match the entry model in mkdocs.yml"
    return [
        warning(
            display_path(path),
            1,
            1,
            "schema-outdated",
            f"the editors' schema file {state}",
            "run: glossary-gen schema",
        )
    ]
