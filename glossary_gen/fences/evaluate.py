"""Evaluating live fences: the entry's own code runs in the sandbox's worker processes (through
:mod:`glossary_gen.run`, never in the build process) and the functions the fences name are
sampled there.

One sandbox task per entry runs its code once for all its live fences (plots and playgrounds
alike, in page order); results are cached by a hash of the code, the requests and the runtime.
:func:`prepare` evaluates a whole build up front (registered with the core's fence registry as
the live fences' ``prepare`` step); the kinds' formatters then only look results up
(:func:`format_evaluated`).

:func:`sample_entry` is the worker side (:data:`WORKER_TARGET`): it is imported inside the sandbox.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO, TypedDict, cast

from glossary_gen.core.config import Settings
from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.fences import FenceContext, FenceKind, register
from glossary_gen.core.model import Entry
from glossary_gen.fences.entry_code import python_sources
from glossary_gen.fences.request import LIVE_LANGUAGES, PlotRequest, live_requests

if TYPE_CHECKING:
    from glossary_gen.run.cache import ResultStore
    from glossary_gen.run.sandbox import Outcome


class PlotPayload(TypedDict):
    """One fence's part of a task: the functions to sample, where, and the playground's start."""

    functions: list[str]
    xs: list[float]
    point: float | None


class Payload(TypedDict):
    """What :func:`sample_entry` gets (JSON): the entry's code and every live fence's request."""

    path: str
    sources: list[list[int | str]]  # [file line, source] pairs
    plots: list[PlotPayload]


class Point(TypedDict, total=False):
    """The playground's starting value: ``x`` and the result's ``repr`` (or the ``error``)."""

    x: str
    repr: str
    number: float | None
    error: str


class PlotResult(TypedDict, total=False):
    """One fence's result: its sampled ``values`` (and ``point``), or an ``error``."""

    values: dict[str, list[float | None]]
    point: Point
    error: str


class SampleResult(TypedDict, total=False):
    """What :func:`sample_entry` returns: a result per fence, or the ``error`` of the code itself."""

    plots: list[PlotResult]
    error: str
    line: int


# --------------------------------------------------------------------------------------------
# Worker side: runs in a sandbox worker process, never in the build process.


def sample_entry(payload: Payload) -> SampleResult:
    """Run an entry's Python code and sample the requested functions (worker side).

    ``payload``: ``{"path": str, "sources": [[line, source], ...],
    "plots": [{"functions": [name, ...], "xs": [x, ...]}, ...]}``.
    Returns ``{"plots": [{"values": {name: [y | None, ...]}} | {"error": str, "line_offset": 0}]}``
    or ``{"error": traceback}`` when the entry's code itself fails. Values that are not finite
    are ``None`` (a gap in the curve); a value that is not a number is an error.
    """
    import ast
    import contextlib
    import io
    import numbers
    import traceback

    path = str(payload["path"])
    namespace: dict[str, object] = {"__name__": "__glossary_entry__"}
    sink = io.StringIO()
    for line, source in payload["sources"]:
        try:
            tree = ast.parse(str(source), filename=path)
            ast.increment_lineno(tree, int(line) - 1)
            code = compile(tree, path, "exec")
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(code, namespace)
            sink.seek(0)
            sink.truncate()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return {"error": f"the entry's code failed at line {line}: {text}", "line": int(line)}

    plots: list[PlotResult] = []
    for plot in payload["plots"]:
        values: dict[str, list[float | None]] = {}
        problem: str | None = None
        for name in plot["functions"]:
            function = namespace.get(name)
            if not callable(function):
                problem = f"'{name}' is not a function after running the entry's code"
                break
            column: list[float | None] = []
            for x in plot["xs"]:
                try:
                    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                        y = function(x)
                except Exception as exc:  # noqa: BLE001
                    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                    problem = f"{name}({x!r}) raised {text}"
                    break
                if isinstance(y, bool) or not isinstance(y, numbers.Real):
                    problem = f"{name}({x!r}) returned {y!r}, which is not a real number"
                    break
                y = float(y)
                column.append(y if math.isfinite(y) else None)
            if problem:
                break
            values[name] = column
        result: PlotResult = {"error": problem} if problem else {"values": values}
        start = plot.get("point")
        if not problem and start is not None:
            first = cast("Callable[[float], object]", namespace[plot["functions"][0]])
            result["point"] = _evaluate_point(first, start, sink)
        plots.append(result)
    return {"plots": plots}


