"""Under the pages' Content-Security-Policy, everything a reader uses still works in Chromium:
search, the palette toggle, tooltips, Run and the playground, with no policy violation; and a
handler slipped into the page does not run. Served and skipped like tests/test_browser.py."""

from __future__ import annotations

import test_browser as shared
from site_html import start_theme
from test_browser import _wait_for_result

browser = shared.browser
server = shared.server
site = shared.site
page = shared.page

#: Records every policy violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


def test_search_palette_tooltips_run_and_playground_work_under_the_policy(page, site):
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(site + "glossary/relu/")
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert policy.count() == 1
    content = policy.get_attribute("content") or ""
    assert (
        "script-src 'self' 'sha256-" in content
        and "'unsafe-inline'" not in content.split("script-src", 1)[1].split(";", 1)[0]
    )
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    start_theme(page)  # the bundle the first interaction loads is allowed ('self')

    # Search: Material's worker builds the index and answers.
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("sigmoid", delay=50)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)

    page.keyboard.press("Escape")
    # The palette toggle switches the scheme (its inline script is allowed by hash).
    scheme = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(
        "before => document.body.getAttribute('data-md-color-scheme') !== before", arg=scheme
    )

    # A tooltip: hovering a link to another term shows its summary.
    link = page.locator("article a.glossary-link[title]").first
    link.scroll_into_view_if_needed()
    link.hover()
    page.wait_for_selector(".md-tooltip2, .md-tooltip", state="attached", timeout=10_000)

    # Run, and the playground, in the sandboxed frame.
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in (output.get_attribute("class") or ""), output.inner_text()
    playground = page.locator(".glossary-playground").first
    playground.locator('input[type="range"]').fill("2.5")
    result = playground.locator("output")
    page.wait_for_function(
        "el => el.textContent.includes('(2.5)')", arg=result.element_handle(), timeout=15_000
    )
    assert _violations(page) == []


def test_an_injected_handler_does_not_run_under_the_policy(page, site):
    """Were a handler to slip past the sanitizer and the audit, the policy would still stop it."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(site + "glossary/relu/")
    page.evaluate(
        "() => { window.__ran = false; const img = document.createElement('img');"
        " img.setAttribute('onerror', 'window.__ran = true'); img.src = 'missing.png';"
        " document.body.appendChild(img); }"
    )
    page.wait_for_function("() => window.__violations.length > 0", timeout=10_000)
    assert page.evaluate("() => window.__ran") is False
    assert any(v.startswith("script-src") for v in _violations(page))
