"""Live examples: ``plot`` and ``playground`` fences, evaluated from the entry's own code.

An entry writes::

    ```plot
    functions: [relu, relu_derivative]
    x: [-4, 4]
    title: ReLU and its derivative
    ```

    ```playground
    function: relu
    x: [-5, 5]
    ```

The fences are parsed and checked statically here (located diagnostics for bad YAML, unknown
keys, unknown functions, bad ranges), then evaluated at build time by running the entry's Python
blocks in the sandbox's worker processes (never in the build process) and sampling the named
functions. The page gets an inline SVG (:mod:`glossary_gen.fences.svg`); the playground adds a slider
wired by ``assets/live.js`` to the same Python function running in Pyodide.
"""

from __future__ import annotations

import ast
import doctest
import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_gen.core.config import Settings
from glossary_gen.core.diagnostics import Diagnostic, did_you_mean, error
from glossary_gen.core.fences import FenceContext, FenceKind, register
from glossary_gen.core.model import PYTHON_LANGUAGES, CodeBlock, Entry
from glossary_gen.core.untrusted_yaml import parse_mapping

if TYPE_CHECKING:
    from glossary_gen.run.cache import ResultStore

#: The fence languages this module formats.
LIVE_LANGUAGES = ("plot", "playground")

PLOT_KEYS = {
    "functions": "names of functions the entry defines, e.g. [relu, relu_derivative]",
    "x": "the x range, [low, high]",
    "y": "optional y range, [low, high]",
    "title": "the plot's title (also its accessible name)",
    "xlabel": "x axis label",
    "ylabel": "y axis label",
    "samples": "number of sample points (default 201)",
}
PLAYGROUND_KEYS = {
    "function": "name of a one-argument function the entry defines, e.g. relu",
    "x": "the slider range, [low, high]",
    "value": "starting value (default: the middle of the range, rounded)",
    "step": "slider step (default: (high - low) / 100)",
    "label": "label of the input (default: x)",
    "title": "title of the playground's plot",
}
MAX_FUNCTIONS = 8
MAX_ABS_RANGE = 1e6
MIN_SAMPLES, MAX_SAMPLES = 2, 2001
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PlotRequest:
    """A validated ``plot`` fence (``kind == "plot"``) or ``playground`` fence."""

    kind: str
    path: str
    line: int  # the fence line, where problems with the plot as a whole are reported
    functions: tuple[str, ...]
    x_range: tuple[float, float]
    title: str
    y_range: tuple[float, float] | None = None
    x_label: str = "x"
    y_label: str = "y"
    samples: int = 201
    value: float = 0.0
    step: float = 0.1
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.path, self.line)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# --------------------------------------------------------------------------------------------
# Static checks: what the entry defines, and whether the fences make sense.


def python_sources(entry: Entry) -> list[tuple[int, str]]:
    """The entry's Python code in page order, as ``(file line, source)`` pairs.

    Doctest blocks contribute each example's source (what ``doctest`` executes) at the line of its
    ``>>>`` prompt; plain Python blocks are executed as written. This is the code the plots run,
    and tracebacks point at the entry file's own lines.
    """
    sources: list[tuple[int, str]] = []
    parser = doctest.DocTestParser()
    for block in entry.code_blocks:
        if block.language not in PYTHON_LANGUAGES:
            continue
        if ">>>" not in block.code:
            sources.append((block.line, block.code))
            continue
        try:
            examples = parser.get_examples(block.code)
        except ValueError:
            continue  # malformed doctest: the doctest step reports it
        # An example that shows an expected exception teaches, it does not define: skip it, as
        # doctest goes on past it.
        sources.extend(
            (block.line + example.lineno, example.source)
            for example in examples
            if example.exc_msg is None
        )
    return sources


