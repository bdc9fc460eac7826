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
    shutil.copytree(work / "site", server.root / "site", dirs_exist_ok=True)
    return server.url


def test_run_button_runs_the_example_on_a_zensical_page(browser, zensical_site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto(zensical_site + "glossary/alpha/")
        block = page.locator(".glossary-runnable").first
        block.locator("button.glossary-run").click()
        output = _wait_for_result(page, block)
        assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
        assert "42" in output.inner_text()
    finally:
        context.close()
