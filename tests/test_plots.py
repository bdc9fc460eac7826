"""Plots: accessible, theme-following, reproducible SVG from sampled values."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from glossary_gen.fences import svg as svg_module
from glossary_gen.fences.svg import PlotSpec, Series, describe, render_svg, sample_points

SVG = "{http://www.w3.org/2000/svg}"


def relu_spec(key: str = "relu.md:10", **changes) -> PlotSpec:
    xs = sample_points(-4, 4)
    series = [
        Series("relu(x)", xs, [max(0.0, x) for x in xs]),
        Series("relu_derivative(x)", xs, [1.0 if x > 0 else 0.0 for x in xs]),
    ]
    return PlotSpec(
        title="ReLU & its derivative", series=series, x_range=(-4, 4), key=key, **changes
    )


def test_sample_points_are_exact_on_the_grid():
    xs = sample_points(-4, 4)
    assert len(xs) == 201 and xs[0] == -4 and xs[-1] == 4
    assert 0.0 in xs and 1.0 in xs
    with pytest.raises(ValueError):
        sample_points(0, 1, 1)


def test_svg_is_valid_xml_with_title_and_description_for_screen_readers():
    svg = render_svg(relu_spec())
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == title_id and title.text == "ReLU & its derivative"
    assert desc.get("id") == desc_id
    assert "relu(x) ranges from 0 to 4" in desc.text
    assert "for x from -4 to 4" in desc.text
    # Axis labels are real text, not glyph outlines.
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"x", "y", "relu(x)", "relu_derivative(x)"} <= texts


def test_svg_follows_the_page_palette_instead_of_fixed_colours():
    svg = render_svg(relu_spec())
    assert "currentColor" in svg
    assert "var(--glossary-plot-1)" in svg and "var(--glossary-plot-2)" in svg
    # No hard-coded colour anywhere: a dark theme must not get black text or a white box.
    assert not re.search(r"#[0-9a-fA-F]{6}\b", svg)
    assert "fill: #ffffff" not in svg


def test_svg_is_deterministic_and_ids_do_not_collide_between_plots():
    a1, a2 = svg_module._draw(relu_spec("a")), svg_module._draw(relu_spec("a"))  # not kept
    assert a1 == a2 == render_svg(relu_spec("a"))
    assert "<metadata" not in a1 and "Date" not in a1 and "Matplotlib v" not in a1
    b = render_svg(relu_spec("b"))
    ids_a = set(re.findall(r'\sid="([^"]+)"', a1))
    ids_b = set(re.findall(r'\sid="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    # Every remaining id is one the SVG refers to (or the accessibility pair).
    for ident in ids_a:
        assert f"#{ident}" in a1 or ident.endswith(("-title", "-desc"))


def test_a_plot_is_drawn_once_per_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    draw = svg_module._draw

    def counting(spec: PlotSpec) -> str:
        drawn.append(spec.key)
        return draw(spec)

    monkeypatch.setattr(svg_module, "_draw", counting)
    monkeypatch.setattr(svg_module, "_DRAWN", svg_module.OrderedDict())
    first = render_svg(relu_spec("kept"))
    assert render_svg(relu_spec("kept")) == first  # an equal spec: the same SVG, not drawn
    changed = relu_spec("kept", y_range=(-1, 5))
    assert render_svg(changed) != first
    assert drawn == ["kept", "kept"]


def test_svg_changes_when_the_values_change():
    spec = relu_spec()
    leaky = PlotSpec(
        title=spec.title,
        series=[
            Series(
                "relu(x)", spec.series[0].xs, [x if x > 0 else 0.1 * x for x in spec.series[0].xs]
            )
        ],
        x_range=spec.x_range,
        key=spec.key,
    )
    assert render_svg(spec) != render_svg(leaky)


def test_axes_box_and_limits_let_the_playground_place_a_point():
    root = ET.fromstring(render_svg(relu_spec()))
    left, top, right, bottom = map(float, root.get("data-plot-box").split())
    assert 0 < left < right and 0 < top < bottom
    _, _, width, height = map(float, root.get("viewBox").split())
    assert right <= width and bottom <= height
    assert [float(v) for v in root.get("data-plot-xlim").split()] == [-4, 4]
    ylo, yhi = map(float, root.get("data-plot-ylim").split())
    assert ylo <= 0 and yhi >= 4


def test_gaps_for_non_finite_values_and_description_of_them():
    xs = sample_points(-1, 1, 5)
    spec = PlotSpec(
        title="t",
        series=[
            Series("f(x)", xs, [None, math.inf, 1.0, math.nan, 2.0]),
            Series("g(x)", xs, [None] * 5),
        ],
        x_range=(-1, 1),
        key="gaps",
    )
    text = describe(spec)
    assert "f(x) ranges from 1 to 2" in text
    assert "g(x) has no finite values" in text
    ET.fromstring(render_svg(spec))


def test_extra_attributes_are_escaped():
    svg = render_svg(relu_spec(extra_attrs={"data-x": '"><script>'}))
    assert "<script>" not in svg
    assert ET.fromstring(svg).get("data-x") == '"><script>'


def test_title_is_escaped():
    spec = relu_spec()
    spec = PlotSpec(
        title="<script>alert(1)</script>", series=spec.series, x_range=spec.x_range, key="k"
    )
    svg = render_svg(spec)
    assert "<script>" not in svg
    assert ET.fromstring(svg).find(f"{SVG}title").text == "<script>alert(1)</script>"


def test_no_series_is_a_bug_not_content():
    with pytest.raises(ValueError):
        render_svg(PlotSpec(title="t", series=[], x_range=(0, 1), key="k"))
