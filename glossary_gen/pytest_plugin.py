"""pytest plugin: each glossary entry's doctests become one test item, reported at the entry's line.

Registered under the ``pytest11`` entry point, so it is active wherever glossary_gen is installed,
but it collects nothing unless asked, so projects that merely have the package installed (and this
repository's own ``tests/``) are unaffected:

``pytest --glossary``
    also collect the entries: ``*.md`` files directly in the entries folder.  Without path
    arguments the entries folder is added to the paths pytest collects (``testpaths`` still apply),
    so ``pytest --glossary`` runs the tests *and* the glossary; ``pytest --glossary entries/`` or
    ``pytest --glossary entries/relu.md`` run just those entries.
``glossary_doctests = true`` (ini option)
    the same, without the flag.
``glossary_entries = DIR`` (ini option)
    the entries folder, relative to the rootdir.  Default: ``entries_dir`` of the ``glossary``
    plugin in ``<rootdir>/mkdocs.yml``, else ``entries/``.
``--glossary-no-cache``
    run every entry even if its result is cached.

The entries folder holds no test code: whatever a pull request puts there (a ``conftest.py``, an
``__init__.py``, a ``test_*.py``) is never imported, with or without ``--glossary``, so the
entries' code only ever runs in the sandbox. Its ``conftest.py`` files are registered as empty
plugins before pytest would import them, its folders are collected as plain folders (never as
Python packages), and only its ``*.md`` files are collected.

The examples run exactly as ``glossary-gen check`` runs them (same sandbox, limits from mkdocs.yml,
same cache): the first item to run checks every collected entry in one parallel batch, and each
item then reports its own entry.  A failure shows the entry's file and line, a window of the
source around the failing example, and what was expected and what came out.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pytest's own types for repr_failure (not exported by the pytest module)
    from _pytest._code.code import TerminalRepr, TracebackStyle

from glossary_gen.core.config import ConfigError, Settings, plugin_options, settings_from_options
from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.loader import load_entry
from glossary_gen.core.model import Entry
from glossary_gen.run.doctests import EntryResult, check_doctests, doctest_blocks

_RESULTS = pytest.StashKey[dict[str, tuple[EntryResult, list[Diagnostic]]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("glossary", "glossary_gen entries")
    group.addoption(
        "--glossary",
        action="store_true",
        default=False,
        help="collect the doctests of the glossary entries (entries/*.md)",
    )
    group.addoption(
        "--glossary-no-cache",
        action="store_true",
        default=False,
        help="run every entry's doctests even if the result is cached",
    )
    parser.addini(
        "glossary_doctests",
        type="bool",
        default=False,
        help="collect glossary entry doctests without --glossary",
    )
    parser.addini(
        "glossary_entries",
        default="",
        help="glossary entries folder, relative to the rootdir (default: from mkdocs.yml, else entries)",
    )


def _entries_dir(root: Path, ini_value: object) -> Path:
    """The entries folder from the ini option, else mkdocs.yml, else ``entries/`` (never raises:
    a broken mkdocs.yml is reported later, by :func:`_settings`)."""
    if isinstance(ini_value, str) and ini_value.strip():
        return (root / ini_value.strip()).resolve()
    try:
        mkdocs = root / "mkdocs.yml"
        options = plugin_options(mkdocs) if mkdocs.is_file() else {}
        return settings_from_options(options, mkdocs.parent).entries_dir.resolve()
    except (ConfigError, OSError, ValueError):
        return (root / "entries").resolve()


#: Folders this many levels deep or deeper under the entries folder are not searched for
#: ``conftest.py`` files (entries are one or two levels deep: translations).
_MAX_DEPTH = 8


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Before pytest imports any ``conftest.py``: stand an empty plugin in for each one in the
    entries folder, so pytest's conftest loader finds it registered and never imports it."""
    entries = _entries_dir(early_config.rootpath, early_config.getini("glossary_entries"))
    early_config.stash[_ENTRIES] = entries
    pending = [(entries, 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            children = list(folder.iterdir())
        except OSError:
            continue
        for child in children:
            if child.is_symlink():
                continue
            if child.name == "conftest.py":
                name = str(child)
                if early_config.pluginmanager.get_plugin(name) is None:
                    placeholder = types.ModuleType("glossary_gen_ignored_conftest")
                    early_config.pluginmanager.register(placeholder, name)
            elif depth < _MAX_DEPTH and child.is_dir():
                pending.append((child, depth + 1))


_ENTRIES = pytest.StashKey[Path]()


def _in_entries(config: pytest.Config, path: Path) -> bool:
    entries = config.stash.get(_ENTRIES, None)
    if entries is None:
        return False
    try:
        resolved = path.resolve()
    except OSError:  # pragma: no cover
        return True
    return resolved == entries or entries in resolved.parents


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A folder of entries is a plain folder, never a Python package (a package's
    ``__init__.py`` is imported when its tests run)."""
    if _in_entries(parent.config, path):
        return pytest.Dir.from_parent(parent, path=path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Nothing but Markdown is collected from the entries folder: no ``test_*.py``."""
    is_code = collection_path.suffix != ".md" and not collection_path.is_dir()
    return True if is_code and _in_entries(config, collection_path) else None


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("glossary") or config.getini("glossary_doctests"))


def _settings(config: pytest.Config) -> Settings:
    root = config.rootpath
    mkdocs = root / "mkdocs.yml"
    try:
        options = plugin_options(mkdocs) if mkdocs.is_file() else {}
    except ConfigError as exc:
        raise pytest.UsageError(f"glossary: {exc}") from None
    settings = settings_from_options(options, root)
    folder = config.getini("glossary_entries")
    if folder:
        settings = dataclasses.replace(settings, entries_dir=root / folder)
    if config.getoption("glossary_no_cache"):
        settings = dataclasses.replace(settings, cache_dir=None)
    return settings


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _enabled(config):
        return
    settings = _settings(config)
    config.stash[_SETTINGS] = settings
    # Without explicit paths, collect the entries folder next to testpaths.
    if config.args_source != pytest.Config.ArgsSource.ARGS and settings.entries_dir.is_dir():
        entries = str(settings.entries_dir.resolve())
        if entries not in config.args:
            config.args.append(entries)


_SETTINGS = pytest.StashKey[Settings]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = parent.config.stash.get(_SETTINGS, None)
    if settings is None or file_path.suffix != ".md" or file_path.name.startswith("."):
        return None
    try:
        folder, entries = file_path.parent.resolve(), settings.entries_dir.resolve()
    except OSError:  # pragma: no cover
        return None
    # An entry, or a translation (entries/<lang>/, for a language of the site).
    if folder != entries and not (
        folder.parent == entries and folder.name in settings.languages.translated
    ):
        return None
    return GlossaryEntryFile.from_parent(parent, path=file_path)


class EntryLoadError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format_text() for d in diagnostics))


class GlossaryEntryFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        entry, diagnostics = load_entry(self.path)
        if entry is None:
            raise EntryLoadError(diagnostics)
        if doctest_blocks(entry):
            yield GlossaryDoctestItem.from_parent(self, name=entry.slug, entry=entry)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, EntryLoadError):
            return f"cannot load glossary entry:\n{excinfo.value}"
        return super().repr_failure(excinfo)


class DoctestFailed(Exception):
    def __init__(self, result: EntryResult, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{result.slug}: {result.status}")
        self.result = result
        self.diagnostics = diagnostics


class GlossaryDoctestItem(pytest.Item):
    """All of one entry's examples: they share a namespace, so they pass or fail together."""

    def __init__(self, *, entry: Entry, **kwargs: Any) -> None:  # pytest's from_parent arguments
        super().__init__(**kwargs)
        self.entry = entry

    def runtest(self) -> None:
        results = self.session.stash.get(_RESULTS, None)
        if results is None or self.entry.path not in results:
            results = self.session.stash[_RESULTS] = _run_batch(self)
        result, diagnostics = results[self.entry.path]
        if not result.passed:
            raise DoctestFailed(result, diagnostics)

    def reportinfo(self) -> tuple[Path, int, str]:
        blocks = doctest_blocks(self.entry)
        line = blocks[0][1].line if blocks else 1
        return self.path, line - 1, f"[glossary doctest] {self.entry.slug}"

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if not isinstance(excinfo.value, DoctestFailed):
            return super().repr_failure(excinfo)
        return _failure_report(self.entry, excinfo.value.result, excinfo.value.diagnostics)


def _run_batch(item: GlossaryDoctestItem) -> dict[str, tuple[EntryResult, list[Diagnostic]]]:
    """Check every collected entry at once (parallel workers, one cache) the first time one runs;
    one batch per folder, since a translation has the slug of the entry it translates. Results
    are keyed by the entry's path."""
    items = [i for i in item.session.items if isinstance(i, GlossaryDoctestItem)] or [item]
    batches: dict[Path, dict[str, Entry]] = {}
    for entry in [*(i.entry for i in items), item.entry]:
        batches.setdefault(entry.file.parent, {}).setdefault(entry.slug, entry)
    settings = item.config.stash[_SETTINGS]
    previous = item.session.stash.get(_RESULTS, None) or {}
    for entries in batches.values():
        results, diagnostics = check_doctests(list(entries.values()), settings, progress=False)
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in diagnostics:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
        previous.update(
            {
                entries[slug].path: (result, by_path.get(result.path, []))
                for slug, result in results.items()
            }
        )
    return previous


def _failure_report(entry: Entry, result: EntryResult, diagnostics: list[Diagnostic]) -> str:
    try:
        lines = entry.file.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    failing = {(e.line, e.column): e for b in result.blocks for e in b.examples}
    parts: list[str] = []
    for diagnostic in diagnostics:
        parts.append(f"{diagnostic.path}:{diagnostic.line}: {diagnostic.code}")
        first = max(1, diagnostic.line - 4)
        for number in range(first, min(len(lines), diagnostic.line + 1) + 1):
            marker = ">" if number == diagnostic.line else " "
            parts.append(f"{marker}{number:4d}  {lines[number - 1]}")
        example = failing.get((diagnostic.line, diagnostic.column))
        if example is not None and example.status == "failed":
            parts.append("Expected:")
            parts.extend(
                "    " + line for line in (example.want.rstrip("\n") or "nothing").splitlines()
            )
            parts.append("Got:")
            parts.extend(
                "    " + line for line in (example.got.rstrip("\n") or "nothing").splitlines()
            )
        elif example is not None and example.status in ("exception", "exit") and example.got:
            parts.append("Unexpected exception:")
            parts.extend("    " + line for line in example.got.rstrip("\n").splitlines())
        else:
            parts.append(diagnostic.message)
        parts.append("")
    if not diagnostics:
        parts.append(f"{entry.path}: doctests {result.status}")
    return "\n".join(parts).rstrip("\n")
