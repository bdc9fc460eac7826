"""Reading a live fence's options: its YAML, and the checks every kind shares (numbers, ranges,
text, function names), each problem located at the file line of its key.

The options are read like front matter, by the same reader with the same limits
(:mod:`glossary_gen.core.untrusted_yaml`), so a YAML mistake gets the same code and message in
both places. A kind (:mod:`glossary_gen.fences.plot`, :mod:`glossary_gen.fences.playground`)
raises :class:`OptionProblem` for the first problem of a fence; :mod:`glossary_gen.fences.request`
turns it into a diagnostic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from glossary_gen.core.diagnostics import Diagnostic, did_you_mean
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.core.untrusted_yaml import parse_mapping

MAX_FUNCTIONS = 8
MAX_ABS_RANGE = 1e6
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: A fence's options (parsed YAML: the values are whatever the author wrote) and the file line of
#: each key.
Options = dict[str, object]
KeyLines = dict[str, int]


class OptionProblem(Exception):
    """The first problem of a fence: where (file line), its code, message and hint."""

    def __init__(self, line: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line, self.code, self.message, self.hint = line, code, message, hint


class UnreadableOptions(Exception):
    """The fence's options are not YAML this module reads; the diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "unreadable options")
        self.diagnostics = diagnostics


def read_options(entry: Entry, block: CodeBlock) -> tuple[Options, KeyLines]:
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
        raise UnreadableOptions(problems)
    return data, {key: positions[(key,)][0] for key in data}


def check_keys(data: Options, lines: KeyLines, allowed: Mapping[str, str], language: str) -> None:
    """Every key must be one the kind knows (``allowed``: key -> what it means)."""
    for key in data:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(allowed)
            raise OptionProblem(
                lines[key], "live-option", f"unknown option '{key}' in {language} block", hint
            )


def number(value: object, line: int, what: str) -> float:
    """A finite number within :data:`MAX_ABS_RANGE` (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OptionProblem(line, "live-range", f"{what} must be a number, got {value!r}")
    if not math.isfinite(value) or abs(value) > MAX_ABS_RANGE:
        raise OptionProblem(
            line, "live-range", f"{what} must be a finite number within ±{MAX_ABS_RANGE:g}"
        )
    return float(value)


def number_range(value: object, line: int, name: str) -> tuple[float, float]:
    """``[low, high]`` with ``low < high``."""
    if not isinstance(value, list) or len(value) != 2:
        raise OptionProblem(
            line, "live-range", f"'{name}' must be a list of two numbers [low, high], got {value!r}"
        )
    low = number(value[0], line, f"'{name}' low end")
    high = number(value[1], line, f"'{name}' high end")
    if not low < high:
        raise OptionProblem(
            line,
            "live-range",
            f"'{name}' range [{value[0]}, {value[1]}] is empty: low must be below high",
        )
    return low, high


def text_option(data: Options, lines: KeyLines, key: str, default: str) -> str:
    """A text option (a number is taken as its text), or ``default`` when the key is absent."""
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise OptionProblem(lines[key], "live-option", f"'{key}' must be text")
    return str(value)


def function_names(value: object, line: int, key: str, defined: set[str]) -> tuple[str, ...]:
    """The functions a fence names (``function: f`` or ``functions: [f, g]``): each one defined by
    the entry's code, none twice, at most :data:`MAX_FUNCTIONS`."""
    names = [value] if key == "function" else value
    if key == "function" and not isinstance(value, str):
        raise OptionProblem(
            line, "live-option", f"'function' must be one function name, got {value!r}"
        )
    if not isinstance(names, list) or not names:
        raise OptionProblem(
            line, "live-option", f"'{key}' must be a non-empty list of function names"
        )
    if len(names) > MAX_FUNCTIONS:
        raise OptionProblem(line, "live-option", f"at most {MAX_FUNCTIONS} functions per plot")
    result: list[str] = []
    for name in names:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise OptionProblem(line, "live-option", f"{name!r} is not a Python function name")
        if name not in defined:
            hint = did_you_mean(name, sorted(defined))
            raise OptionProblem(
                line,
                "unknown-function",
                f"function '{name}' is not defined by this entry's Python blocks",
                hint,
            )
        if name in result:
            raise OptionProblem(line, "live-option", f"function '{name}' is listed twice")
        result.append(name)
    return tuple(result)
