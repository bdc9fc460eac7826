"""Doctest step: run the entries' Python examples safely, in parallel, and cache the results.

Semantics are the standard library's :mod:`doctest`, applied to each ``python``/``pycon`` fence
that contains ``>>>`` (:attr:`CodeBlock.is_doctest`): the fence's code (never the closing fence)
goes through :class:`doctest.DocTestParser`, and the blocks of one entry share one namespace
(``{"__name__": "__main__"}``, like ``python -m doctest`` gives a file) from top to bottom. No
option flags are on by default; directives such as ``# doctest: +ELLIPSIS``,
``+NORMALIZE_WHITESPACE``, ``+SKIP``, ``<BLANKLINE>`` and expected tracebacks work as usual.  So
an example passes here exactly when it passes under ``python -m doctest``.

Each entry with examples is one :class:`~glossary_gen.run.sandbox.Task` (``run_entry`` below), run by
:mod:`glossary_gen.run.sandbox` in a worker process with the settings' timeout, memory limit and output
cap, in parallel over ``settings.jobs`` processes.  Nothing from an entry runs in this process.

The worker sends back only what running decided, as JSON of a fixed shape (:data:`RESULT_SHAPE`):
per example its status, what it printed and the exception line.  Where each example is, its
source and expected output come from parsing the entry here, in the build process; a reply that
does not fit the entry's own examples is an error, so a task can only speak for its own examples.

Results are cached under ``settings.cache_dir / "doctests"`` (:mod:`glossary_gen.run.cache`: outside
the repository, authenticated with a key no worker can read), one file per key; the key hashes the
code of the entry's doctest blocks (prose and other fences do not count), the runtime (Python and
glossary_gen versions, the sandbox kind) and the memory/output limits.  File lines are not in the
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
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from glossary_gen import __version__
from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.core.packages import preload_for
from glossary_gen.run.cache import ResultStore, load_key, open_store
from glossary_gen.run.sandbox import (
    Limits,
    Outcome,
    Task,
    isolation,
    matches,
    report_progress,
    run_tasks,
)

if TYPE_CHECKING:
    from glossary_gen.core.config import Settings

#: Bump when the shape of cached results changes.
CACHE_VERSION = 2
CACHE_SUBDIR = "doctests"
TARGET = "glossary_gen.run.doctests:run_entry"

# Entry statuses, from best to worst.
PASSED, EMPTY, FAILED, ERROR = "passed", "empty", "failed", "error"
EXIT, OUTPUT, MEMORY, CRASH, TIMEOUT = "exit", "output", "memory", "crash", "timeout"
_SEVERITY = {
    PASSED: 0,
    EMPTY: 0,
    FAILED: 1,
    EXIT: 2,
    ERROR: 3,
    OUTPUT: 4,
    MEMORY: 5,
    CRASH: 6,
    TIMEOUT: 7,
}
#: Entry statuses that are reproducible and therefore cached.
_CACHEABLE = {PASSED, FAILED, EXIT, ERROR, OUTPUT, MEMORY}

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
    """Hash of what decides the outcome: the doctest code, the runtime and the resource limits."""
    material = json.dumps(
        [
            CACHE_VERSION,
            runtime_fingerprint(),
            settings.doctest_memory_mb,
            settings.doctest_output_kb,
            [b.code for _, b in doctest_blocks(entry)],
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def make_payload(entry: Entry, settings: Settings) -> dict[str, Any]:
    return {
        "name": entry.slug,
        "blocks": [b.code for _, b in doctest_blocks(entry)],
        "output_cap": settings.doctest_output_kb * 1024,
    }


# --- in the worker ------------------------------------------------------------------------------


class OutputLimitExceeded(BaseException):
    """Raised by a ``print`` past the cap; a BaseException so ``except Exception`` can't hide it."""


class _Abort(BaseException):
    """Stop the entry: after a memory or output blow-up its state cannot be trusted."""


class _CappedOut(doctest._SpoofOut):  # type: ignore[name-defined,misc]  # doctest's own buffer
    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0

    def write(self, text: str) -> int:
        self.total += len(text)
        if self.total > self.cap:
            raise OutputLimitExceeded(f"more than {self.cap // 1024} KiB of output")
        written: int = super().write(text)
        return written


_GOT_LIMIT = 4000


