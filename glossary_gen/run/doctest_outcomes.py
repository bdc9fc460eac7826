"""The build process's reading of a doctest task: a sandbox outcome becomes rows of examples.

The worker (:mod:`glossary_gen.run.doctest_worker`) says only what running decided; here each
reply is checked against the entry's own examples, parsed in this process (the trusted half),
and merged into rows that know their source, expected output and position in the block.  A
task that never returned (timeout, crash, memory...) is rebuilt from its last progress marker:
what ran, where it stopped, what was not run.  The rows, with the entry's status, are what
:mod:`glossary_gen.run.doctests` caches and reports.
"""

from __future__ import annotations

import doctest
from typing import TypedDict, cast

from glossary_gen.run.doctest_worker import (
    EXAMPLE_STATUSES,
    GOT_LIMIT,
    RECORD_SHAPE,
    RESULT_SHAPE,
    EntryPayload,
    ProgressRecord,
    WorkerReply,
)
from glossary_gen.run.sandbox import Outcome, matches

# Entry statuses, from best to worst.
PASSED, EMPTY, FAILED, ERROR = "passed", "empty", "failed", "error"
EXIT, OUTPUT, MEMORY, CRASH, TIMEOUT = "exit", "output", "memory", "crash", "timeout"
SEVERITY = {
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
CACHEABLE = {PASSED, FAILED, EXIT, ERROR, OUTPUT, MEMORY}


class ExampleRow(TypedDict):
    """One example as reported and cached: ``lineno``/``indent`` are relative to its block."""

    lineno: int
    indent: int
    source: str
    want: str
    status: str
    got: str
    detail: str


class BlockRows(TypedDict):
    examples: list[ExampleRow]
    parse_error: str | None


class _RunDataFields(TypedDict):
    blocks: list[BlockRows]
    status: str
    duration: float


class RunData(_RunDataFields, total=False):
    """One entry's run as plain data (what the cache keeps): its blocks of rows and its status;
    for a task that did not return, the reason and the example it was running (``at``)."""

    message: str
    at: list[int] | None


def _status_of(blocks: list[BlockRows]) -> str:
    worst = PASSED
    for block in blocks:
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
            if SEVERITY[mapped] > SEVERITY[worst]:
                worst = mapped
    return worst


def _skeleton(payload: EntryPayload) -> list[tuple[str | None, list[doctest.Example]]]:
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


def _row(example: doctest.Example, status: str, got: str = "", detail: str = "") -> ExampleRow:
    return {
        "lineno": example.lineno,
        "indent": example.indent,
        "source": example.source,
        "want": example.want,
        "status": status,
        "got": got[:GOT_LIMIT],
        "detail": detail[:GOT_LIMIT],
    }


def _reported(
    value: object, skeleton: list[tuple[str | None, list[doctest.Example]]]
) -> list[BlockRows] | None:
    """The worker's reply merged into the skeleton; None if it does not fit this entry."""
    if not matches(value, RESULT_SHAPE):
        return None
    replied = cast(WorkerReply, value)  # its shape is checked just above
    if len(replied["blocks"]) != len(skeleton):
        return None
    blocks: list[BlockRows] = []
    for (parse_error, examples), reply in zip(skeleton, replied["blocks"], strict=True):
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
                    _row(e, verdict(e, r["status"], r["got"], r["exc"]), r["got"], r["detail"])
                    for e, r in zip(examples, rows, strict=True)
                ],
                "parse_error": None,
            }
        )
    return blocks


#: The build's own checker: the entry's code ran in another process and cannot have changed it.
_CHECKER = doctest.OutputChecker()


def _strip_details(message: str) -> str:
    """An exception line without its detail, as doctest compares it under
    ``IGNORE_EXCEPTION_DETAIL``: the name on the first line, before any colon, after any dot."""
    end = len(message)
    newline = message.find("\n")
    if newline >= 0:
        end = newline
    colon = message.find(":", 0, end)
    if colon >= 0:
        end = colon
    return message[message.rfind(".", 0, end) + 1 : end]


def verdict(example: doctest.Example, status: str, got: str, raised: str) -> str:
    """Whether an example passed, decided here from what it printed (``got``) and the exception
    it raised (``raised``), as doctest decides it; the worker's own word is not taken, so code
    that patches doctest in the sandbox cannot make a wrong output pass. Statuses other than
    passed and failed (a crash, a timeout...) stand as the worker reported them, except a
    claimed skip of an example not marked ``+SKIP``."""
    if status == "skipped":
        return status if example.options.get(doctest.SKIP) else "not-run"
    if status not in ("passed", "failed"):
        return status
    flags = 0
    for flag, on in example.options.items():
        flags = flags | flag if on else flags & ~flag
    if raised:
        if example.exc_msg is None:
            return "failed"
        ok = _CHECKER.check_output(example.exc_msg, raised, flags) or bool(
            flags & doctest.IGNORE_EXCEPTION_DETAIL
            and _CHECKER.check_output(
                _strip_details(example.exc_msg), _strip_details(raised), flags
            )
        )
    else:
        ok = _CHECKER.check_output(example.want, got, flags)
    return "passed" if ok else "failed"


