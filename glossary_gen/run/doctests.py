"""Doctest step: run the entries' Python examples safely, in parallel, and cache the results.

Semantics are the standard library's :mod:`doctest`, applied to each ``python``/``pycon`` fence
that contains ``>>>`` (:attr:`CodeBlock.is_doctest`): the fence's code (never the closing fence)
goes through :class:`doctest.DocTestParser`, and the blocks of one entry share one namespace
(``{"__name__": "__main__"}``, like ``python -m doctest`` gives a file) from top to bottom. No
option flags are on by default; directives such as ``# doctest: +ELLIPSIS``,
``+NORMALIZE_WHITESPACE``, ``+SKIP``, ``<BLANKLINE>`` and expected tracebacks work as usual.  So
an example passes here exactly when it passes under ``python -m doctest``.

Each entry with examples is one :class:`~glossary_gen.run.sandbox.Task`
(:func:`glossary_gen.run.doctest_worker.run_entry`), run by :mod:`glossary_gen.run.sandbox` in a
worker process with the settings' timeout, memory limit and output cap, in parallel over
``settings.jobs`` processes.  Nothing from an entry runs in this process.

The worker sends back only what running decided, as JSON of a fixed shape
(:data:`~glossary_gen.run.doctest_worker.RESULT_SHAPE`): per example its status, what it printed
and the exception line.  Where each example is, its source and expected output come from parsing
the entry here, in the build process (:mod:`glossary_gen.run.doctest_outcomes`); a reply that
does not fit the entry's own examples is an error, so a task can only speak for its own examples.
This module is the step itself: what runs (cache keys, payloads), the cache, the progress bar,
and the located diagnostics of every entry's results.

Results are cached under ``settings.cache_dir / "doctests"`` (:mod:`glossary_gen.run.cache`: outside
the repository, authenticated with a key no worker can read), one file per key; the key hashes
everything the code can observe: the code of the entry's doctest blocks (prose and other fences do
not count) and the entry's name (the file name its examples run as: the code can read it), the
runtime (Python and glossary_gen versions, the sandbox kind) and the memory/output limits.  File lines are not in the
key: results store positions relative to their block, so moving an example down the page keeps the
cache and still reports the new line.  Timeouts and crashes are not cached (they may depend on the
machine).  A missing, corrupt or unauthenticated cache file is a miss; files are written atomically.

Diagnostic codes (all errors, at the file line and column of the example's ``>>>``):

``doctest``          wrong output (message: expected vs got) or an unexpected exception
``doctest-exit``     the example called ``sys.exit()`` or ``os._exit()``
``doctest-timeout``  the entry's examples did not finish within the timeout (at the running example)
``doctest-memory``   the example went over the memory limit (``MemoryError``)
``doctest-output``   the entry printed more than the output cap
``doctest-crash``    the worker process died, e.g. of a segfault
``doctest-parse``    ``doctest`` could not parse the block (e.g. no space after ``>>>``)
``doctest-error``    the examples could not be run at all (an internal problem, reported per entry)

:func:`check_doctests` shows a progress bar on stderr when stderr is a terminal, no ``CI``
variable is set and more than a few entries have to run.
"""

from __future__ import annotations

import doctest
import hashlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from glossary_gen import __version__
from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.core.packages import preload_for
from glossary_gen.run.cache import ResultStore, load_key, open_store
from glossary_gen.run.doctest_outcomes import (
    CACHEABLE,
    CRASH,
    EMPTY,
    ERROR,
    EXIT,
    FAILED,
    MEMORY,
    OUTPUT,
    PASSED,
    SEVERITY,
    TIMEOUT,
    ExampleRow,
    RunData,
    from_outcome,
)
from glossary_gen.run.doctest_worker import RESULT_SHAPE, EntryPayload
from glossary_gen.run.sandbox import Limits, Outcome, Task, isolation, run_tasks

if TYPE_CHECKING:
    from glossary_gen.core.config import Settings

#: Bump when the shape of cached results changes.
CACHE_VERSION = 3
CACHE_SUBDIR = "doctests"
TARGET = "glossary_gen.run.doctest_worker:run_entry"

