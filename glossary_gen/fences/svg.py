"""Plots: sampled function values -> an accessible, theme-aware, deterministic inline SVG.

The SVG is inlined in the term page (not an ``<img>``) so that it can follow the reader's light or
dark palette: matplotlib draws with sentinel colours that are then rewritten to ``currentColor``
and CSS variables (``--glossary-plot-1`` ...) defined in ``assets/live.css``. Text stays text
(``svg.fonttype = none``), so screen readers, search and zoom see real labels.

Output is byte-for-byte reproducible: no date or creator metadata, a fixed ``svg.hashsalt`` per
plot, and no matplotlib bookkeeping ids that could collide between two plots on one page.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

#: Number of samples across the x range (odd, so the midpoint of a symmetric range is sampled).
DEFAULT_SAMPLES = 201

# Sentinel colours (never used by matplotlib itself) rewritten after rendering.
_FOREGROUND = "#010203"
_SERIES_SENTINELS = tuple(f"#0203{i:02x}" for i in range(1, 9))
_LINESTYLES = ("-", (0, (6, 3)), (0, (1.5, 2.5)), (0, (6, 2, 1.5, 2)))

#: The element ids matplotlib writes for its own bookkeeping (``figure_1``, ``patch_3`` ...);
#: only ids referenced from inside the SVG (markers, clip paths) are kept.
_ID_ATTR = re.compile(r'\sid="([^"]+)"')
_REF = re.compile(r'(?:xlink:href="#|url\(#)([^")]+)')


@dataclass(frozen=True)
class Series:
    """One function sampled over the x range; ``None`` or a non-finite value leaves a gap."""

    label: str
    xs: Sequence[float]
    ys: Sequence[float | None]


@dataclass(frozen=True)
class PlotSpec:
    """What to draw. ``key`` identifies the plot (entry slug and fence line) and seeds its ids."""

    title: str
    series: Sequence[Series]
    x_range: tuple[float, float]
    key: str
    x_label: str = "x"
    y_label: str = "y"
    y_range: tuple[float, float] | None = None
    width_in: float = 6.4
    height_in: float = 3.6
    extra_attrs: dict[str, str] = field(default_factory=dict)


def sample_points(lo: float, hi: float, n: int = DEFAULT_SAMPLES) -> list[float]:
    """``n`` evenly spaced points from ``lo`` to ``hi`` inclusive, rounded so that grid points such
    as 0 come out exact (the sampled values, and so the SVG, do not depend on float noise)."""
    if n < 2:
        raise ValueError("need at least two samples")
    step = (hi - lo) / (n - 1)
    return [float(f"{lo + i * step:.12g}") for i in range(n)]


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def _fmt(value: float) -> str:
    """A number as a reader would write it: 4, -0.5, 0.25."""
    text = f"{value:.3g}"
    return "0" if text in {"-0", "0.0", "-0.0"} else text


def describe(spec: PlotSpec) -> str:
    """Alt text: what is drawn, over which range, and the range of values each curve takes."""
    names = [s.label for s in spec.series]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    lo, hi = spec.x_range
    parts = [f"Line plot of {listed} for {spec.x_label} from {_fmt(lo)} to {_fmt(hi)}."]
    for s in spec.series:
        values = [y for y in s.ys if _finite(y)]
        if not values:
            parts.append(f"{s.label} has no finite values in this range.")
            continue
        first, last = values[0], values[-1]
        parts.append(
            f"{s.label} ranges from {_fmt(min(values))} to {_fmt(max(values))}"
            f" (starting at {_fmt(first)}, ending at {_fmt(last)})."
        )
    return " ".join(parts)


def _salt(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


#: SVGs drawn in this process, by the SHA-256 of their spec (the last few kept): a plot is drawn
#: once, not at every ``mkdocs serve`` rebuild or preview of its page, nor again for each
#: translation that shows the same figure. Drawing one takes about 0.3 s of matplotlib.
_DRAWN: OrderedDict[str, str] = OrderedDict()
_DRAWN_KEPT = 64


def render_svg(spec: PlotSpec) -> str:
    """Draw the plot and return an ``<svg>`` element ready to inline in HTML."""
    key = hashlib.sha256(repr(spec).encode("utf-8")).hexdigest()
    svg = _DRAWN.get(key)
    if svg is None:
        svg = _DRAWN[key] = _draw(spec)
        while len(_DRAWN) > _DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    _DRAWN.move_to_end(key)
    return svg


def _draw(spec: PlotSpec) -> str:
    import matplotlib

    # The Agg/SVG canvases never open a window; Figure() avoids pyplot's global state.
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    if not spec.series:
        raise ValueError("a plot needs at least one series")
    if len(spec.series) > len(_SERIES_SENTINELS):
        raise ValueError(f"at most {len(_SERIES_SENTINELS)} curves per plot")

    salt = _salt(spec.key)
    settings = {
        "svg.hashsalt": salt,
        "svg.fonttype": "none",
        "svg.image_inline": True,
        "path.simplify": True,
        "font.family": ["sans-serif"],
        "font.size": 11,
        "text.color": _FOREGROUND,
        "axes.edgecolor": _FOREGROUND,
        "axes.labelcolor": _FOREGROUND,
        "xtick.color": _FOREGROUND,
        "ytick.color": _FOREGROUND,
        "grid.color": _FOREGROUND,
        "grid.alpha": 0.15,
        "axes.unicode_minus": True,
    }
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]  # keys typed Literal in stubs
        fig = Figure(figsize=(spec.width_in, spec.height_in), dpi=72)
        FigureCanvasSVG(fig)
        fig.patch.set_facecolor("none")
        ax = fig.add_subplot()
        ax.set_facecolor("none")
        for index, series in enumerate(spec.series):
            ys: list[float] = [y if _finite(y) else math.nan for y in series.ys]
            ax.plot(
                list(series.xs),
                ys,
                color=_SERIES_SENTINELS[index],
                linestyle=_LINESTYLES[index % len(_LINESTYLES)],
                linewidth=2.2,
                label=series.label,
            )
        ax.set_xlim(*spec.x_range)
        if spec.y_range is not None:
            ax.set_ylim(*spec.y_range)
        ax.axhline(0, color=_FOREGROUND, linewidth=0.8, alpha=0.45, zorder=0)
        ax.axvline(0, color=_FOREGROUND, linewidth=0.8, alpha=0.45, zorder=0)
        ax.grid(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(spec.x_label)
        ax.set_ylabel(spec.y_label)
        if len(spec.series) > 1:
            legend = ax.legend(frameon=False, loc="best")
            legend.set_zorder(5)
        fig.tight_layout(pad=0.6)

        # Where the axes sit in SVG user units (pt, y down): the playground maps data to pixels.
        height_pt = spec.height_in * 72
        (x0, y0), (x1, y1) = ax.get_window_extent().get_points()
        xlim, ylim = ax.get_xlim(), ax.get_ylim()

        buffer = io.StringIO()
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    svg = buffer.getvalue()
    return _finish(
        svg,
        spec,
        salt,
        box=(x0, height_pt - y1, x1, height_pt - y0),
        xlim=xlim,
        ylim=ylim,
    )


def _num(value: float) -> str:
    return f"{value:.6g}"


def _finish(
    svg: str,
    spec: PlotSpec,
    salt: str,
    *,
    box: tuple[float, float, float, float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> str:
    """Strip the XML prologue, rewrite colours, drop unreferenced ids, add accessibility."""
    svg = svg[svg.index("<svg") :].strip()
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    referenced = set(_REF.findall(svg))
    svg = _ID_ATTR.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = svg.replace(_FOREGROUND, "currentColor")
    for index, sentinel in enumerate(_SERIES_SENTINELS, start=1):
        svg = svg.replace(sentinel, f"var(--glossary-plot-{index})")
    # Text follows the page font instead of matplotlib's long fallback list.
    svg = re.sub(
        r"font-family: [^;\"]*", "font-family: var(--md-text-font-family, sans-serif)", svg
    )
    # Fixed pt width/height would overflow small screens: size by viewBox and CSS instead.
    svg = re.sub(r'\swidth="[^"]*pt" height="[^"]*pt"', "", svg, count=1)

    title_id, desc_id = f"gp-{salt}-title", f"gp-{salt}-desc"
    attrs = {
        "class": "glossary-plot-svg",
        "role": "img",
        "aria-labelledby": f"{title_id} {desc_id}",
        "focusable": "false",
        "data-plot-box": " ".join(_num(v) for v in box),
        "data-plot-xlim": " ".join(_num(v) for v in xlim),
        "data-plot-ylim": " ".join(_num(v) for v in ylim),
        **spec.extra_attrs,
    }
    rendered = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    head_end = svg.index(">") + 1
    opening = svg[: head_end - 1] + " " + rendered + ">"
    accessible = (
        f'\n <title id="{title_id}">{html.escape(spec.title)}</title>'
        f'\n <desc id="{desc_id}">{html.escape(describe(spec))}</desc>'
    )
    return opening + accessible + svg[head_end:] + ("" if svg.endswith("\n") else "\n")
