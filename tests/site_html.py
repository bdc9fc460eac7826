"""Reading a built fixture site as a reader gets it, shared by the engine tests (MkDocs:
test_plugin.py, ProperDocs: test_properdocs.py, Zensical: test_zensical.py): the fixture, its
pages, and the audit that nothing an entry writes can run in the reader's browser."""

from __future__ import annotations

import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"
#: The type of Material's bundle in a page until the reader's first interaction starts it
#: (``theme_script: interaction``, glossary_gen/site/theme/main.html and theme-loader.js).
THEME_HELD = "text/x-glossary-on-interaction"


def start_theme(page) -> None:
    """Start Material now, as a reader's first interaction does (theme-loader.js's own start, so
    no pointer event can be missed), and wait until it has started: its bundle has run and
    DOMContentLoaded has been sent again (``glossaryTheme.started()``). A start asked for while
    an earlier load is failing is asked for again. A page whose theme runs at load (Zensical,
    ``theme_script: load``) is running already (``document$``)."""
    started = """() => window.glossaryTheme ? window.glossaryTheme.started()
                     : typeof window.document$ !== 'undefined'"""
    deadline = time.monotonic() + 30
    while True:
        page.evaluate("() => window.glossaryTheme && window.glossaryTheme.start()")
        try:
            page.wait_for_function(started, timeout=2_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout: again, until the deadline
            if time.monotonic() > deadline:
                break
    state = page.evaluate(
        """type => ({
            held: document.querySelectorAll(`script[type="${type}"]`).length,
            loader: typeof window.glossaryTheme,
            bundles: Array.from(document.scripts).filter(s => /bundle\\./.test(s.src))
                          .map(s => s.type || 'script'),
        })""",
        THEME_HELD,
    )
    raise AssertionError(f"Material did not start within 30 s: {state}")


def wait_for_instant_links(page) -> None:
    """Wait until Material's instant navigation takes links: it does from the moment it has
    read the site's sitemap.xml, fetched when it starts (a click before is a plain page load).
    Not ``wait_for_load_state("networkidle")``: that state is reached once per page, at its
    load, and returns at once afterwards."""
    page.wait_for_function(
        """() => performance.getEntriesByType('resource')
                   .some(e => e.name.endsWith('/sitemap.xml') && e.responseEnd > 0)""",
        timeout=30_000,
    )
    page.wait_for_timeout(300)  # the response read, and the links' listener set up


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
