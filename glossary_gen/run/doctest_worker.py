"""The worker's half of the doctest step: run one entry's examples, report only what happened.

:func:`run_entry` is the target of every doctest :class:`~glossary_gen.run.sandbox.Task`; it runs
in a sandbox worker's child, never in the build process.  It parses the entry's blocks with
:mod:`doctest`, runs them in one namespace and answers data of :data:`RESULT_SHAPE`: per example
a status, what it printed and the exception line.  Everything else (where an example is, its
source, what it expected) the build process takes from its own parse
(:mod:`glossary_gen.run.doctest_outcomes`), so a task can only speak for its own examples.
This module imports nothing of the build side: a worker loads the least it needs.
"""

from __future__ import annotations

import doctest
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from glossary_gen.run.sandbox import report_progress

if TYPE_CHECKING:
    from _typeshed import ExcInfo

#: Where doctest's runner writes its report (this runner records instead).
_Out = Callable[[str], object]


class EntryPayload(TypedDict):
    """What the build process sends for one entry (:func:`glossary_gen.run.doctests.make_payload`)."""

    name: str
    #: The code of the entry's doctest fences, top to bottom.
    blocks: list[str]
    #: Bytes the entry may print in all.
    output_cap: int


class WorkerExample(TypedDict):
    status: str
    got: str
    detail: str


class WorkerBlock(TypedDict):
    examples: list[WorkerExample]
    parse_error: str | None


class WorkerReply(TypedDict):
    """The only reply :func:`run_entry` gives (:data:`RESULT_SHAPE`)."""

    blocks: list[WorkerBlock]


class ProgressRecord(TypedDict):
    """An example that ran, as :func:`report_progress` carries it (:data:`RECORD_SHAPE`)."""

    block: int
    example: int
    status: str
    got: str
    detail: str


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


#: Characters of an example's output kept (in the reply, the cache and the messages).
GOT_LIMIT = 4000


class _Runner(doctest.DocTestRunner):
    """Records one :class:`ProgressRecord` per example instead of printing a report; reports
    progress to the sandbox."""

    def __init__(self, output_cap: int) -> None:
        super().__init__(verbose=False, optionflags=0)
        self._fakeout = _CappedOut(output_cap)
        self.records: dict[tuple[int, int], ProgressRecord] = {}
        self.bad_records: list[ProgressRecord] = []
        self.block = 0
        self.positions: dict[int, int] = {}

    def report_start(self, out: _Out, test: doctest.DocTest, example: doctest.Example) -> None:
        position = [self.block, self.positions[id(example)]]
        report_progress([position, self.bad_records])

    def _record(self, example: doctest.Example, status: str, got: str, detail: str = "") -> None:
        record: ProgressRecord = {
            "block": self.block,
            "example": self.positions[id(example)],
            "status": status,
            "got": got[:GOT_LIMIT],
            "detail": detail,
        }
        self.records[(self.block, record["example"])] = record
        if status != "passed":
            self.bad_records.append(record)

    def report_success(
        self, out: _Out, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "passed", got)

    def report_failure(
        self, out: _Out, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "failed", got)

    def report_unexpected_exception(
        self, out: _Out, test: doctest.DocTest, example: doctest.Example, exc_info: ExcInfo
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
RECORD_SHAPE = {"block": int, "example": int, "status": str, "got": str, "detail": str}
PROGRESS_SHAPE = [([int], [RECORD_SHAPE])]


def run_entry(payload: EntryPayload) -> WorkerReply:
    """Run one entry's doctest blocks in one namespace (called in a sandbox worker).

    Returns plain data of :data:`RESULT_SHAPE`: for every block, its parse error or, for every
    example, its ``status``, what it printed (``got``) and the exception line (``detail``).
    """
    parser = doctest.DocTestParser()
    runner = _Runner(payload.get("output_cap", 64 * 1024))
    globs: dict[str, Any] = {"__name__": "__main__"}
    name = payload.get("name", "entry")
    blocks: list[WorkerBlock] = []
    aborted = False
    for position, code in enumerate(payload["blocks"]):
        runner.block = position
        block: WorkerBlock = {"examples": [], "parse_error": None}
        blocks.append(block)
        try:
            test = parser.get_doctest(code, globs, f"{name}[{position}]", f"{name}.md", 0)
            test.globs = globs  # DocTest copies the dict; the entry's blocks share one
        except ValueError as exc:  # e.g. "line 3 of the docstring for x lacks blank after >>>"
            block["parse_error"] = str(exc)
            continue
        for number, example in enumerate(test.examples):
            runner.positions[id(example)] = number
            block["examples"].append({"status": "", "got": "", "detail": ""})
        if aborted:
            continue
        try:
            runner.run(test, clear_globs=False)
        except _Abort:
            aborted = True
    for position, block in enumerate(blocks):
        for number, row in enumerate(block["examples"]):
            record = runner.records.get((position, number))
            if record is None:
                row["status"] = "not-run" if aborted else "skipped"
            else:
                row["status"] = record["status"]
                row["got"] = record["got"]
                row["detail"] = record["detail"]
    return {"blocks": blocks}
