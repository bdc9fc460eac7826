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
functions. The page gets an inline SVG (:mod:`glossary_gen.plots`); the playground adds a slider
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from .diagnostics import Diagnostic, did_you_mean, error
from .model import PYTHON_LANGUAGES, CodeBlock, Entry

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
    """The entry's Python code in page order, as ``(first line, source)`` pairs.

    Doctest blocks contribute the source of their examples (what ``doctest`` executes); plain
    Python blocks are executed as written. This is the code the plots and the browser run.
    """
    sources: list[tuple[int, str]] = []
    for block in entry.code_blocks:
        if block.language not in PYTHON_LANGUAGES:
            continue
        sources.append((block.line, _executable_source(block.code)))
    return sources


def _executable_source(code: str) -> str:
    if ">>>" not in code:
        return code
    try:
        examples = doctest.DocTestParser().get_examples(code)
    except ValueError:
        return ""
    return "".join(example.source for example in examples)


def defined_names(entry: Entry) -> set[str]:
    """Top-level names the entry's Python blocks define (functions, classes, assignments, imports).

    A static look (``ast``), so that ``check --no-doctest`` still catches a misspelt function.
    """
    names: set[str] = set()
    for _line, source in python_sources(entry):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # the doctest step reports it
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


def _compose(block: CodeBlock) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse the fence's YAML; return the mapping and the file line of each key."""
    try:
        node = yaml.compose(block.code, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = block.line + (mark.line if mark else 0)
        reason = getattr(exc, "problem", None) or str(exc)
        raise _Problem(line, "live-yaml", f"{block.language} block is not valid YAML: {reason}") from None
    if node is None:
        raise _Problem(block.fence_line, "live-empty", f"{block.language} block is empty")
    if not isinstance(node, yaml.MappingNode):
        raise _Problem(block.line, "live-yaml", f"{block.language} block must be a YAML mapping of options")
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        line = block.line + key_node.start_mark.line
        if key in data:
            raise _Problem(line, "live-yaml", f"duplicate key '{key}' in {block.language} block")
        try:
            data[key] = _construct(value_node)
        except yaml.YAMLError as exc:
            raise _Problem(line, "live-yaml", f"{block.language} block: {exc}") from None
        lines[key] = line
    return data, lines


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _number(value: Any, line: int, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Problem(line, "live-range", f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or abs(value) > MAX_ABS_RANGE:
        raise _Problem(line, "live-range", f"{what} must be a finite number within ±{MAX_ABS_RANGE:g}")
    return float(value)


def _range(value: Any, line: int, name: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Problem(line, "live-range", f"'{name}' must be a list of two numbers [low, high], got {value!r}")
    low = _number(value[0], line, f"'{name}' low end")
    high = _number(value[1], line, f"'{name}' high end")
    if not low < high:
        raise _Problem(line, "live-range", f"'{name}' range [{value[0]}, {value[1]}] is empty: low must be below high")
    return low, high


def _string_option(data: Mapping[str, Any], lines: Mapping[str, int], key: str, default: str) -> str:
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
            raise _Problem(line, "unknown-function",
                           f"function '{name}' is not defined by this entry's Python blocks", hint)
        if name in result:
            raise _Problem(line, "live-option", f"function '{name}' is listed twice")
        result.append(name)
    return tuple(result)


def parse_live_block(entry: Entry, block: CodeBlock, defined: set[str] | None = None) -> PlotRequest:
    """Validate one ``plot``/``playground`` fence; raises :class:`_Problem` (see :func:`live_requests`)."""
    defined = defined_names(entry) if defined is None else defined
    data, lines = _compose(block)
    allowed = PLOT_KEYS if block.language == "plot" else PLAYGROUND_KEYS
    for key in data:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(allowed)
            raise _Problem(lines[key], "live-option", f"unknown option '{key}' in {block.language} block", hint)
    fname = "functions" if block.language == "plot" else "function"
    for required in (fname, "x"):
        if required not in data:
            raise _Problem(block.fence_line, "live-option", f"{block.language} block needs '{required}:' ({allowed[required]})")
    functions = _function_names(data[fname], lines[fname], fname, defined)
    x_range = _range(data["x"], lines["x"], "x")
    common = dict(
        path=entry.path,
        line=block.fence_line,
        functions=functions,
        x_range=x_range,
        x_label=_string_option(data, lines, "xlabel" if block.language == "plot" else "label", "x"),
        key_lines=lines,
    )
    if block.language == "plot":
        y_range = _range(data["y"], lines["y"], "y") if "y" in data else None
        samples = data.get("samples", 201)
        if isinstance(samples, bool) or not isinstance(samples, int) or not MIN_SAMPLES <= samples <= MAX_SAMPLES:
            raise _Problem(lines.get("samples", block.line), "live-option",
                           f"'samples' must be a whole number from {MIN_SAMPLES} to {MAX_SAMPLES}")
        default_title = " and ".join(functions)
        return PlotRequest(kind="plot", title=_string_option(data, lines, "title", default_title),
                           y_range=y_range, y_label=_string_option(data, lines, "ylabel", "y"),
                           samples=samples, **common)
    low, high = x_range
    step = _number(data["step"], lines["step"], "'step'") if "step" in data else _nice_step(high - low)
    if step <= 0 or step > high - low:
        raise _Problem(lines.get("step", block.line), "live-range", "'step' must be positive and smaller than the range")
    if "value" in data:
        value = _number(data["value"], lines["value"], "'value'")
        if not low <= value <= high:
            raise _Problem(lines["value"], "live-range", f"'value' {data['value']} is outside the range [{low:g}, {high:g}]")
    else:
        value = _snap((low + high) / 2, low, step)
    name = functions[0]
    return PlotRequest(kind="playground", title=_string_option(data, lines, "title", f"{name}(x)"),
                       y_label=f"{name}(x)", value=value, step=step, **common)


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
        except _Problem as problem:
            diagnostics.append(error(entry.path, problem.line, 1, problem.code, problem.message, problem.hint))
    return requests, diagnostics


def check_live_blocks(entry: Entry) -> Iterable[Diagnostic]:
    """Validation rule (``rule(entry) -> diagnostics``) for ``plot``/``playground`` fences."""
    return live_requests(entry)[1]