def _committed(
    records: list[object], skeleton: list[tuple[str | None, list[doctest.Example]]]
) -> tuple[dict[tuple[int, int], ProgressRecord], str]:
    """The examples' records as the task committed them, and what was wrong with them, if
    anything. The honest runner commits one record per example that ran, in order, before the
    next one runs; so a record out of order, twice, or for no example is the task's code writing
    on the result channel, and it is refused with everything after it (what came before stands).
    """
    accepted: dict[tuple[int, int], ProgressRecord] = {}
    last = (-1, -1)
    for record in records:
        if not matches(record, RECORD_SHAPE):
            return accepted, "a record of an example does not have the expected shape"
        row = cast(ProgressRecord, record)  # its shape is checked just above
        position = (row["block"], row["example"])
        block = skeleton[position[0]] if 0 <= position[0] < len(skeleton) else (None, [])
        if not 0 <= position[1] < len(block[1]) or row["status"] not in RECORDED:
            return accepted, f"a record names no example of the entry ({list(position)})"
        if position <= last:
            return accepted, f"example {list(position)} was recorded again or out of order"
        accepted[position] = row
        last = position
    return accepted, ""


#: Statuses an example's record may carry (skipped and not-run examples are not recorded).
RECORDED = ("passed", "failed", "exception", "exit", "memory", "output")


def from_outcome(outcome: Outcome, payload: EntryPayload) -> RunData:
    """Turn a sandbox outcome into plain data (blocks of example rows), plus a status.

    Each example's row comes from the record the task committed when it ran
    (:func:`_committed`), checked by the build's own verdict; the task's final reply only says
    that it finished. An example without a record did not finish: it is where the task stopped
    (a timeout, a crash, an exit, or an end the code forged), and what follows it did not run.
    """
    skeleton = _skeleton(payload)
    if outcome.records is None and outcome.ok:
        return _from_reply(outcome, skeleton)
    committed, forged = _committed(outcome.records or [], skeleton)
    if outcome.ok:
        if forged:
            stopped, message = ERROR, f"the examples' report was tampered with: {forged}"
        else:
            stopped = ERROR
            message = (
                "the task ended without a result for this example (did its code end the task "
                "or write on the sandbox's result channel?)"
            )
    else:
        stopped = {
            "timeout": TIMEOUT,
            "crash": CRASH,
            "memory": MEMORY,
            "output": OUTPUT,
            "exit": EXIT,
        }.get(outcome.status, ERROR)
        message = _outcome_detail(outcome)
        if forged:
            message = f"{message}; the examples' report was tampered with: {forged}"
    blocks: list[BlockRows] = []
    at: tuple[int, int] | None = None
    ended = False  # an example has stopped the task (or ended it: memory, output)
    for position, (parse_error, examples) in enumerate(skeleton):
        if parse_error is not None:
            blocks.append({"examples": [], "parse_error": parse_error})
            continue
        rows = []
        for number, example in enumerate(examples):
            record = committed.get((position, number))
            if record is not None and not ended:
                got, raised = record["got"], record["exc"]
                status = verdict(example, record["status"], got, raised)
                rows.append(_row(example, status, got, record["detail"]))
                ended = record["status"] in ("memory", "output")
            elif ended:
                rows.append(_row(example, "not-run"))
            elif example.options.get(doctest.SKIP):
                rows.append(_row(example, "skipped"))
            else:
                at, ended = (position, number), True
                rows.append(_row(example, stopped, detail=message))
        blocks.append({"examples": rows, "parse_error": None})
    if forged and at is None:
        at = (0, 0)
    if at is None and outcome.ok:
        return {"blocks": blocks, "status": _status_of(blocks), "duration": outcome.duration}
    status = stopped if at is not None or not outcome.ok else _status_of(blocks)
    return {
        "blocks": blocks,
        "status": status,
        "duration": outcome.duration,
        "message": message,
        "at": list(at) if at else None,
    }


def _from_reply(
    outcome: Outcome, skeleton: list[tuple[str | None, list[doctest.Example]]]
) -> RunData:
    """An outcome without records (made by hand, not by the sandbox): its reply, checked."""
    reported = _reported(outcome.value, skeleton)
    if reported is not None:
        return {"blocks": reported, "status": _status_of(reported), "duration": outcome.duration}
    blocks: list[BlockRows] = [
        {"examples": [_row(e, "not-run") for e in examples], "parse_error": error}
        for error, examples in skeleton
    ]
    return {
        "blocks": blocks,
        "status": ERROR,
        "duration": outcome.duration,
        "message": "the worker's reply does not match the entry's examples",
        "at": None,
    }


def _outcome_detail(outcome: Outcome) -> str:
    if outcome.status == "exit" and outcome.exit_code is not None:
        return f"exit status {outcome.exit_code}"
    if outcome.status == "error" and outcome.error_type:
        return f"{outcome.error}"
    return outcome.error