class _Runner(doctest.DocTestRunner):
    """Records one dict[str, Any] per example instead of printing a report; reports progress to the sandbox."""

    def __init__(self, output_cap: int) -> None:
        super().__init__(verbose=False, optionflags=0)
        self._fakeout = _CappedOut(output_cap)
        self.records: dict[tuple[int, int], dict[str, Any]] = {}
        self.bad_records: list[dict[str, Any]] = []
        self.block = 0
        self.positions: dict[int, int] = {}

    def report_start(self, out: Any, test: doctest.DocTest, example: doctest.Example) -> None:
        position = [self.block, self.positions[id(example)]]
        report_progress([position, self.bad_records])

    def _record(self, example: doctest.Example, status: str, got: str, detail: str = "") -> None:
        record: dict[str, Any] = {
            "block": self.block,
            "example": self.positions[id(example)],
            "status": status,
            "got": got[:_GOT_LIMIT],
            "detail": detail,
        }
        self.records[(self.block, record["example"])] = record
        if status != "passed":
            self.bad_records.append(record)

    def report_success(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "passed", got)

    def report_failure(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "failed", got)

    def report_unexpected_exception(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, exc_info: Any
    ) -> None:
        exc = exc_info[1]
        if isinstance(exc, OutputLimitExceeded):
            self._record(example, "output", "", str(exc))
            raise _Abort
        if isinstance(exc, MemoryError):
            self._record(example, "memory", "", "MemoryError")
            raise _Abort
        detail = traceback.format_exception_only(exc_info[0], exc)[-1].strip()
        got = doctest._exception_traceback(exc_info)  # type: ignore[attr-defined]
        self._record(example, "exit" if isinstance(exc, SystemExit) else "exception", got, detail)


#: Example statuses a worker may report.
EXAMPLE_STATUSES = (
    "passed",
    "failed",
    "exception",
    "exit",
    "memory",
    "output",
    "skipped",
    "not-run",
)
#: The only reply :func:`run_entry` gives (checked by the sandbox before anything reads it).
RESULT_SHAPE = {
    "blocks": [
        {"parse_error": (str, None), "examples": [{"status": str, "got": str, "detail": str}]}
    ]
}
#: What :func:`report_progress` carries: the running example and the failures so far.
_RECORD_SHAPE = {"block": int, "example": int, "status": str, "got": str, "detail": str}
PROGRESS_SHAPE = [([int], [_RECORD_SHAPE])]


