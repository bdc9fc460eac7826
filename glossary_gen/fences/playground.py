"""The ``playground`` fence: a slider that runs one of the entry's functions in the reader's
browser, with the function's plot and its result at the starting value.

An entry writes::

    ```playground
    function: relu
    x: [-5, 5]
    ```

The fence is checked like a plot and evaluated at build time in the sandbox
(:mod:`glossary_gen.fences.evaluate`), so a reader without JavaScript sees a true starting
result; ``assets/live.js`` wires the slider to the same Python function running in Pyodide
(:mod:`glossary_gen.fences.pyodide` says where Pyodide comes from).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable
from dataclasses import replace

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.fences import FenceContext, FenceKind, register
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.fences.evaluate import Evaluated, Point, format_evaluated
from glossary_gen.fences.options import OptionProblem, number, text_option
from glossary_gen.fences.plot import dom_id, failure, figure, shown
from glossary_gen.fences.request import PARSERS, PlotRequest, live_requests, read_request

PLAYGROUND_KEYS = {
    "function": "name of a one-argument function the entry defines, e.g. relu",
    "x": "the slider range, [low, high]",
    "value": "starting value (default: the middle of the range, rounded)",
    "step": "slider step (default: (high - low) / 100)",
    "label": "label of the input (default: x)",
    "title": "title of the playground's plot",
}


def parse_playground(entry: Entry, block: CodeBlock, defined: set[str]) -> PlotRequest:
    """Validate one ``playground`` fence (raises ``OptionProblem`` or ``UnreadableOptions``)."""
    common, data, lines = read_request(
        entry, block, defined, allowed=PLAYGROUND_KEYS, function_key="function", label_key="label"
    )
    low, high = common.x_range
    step = (
        number(data["step"], lines["step"], "'step'") if "step" in data else _nice_step(high - low)
    )
    if step <= 0 or step > high - low:
        raise OptionProblem(
            lines.get("step", block.line),
            "live-range",
            "'step' must be positive and smaller than the range",
        )
    if "value" in data:
        value = number(data["value"], lines["value"], "'value'")
        if not low <= value <= high:
            raise OptionProblem(
                lines["value"],
                "live-range",
                f"'value' {data['value']} is outside the range [{low:g}, {high:g}]",
            )
    else:
        value = _snap((low + high) / 2, low, step)
    name = common.functions[0]
    return replace(
        common,
        title=text_option(data, lines, "title", f"{name}({common.x_label})"),
        y_label=f"{name}({common.x_label})",
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


def check_playground_blocks(entry: Entry) -> Iterable[Diagnostic]:
    """Validation rule (``rule(entry) -> diagnostics``) for ``playground`` fences."""
    return live_requests(entry, ("playground",))[1]


#: The playground's note after the function's name (its words are per language, see
#: :data:`glossary_gen.core.languages.LABELS`).
PLAYGROUND_NOTE = (
    "from this page in your browser (Python is downloaded on first use); the dot on the plot "
    "marks the result."
)


def render_playground(evaluated: Evaluated | None, say: Callable[[str], str] = str) -> str:
    """HTML for a ``playground`` fence: slider, number field, result and the function's plot.

    The starting result is computed at build time, so readers without JavaScript see a true
    value; ``assets/live.js`` takes over when the reader moves the slider.
    """
    if evaluated is None or evaluated.error:
        return failure(evaluated, "Playground")
    request = evaluated.request
    name = request.functions[0]
    low, high = request.x_range
    base = dom_id(request, "playground")
    point: Point = evaluated.point or {}
    if "repr" in point:
        initial = f"{name}({shown(point['x'])}) = {shown(point['repr'])}"
    else:
        initial = f"{name}({_plain(request.value)}) raised {shown(point.get('error', 'an error'))}"
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
        f'step="{_plain(request.step)}" value="{_plain(request.value)}" aria-label="{label} {say("value")}" '
        f'aria-controls="{base}-out">'
        f"</div>\n"
        f'<output id="{base}-out" class="glossary-playground-result" for="{base}-range {base}-number" '
        f'aria-live="polite">{html.escape(initial)}</output>\n'
        # The plot's description is the result, so the moving dot is described where it moves.
        f"{figure(evaluated, point_attrs={'aria-describedby': f'{base}-out'})}\n"
        f'<p class="glossary-playground-note">{say("Move the slider to run")} <code>{esc(name)}</code> '
        f"{say(PLAYGROUND_NOTE)}</p>\n"
        f"</div>"
    )


def _plain(value: float) -> str:
    return f"{value:.12g}"


def format_playground(ctx: FenceContext) -> str:
    """The ``playground`` formatter: slider, result and plot, wired by ``live.js``."""
    return format_evaluated(ctx, lambda evaluated: render_playground(evaluated, ctx.say))


PARSERS["playground"] = parse_playground
register(
    FenceKind(
        languages=("playground",),
        check=check_playground_blocks,
        formats={"playground": format_playground},
    )
)
