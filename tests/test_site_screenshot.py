"""The real glossary renders in a browser: build the site, open the ReLU page in headless Chromium,
check what a reader sees, and save a screenshot (tests/artifacts/relu.png) for a human to look at.

Skipped when /usr/bin/chromium is missing, unless GLOSSARY_REQUIRE_BROWSER=1 (CI), where that fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
REQUIRED = os.environ.get("GLOSSARY_REQUIRE_BROWSER") == "1"


def _need_browser():
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"GLOSSARY_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(f"no Chromium at {CHROMIUM} (install it, or set GLOSSARY_REQUIRE_BROWSER=1 to make this fail)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        if REQUIRED:
            raise
        pytest.skip("playwright is not installed (pip install -e .[test])")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    _need_browser()
    site = tmp_path_factory.mktemp("real_site") / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def test_relu_page_renders(served):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "relu.png"
    external: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
                       else (external.append(route.request.url), route.abort()))
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{served}/glossary/relu/", wait_until="networkidle")
            assert page.title().startswith("ReLU")
            assert page.locator("article h1").inner_text().strip().rstrip("¶") == "ReLU"
            summary = page.locator(".glossary-summary")
            assert "activation function" in summary.inner_text()
            # Math is typeset by the browser itself (MathML), with a real size.
            box = page.locator("article math").first.bounding_box()
            assert box and box["width"] > 20 and box["height"] > 5
            # Links to terms carry their summary for Material's tooltips.
            link = page.locator("article a.glossary-link", has_text="Vanishing Gradient Problem").first
            assert "gradients" in (link.get_attribute("title") or "")
            assert page.locator("article .glossary-runnable").count() >= 1
            assert page.locator("article .glossary-runnable .highlight").first.is_visible()
            for heading in ("Related terms", "Referenced by", "Sources"):
                assert page.locator("article h2", has_text=heading).count() == 1
            # Term pages are not listed in the sidebar.
            assert page.locator(".md-nav--primary a[href*='sigmoid-function']").count() == 0
            assert errors == []
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    assert external == [], f"the page asked for external resources: {external}"