# Example statuses: passed, failed (wrong output), exception, exit, memory, output, skipped, not-run.
_CODES = {
    "failed": "doctest",
    "exception": "doctest",
    "exit": "doctest-exit",
    "memory": "doctest-memory",
    "output": "doctest-output",
    "parse": "doctest-parse",
}


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleResult:
    """One ``>>>`` example: where it is, what it expected and what it printed."""

    line: int
    column: int
    source: str
    want: str
    got: str
    status: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class BlockResult:
    """One doctest fence; ``index`` is its position in ``Entry.code_blocks``."""

    index: int
    line: int
    status: str  # passed | failed | not-run
    attempted: int
    failed: int
    examples: tuple[ExampleResult, ...]

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class EntryResult:
    slug: str
    path: str
    #: passed, empty (no examples), failed, exit, error, output, memory, crash or timeout
    status: str
    attempted: int
    failed: int
    skipped: int
    duration: float
    cached: bool
    blocks: tuple[BlockResult, ...]
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status in (PASSED, EMPTY)

    def block(self, index: int) -> BlockResult | None:
        """The result for ``entry.code_blocks[index]`` (None if that block is not a doctest)."""
        return next((b for b in self.blocks if b.index == index), None)


# --- extraction ---------------------------------------------------------------------------------


def doctest_blocks(entry: Entry) -> list[tuple[int, CodeBlock]]:
    """The entry's doctest fences with their index in ``entry.code_blocks``, top to bottom."""
    return [(i, b) for i, b in enumerate(entry.code_blocks) if b.is_doctest]


def runtime_fingerprint() -> str:
    return (
        f"{sys.implementation.name}-{sys.version}-{platform.machine()}-glossary_gen-{__version__}"
        f"-{isolation().kind}"
    )


