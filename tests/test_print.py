"""A term page prints cleanly: the real ReLU page under ``@media print`` in headless Chromium has
no navigation, header, footer, search or Run buttons, shows where external links lead, and keeps
its plots whole. The screenshot (tests/artifacts/relu-print.png) is for a human to look at.

Skipped when /usr/bin/chromium is missing, unless GLOSSARY_REQUIRE_BROWSER=1 (CI), where that fails.
"""

from __future__ import annotations

from test_site_screenshot import ARTIFACTS, CHROMIUM, served  # noqa: F401  (served: a fixture)


def test_relu_page_prints_cleanly(served):  # noqa: F811
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "relu-print.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(served) else route.abort()
                ),
            )
            page.goto(f"{served}/glossary/relu/", wait_until="networkidle")
            page.locator("button.glossary-run").first.wait_for()  # live.js has added them
            assert page.locator(".md-header").is_visible()
            page.emulate_media(media="print")

            def hidden(selector: str) -> bool:
                return page.evaluate(
                    """s => [...document.querySelectorAll(s)].every(
                        e => !e.getClientRects().length)""",
                    selector,
                )

            def count(selector: str) -> int:
                return page.locator(selector).count()

            for selector in (
                ".md-header",
                ".md-search",
                ".md-sidebar",
                ".md-footer",
                ".md-tabs",
                "button.glossary-run",
                ".glossary-run-bar",
                ".glossary-playground-controls",
                ".md-code__nav",
                ".glossary-contribute",
                ".headerlink",
            ):
                assert hidden(selector), selector
            assert count("button.glossary-run") >= 1 and count(".glossary-contribute") == 1

            def after(selector: str) -> str:
                return page.evaluate(
                    "s => getComputedStyle(document.querySelector(s), '::after').content",
                    selector,
                )

            # External links print their address; links within the site do not.
            source = page.locator("a.glossary-source").first.get_attribute("href")
            assert source and source.startswith("https://")
            assert after("a.glossary-source") == f'" ({source})"'
            assert after("article a.glossary-link") in ("none", "normal")
            assert after(".glossary-backlinks a") in ("none", "normal")

            # Plots are kept whole, and are there.
            plots = page.locator(".glossary-plot svg")
            assert plots.count() >= 1 and plots.first.is_visible()
            assert page.evaluate(
                """() => [...document.querySelectorAll('.glossary-plot, .glossary-plot svg')]
                    .every(e => getComputedStyle(e).breakInside === 'avoid')"""
            )
            # The text a reader prints is all there, with "Used on" and the date.
            for heading in ("ELI5", "Related terms", "Referenced by", "Used on", "Sources"):
                assert page.locator("article h2", has_text=heading).is_visible(), heading
            assert page.locator(".glossary-meta time").is_visible()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
