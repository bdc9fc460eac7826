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
from site_html import start_theme, wait_for_instant_links

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
REQUIRED = os.environ.get("GLOSSARY_REQUIRE_BROWSER") == "1"


def _need_browser():
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"GLOSSARY_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(
            f"no Chromium at {CHROMIUM} (install it, or set GLOSSARY_REQUIRE_BROWSER=1 to make this fail)"
        )
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
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
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
    def log_message(self, format, *args):
        pass


def test_relu_page_renders(served):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "relu.png"
    external: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(served)
                    else (external.append(route.request.url), route.abort())
                ),
            )
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
            link = page.locator(
                "article a.glossary-link", has_text="Vanishing Gradient Problem"
            ).first
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


@pytest.fixture(scope="module")
def served_at_site_url(tmp_path_factory):
    """The real glossary built with ``site_url`` = the local server's URL: Material's instant
    navigation only intercepts links that sitemap.xml lists under the site_url's origin."""
    import re

    _need_browser()
    work = tmp_path_factory.mktemp("instant")
    handler = functools.partial(_QuietHandler, directory=str(work / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    text = re.sub(
        r"^site_url:.*$", "", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.M
    )
    text = text.replace("entries_dir: entries", f"entries_dir: {ROOT / 'entries'}")
    text += f"\ndocs_dir: {ROOT / 'docs'}\nsite_dir: {work / 'site'}\nsite_url: {url}\n"
    (work / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(work / "mkdocs.yml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url.rstrip("/")
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_instant_navigation_swaps_the_page_data_without_script_errors(served_at_site_url):
    """Material's instant navigation re-creates the content's <script> elements without their
    type; the JSON-LD and the code island are in <head>, which it swaps element by element: after
    a click there is exactly one of each, the new page's, and nothing was run as JavaScript."""
    from playwright.sync_api import sync_playwright

    served = served_at_site_url

    def page_data(page):
        return page.evaluate("""() => ({
            islands: Array.from(document.querySelectorAll('script[data-glossary-code]'))
                          .map(s => JSON.parse(s.textContent).entry),
            jsonld: Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
                         .map(s => JSON.parse(s.textContent).termCode),
            inContent: document.querySelectorAll('article script, .md-content script').length,
        })""")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(served) else route.abort()
                ),
            )
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{served}/glossary/relu/", wait_until="networkidle")
            start_theme(page)  # Material (instant navigation) runs from the first interaction
            wait_for_instant_links(page)
            assert page_data(page) == {"islands": ["relu"], "jsonld": ["relu"], "inContent": 0}
            link = page.locator(
                "article .glossary-summary a.glossary-link, article a.glossary-link"
            ).first
            target = link.get_attribute("href").strip("./").split("/")[-1] or link.get_attribute(
                "href"
            )
            page.evaluate("() => { window.__glossaryStillHere = true; }")
            link.click()
            page.wait_for_url(f"**/glossary/{target}/")
            page.wait_for_function(
                "slug => Array.from(document.querySelectorAll('script[data-glossary-code]'))"
                ".some(s => JSON.parse(s.textContent).entry === slug)",
                arg=target,
            )
            assert page_data(page) == {"islands": [target], "jsonld": [target], "inContent": 0}
            assert page.evaluate(
                "() => window.__glossaryStillHere === true"
            )  # no full reload: instant
            assert errors == []
        finally:
            browser.close()
