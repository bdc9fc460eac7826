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

from glossary_gen.run.sandbox import report_record

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
    #: The exception line doctest compared (``ValueError: no``), or "" when none was raised.
    exc: str


class WorkerBlock(TypedDict):
    examples: list[WorkerExample]
    parse_error: str | None


class WorkerReply(TypedDict):
    """The only reply :func:`run_entry` gives (:data:`RESULT_SHAPE`)."""

    blocks: list[WorkerBlock]


class ProgressRecord(TypedDict):
    """An example that ran, as :func:`report_record` carries it (:data:`RECORD_SHAPE`)."""

    block: int
    example: int
    status: str
    got: str
    detail: str
    exc: str


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


#: Characters of an example's output kept (in the cache and the messages). The reply carries
#: all of it (the entry's output cap bounds it), so the build can compare it itself.
GOT_LIMIT = 4000


class _RecordingChecker(doctest.OutputChecker):
    """Remembers what doctest last compared, so the reply says what was raised; the verdict
    itself is the build's (:mod:`glossary_gen.run.doctest_outcomes`), not this process's."""

    def __init__(self) -> None:
        self.last: tuple[str, str] = ("", "")

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        self.last = (want, got)
        return bool(super().check_output(want, got, optionflags))


class _Runner(doctest.DocTestRunner):
    """Records one :class:`ProgressRecord` per example instead of printing a report, and commits
    it to the sandbox (:func:`report_record`) before the next example runs: code that runs later
    can add records, but cannot take back or change the record of an example that ran before."""

    def __init__(self, output_cap: int) -> None:
        self.checker = _RecordingChecker()
        super().__init__(checker=self.checker, verbose=False, optionflags=0)
        self._fakeout = _CappedOut(output_cap)
        self.records: dict[tuple[int, int], ProgressRecord] = {}
        self.block = 0
        self.positions: dict[int, int] = {}

    def _record(
        self, example: doctest.Example, status: str, got: str, detail: str = "", exc: str = ""
    ) -> None:
        record: ProgressRecord = {
            "block": self.block,
            "example": self.positions[id(example)],
            "status": status,
            "got": got,
            "detail": detail,
            "exc": exc,
        }
        self.records[(self.block, record["example"])] = record
        report_record(record)

    def _raised(self, example: doctest.Example) -> str:
        """The exception line doctest compared, if the example raised one it expected."""
        want, got = self.checker.last
        return got if example.exc_msg is not None and want != example.want else ""

    def report_success(
        self, out: _Out, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "passed", got, exc=self._raised(example))

    def report_failure(
        self, out: _Out, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self._record(example, "failed", got, exc=self._raised(example))

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
        {
            "parse_error": (str, None),
            "examples": [{"status": str, "got": str, "detail": str, "exc": str}],
        }
    ]
}
#: What :func:`report_record` carries for each example that ran, in order.
RECORD_SHAPE = {
    "block": int,
    "example": int,
    "status": str,
    "got": str,
    "detail": str,
    "exc": str,
}


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
            block["examples"].append({"status": "", "got": "", "detail": "", "exc": ""})
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
                row["exc"] = record["exc"]
    return {"blocks": blocks}
