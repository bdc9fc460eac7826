"""The ``plot`` fence: the entry's own functions drawn as an inline SVG figure.

An entry writes::

    ```plot
    functions: [relu, relu_derivative]
    x: [-4, 4]
    title: ReLU and its derivative
    ```

The fence is parsed and checked statically (located diagnostics for bad YAML, unknown keys,
unknown functions, bad ranges), evaluated at build time in the sandbox
(:mod:`glossary_gen.fences.evaluate`) and drawn by :mod:`glossary_gen.fences.svg`. The figure
HTML is shared with the playground, which draws its function the same way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.fences import FenceContext, FenceKind, register
from glossary_gen.core.model import CodeBlock, Entry
from glossary_gen.fences.evaluate import Evaluated, format_evaluated
from glossary_gen.fences.options import OptionProblem, number_range, text_option
from glossary_gen.fences.request import PARSERS, PlotRequest, live_requests, read_request

PLOT_KEYS = {
    "functions": "names of functions the entry defines, e.g. [relu, relu_derivative]",
    "x": "the x range, [low, high]",
    "y": "optional y range, [low, high]",
    "title": "the plot's title (also its accessible name)",
    "xlabel": "x axis label",
    "ylabel": "y axis label",
    "samples": "number of sample points (default 201)",
}
MIN_SAMPLES, MAX_SAMPLES = 2, 2001


def parse_plot(entry: Entry, block: CodeBlock, defined: set[str]) -> PlotRequest:
    """Validate one ``plot`` fence (raises ``OptionProblem`` or ``UnreadableOptions``)."""
    common, data, lines = read_request(
        entry, block, defined, allowed=PLOT_KEYS, function_key="functions", label_key="xlabel"
    )
    y_range = number_range(data["y"], lines["y"], "y") if "y" in data else None
    samples = data.get("samples", 201)
    if (
        isinstance(samples, bool)
        or not isinstance(samples, int)
        or not MIN_SAMPLES <= samples <= MAX_SAMPLES
    ):
        raise OptionProblem(
            lines.get("samples", block.line),
            "live-option",
            f"'samples' must be a whole number from {MIN_SAMPLES} to {MAX_SAMPLES}",
        )
    default_title = " and ".join(common.functions)
    return replace(
        common,
        title=text_option(data, lines, "title", default_title),
        y_range=y_range,
        y_label=text_option(data, lines, "ylabel", "y"),
        samples=samples,
    )


def check_plot_blocks(entry: Entry) -> Iterable[Diagnostic]:
    """Validation rule (``rule(entry) -> diagnostics``) for ``plot`` fences."""
    return live_requests(entry, ("plot",))[1]


# --------------------------------------------------------------------------------------------
# The figure (shared with the playground).


def dom_id(request: PlotRequest, prefix: str) -> str:
    """A page-unique id for a fence's element: ``plot-relu-42`` (entry file stem, fence line)."""
    stem = Path(request.path).stem
    slug = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "entry"
    return f"{prefix}-{slug}-{request.line}"


def figure(evaluated: Evaluated, *, point_attrs: Mapping[str, str] | None = None) -> str:
    """The ``<figure>`` with the inline SVG of the sampled functions and its caption."""
    from glossary_gen.fences.svg import PlotSpec, Series, render_svg

    request = evaluated.request
    series = [
        Series(
            f"{name}({request.x_label})",
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
    figure_id = dom_id(request, "plot")
    return (
        f'<figure class="glossary-plot" id="{figure_id}">\n'
        f"{svg}<figcaption>{caption}</figcaption>\n</figure>"
    )


#: The longest value or message of an entry's code a page prints (characters).
MAX_SHOWN = 200


def shown(text: str) -> str:
    """What the entry's code gave (a start value, a message), as a page prints it: at most
    :data:`MAX_SHOWN` characters, an ellipsis where it is cut."""
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "\u2026"


def failure(evaluated: Evaluated | None, what: str) -> str:
    """A visible note in place of a fence that could not be evaluated."""
    message = shown(
        evaluated.error if evaluated is not None and evaluated.error else "it was not evaluated"
    )
    return (
        f'<div class="admonition failure glossary-plot-failed"><p class="admonition-title">{html.escape(what)} '
        f"unavailable</p><p>{html.escape(message)}</p></div>"
    )


def render_plot(evaluated: Evaluated | None) -> str:
    """HTML for a ``plot`` fence: an inline SVG figure, or a visible note when it failed."""
    if evaluated is None or evaluated.error:
        return failure(evaluated, "Plot")
    return figure(evaluated)


def format_plot(ctx: FenceContext) -> str:
    """The ``plot`` formatter: the inline SVG figure."""
    return format_evaluated(ctx, render_plot)


PARSERS["plot"] = parse_plot
register(FenceKind(languages=("plot",), check=check_plot_blocks, formats={"plot": format_plot}))
