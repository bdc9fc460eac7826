"""Reading a built fixture site as a reader gets it, shared by the engine tests (MkDocs:
test_plugin.py, ProperDocs: test_properdocs.py, Zensical: test_zensical.py): the fixture, its
pages, and the audit that nothing an entry writes can run in the reader's browser."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"
#: The type of Material's bundle in a page until the reader's first interaction starts it
#: (``theme_script: interaction``, glossary_gen/site/theme/main.html and theme-loader.js).
THEME_HELD = "text/x-glossary-on-interaction"


def start_theme(page) -> None:
    """Start Material as a reader does, with a first interaction (a pointer move), and wait
    until it runs (``document$``, the ``js`` class). A page whose theme runs at load (Zensical,
    ``theme_script: load``) is running already. On a loaded machine a pointer move can come
    before the page takes input: the reader moves again (elsewhere), then presses Tab."""
    started = (
        "() => typeof window.document$ !== 'undefined'"
        " && document.documentElement.classList.contains('js')"
    )
    for attempt in range(3):
        if attempt < 2:
            page.mouse.move(3 + 20 * attempt, 3 + 20 * attempt)
        else:
            page.keyboard.press("Tab")
        try:
            page.wait_for_function(started, timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout; the next interaction, then fail
            if attempt == 2:
                state = page.evaluate(
                    """type => ({
                        held: document.querySelectorAll(`script[type="${type}"]`).length,
                        loader: typeof window.glossaryTheme,
                        bundles: Array.from(document.scripts).filter(s => /bundle\\./.test(s.src))
                                      .map(s => s.type || 'script'),
                    })""",
                    THEME_HELD,
                )
                raise AssertionError(
                    f"Material did not start after 3 interactions: {state}"
                ) from None


def copy_fixture(tmp: Path) -> Path:
    site = tmp / "site_basic"
    shutil.copytree(FIXTURE, site)
    return site


def page(built, path: str) -> str:
    """A file of the built site; ``built``: a ``(site folder, ...)`` fixture value."""
    return (built[0] / "site" / path).read_text(encoding="utf-8")


def article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


class ScriptAudit(HTMLParser):
    """Every executable thing in a page: script elements, handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "iframe", "object", "embed"):
            self.scripts.append({"tag": tag, **values})
        for name, value in attrs:
            if name.startswith("on") or (
                name in ("href", "src", "action", "formaction", "xlink:href")
                and value
                and re.sub(r"\s", "", value).lower().startswith("javascript:")
            ):
                self.handlers.append((tag, name, value))


def assert_no_entry_script_runs(html: str) -> None:
    """No handler, no javascript: URL, only data scripts (JSON) and the theme's and ours (by
    ``src``), none carrying entry text."""
    audit = ScriptAudit()
    audit.feed(html)
    assert audit.handlers == []
    for script in audit.scripts:
        assert script["tag"] == "script"
        if script.get("type") == THEME_HELD:  # Material's bundle, loaded by theme-loader.js
            assert re.search(r"(^|/)assets/javascripts/bundle\.\w+\.min\.js$", script["src"])
            continue
        assert script.get("type") in (None, "application/json", "application/ld+json")
    # Scripts without a type are the theme's and ours (by src); none carries entry text.
    for attrs, body in re.findall(r"<script((?: [^>]*)?)>(.*?)</script>", html, re.S):
        if "application/" not in attrs:
            assert "alert" not in body
