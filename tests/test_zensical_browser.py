"""The Run button on a page Zensical built: the fixture glossary built with
``glossary-gen zensical build`` (``pyodide_url: local``), served by test_browser's server, and a
doctest block run in the browser with the local Pyodide."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from site_html import FIXTURE
from test_browser import ROOT, _wait_for_result, browser, server  # noqa: F401  (fixtures)

if sys.version_info < (3, 11):  # pragma: no cover - Zensical needs 3.11; CI's Python has it
    pytest.skip("Zensical needs Python 3.11 or newer", allow_module_level=True)
pytest.importorskip("zensical", reason="the 'engines' extra is installed by scripts/setup")


#: A button's look: its opacity, text colour, the theme's primary colour, the border width and
#: the contrast of the text on the page's background (WCAG's formula).
BUTTON_STYLE = """el => {
    const style = getComputedStyle(el);
    const probe = document.createElement("span");
    probe.style.color = "var(--md-primary-fg-color)";
    document.body.appendChild(probe);
    const primary = getComputedStyle(probe).color;
    probe.remove();
    const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = c => {
        const [r, g, b] = rgb(c).map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let node = el, background = "rgba(0, 0, 0, 0)";
    while (node && /rgba\\(.*, 0\\)$/.test(background)) {
        background = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
    }
    if (/rgba\\(.*, 0\\)$/.test(background)) background = "rgb(255, 255, 255)";
    const [a, b] = [lum(style.color), lum(background)].sort((x, y) => y - x);
    return {opacity: style.opacity, color: style.color, primary: primary,
            fill: style.backgroundColor,
            border: style.borderTopWidth, contrast: (a + 0.05) / (b + 0.05)};
}"""


@pytest.fixture(scope="module")
def zensical_site(server, tmp_path_factory) -> str:  # noqa: F811
    pyodide = ROOT / "node_modules" / "pyodide"
    if not (pyodide / "pyodide.asm.wasm").is_file():
        pytest.skip("the local Pyodide is missing: run 'npm ci' in the repository root")
    work = tmp_path_factory.mktemp("zensical-browser") / "site_basic"
    shutil.copytree(FIXTURE, work)
    config = work / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("pyodide_url: assets/pyodide/", "pyodide_url: local")
    )
    result = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "zensical", "build"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "GLOSSARY_PYODIDE_DIR": str(pyodide)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The build says once where the Run buttons' Python comes from.
    # (on stderr, with the other progress lines; stdout holds only the check's messages)
    assert result.stderr.count("Run buttons use the local Pyodide") == 1, result.stderr
    shutil.copytree(work / "site", server.root / "site", dirs_exist_ok=True)
    return server.url


def test_run_button_runs_the_example_on_a_zensical_page(browser, zensical_site):  # noqa: F811
    # Reduced motion ends the buttons' 125 ms colour transitions at once (accessibility.css), so
    # the colours read below are the state's own, not a frame halfway through the transition.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(zensical_site + "glossary/alpha/")
        block = page.locator(".glossary-runnable").first
        block.locator("button.glossary-run").click()
        output = _wait_for_result(page, block)
        assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
        assert "42" in output.inner_text()
        # The buttons look as under MkDocs: outlined in the primary colour with text readable
        # on the page (not Zensical's grey pill), and Run, still focused after the click, does
        # not look disabled (Zensical fades a focused .md-button).
        run = block.locator("button.glossary-run")
        page.wait_for_function("el => !el.disabled", arg=run.element_handle())
        assert run.evaluate("el => el === document.activeElement")  # the click left it focused
        style = run.evaluate(BUTTON_STYLE)
        assert style["opacity"] == "1", style
        assert style["contrast"] >= 4.5, style
        assert style["border"] != "0px", style
        # outlined in the primary colour, or (with the focus ring, as the focus came back to it
        # from Stop) filled with it
        assert style["primary"] in (style["color"], style["fill"]), style
        # Keyboard focus: filled, still readable.
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        focused = run.evaluate(BUTTON_STYLE)
        assert focused["opacity"] == "1" and focused["contrast"] >= 4.5, focused
    finally:
        context.close()
