"""What a live fence asks for: a :class:`PlotRequest` (the functions to sample, over which range,
and how to draw them), parsed from the fence's options with located diagnostics.

Each kind parses its own fences (:mod:`glossary_gen.fences.plot`,
:mod:`glossary_gen.fences.playground`) and adds its parser to :data:`PARSERS`. The evaluation
(:mod:`glossary_gen.fences.evaluate`) runs all the live fences of an entry together, in page
order, so it asks that table through :func:`live_requests` instead of importing the kinds (which
import the evaluation to look their results up).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.fences.entry_code import defined_names
from glossary_gen.fences.options import (
    KeyLines,
    OptionProblem,
    Options,
    UnreadableOptions,
    check_keys,
    function_names,
    number_range,
    read_options,
    text_option,
)

#: The fence languages evaluated from the entry's own code.
LIVE_LANGUAGES = ("plot", "playground")


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


#: How a kind parses one of its fences: ``(entry, block, names the entry defines) -> request``;
#: raises :class:`~glossary_gen.fences.options.OptionProblem` or
#: :class:`~glossary_gen.fences.options.UnreadableOptions`.
RequestParser = Callable[[Entry, CodeBlock, set[str]], PlotRequest]

#: Fence language -> its kind's parser (each kind module adds its own when imported).
PARSERS: dict[str, RequestParser] = {}


def read_request(
    entry: Entry,
    block: CodeBlock,
    defined: set[str],
    *,
    allowed: Mapping[str, str],
    function_key: str,
    label_key: str,
) -> tuple[PlotRequest, Options, KeyLines]:
    """The part of a fence every kind has: known keys only, its function(s) and ``x`` range, and
    the x label. Returns the request so far with the options, for the kind to finish."""
    data, lines = read_options(entry, block)
    check_keys(data, lines, allowed, block.language)
    for required in (function_key, "x"):
        if required not in data:
            raise OptionProblem(
                block.fence_line,
                "live-option",
                f"{block.language} block needs '{required}:' ({allowed[required]})",
            )
    functions = function_names(data[function_key], lines[function_key], function_key, defined)
    x_range = number_range(data["x"], lines["x"], "x")
    request = PlotRequest(
        kind=block.language,
        path=entry.path,
        line=block.fence_line,
        functions=functions,
        x_range=x_range,
        title="",
        x_label=text_option(data, lines, label_key, "x"),
        key_lines=lines,
    )
    return request, data, lines


def live_requests(
    entry: Entry, languages: Collection[str] | None = None
) -> tuple[list[PlotRequest], list[Diagnostic]]:
    """Every live fence of an entry (of ``languages``, default all), validated, in page order,
    with located diagnostics."""
    requests: list[PlotRequest] = []
    diagnostics: list[Diagnostic] = []
    defined: set[str] | None = None
    for block in entry.code_blocks:
        parse = PARSERS.get(block.language)
        if parse is None or (languages is not None and block.language not in languages):
            continue
        if defined is None:
            defined = defined_names(entry)
        try:
            requests.append(parse(entry, block, defined))
        except UnreadableOptions as unreadable:
            diagnostics.extend(unreadable.diagnostics)
        except OptionProblem as problem:
            diagnostics.append(
                error(entry.path, problem.line, 1, problem.code, problem.message, problem.hint)
            )
    return requests, diagnostics


def check_live_blocks(entry: Entry) -> Iterable[Diagnostic]:
    """The static problems of every live fence of an entry, in page order."""
    return live_requests(entry)[1]