def _evaluate_point(function: Callable[[float], object], x: float, sink: TextIO) -> Point:
    """The playground's starting value, shown as the browser shows it: ``relu(0) = 0``."""
    import contextlib
    import numbers
    import traceback

    x = int(x) if float(x).is_integer() else float(x)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            y = function(x)
    except Exception as exc:  # noqa: BLE001
        return {
            "x": repr(x),
            "error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
        }
    number = float(y) if isinstance(y, numbers.Real) and not isinstance(y, bool) else None
    if number is not None and not math.isfinite(number):
        number = None
    return {"x": repr(x), "repr": repr(y)[:200], "number": number}


# --------------------------------------------------------------------------------------------
# Build side: evaluate every live fence through the sandbox, with a cache.

#: Target the sandbox imports in its workers.
WORKER_TARGET = "glossary_gen.fences.evaluate:sample_entry"
CACHE_VERSION = "2"
_POINT_SHAPE = {"x": str, "repr?": str, "number?": (float, None), "error?": str}
#: The only replies :func:`sample_entry` gives; the sandbox refuses anything else.
RESULT_SHAPE = (
    {"plots": [({"values": {str: [(float, None)]}, "point?": _POINT_SHAPE}, {"error": str})]},
    {"error": str, "line": int},
)

#: How the sandbox is asked to run tasks (:func:`glossary_gen.run.sandbox.run_tasks`, or a
#: test's stand-in taking ``(tasks, limits, jobs)``).
RunTasks = Callable[..., "Sequence[Outcome]"]


@dataclass(frozen=True)
class Evaluated:
    """A validated fence and what the entry's code produced for it (``error`` when it failed)."""

    request: PlotRequest
    values: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    xs: Sequence[float] = ()
    point: Point | None = None
    error: str | None = None


@dataclass
class LiveResults:
    """Every live fence of a glossary, keyed by ``(path, fence line)``, and the problems found."""

    by_key: dict[tuple[str, int], Evaluated] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def get(self, path: str, fence_line: int) -> Evaluated | None:
        return self.by_key.get((path, fence_line))


def _payload(entry: Entry, requests: Sequence[PlotRequest]) -> Payload:
    from glossary_gen.fences.svg import sample_points

    plots: list[PlotPayload] = []
    for request in requests:
        plots.append(
            {
                "functions": list(request.functions),
                "xs": sample_points(*request.x_range, n=request.samples),
                "point": request.value if request.kind == "playground" else None,
            }
        )
    return {"path": entry.path, "sources": [list(s) for s in python_sources(entry)], "plots": plots}


def _cache_key(payload: Payload, settings: Settings | None = None) -> str:
    """Everything the code can observe or that decides its result: the whole payload (the
    entry's path included: it is the code's file name), the runtime and sandbox, the limits."""
    import platform
    import sys

    from glossary_gen import __version__
    from glossary_gen.run.sandbox import isolation

    settings = settings or Settings()
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    limits = (settings.doctest_timeout, settings.doctest_memory_mb, settings.doctest_output_kb)
    runtime = (
        f"{CACHE_VERSION}|{sys.version}|{platform.machine()}|{__version__}"
        f"|{isolation().kind}|{limits}"
    )
    return hashlib.sha256((runtime + "\0" + text).encode("utf-8")).hexdigest()