def cache_key(entry: Entry, settings: Settings) -> str:
    """Hash of what decides the outcome: everything the code can observe (the whole payload: its
    blocks and its entry's name, which is also the file name its examples run as, the only path
    they are given), the runtime and the resource limits."""
    material = json.dumps(
        [
            CACHE_VERSION,
            runtime_fingerprint(),
            settings.doctest_memory_mb,
            settings.doctest_output_kb,
            make_payload(entry, settings),
        ],
        sort_keys=True,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def make_payload(entry: Entry, settings: Settings) -> EntryPayload:
    return {
        "name": entry.slug,
        "blocks": [b.code for _, b in doctest_blocks(entry)],
        "output_cap": settings.doctest_output_kb * 1024,
    }


# --- diagnostics --------------------------------------------------------------------------------


def _short(text: str, limit: int = 200) -> str:
    text = text.rstrip("\n")
    if not text:
        return "nothing"
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def _source_line(source: str) -> str:
    first = source.strip().splitlines()[0] if source.strip() else ""
    return first if len(first) <= 60 else first[:57] + "..."


def _diagnostics_and_result(
    entry: Entry, data: RunData, settings: Settings, cached: bool
) -> tuple[EntryResult, list[Diagnostic]]:
    blocks_in_file = doctest_blocks(entry)
    diagnostics: list[Diagnostic] = []
    block_results: list[BlockResult] = []
    attempted = failed = skipped = 0
    status = data["status"]
    timeout = settings.doctest_timeout
    for (index, block), block_data in zip(blocks_in_file, data["blocks"], strict=False):
        parse_error = block_data.get("parse_error")
        if parse_error:
            line, message = _parse_error_line(block, parse_error)
            diagnostics.append(error(entry.path, line, block.indent + 1, _CODES["parse"], message))
            block_results.append(BlockResult(index, block.line, "failed", 0, 0, ()))
            continue
        examples = []
        block_failed = block_attempted = 0
        for row in block_data["examples"]:
            line = block.line + row["lineno"]
            column = block.indent + row["indent"] + 1
            example = ExampleResult(
                line, column, row["source"], row["want"], row.get("got", ""), row["status"]
            )
            examples.append(example)
            kind = row["status"]
            if kind == "skipped":
                skipped += 1
                continue
            if kind == "not-run":
                continue
            block_attempted += 1
            if kind == "passed":
                continue
            block_failed += 1
            diagnostics.append(
                error(
                    entry.path,
                    line,
                    column,
                    _example_code(kind),
                    _example_message(example, row, timeout, settings),
                )
            )
        attempted += block_attempted
        failed += block_failed
        not_run = any(e.status == "not-run" for e in examples)
        block_status = (
            "failed"
            if block_failed
            else ("not-run" if not_run and not block_attempted else "passed")
        )
        block_results.append(
            BlockResult(
                index, block.line, block_status, block_attempted, block_failed, tuple(examples)
            )
        )
    if status not in (PASSED, FAILED, EMPTY) and not diagnostics:
        # The run failed before any example could be blamed (e.g. the worker could not start).
        line = blocks_in_file[0][1].line if blocks_in_file else 1
        code = {
            TIMEOUT: "doctest-timeout",
            CRASH: "doctest-crash",
            MEMORY: "doctest-memory",
            OUTPUT: "doctest-output",
            EXIT: "doctest-exit",
        }.get(status, "doctest-error")
        diagnostics.append(
            error(
                entry.path,
                line,
                1,
                code,
                f"the examples could not be run: {data.get('message') or status}",
            )
        )
    result = EntryResult(
        entry.slug,
        entry.path,
        status,
        attempted,
        failed,
        skipped,
        float(data.get("duration", 0.0)),
        cached,
        tuple(block_results),
        data.get("message", ""),
    )
    return result, diagnostics


def _example_code(kind: str) -> str:
    return {TIMEOUT: "doctest-timeout", CRASH: "doctest-crash", ERROR: "doctest-error"}.get(
        kind
    ) or _CODES.get(kind, "doctest")


def _example_message(
    result: ExampleResult, row: ExampleRow, timeout: float, settings: Settings
) -> str:
    source = f"example `{_source_line(result.source)}`"
    kind = result.status
    detail = row.get("detail", "")
    if kind == "failed":
        return f"{source} failed: expected {_short(result.want)}, got {_short(result.got)}"
    if kind == "exception":
        expected = f"expected {_short(result.want)}"
        return f"{source} raised {detail} ({expected})"
    if kind == "exit":
        if detail.startswith("SystemExit"):
            return f"{source} called sys.exit() ({detail}); examples must not exit the interpreter"
        return (
            f"{source} ended the worker process ({detail}); examples must not exit the interpreter"
        )
    if kind == MEMORY:
        return f"{source} went over the memory limit of {settings.doctest_memory_mb} MB ({detail or 'MemoryError'})"
    if kind == OUTPUT:
        return f"{source} printed more than the output limit of {settings.doctest_output_kb} KiB"
    if kind == TIMEOUT:
        return (
            f"{source} did not finish within the {timeout:g} s limit for the entry (infinite loop?)"
        )
    if kind == CRASH:
        return f"{source} crashed the worker process: {detail}"
    return f"{source} could not be run: {detail}"


_PARSE_LINE = re.compile(r"line (\d+) of the docstring for \S+ (.*)", re.S)


def _parse_error_line(block: CodeBlock, message: str) -> tuple[int, str]:
    match = _PARSE_LINE.search(message)
    if match:
        return block.line + int(
            match.group(1)
        ) - 1, f"doctest cannot parse this example: {match.group(2).strip()}"
    return block.line, f"doctest cannot parse this block: {message}"


# --- cache --------------------------------------------------------------------------------------


class DoctestCache:
    """Content-addressed results: ``<cache_dir>/doctests/<key>.json``, each authenticated with the
    user's key (:mod:`glossary_gen.run.cache`). Any problem, a wrong MAC included, is a miss."""

    def __init__(self, cache_dir: Path, store: ResultStore | None = None) -> None:
        self.folder = Path(cache_dir) / CACHE_SUBDIR
        if store is None:
            secret = load_key()
            store = ResultStore(self.folder, CACHE_SUBDIR, secret) if secret else None
        self._store = store

    @classmethod
    def for_settings(cls, settings: Settings) -> DoctestCache | None:
        """The cache ``settings`` ask for; None when off or not trustworthy (inside the repo)."""
        store = open_store(settings.cache_dir, CACHE_SUBDIR, settings.entries_dir)
        if store is None or settings.cache_dir is None:
            return None
        return cls(settings.cache_dir, store)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> RunData | None:
        result = self._store.get(key) if self._store is not None else None
        # authenticated (our own record), and checked for the fields the report reads
        return cast(RunData, result) if result is not None and _valid(result) else None

    def put(self, key: str, result: RunData) -> None:
        if self._store is not None:
            self._store.put(key, result)


def _valid(result: Mapping[str, object]) -> bool:
    try:
        blocks = result["blocks"]
        if result["status"] not in SEVERITY or not isinstance(blocks, list):
            return False
        for block in blocks:
            for example in block["examples"]:
                if not (
                    isinstance(example["lineno"], int)
                    and isinstance(example["indent"], int)
                    and isinstance(example["source"], str)
                    and isinstance(example["want"], str)
                    and isinstance(example["status"], str)
                ):
                    return False
    except (KeyError, TypeError):
        return False
    return True


# --- progress -----------------------------------------------------------------------------------


def _in_ci() -> bool:
    return any(
        os.environ.get(name)
        for name in ("CI", "GITHUB_ACTIONS", "BUILD_NUMBER", "TF_BUILD", "GITLAB_CI")
    )


class _ProgressBar:
    """``doctests [#####.....] 120/1000`` redrawn in place on an interactive stderr."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done, self.last = total, stream, 0, 0.0

    def advance(self, _index: int = 0, _outcome: Outcome | None = None) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last < 0.1 and self.done < self.total:
            return
        self.last = now
        width = 30
        filled = width * self.done // self.total
        self.stream.write(
            f"\rdoctests [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\033[K")
        self.stream.flush()


def _want_progress(progress: bool | None, count: int, stream: TextIO) -> bool:
    if progress is not None:
        return progress and count > 0
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return interactive and not _in_ci() and count >= 20


# --- the step -----------------------------------------------------------------------------------


def check_doctests(
    entries: Iterable[Entry], settings: Settings, *, progress: bool | None = None
) -> tuple[dict[str, EntryResult], list[Diagnostic]]:
    """Check every entry's examples: results keyed by slug, plus located diagnostics."""
    entries = list(entries)
    cache = DoctestCache.for_settings(settings)
    data_by_slug: dict[str, tuple[RunData, bool]] = {}
    to_run: list[tuple[Entry, str, EntryPayload]] = []
    for entry in entries:
        if not doctest_blocks(entry):
            continue
        key = cache_key(entry, settings)
        stored = cache.get(key) if cache is not None else None
        if stored is not None and len(stored["blocks"]) == len(doctest_blocks(entry)):
            data_by_slug[entry.slug] = (stored, True)
        else:
            to_run.append((entry, key, make_payload(entry, settings)))

    if to_run:
        limits = Limits(
            timeout=settings.doctest_timeout,
            memory_mb=settings.doctest_memory_mb,
            output_kb=settings.doctest_output_kb,
        )
        bar = (
            _ProgressBar(len(to_run), sys.stderr)
            if _want_progress(progress, len(to_run), sys.stderr)
            else None
        )
        try:
            outcomes = run_tasks(
                [Task(TARGET, payload, RESULT_SHAPE) for _, _, payload in to_run],
                limits,
                settings.jobs,
                on_done=bar.advance if bar else None,
                preload=preload_for(r.value for entry, _, _ in to_run for r in entry.requires),
            )
        finally:
            if bar is not None:
                bar.close()
        for (entry, key, payload), outcome in zip(to_run, outcomes, strict=False):
            data = from_outcome(outcome, payload)
            data_by_slug[entry.slug] = (data, False)
            if cache is not None and data["status"] in CACHEABLE and outcome.ok:
                cache.put(key, data)

    results: dict[str, EntryResult] = {}
    diagnostics: list[Diagnostic] = []
    for entry in entries:
        if entry.slug not in data_by_slug:
            results[entry.slug] = EntryResult(
                entry.slug, entry.path, EMPTY, 0, 0, 0, 0.0, False, ()
            )
            continue
        data, cached = data_by_slug[entry.slug]
        result, problems = _diagnostics_and_result(entry, data, settings, cached)
        results[entry.slug] = result
        diagnostics.extend(problems)
    return results, diagnostics


def run_in_process(entries: Sequence[Entry]) -> list[doctest.TestResults]:
    """The floor for benchmarks: the same examples with plain ``doctest`` in this process (unsafe)."""
    parser = doctest.DocTestParser()
    results = []
    for entry in entries:
        runner = doctest.DocTestRunner(verbose=False)
        globs: dict[str, Any] = {"__name__": "__main__"}
        for position, (_, block) in enumerate(doctest_blocks(entry)):
            test = parser.get_doctest(block.code, globs, f"{entry.slug}[{position}]", entry.path, 0)
            test.globs = globs
            runner.run(test, clear_globs=False, out=lambda _text: None)
        results.append(runner.summarize(verbose=False))
    return results
