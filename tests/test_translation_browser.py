"""A translated page's widgets speak its language: the Run/Edit/Reset buttons, the badge and the
messages of live.js read the page's words from its ``data-glossary-words`` attribute (in a real
browser, on the real glossary, under the site's CSP)."""

from __future__ import annotations

from test_browser import (  # noqa: F401  # the fixtures of the real site, served
    _editor,
    _real_errors,
    _wait_for_result,
    browser,
    page,
    server,
    site,
)


def test_a_french_page_runs_its_examples_in_french(page, site):  # noqa: F811
    page.goto(site + "fr/glossary/activation-function/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    block = page.locator(".glossary-runnable[data-glossary-doctest='passed']").first
    run = block.locator("button.glossary-run")
    assert run.inner_text().strip() == "▶ Exécuter"
    assert "navigateur" in (run.get_attribute("title") or "")
    assert block.locator("button.glossary-edit").inner_text().strip() == "Modifier"
    assert block.locator("button.glossary-reset").inner_text().strip() == "Réinitialiser"
    badge = block.locator(".glossary-verified")
    assert "Exemple vérifié" in badge.inner_text()
    assert "Verified" not in badge.inner_text()

    editor = _editor(block)
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n>>> 6 * 7")
    assert badge.inner_text().strip() == "Modifié : non vérifié"
    assert "sortie" in (badge.get_attribute("title") or "")
    run.click()
    output = _wait_for_result(page, block)
    assert output.inner_text().strip().endswith("42"), output.inner_text()
    block.locator("button.glossary-reset").click()
    assert "Exemple vérifié" in badge.inner_text()
    assert not _real_errors(page.errors), page.errors


def test_the_default_language_keeps_its_english_words(page, site):  # noqa: F811
    page.goto(site + "glossary/activation-function/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    block = page.locator(".glossary-runnable[data-glossary-doctest='passed']").first
    assert block.locator("button.glossary-run").inner_text().strip() == "▶ Run"
    assert "Verified example" in block.locator(".glossary-verified").inner_text()
    assert page.locator("[data-glossary-words]").count() == 0