def _cache_read(store: ResultStore | None, key: str) -> SampleResult | None:
    """Missing, corrupt or not authenticated (see :mod:`glossary_gen.run.cache`): run again."""
    data = store.get(key) if store is not None else None
    return cast("SampleResult", data) if data is not None and "plots" in data else None


def _cache_write(store: ResultStore | None, key: str, value: SampleResult) -> None:
    if store is not None:
        store.put(key, dict(value))  # a read-only cache only costs time


def evaluate_live(
    entries: Iterable[Entry], settings: Settings, *, run_tasks: RunTasks | None = None
) -> LiveResults:
    """Validate and evaluate every ``plot``/``playground`` fence of ``entries``.

    The entries' code runs in the sandbox's worker processes (same limits as the doctests);
    results are cached under ``<cache_dir>/live`` by a hash of the code, the request and the
    runtime, so an unchanged glossary rebuilds its plots without running anything.
    """
    from glossary_gen.core.packages import preload_for
    from glossary_gen.run import sandbox
    from glossary_gen.run.cache import open_store

    run: RunTasks = run_tasks or sandbox.run_tasks
    results = LiveResults()
    folder = open_store(settings.cache_dir, "live", settings.entries_dir)
    todo: list[tuple[Entry, list[PlotRequest], Payload, str]] = []
    for entry in entries:
        requests, problems = live_requests(entry)
        results.diagnostics.extend(problems)
        if not requests:
            continue
        payload = _payload(entry, requests)
        key = _cache_key(payload, settings)
        cached = _cache_read(folder, key)
        if cached is not None:
            _collect(results, entry, requests, payload, cached)
        else:
            todo.append((entry, requests, payload, key))
    if todo:
        limits = sandbox.Limits(
            timeout=float(settings.doctest_timeout),
            memory_mb=settings.doctest_memory_mb,
            output_kb=int(settings.doctest_output_kb),
        )
        tasks = [sandbox.Task(WORKER_TARGET, payload, RESULT_SHAPE) for _e, _r, payload, _k in todo]
        preload = preload_for(r.value for entry, _r, _p, _k in todo for r in entry.requires)
        outcomes = (
            run(tasks, limits, settings.jobs, preload=preload)
            if preload
            else run(tasks, limits, settings.jobs)
        )
        for (entry, requests, payload, key), outcome in zip(todo, outcomes, strict=False):
            if outcome.status == "ok" and isinstance(outcome.value, dict):
                value = cast("SampleResult", outcome.value)  # the sandbox checked RESULT_SHAPE
                _collect(results, entry, requests, payload, value)
                if "error" not in value:
                    _cache_write(folder, key, value)
            else:
                what = outcome.error or outcome.status
                reason = {
                    "timeout": "timed out",
                    "memory": "ran out of memory",
                    "output": "printed too much",
                    "crash": "crashed",
                    "exit": "exited",
                }.get(outcome.status, "failed")
                _collect(
                    results,
                    entry,
                    requests,
                    payload,
                    {"error": f"running the entry's code for its plots {reason}: {what}"},
                )
    return results


#: Characters of a playground's start value (and of any message from the entry's code) that
#: reach a page or a report; the worker caps them too, but its word is not taken.
MAX_REPR = 200
MAX_MESSAGE = 1000


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounded(item: PlotResult, request: PlotRequest, xs: Sequence[float]) -> PlotResult:
    """A fence's result as the page may show it: one value per sample of each function the
    fence names, and short texts; anything else from the sandbox is an error."""
    if "error" in item:
        return {"error": _cap(str(item["error"]), MAX_MESSAGE)}
    values = item.get("values") or {}
    if set(values) != set(request.functions) or any(len(v) != len(xs) for v in values.values()):
        return {"error": "the sandbox returned values that do not fit the fence's samples"}
    bounded: PlotResult = {"values": values}
    point = item.get("point")
    if point is not None:
        kept: Point = {"x": _cap(point.get("x", ""), 40)}
        if "repr" in point:
            kept["repr"] = _cap(point["repr"], MAX_REPR)
        if "number" in point:
            kept["number"] = point["number"]
        if "error" in point:
            kept["error"] = _cap(point["error"], MAX_MESSAGE)
        bounded["point"] = kept
    return bounded


