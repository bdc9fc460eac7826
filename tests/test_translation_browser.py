"""A translated page's widgets speak its language: the Run/Edit/Reset buttons, the badge and the
messages of live.js read the page's words from its ``data-glossary-words`` attribute (in a real
browser, on the real glossary, under the site's CSP)."""

from __future__ import annotations

import re

from test_browser import (  # noqa: F401  # the fixtures of the real site, served
    _edit_and_run,
    _editor,
    _real_errors,
    _wait_for_result,
    browser,
    page,
    server,
    site,
)

from glossary_gen.core.live_words import LIVE_TEXTS


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


def _english_in(text: str) -> list[str]:
    """The English parts of live.js's messages (between their placeholders) found in ``text``:
    a message that regressed to English on a French page shows here."""
    parts = {
        part.strip(" .:") for english in LIVE_TEXTS for part in re.split(r"\{[a-z]+\}", english)
    }
    return sorted(part for part in parts if len(part) >= 12 and part in text)


def test_english_fragments_are_found():  # the helper above can fail
    assert _english_in("Stopped: this was still running after 2 s") == [
        "Stopped: this was still running after"
    ]


def test_a_french_page_stops_an_endless_run_in_french(page, site):  # noqa: F811
    page.goto(site + "fr/glossary/activation-function/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    block = page.locator(".glossary-runnable[data-glossary-doctest='passed']").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in (output.get_attribute("class") or ""), output.inner_text()
    frame = page.locator("iframe.glossary-python-frame")
    assert frame.get_attribute("title") == "Bac à sable Python des exemples (sans contenu)"
    status = block.locator(".glossary-run-status").text_content() or ""
    assert status.startswith("Sortie de l'exemple "), status

    page.evaluate("() => { window.glossaryLive.runTimeoutMs = 1500; }")
    _edit_and_run(block, ">>> while True:\n...     pass\n")
    output = _wait_for_result(page, block, timeout=15_000)
    said = output.inner_text()
    assert "glossary-run-output--stopped" in (output.get_attribute("class") or ""), said
    assert said.startswith(
        "Arrêté : l'exécution durait encore après 1.5 s (une boucle infinie ?). "
        "Python a été arrêté pour l'interrompre"
    ), said
    assert _english_in(said) == [], said
    status = block.locator(".glossary-run-status").text_content() or ""
    assert status.startswith("Exemple ") and _english_in(status) == [], status
    label = _editor(block).get_attribute("aria-label") or ""
    assert label.startswith("Code Python de l'exemple "), label
    assert not _real_errors(page.errors), page.errors


def test_a_french_page_says_in_french_why_python_could_not_load(page, site):  # noqa: F811
    page.route("**/assets/pyodide/**", lambda route: route.abort())
    page.goto(site + "fr/glossary/activation-function/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    block = page.locator(".glossary-runnable[data-glossary-doctest='passed']").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block, timeout=20_000)
    said = output.inner_text().strip()
    assert "glossary-run-output--unavailable" in (output.get_attribute("class") or ""), said
    assert said.startswith(
        "Python n'a pas pu être chargé : la copie de Pyodide de ce site (assets/pyodide/) est "
        "injoignable. Rechargez la page et réessayez. Les sorties affichées sur la page"
    ), said
    assert _english_in(said) == [], said


def test_the_language_switcher_is_one_row_with_the_current_language_marked(page, site):  # noqa: F811
    """The switcher's own styles apply: a row without bullets, the page's language in bold (an
    unclosed block above them in glossary.css once hid them; tests/test_css.py checks the
    stylesheets themselves)."""
    page.goto(site + "glossary/activation-function/")
    switcher = page.locator("nav.glossary-languages")
    style = switcher.evaluate(
        """nav => {
            const list = getComputedStyle(nav.querySelector("ul"));
            const current = getComputedStyle(nav.querySelector("[aria-current]"));
            return [list.display, list.listStyleType, current.fontWeight];
        }"""
    )
    assert style == ["flex", "none", "700"], style