def defined_names(entry: Entry) -> set[str]:
    """Top-level names the entry's Python blocks define (functions, classes, assignments, imports).

    A static look (``ast``), so that ``check --no-doctest`` still catches a misspelt function.
    """
    names: set[str] = set()
    for _line, source in python_sources(entry):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # Not Python, or nested past what the parser takes (it signals that with
            # RecursionError or MemoryError): the doctest step reports it from the sandbox.
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.add((alias.asname or alias.name).split(".")[0])
    return names


class _Problem(Exception):
    def __init__(self, line: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line, self.code, self.message, self.hint = line, code, message, hint


class _Unreadable(Exception):
    """The fence's options are not YAML this module reads; the diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "unreadable options")
        self.diagnostics = diagnostics


def _options(entry: Entry, block: CodeBlock) -> tuple[dict[str, Any], dict[str, int]]:
    """The fence's options and the file line of each key, read like front matter: the same reader
    (:mod:`glossary_gen.core.untrusted_yaml`) with the same limits, errors at the entry file's lines."""
    data, positions, problems = parse_mapping(
        block.code,
        entry.path,
        block.line,
        f"the {block.language} block",
        code_prefix="live",
        indent=block.indent,
    )
    if data is None:
        raise _Unreadable(problems)
    return data, {key: positions[(key,)][0] for key in data}


def _number(value: Any, line: int, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Problem(line, "live-range", f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or abs(value) > MAX_ABS_RANGE:
        raise _Problem(
            line, "live-range", f"{what} must be a finite number within ±{MAX_ABS_RANGE:g}"
        )
    return float(value)


def _range(value: Any, line: int, name: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Problem(
            line, "live-range", f"'{name}' must be a list of two numbers [low, high], got {value!r}"
        )
    low = _number(value[0], line, f"'{name}' low end")
    high = _number(value[1], line, f"'{name}' high end")
    if not low < high:
        raise _Problem(
            line,
            "live-range",
            f"'{name}' range [{value[0]}, {value[1]}] is empty: low must be below high",
        )
    return low, high


def _string_option(
    data: Mapping[str, Any], lines: Mapping[str, int], key: str, default: str
) -> str:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise _Problem(lines[key], "live-option", f"'{key}' must be text")
    return str(value)


def _function_names(value: Any, line: int, key: str, defined: set[str]) -> tuple[str, ...]:
    names = [value] if key == "function" else value
    if key == "function" and not isinstance(value, str):
        raise _Problem(line, "live-option", f"'function' must be one function name, got {value!r}")
    if not isinstance(names, list) or not names:
        raise _Problem(line, "live-option", f"'{key}' must be a non-empty list of function names")
    if len(names) > MAX_FUNCTIONS:
        raise _Problem(line, "live-option", f"at most {MAX_FUNCTIONS} functions per plot")
    result: list[str] = []
    for name in names:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise _Problem(line, "live-option", f"{name!r} is not a Python function name")
        if name not in defined:
            hint = did_you_mean(name, sorted(defined))
            raise _Problem(
                line,
                "unknown-function",
                f"function '{name}' is not defined by this entry's Python blocks",
                hint,
            )
        if name in result:
            raise _Problem(line, "live-option", f"function '{name}' is listed twice")
        result.append(name)
    return tuple(result)


def parse_live_block(
    entry: Entry, block: CodeBlock, defined: set[str] | None = None
) -> PlotRequest:
    """Validate one ``plot``/``playground`` fence.

    Raises :class:`_Problem` or :class:`_Unreadable` (see :func:`live_requests`).
    """
    defined = defined_names(entry) if defined is None else defined
    data, lines = _options(entry, block)
    allowed = PLOT_KEYS if block.language == "plot" else PLAYGROUND_KEYS
    for key in data:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(allowed)
            raise _Problem(
                lines[key], "live-option", f"unknown option '{key}' in {block.language} block", hint
            )
    fname = "functions" if block.language == "plot" else "function"
    for required in (fname, "x"):
        if required not in data:
            raise _Problem(
                block.fence_line,
                "live-option",
                f"{block.language} block needs '{required}:' ({allowed[required]})",
            )
    functions = _function_names(data[fname], lines[fname], fname, defined)
    x_range = _range(data["x"], lines["x"], "x")
    common = PlotRequest(
        kind=block.language,
        path=entry.path,
        line=block.fence_line,
        functions=functions,
        x_range=x_range,
        title="",
        x_label=_string_option(data, lines, "xlabel" if block.language == "plot" else "label", "x"),
        key_lines=lines,
    )
    if block.language == "plot":
        y_range = _range(data["y"], lines["y"], "y") if "y" in data else None
        samples = data.get("samples", 201)
        if (
            isinstance(samples, bool)
            or not isinstance(samples, int)
            or not MIN_SAMPLES <= samples <= MAX_SAMPLES
        ):
            raise _Problem(
                lines.get("samples", block.line),
                "live-option",
                f"'samples' must be a whole number from {MIN_SAMPLES} to {MAX_SAMPLES}",
            )
        default_title = " and ".join(functions)
        return replace(
            common,
            title=_string_option(data, lines, "title", default_title),
            y_range=y_range,
            y_label=_string_option(data, lines, "ylabel", "y"),
            samples=samples,
        )
    low, high = x_range
    step = (
        _number(data["step"], lines["step"], "'step'") if "step" in data else _nice_step(high - low)
    )
    if step <= 0 or step > high - low:
        raise _Problem(
            lines.get("step", block.line),
            "live-range",
            "'step' must be positive and smaller than the range",
        )
    if "value" in data:
        value = _number(data["value"], lines["value"], "'value'")
        if not low <= value <= high:
            raise _Problem(
                lines["value"],
                "live-range",
                f"'value' {data['value']} is outside the range [{low:g}, {high:g}]",
            )
    else:
        value = _snap((low + high) / 2, low, step)
    name = functions[0]
    return replace(
        common,
        title=_string_option(data, lines, "title", f"{name}(x)"),
        y_label=f"{name}(x)",
        value=value,
        step=step,
    )


def _nice_step(span: float) -> float:
    raw = span / 100
    exponent = math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * 10**exponent >= raw:
            return float(f"{factor * 10**exponent:.12g}")
    return raw  # pragma: no cover


def _snap(value: float, low: float, step: float) -> float:
    return float(f"{low + round((value - low) / step) * step:.12g}")


def live_requests(entry: Entry) -> tuple[list[PlotRequest], list[Diagnostic]]:
    """Every ``plot``/``playground`` fence of an entry, validated, with located diagnostics."""
    requests: list[PlotRequest] = []
    diagnostics: list[Diagnostic] = []
    defined: set[str] | None = None
    for block in entry.code_blocks:
        if block.language not in LIVE_LANGUAGES:
            continue
        if defined is None:
            defined = defined_names(entry)
        try:
            requests.append(parse_live_block(entry, block, defined))
        except _Unreadable as unreadable:
            diagnostics.extend(unreadable.diagnostics)
        except _Problem as problem:
            diagnostics.append(
                error(entry.path, problem.line, 1, problem.code, problem.message, problem.hint)
            )
    return requests, diagnostics


def check_live_blocks(entry: Entry) -> Iterable[Diagnostic]:
    """Validation rule (``rule(entry) -> diagnostics``) for ``plot``/``playground`` fences."""
    return live_requests(entry)[1]


# --------------------------------------------------------------------------------------------
# Evaluation: runs in a sandbox worker process, never in the build process.


def sample_entry(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run an entry's Python code and sample the requested functions (worker side).

    ``payload``: ``{"path": str, "sources": [[line, source], ...],
    "plots": [{"functions": [name, ...], "xs": [x, ...]}, ...]}``.
    Returns ``{"plots": [{"values": {name: [y | None, ...]}} | {"error": str, "line_offset": 0}]}``
    or ``{"error": traceback}`` when the entry's code itself fails. Values that are not finite
    are ``None`` (a gap in the curve); a value that is not a number is an error.
    """
    import contextlib
    import io
    import numbers
    import traceback

    path = str(payload["path"])
    namespace: dict[str, Any] = {"__name__": "__glossary_entry__"}
    sink = io.StringIO()
    for line, source in payload["sources"]:
        try:
            tree = ast.parse(source, filename=path)
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

    plots: list[dict[str, Any]] = []
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
        result: dict[str, Any] = {"error": problem} if problem else {"values": values}
        if not problem and plot.get("point") is not None:
            result["point"] = _evaluate_point(namespace[plot["functions"][0]], plot["point"], sink)
        plots.append(result)
    return {"plots": plots}


def _evaluate_point(function: Any, x: float, sink: Any) -> dict[str, Any]:
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
# Build side: evaluate every live fence through the sandbox, cache, and render HTML.

#: Target the sandbox imports in its workers.
WORKER_TARGET = "glossary_gen.fences.live:sample_entry"
CACHE_VERSION = "1"
_POINT_SHAPE = {"x": str, "repr?": str, "number?": (float, None), "error?": str}
#: The only replies :func:`sample_entry` gives; the sandbox refuses anything else.
RESULT_SHAPE = (
    {"plots": [({"values": {str: [(float, None)]}, "point?": _POINT_SHAPE}, {"error": str})]},
    {"error": str, "line": int},
)


@dataclass(frozen=True)
class Evaluated:
    """A validated fence and what the entry's code produced for it (``error`` when it failed)."""

    request: PlotRequest
    values: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    xs: Sequence[float] = ()
    point: Mapping[str, Any] | None = None
    error: str | None = None


@dataclass
class LiveResults:
    """Every live fence of a glossary, keyed by ``(path, fence line)``, and the problems found."""

    by_key: dict[tuple[str, int], Evaluated] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def get(self, path: str, fence_line: int) -> Evaluated | None:
        return self.by_key.get((path, fence_line))


def _payload(entry: Entry, requests: Sequence[PlotRequest]) -> dict[str, Any]:
    from glossary_gen.fences.svg import sample_points

    plots = []
    for request in requests:
        plots.append(
            {
                "functions": list(request.functions),
                "xs": sample_points(*request.x_range, n=request.samples),
                "point": request.value if request.kind == "playground" else None,
            }
        )
    return {"path": entry.path, "sources": [list(s) for s in python_sources(entry)], "plots": plots}


def _cache_key(payload: Mapping[str, Any]) -> str:
    import platform
    import sys

    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    runtime = f"{CACHE_VERSION}|{sys.version}|{platform.machine()}"
    return hashlib.sha256((runtime + "\0" + text).encode("utf-8")).hexdigest()


def _cache_read(store: ResultStore | None, key: str) -> dict[str, Any] | None:
    """Missing, corrupt or not authenticated (see :mod:`glossary_gen.run.cache`): run again."""
    data = store.get(key) if store is not None else None
    return data if data is not None and "plots" in data else None


def _cache_write(store: ResultStore | None, key: str, value: Mapping[str, Any]) -> None:
    if store is not None:
        store.put(key, dict(value))  # a read-only cache only costs time


def evaluate_live(entries: Iterable[Entry], settings: Any, *, run_tasks: Any = None) -> LiveResults:
    """Validate and evaluate every ``plot``/``playground`` fence of ``entries``.

    The entries' code runs in the sandbox's worker processes (same limits as the doctests);
    results are cached under ``<cache_dir>/live`` by a hash of the code, the request and the
    runtime, so an unchanged glossary rebuilds its plots without running anything.
    """
    from glossary_gen.core.packages import preload_for
    from glossary_gen.run import sandbox
    from glossary_gen.run.cache import open_store

    run = run_tasks or sandbox.run_tasks
    results = LiveResults()
    cache_dir = getattr(settings, "cache_dir", None)
    folder = open_store(cache_dir, "live", getattr(settings, "entries_dir", None))
    todo: list[tuple[Entry, list[PlotRequest], dict[str, Any], str]] = []
    for entry in entries:
        requests, problems = live_requests(entry)
        results.diagnostics.extend(problems)
        if not requests:
            continue
        payload = _payload(entry, requests)
        key = _cache_key(payload)
        cached = _cache_read(folder, key)
        if cached is not None:
            _collect(results, entry, requests, payload, cached)
        else:
            todo.append((entry, requests, payload, key))
    if todo:
        limits = sandbox.Limits(
            timeout=float(getattr(settings, "doctest_timeout", 10.0)),
            memory_mb=getattr(settings, "doctest_memory_mb", 512),
            output_kb=int(getattr(settings, "doctest_output_kb", 64)),
        )
        tasks = [sandbox.Task(WORKER_TARGET, payload, RESULT_SHAPE) for _e, _r, payload, _k in todo]
        preload = preload_for(r.value for entry, _r, _p, _k in todo for r in entry.requires)
        outcomes = (
            run(tasks, limits, getattr(settings, "jobs", None), preload=preload)
            if preload
            else run(tasks, limits, getattr(settings, "jobs", None))
        )
        for (entry, requests, payload, key), outcome in zip(todo, outcomes, strict=False):
            if outcome.status == "ok" and isinstance(outcome.value, dict):
                _collect(results, entry, requests, payload, outcome.value)
                if "error" not in outcome.value:
                    _cache_write(folder, key, outcome.value)
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


def _collect(
    results: LiveResults,
    entry: Entry,
    requests: Sequence[PlotRequest],
    payload: Mapping[str, Any],
    value: Mapping[str, Any],
) -> None:
    plots = value.get("plots") or []
    for index, request in enumerate(requests):
        xs = payload["plots"][index]["xs"]
        if "error" in value:
            problem: str | None = str(value["error"])
            item: Mapping[str, Any] = {}
        else:
            item = plots[index] if index < len(plots) else {"error": "no result"}
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


def _dom_id(request: PlotRequest, prefix: str) -> str:
    stem = Path(request.path).stem
    slug = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "entry"
    return f"{prefix}-{slug}-{request.line}"


def _figure(evaluated: Evaluated, *, point_attrs: Mapping[str, str] | None = None) -> str:
    from glossary_gen.fences.svg import PlotSpec, Series, render_svg

    request = evaluated.request
    series = [
        Series(
            f"{name}({request.x_label})" if request.kind == "plot" else f"{name}(x)",
            evaluated.xs,
            list(evaluated.values[name]),
        )
        for name in request.functions
    ]
    spec = PlotSpec(
        title=request.title,
        series=series,
        x_range=request.x_range,
        y_range=request.y_range,
        x_label=request.x_label,
        y_label=request.y_label,
        key=f"{Path(request.path).stem}:{request.line}",
        extra_attrs=dict(point_attrs or {}),
    )
    svg = render_svg(spec)
    caption = (
        f"{html.escape(request.title)}. "
        '<span class="glossary-plot-note">Drawn when the site was built, from this entry\'s own code.</span>'
    )
    figure_id = _dom_id(request, "plot")
    return (
        f'<figure class="glossary-plot" id="{figure_id}">\n'
        f"{svg}<figcaption>{caption}</figcaption>\n</figure>"
    )


def _failure(evaluated: Evaluated | None, what: str) -> str:
    message = (
        evaluated.error if evaluated is not None and evaluated.error else "it was not evaluated"
    )
    return (
        f'<div class="admonition failure glossary-plot-failed"><p class="admonition-title">{html.escape(what)} '
        f"unavailable</p><p>{html.escape(message)}</p></div>"
    )


def render_plot(evaluated: Evaluated | None) -> str:
    """HTML for a ``plot`` fence: an inline SVG figure, or a visible note when it failed."""
    if evaluated is None or evaluated.error:
        return _failure(evaluated, "Plot")
    return _figure(evaluated)


def render_playground(evaluated: Evaluated | None) -> str:
    """HTML for a ``playground`` fence: slider, number field, result and the function's plot.

    The starting result is computed at build time, so readers without JavaScript see a true
    value; ``assets/live.js`` takes over when the reader moves the slider.
    """
    if evaluated is None or evaluated.error:
        return _failure(evaluated, "Playground")
    request = evaluated.request
    name = request.functions[0]
    low, high = request.x_range
    base = _dom_id(request, "playground")
    point = evaluated.point or {}
    if "repr" in point:
        initial = f"{name}({point['x']}) = {point['repr']}"
    else:
        initial = f"{name}({_plain(request.value)}) raised {point.get('error', 'an error')}"
    number = point.get("number")
    initial_y = "" if number is None else f"{number:.12g}"
    label = html.escape(request.x_label)

    def esc(value: object) -> str:
        return html.escape(str(value), quote=True)

    return (
        f'<div class="glossary-playground" id="{base}" data-function="{esc(name)}" '
        f'data-initial-y="{esc(initial_y)}">\n'
        f'<div class="glossary-playground-controls">'
        f'<label for="{base}-range">{label}</label>'
        f'<input type="range" id="{base}-range" min="{_plain(low)}" max="{_plain(high)}" '
        f'step="{_plain(request.step)}" value="{_plain(request.value)}" '
        f'aria-valuetext="{label} = {_plain(request.value)}" aria-controls="{base}-out">'
        f'<input type="number" id="{base}-number" min="{_plain(low)}" max="{_plain(high)}" '
        f'step="{_plain(request.step)}" value="{_plain(request.value)}" aria-label="{label} value" '
        f'aria-controls="{base}-out">'
        f"</div>\n"
        f'<output id="{base}-out" class="glossary-playground-result" for="{base}-range {base}-number" '
        f'aria-live="polite">{html.escape(initial)}</output>\n'
        # The plot's description is the result, so the moving dot is described where it moves.
        f"{_figure(evaluated, point_attrs={'aria-describedby': f'{base}-out'})}\n"
        f'<p class="glossary-playground-note">Move the slider to run <code>{esc(name)}</code> from this page '
        f"in your browser (Python is downloaded on first use); the dot on the plot marks the "
        f"result.</p>\n"
        f"</div>"
    )


def _plain(value: float) -> str:
    return f"{value:.12g}"


# --------------------------------------------------------------------------------------------
# Fence formatters for :mod:`glossary_gen.site.render`, and the build-wide state they read.

_state: dict[str, Any] = {"settings": None, "results": LiveResults(), "entries": set()}


def prepare(entries: Iterable[Entry], settings: Settings) -> list[Diagnostic]:
    """Evaluate every live fence of a build up front (in parallel, in the sandbox).

    The site adapter calls this once per build before pages are rendered; the formatters then
    only look results up. Returns the evaluation problems (static problems come from
    :func:`check_live_blocks`, which runs with the other validation rules).
    """
    entries = list(entries)
    results = evaluate_live(entries, settings)
    _state.update(settings=settings, results=results, entries={(e.path, e.digest) for e in entries})
    return [d for d in results.diagnostics if d.code == "plot-failed"]


def _evaluated(ctx: FenceContext) -> Evaluated | None:
    entry, block = ctx.entry, ctx.block
    if (entry.path, entry.digest) not in _state["entries"]:
        # Not prepared (another adapter, or the entry changed under `mkdocs serve`): evaluate
        # this entry now; still in the sandbox, still cached.
        settings = _state["settings"] or Settings()
        fresh = evaluate_live([entry], settings)
        _state["results"].by_key.update(fresh.by_key)
        _state["results"].diagnostics.extend(fresh.diagnostics)
        _state["entries"].add((entry.path, entry.digest))
    found: Evaluated | None = _state["results"].get(entry.path, block.fence_line)
    return found


def _format(ctx: FenceContext, render: Callable[[Evaluated | None], str]) -> str:
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
    # evaluated is None when the fence itself is invalid: check_live_blocks reports that.
    return render(evaluated)


def format_plot(ctx: FenceContext) -> str:
    """The ``plot`` formatter: the inline SVG figure."""
    return _format(ctx, render_plot)


def format_playground(ctx: FenceContext) -> str:
    """The ``playground`` formatter: slider, result and plot, wired by ``live.js``."""
    return _format(ctx, render_playground)


# --------------------------------------------------------------------------------------------
# Where Pyodide comes from.

#: Where ``pyodide_url: local`` puts the local copy in the built site (and what the pages are
#: told: relative URLs are taken from the site root by ``assets/live.js``).
LOCAL_PYODIDE_PATH = "assets/pyodide/"
#: The files a browser needs to start Pyodide with the standard library (no extra packages).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
PYODIDE_REQUIRED = ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")


class PyodideNotFound(Exception):
    """``pyodide_url: local`` but no local copy (run ``npm ci``); a configuration error."""


def find_local_pyodide(start: Path) -> Path:
    """The ``node_modules/pyodide`` folder for a site, from ``start`` (the mkdocs.yml folder) up.

    ``GLOSSARY_PYODIDE_DIR`` overrides the search (e.g. an unpacked Pyodide release).
    """
    import os

    override = os.environ.get("GLOSSARY_PYODIDE_DIR")
    candidates = (
        [Path(override)]
        if override
        else [
            folder / "node_modules" / "pyodide"
            for folder in (start.resolve(), *start.resolve().parents)
        ]
    )
    for folder in candidates:
        if all((folder / name).is_file() for name in PYODIDE_REQUIRED):
            return folder
    where = override or f"node_modules/pyodide above {start}"
    raise PyodideNotFound(
        f"pyodide_url is 'local' but no Pyodide copy was found ({where}); run 'npm ci' next to "
        f"package.json, or set pyodide_url to a CDN URL"
    )


def copy_pyodide(source: Path, destination: Path) -> list[Path]:
    """Copy only what the browser needs from a Pyodide distribution (about 13 MB, not the whole
    npm package); unchanged files are not rewritten, so ``mkdocs serve`` rebuilds stay fast."""
    import shutil

    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in PYODIDE_FILES:
        src = source / name
        if not src.is_file():
            continue
        dst = destination / name
        stat = src.stat()
        if not (
            dst.is_file()
            and dst.stat().st_size == stat.st_size
            and dst.stat().st_mtime >= stat.st_mtime
        ):
            shutil.copy2(src, dst)
        copied.append(dst)
    return copied


def is_local_pyodide(value: str | None) -> bool:
    return (value or "").strip().lower() == "local"


def page_pyodide_url(option: str) -> str:
    """What the pages are told for a ``pyodide_url`` option: ``local`` becomes the site folder
    :data:`LOCAL_PYODIDE_PATH`; any other value (a CDN URL, a path) is passed on unchanged."""
    return LOCAL_PYODIDE_PATH if is_local_pyodide(option) else option


def install_pyodide(option: str, site_dir: Path, config_dir: Path) -> list[Path]:
    """After a build: with ``pyodide_url: local``, copy the npm package's runtime files into the
    site (raises :class:`PyodideNotFound` when ``npm ci`` has not been run). Else nothing."""
    if not is_local_pyodide(option):
        return []
    source = find_local_pyodide(config_dir)
    return copy_pyodide(source, Path(site_dir) / LOCAL_PYODIDE_PATH)


register(
    FenceKind(
        languages=LIVE_LANGUAGES,
        check=check_live_blocks,
        prepare=prepare,
        formats={"plot": format_plot, "playground": format_playground},
    )
)