def _collect(
    results: LiveResults,
    entry: Entry,
    requests: Sequence[PlotRequest],
    payload: Payload,
    value: SampleResult,
) -> None:
    plots = value.get("plots") or []
    for index, request in enumerate(requests):
        xs = payload["plots"][index]["xs"]
        if "error" in value:
            problem: str | None = _cap(str(value["error"]), MAX_MESSAGE)
            item: PlotResult = {}
        else:
            item = plots[index] if index < len(plots) else {"error": "no result"}
            item = _bounded(item, request, xs)
            problem = item.get("error")
        if problem:
            results.diagnostics.append(
                error(
                    entry.path,
                    request.line,
                    1,
                    "plot-failed",
                    f"{request.kind} of {', '.join(request.functions)} failed: {problem}",
                )
            )
            results.by_key[request.key] = Evaluated(request, error=problem)
            continue
        point = item.get("point")
        if point and point.get("error"):
            results.diagnostics.append(
                error(
                    entry.path,
                    request.line_of("value"),
                    1,
                    "plot-failed",
                    f"{request.functions[0]}({point.get('x')}) failed: {point['error']}",
                )
            )
        results.by_key[request.key] = Evaluated(request, values=item["values"], xs=xs, point=point)


# --------------------------------------------------------------------------------------------
# The build-wide state the formatters read.


@dataclass
class _Prepared:
    """What :func:`prepare` evaluated for the current build (and what was evaluated since)."""

    settings: Settings | None = None
    results: LiveResults = field(default_factory=LiveResults)
    entries: set[tuple[str, str]] = field(default_factory=set)


_state = _Prepared()


def prepare(entries: Iterable[Entry], settings: Settings) -> list[Diagnostic]:
    """Evaluate every live fence of a build up front (in parallel, in the sandbox).

    The site adapter calls this once per build before pages are rendered; the formatters then
    only look results up. Returns the evaluation problems (static problems come from each kind's
    check, which runs with the other validation rules).
    """
    entries = list(entries)
    results = evaluate_live(entries, settings)
    _state.settings, _state.results = settings, results
    _state.entries = {(e.path, e.digest) for e in entries}
    return [d for d in results.diagnostics if d.code == "plot-failed"]


def _evaluated(ctx: FenceContext) -> Evaluated | None:
    entry, block = ctx.entry, ctx.block
    if (entry.path, entry.digest) not in _state.entries:
        # Not prepared (another adapter, or the entry changed under `mkdocs serve`): evaluate
        # this entry now; still in the sandbox, still cached.
        settings = _state.settings or Settings()
        fresh = evaluate_live([entry], settings)
        _state.results.by_key.update(fresh.by_key)
        _state.results.diagnostics.extend(fresh.diagnostics)
        _state.entries.add((entry.path, entry.digest))
    return _state.results.get(entry.path, block.fence_line)


def format_evaluated(ctx: FenceContext, render: Callable[[Evaluated | None], str]) -> str:
    """A kind's formatter: look the fence's result up (evaluating its entry if it was not
    prepared), report a failure at the fence, and ``render`` it."""
    evaluated = _evaluated(ctx)
    if evaluated is not None and evaluated.error:
        ctx.report(
            error(
                ctx.entry.path,
                ctx.block.fence_line,
                ctx.block.indent + 1,
                "plot-failed",
                f"{evaluated.request.kind} of {', '.join(evaluated.request.functions)} failed: "
                f"{evaluated.error}",
            )
        )
    # evaluated is None when the fence itself is invalid: the kind's check reports that.
    return render(evaluated)


# The kinds share this evaluation: one ``prepare`` step for all the live fences of a build.
register(FenceKind(languages=LIVE_LANGUAGES, prepare=prepare))