def run_entry(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one entry's doctest blocks in one namespace (called in a sandbox worker).

    Returns plain data of :data:`RESULT_SHAPE`: for every block, its parse error or, for every
    example, its ``status``, what it printed (``got``) and the exception line (``detail``).
    """
    parser = doctest.DocTestParser()
    runner = _Runner(payload.get("output_cap", 64 * 1024))
    globs: dict[str, Any] = {"__name__": "__main__"}
    name = payload.get("name", "entry")
    blocks: list[dict[str, Any]] = []
    aborted = False
    for position, code in enumerate(payload["blocks"]):
        runner.block = position
        block: dict[str, Any] = {"examples": [], "parse_error": None}
        blocks.append(block)
        try:
            test = parser.get_doctest(code, globs, f"{name}[{position}]", f"{name}.md", 0)
            test.globs = globs  # DocTest copies the dict; the entry's blocks share one
        except ValueError as exc:  # e.g. "line 3 of the docstring for x lacks blank after >>>"
            block["parse_error"] = str(exc)
            continue
        for number, example in enumerate(test.examples):
            runner.positions[id(example)] = number
            block["examples"].append({})
        if aborted:
            continue
        try:
            runner.run(test, clear_globs=False)
        except _Abort:
            aborted = True
    for position, block in enumerate(blocks):
        for number, example in enumerate(block["examples"]):
            record = runner.records.get((position, number))
            if record is None:
                example.update(status="not-run" if aborted else "skipped", got="", detail="")
            else:
                example.update(status=record["status"], got=record["got"], detail=record["detail"])
    return {"blocks": blocks}


# --- in the build process -----------------------------------------------------------------------


def _status_of(data: dict[str, Any]) -> str:
    worst = PASSED
    for block in data["blocks"]:
        statuses = [e["status"] for e in block["examples"]] + (
            ["parse"] if block.get("parse_error") else []
        )
        for status in statuses:
            mapped = {
                "failed": FAILED,
                "exception": FAILED,
                "parse": ERROR,
                "exit": EXIT,
                "memory": MEMORY,
                "output": OUTPUT,
            }.get(status, PASSED)
            if _SEVERITY[mapped] > _SEVERITY[worst]:
                worst = mapped
    return worst


def _skeleton(payload: dict[str, Any]) -> list[tuple[str | None, list[doctest.Example]]]:
    """Each block's examples as parsed here (or its parse error): the trusted half of a result."""
    parser = doctest.DocTestParser()
    blocks: list[tuple[str | None, list[doctest.Example]]] = []
    for code in payload["blocks"]:
        try:
            parts = parser.parse(code)
        except ValueError as exc:
            blocks.append((str(exc), []))
            continue
        blocks.append((None, [e for e in parts if isinstance(e, doctest.Example)]))
    return blocks


def _row(example: doctest.Example, status: str, got: str = "", detail: str = "") -> dict[str, Any]:
    return {
        "lineno": example.lineno,
        "indent": example.indent,
        "source": example.source,
        "want": example.want,
        "status": status,
        "got": got[:_GOT_LIMIT],
        "detail": detail[:_GOT_LIMIT],
    }


def _reported(
    value: Any, skeleton: list[tuple[str | None, list[doctest.Example]]]
) -> list[dict[str, Any]] | None:
    """The worker's reply merged into the skeleton; None if it does not fit this entry."""
    if not matches(value, RESULT_SHAPE) or len(value["blocks"]) != len(skeleton):
        return None
    blocks: list[dict[str, Any]] = []
    for (parse_error, examples), reply in zip(skeleton, value["blocks"], strict=True):
        if parse_error is not None:
            blocks.append({"examples": [], "parse_error": parse_error})
            continue
        rows = reply["examples"]
        if reply["parse_error"] is not None or len(rows) != len(examples):
            return None
        if any(r["status"] not in EXAMPLE_STATUSES for r in rows):
            return None
        blocks.append(
            {
                "examples": [
                    _row(e, r["status"], r["got"], r["detail"])
                    for e, r in zip(examples, rows, strict=True)
                ],
                "parse_error": None,
            }
        )
    return blocks


def _progress(value: Any) -> tuple[tuple[int, int] | None, list[dict[str, Any]]]:
    """The last progress marker of a task that did not return: where it was, what had failed."""
    if (
        isinstance(value, list)
        and len(value) == 2
        and matches(value[0], [int])
        and len(value[0]) == 2
        and matches(value[1], [_RECORD_SHAPE])
    ):
        return (value[0][0], value[0][1]), [r for r in value[1] if r["status"] in EXAMPLE_STATUSES]
    return None, []


def _from_outcome(outcome: Outcome, payload: dict[str, Any]) -> dict[str, Any]:
    """Turn a sandbox outcome into plain data (blocks of example rows), plus a status."""
    skeleton = _skeleton(payload)
    if outcome.ok:
        reported = _reported(outcome.value, skeleton)
        if reported is not None:
            data: dict[str, Any] = {"blocks": reported}
            data["status"] = _status_of(data)
            data["duration"] = outcome.duration
            return data
        outcome = Outcome(
            "error",
            error="the worker's reply does not match the entry's examples",
            duration=outcome.duration,
        )
    # The worker never returned: rebuild the examples from the code, mark what we know.
    status = {
        "timeout": TIMEOUT,
        "crash": CRASH,
        "memory": MEMORY,
        "output": OUTPUT,
        "exit": EXIT,
    }.get(outcome.status, ERROR)
    at, failures = _progress(outcome.progress)
    known = {(f["block"], f["example"]): f for f in failures}
    blocks: list[dict[str, Any]] = []
    for position, (parse_error, examples) in enumerate(skeleton):
        if parse_error is not None:
            blocks.append({"examples": [], "parse_error": parse_error})
            continue
        rows = []
        for number, example in enumerate(examples):
            if (position, number) in known:
                record = known[(position, number)]
                row = _row(example, record["status"], record["got"], record["detail"])
            elif at is not None and (position, number) < at:
                # It ran before the failure without a problem (or was skipped).
                row = _row(example, "skipped" if example.options.get(doctest.SKIP) else "passed")
            elif at is not None and (position, number) == at:
                row = _row(example, status, detail=_outcome_detail(outcome))
            else:
                row = _row(example, "not-run")
            rows.append(row)
        blocks.append({"examples": rows, "parse_error": None})
    return {
        "blocks": blocks,
        "status": status,
        "duration": outcome.duration,
        "message": _outcome_detail(outcome),
        "at": list(at) if at else None,
    }


def _outcome_detail(outcome: Outcome) -> str:
    if outcome.status == "exit" and outcome.exit_code is not None:
        return f"exit status {outcome.exit_code}"
    if outcome.status == "error" and outcome.error_type:
        return f"{outcome.error}"
    return outcome.error


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
    entry: Entry, data: dict[str, Any], settings: Settings, cached: bool
) -> tuple[EntryResult, list[Diagnostic]]:
    blocks_in_file = doctest_blocks(entry)
    diagnostics: list[Diagnostic] = []
    block_results: list[BlockResult] = []
    attempted = failed = skipped = 0
    status = data["status"]
    timeout = settings.doctest_timeout
    for (index, block), block_data in zip(blocks_in_file, data["blocks"], strict=False):
        if block_data.get("parse_error"):
            line, message = _parse_error_line(block, block_data["parse_error"])
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
    result: ExampleResult, row: dict[str, Any], timeout: float, settings: Settings
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

    def get(self, key: str) -> dict[str, Any] | None:
        result = self._store.get(key) if self._store is not None else None
        return result if result is not None and _valid(result) else None

    def put(self, key: str, result: dict[str, Any]) -> None:
        if self._store is not None:
            self._store.put(key, result)


def _valid(result: dict[str, Any]) -> bool:
    try:
        if result["status"] not in _SEVERITY or not isinstance(result["blocks"], list):
            return False
        for block in result["blocks"]:
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
    data_by_slug: dict[str, tuple[dict[str, Any], bool]] = {}
    to_run: list[tuple[Entry, str, dict[str, Any]]] = []
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
            data = _from_outcome(outcome, payload)
            data_by_slug[entry.slug] = (data, False)
            if cache is not None and data["status"] in _CACHEABLE and outcome.ok:
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
