"""Browser tests: the built site, served on 127.0.0.1 with the local Pyodide, in Debian's Chromium.

Skipped with a reason when Chromium, Playwright or the local Pyodide (``npm ci``) is missing,
unless ``GLOSSARY_REQUIRE_BROWSER=1`` (CI), which turns every such skip into a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, NamedTuple
from urllib.parse import urlsplit

import pytest
from site_html import start_theme, wait_for_instant_links

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: First click loads Pyodide (compiling ~10 MB of WebAssembly); generous for slow CI machines.
LOAD_TIMEOUT_MS = 90_000


def _unavailable(reason: str):
    if os.environ.get("GLOSSARY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (GLOSSARY_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    override = os.environ.get("GLOSSARY_CHROMIUM")
    for candidate in (override,) if override else CHROMIUM_CANDIDATES:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    _unavailable(
        "no Chromium found (looked for "
        + ", ".join(CHROMIUM_CANDIDATES)
        + "; install Debian's 'chromium' package or set GLOSSARY_CHROMIUM)"
    )
    raise AssertionError  # unreachable


class _Handler(http.server.SimpleHTTPRequestHandler):
    # Pyodide needs the right types: a module script must be JavaScript, and
    # WebAssembly.instantiateStreaming refuses anything but application/wasm.
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".zip": "application/zip",
        ".svg": "image/svg+xml",
    }

    def __init__(self, *args, seen: list[Seen], **kwargs):
        self.seen = seen  # set before the base class handles the request (in its __init__)
        super().__init__(*args, **kwargs)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok:  # every request that reached the server, with the cookies it carried
            self.seen.append(
                Seen(
                    self.command,
                    self.path,
                    self.headers.get("Cookie", ""),
                    self.headers.get("Host", ""),
                )
            )
        return ok

    def end_headers(self) -> None:
        # Addressed as "localhost", the server plays a CDN: another origin than the site's
        # (127.0.0.1), whose files any origin may read, as jsDelivr's.
        if self.headers.get("Host", "").startswith("localhost:"):
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format, *args):
        pass


class Seen(NamedTuple):
    """A request the test server received."""

    method: str
    path: str
    cookie: str
    host: str


class Server(NamedTuple):
    root: Path
    url: str
    seen: list[Seen]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """An HTTP server on 127.0.0.1 for the site folder (the site is built once the port is known).

    It records every request it receives (``seen``), so a test can tell what a page sent.
    """
    root = tmp_path_factory.mktemp("site")
    (root / "site").mkdir()
    seen: list[Seen] = []
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(root / "site"), seen=seen)
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{httpd.server_address[1]}/", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def site(server) -> str:
    """The real glossary (entries/ and docs/), built strict with the default ``pyodide_url``
    (``auto``: the local copy, as after ``scripts/setup``) and the code editor bundle, served.

    ``site_url`` is the server's own URL: Material's instant navigation only intercepts links
    listed in sitemap.xml under the site_url's origin.
    """
    work, url = server.root, server.url
    pytest.importorskip("mkdocs")
    pyodide = ROOT / "node_modules" / "pyodide"
    if not (pyodide / "pyodide.asm.wasm").is_file():
        _unavailable("the local Pyodide is missing: run 'npm ci' in the repository root")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # No pyodide_url: the default (auto) takes the local copy that scripts/setup installed.
    text = re.sub(
        r"(\n\s+- glossary:\n)",
        r"\1      cache_dir: " + str(work / "cache") + "\n",
        text,
        count=1,
    )
    text = text.replace("entries_dir: entries", f"entries_dir: {ROOT / 'entries'}")
    # Material fetches Google Fonts by default; the test proves nothing leaves 127.0.0.1.
    text = re.sub(r"(\ntheme:\n)", r"\1  font: false\n", text, count=1)
    text = re.sub(r"^site_url:.*$", "", text, flags=re.M)
    text += f"\ndocs_dir: {ROOT / 'docs'}\nsite_dir: {work / 'site'}\nsite_url: {url}\n"
    config_file = work / "mkdocs.yml"
    config_file.write_text(text, encoding="utf-8")
    editor = ROOT / "node_modules" / ".glossary" / "live-editor.js"
    if not editor.is_file():
        _unavailable("the code editor bundle is missing: run 'bash scripts/setup'")
    overrides = {"GLOSSARY_PYODIDE_DIR": str(pyodide), "GLOSSARY_EDITOR_BUNDLE": str(editor)}
    # The math font is found next to mkdocs.yml or above it, as the Pyodide is: this site's
    # mkdocs.yml is in a temporary folder (without the font, a formula asks for it: a 404).
    from glossary_gen.site.math_font import PACKAGE_FILE

    font = ROOT / "node_modules" / PACKAGE_FILE
    if not font.is_file():
        _unavailable("the math font is missing: run 'bash scripts/setup'")
    overrides["GLOSSARY_MATH_FONT"] = str(font)
    old = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        build(load_config(str(config_file), strict=True))
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return url


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    # No CDN is reachable: the tests show the site working offline (routes added later win).
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort("internetdisconnected"))
    yield page
    context.close()


def _real_errors(errors: list[str]) -> list[str]:
    """Page errors, minus a known Material behaviour: its instant navigation re-creates inline
    <script> elements *without their type*, so the JSON-LD and the JSON island are parsed as
    JavaScript and fail at the first ':' (nothing runs; live.js finds the island by content)."""
    return [e for e in errors if not ("replaceWith" in e and "Unexpected token ':'" in e)]


def _output_of(block):
    return block.locator(".glossary-run-output")


def _wait_for_result(page, block, timeout=LOAD_TIMEOUT_MS):
    output = _output_of(block)
    output.wait_for(state="visible")
    page.wait_for_function(
        "el => !el.classList.contains('glossary-run-output--pending')",
        arg=output.element_handle(),
        timeout=timeout,
    )
    return output


def _assert_local_only(requests: list[str]) -> None:
    """Nothing left the site but package wheels (NumPy) asked of the CDN's full distribution,
    which a site with the local Pyodide (the npm package, without wheels) names for them (the
    test's ``page`` answers those requests as an offline browser would)."""
    from glossary_gen.fences.pyodide import PYODIDE_PACKAGES_CDN

    outside = [
        url
        for url in requests
        if urlsplit(url).hostname not in ("127.0.0.1",)
        and not url.startswith(("data:", "blob:", "about:"))
        and not (url.startswith(PYODIDE_PACKAGES_CDN) and url.endswith(".whl"))
    ]
    assert not outside, f"requests left 127.0.0.1: {outside}"


def test_pages_load_without_a_failed_request_or_a_console_error(page, site):
    """What Lighthouse's best-practices audit reads (errors-in-console): on a term page with a
    translation, its translation and the A-Z, no request fails and the console shows no error.
    Material fetches ``sitemap.xml`` next to every ``<link rel="alternate">`` of a page: hreflang
    links to a term's other version there made it ask for ``glossary/relu/sitemap.xml`` (404)."""
    failed: list[str] = []
    console: list[str] = []
    # A request still running when the test goes to the next page (Material's search worker
    # loads its stemmers late) is cancelled by that navigation ("net::ERR_ABORTED"): not a
    # failure of the site. A missing file is a response >= 400 all the same.
    page.on(
        "requestfailed",
        lambda request: (
            failed.append(f"{request.url} {request.failure}")
            if request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    for path in ("glossary/relu/", "fr/glossary/relu/", "glossary/"):
        page.goto(site + path)
        page.wait_for_selector(".glossary-languages" if "relu" in path else ".md-content")
        start_theme(page)  # Material runs from the first interaction: then it asks for sitemaps
        wait_for_instant_links(page)  # Material's sitemap request is done
    assert any(u.endswith("/sitemap.xml") for u in page.requests)  # Material asked for it
    assert not failed, failed
    assert not console, console
    assert not _real_errors(page.errors), page.errors


def _bundles(page) -> list[str]:
    return [u for u in page.requests if "/assets/javascripts/bundle." in u]


def _theme_started(page) -> bool:
    return bool(page.evaluate("() => window.glossaryTheme.started()"))


def test_material_starts_at_the_first_interaction_and_the_examples_before(page, site):
    """Nothing of Material's runs while the page loads (theme_script: interaction): its bundle
    is not even fetched, the glossary's Run buttons are bound; a reader's first pointer move
    starts it (search shows, instant navigation works), once. The page's clock stands still
    until then, so the start after load (theme-loader.js) cannot come first."""
    page.clock.install()
    page.clock.pause_at(time.time() + 60)
    page.goto(site + "glossary/relu/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    page.wait_for_load_state("networkidle")
    assert _bundles(page) == []
    assert page.evaluate("() => typeof window.document$") == "undefined"
    assert page.evaluate("() => document.documentElement.className") == "no-js"
    assert page.locator("input.md-search__input").is_hidden()  # Material shows it once it runs
    # Material takes links from the moment it has read sitemap.xml, which it fetches as it starts
    # (wait_for_instant_links cannot tell under the page clock: it fakes the timing entries).
    sitemap = lambda response: response.url.endswith("/sitemap.xml")  # noqa: E731
    with page.expect_response(sitemap, timeout=LOAD_TIMEOUT_MS):
        page.mouse.move(30, 30)
        page.wait_for_function("() => window.glossaryTheme.started()", timeout=LOAD_TIMEOUT_MS)
        page.clock.resume()
    page.wait_for_timeout(300)  # the response read, and the links' listener set up
    assert len(_bundles(page)) == 1
    assert page.locator("input.md-search__input").is_visible()
    page.keyboard.press("Tab")  # more interactions: nothing loads twice
    page.mouse.move(40, 40)
    page.wait_for_timeout(300)
    assert len(_bundles(page)) == 1
    # Instant navigation from here, with the Run buttons bound on the new page.
    page.evaluate("() => { window.__sameVisit = true; }")
    page.locator("article a[href*='sigmoid-function']").first.click()
    page.wait_for_url(re.compile(r".*/sigmoid-function/$"))
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    assert page.evaluate("() => window.__sameVisit === true"), "instant navigation reloaded"
    assert not _real_errors(page.errors), page.errors


@pytest.mark.parametrize("width", [412, 1280])  # the search button (phone), field (desktop)
def test_the_header_does_not_move_when_material_starts(page, site, width):
    """Material shows its search control when it starts: its place is kept before, so the
    palette toggle does not move under the reader's pointer at the first interaction."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site + "glossary/relu/")
    page.wait_for_load_state("load")
    toggle = page.locator("form[data-md-component='palette']")
    before = toggle.bounding_box()
    search = page.locator(".md-header__button[for='__search'], .md-search").first
    assert not search.is_visible()  # unseen until Material runs, and out of the Tab order
    start_theme(page)
    page.wait_for_timeout(300)
    assert toggle.bounding_box() == before


def test_material_starts_by_itself_after_load_without_an_interaction(page, site):
    """A reader who only reads gets the theme too: 10 s after the load event, when the browser
    is idle, Material starts; not before."""
    page.clock.install()
    page.clock.pause_at(time.time() + 60)
    page.goto(site + "glossary/")
    page.wait_for_load_state("networkidle")
    page.clock.run_for(9500)
    page.wait_for_timeout(300)
    assert _bundles(page) == [] and not _theme_started(page)
    page.clock.run_for(6000)  # past 10 s, and past the idle callback's own timeout (5 s)
    page.wait_for_function("() => window.glossaryTheme.started()", timeout=LOAD_TIMEOUT_MS)
    page.clock.resume()
    assert len(_bundles(page)) == 1
    assert page.locator("input.md-search__input").is_visible()
    assert not _real_errors(page.errors), page.errors


def test_what_a_reader_does_before_material_starts_takes_effect(page, site):
    """The palette toggle clicked and a search shortcut pressed while Material's bundle is still
    on its way: the click switches the palette at once and is what Material keeps when it starts;
    the key opens the search once Material runs. A bundle that failed to load is asked for again."""
    held: list = []
    page.route("**/assets/javascripts/bundle.*.min.js", lambda route: held.append(route))
    page.goto(site + "glossary/relu/")
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
    page.locator("form[data-md-component='palette'] label:visible").click()  # starts the load
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    stored = page.evaluate("() => __md_get('__palette')")
    assert stored["index"] == 1 and stored["color"]["scheme"] == "slate"
    page.keyboard.press("s")  # Material's search shortcut, before it runs
    assert not _theme_started(page)
    bundles = "() => document.querySelectorAll('script[src*=\"bundle.\"]').length"
    page.wait_for_function(f"{bundles} === 2")  # the page's held one, and the loader's
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    held.pop().abort("failed")  # the first request fails: the next interaction asks again
    page.wait_for_function(f"{bundles} === 1")  # the loader's, failed, is gone
    page.unroute("**/assets/javascripts/bundle.*.min.js")
    page.mouse.move(50, 60)  # the next interaction; the key pressed before still counts
    page.wait_for_function("() => window.glossaryTheme.started()", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("() => document.getElementById('__search').checked")
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    assert page.locator("form[data-md-component='palette'] label:visible").count() == 1
    page.keyboard.press("Escape")  # closes the search
    page.wait_for_function("() => !document.getElementById('__search').checked")
    page.locator("form[data-md-component='palette'] label:visible").click()  # Material's own
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'default'")
    assert not _real_errors(page.errors), page.errors


def test_relu_page_runs_examples_playground_and_errors_locally(page, site):
    page.goto(site + "glossary/relu/")
    page.wait_for_selector(".glossary-run")
    # Nothing heavy on page load: the sandbox, the worker and Pyodide come on the first click only.
    assert not [
        u for u in page.requests if "pyodide" in u or "live-worker" in u or "live-frame" in u
    ]
    assert page.locator("iframe").count() == 0

    block = page.locator(".glossary-runnable").first
    # No empty output bar (nor Stop button) before the first run.
    assert _output_of(block).is_hidden()
    assert block.locator("button.glossary-stop").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    block.screenshot(path=str(ARTIFACTS / "relu-before-run.png"))
    started = time.monotonic()
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    click_to_output = time.monotonic() - started
    assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
    assert "[0, 0, 0, 1, 2]" in output.inner_text()
    fetched = [u for u in page.requests if "pyodide" in u]
    assert any(u.endswith("pyodide.asm.wasm") for u in fetched)
    assert any(u.endswith("/assets/glossary/live-worker.js") for u in page.requests)
    # Python runs in one sandboxed frame (opaque origin), out of the Tab order.
    frame = page.locator("iframe.glossary-python-frame")
    assert frame.count() == 1
    assert frame.get_attribute("sandbox") == "allow-scripts"
    assert frame.get_attribute("tabindex") == "-1"

    # Second run reuses the loaded Pyodide: nothing more is downloaded.
    before = len(page.requests)
    block.locator("button.glossary-run").click()
    _wait_for_result(page, block, timeout=10_000)
    assert len(page.requests) == before

    # The playground calls the entry's own relu and marks the point on the plot.
    playground = page.locator(".glossary-playground").first
    result = playground.locator("output")
    slider = playground.locator('input[type="range"]')
    slider.fill("-3")
    page.wait_for_function(
        "el => el.textContent.includes('(-3)')", arg=result.element_handle(), timeout=10_000
    )
    assert result.inner_text().strip() == "relu(-3) = 0"
    slider.fill("2.5")
    page.wait_for_function(
        "el => el.textContent.includes('(2.5)')", arg=result.element_handle(), timeout=10_000
    )
    assert result.inner_text().strip() == "relu(2.5) = 2.5"
    assert playground.locator('input[type="number"]').input_value() == "2.5"
    point = playground.locator("circle.glossary-plot-point")
    assert point.get_attribute("visibility") == "visible"
    assert point.get_attribute("data-y") == "2.5"

    # An edited snippet that raises shows the traceback under the snippet.
    _edit_and_run(
        block, ">>> def relu(x):\n...     raise ValueError('broken on purpose')\n>>> relu(1)\n"
    )
    output = _wait_for_result(page, block, timeout=10_000)
    text = output.inner_text()
    assert "glossary-run-output--error" in output.get_attribute("class")
    assert "Traceback (most recent call last)" in text and "ValueError: broken on purpose" in text

    # The playground follows the edited code, and Reset brings the original back.
    slider.fill("1")
    page.wait_for_function(
        "el => el.textContent.includes('broken on purpose')",
        arg=result.element_handle(),
        timeout=10_000,
    )
    block.locator("button.glossary-reset").click()
    slider.fill("2")
    page.wait_for_function(
        "el => el.textContent.includes('relu(2) = 2')", arg=result.element_handle(), timeout=10_000
    )

    ARTIFACTS.mkdir(exist_ok=True)
    block.locator("button.glossary-run").click()
    _wait_for_result(page, block, timeout=10_000)
    page.evaluate("() => window.scrollTo(0, 0)")  # else Material's fixed header lands mid-page
    page.screenshot(path=str(ARTIFACTS / "relu-live.png"), full_page=True)

    assert not _real_errors(page.errors), page.errors
    _assert_local_only(page.requests)
    (ARTIFACTS / "timings.txt").write_text(
        f"click_to_output_s={click_to_output:.2f}\n", encoding="utf-8"
    )


def test_instant_navigation_keeps_run_buttons_working(page, site):
    """Material swaps pages without reloading scripts: buttons must be bound on the new page."""
    page.goto(site + "glossary/")
    page.wait_for_selector("a[href*='sigmoid-function']")
    start_theme(page)  # Material runs from the reader's first interaction
    wait_for_instant_links(page)
    page.evaluate("() => { window.__sameVisit = true; }")
    page.locator("a[href*='sigmoid-function']").first.click()
    page.wait_for_url(re.compile(r".*/sigmoid-function/$"))
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    assert page.evaluate("() => window.__sameVisit === true"), (
        "instant navigation did a full reload"
    )
    page.wait_for_selector(".glossary-runnable .glossary-run")
    assert page.evaluate("() => typeof document$ !== 'undefined'")
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
    assert "(0.5, 0.25)" in output.inner_text()
    # Still a single-page visit: navigate again and the loaded Pyodide is reused.
    wasm = [u for u in page.requests if u.endswith(".wasm")]
    page.locator("a[href*='tanh-function']").first.click()
    page.wait_for_url(re.compile(r".*/tanh-function/$"))
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    assert page.evaluate("() => window.__sameVisit === true")
    tanh = page.locator(".glossary-runnable").first
    tanh.locator("button.glossary-run").click()
    output = _wait_for_result(page, tanh)  # a fresh Python for the new page (files reused)
    assert "(0.0, 1.0)" in output.inner_text()
    assert [u for u in page.requests if u.endswith(".wasm")] == wasm
    assert not _real_errors(page.errors), page.errors
    _assert_local_only(page.requests)


def test_unreachable_pyodide_gives_a_clear_message(page, site):
    page.route("**/assets/pyodide/**", lambda route: route.abort())
    page.goto(site + "glossary/relu/")
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block, timeout=20_000)
    assert "glossary-run-output--unavailable" in output.get_attribute("class")
    assert "Python could not be loaded" in output.inner_text()
    assert "assets/pyodide/" in output.inner_text()  # says where it looked
    # one line: why, and what to do
    assert "could not be reached. Reload the page and try again" in output.inner_text()
    assert "\n" not in output.inner_text().strip()
    # Not stuck: the button works again (a retry, e.g. once back online).
    assert block.locator("button.glossary-run").is_enabled()


def test_pyodide_from_another_origin_as_from_the_cdn(page, site, server):
    """The default pyodide_url is a CDN, another origin: the page fetches Pyodide from there, with
    no cookies, and the sandbox runs it as it runs the local copy (here the test server, addressed
    as localhost, plays the CDN)."""
    cdn = site.replace("127.0.0.1", "localhost") + "assets/pyodide/"
    page.context.add_cookies([{"name": "cdn_session", "value": "secret", "url": cdn}])
    # The site was built with pyodide_url: local, so its pages' policy lets them fetch from
    # their own origin only; a site built for this CDN gets the CDN's origin in connect-src
    # (policy_for), which is what the page is served with here.
    from glossary_gen.site.audit import policy_for

    allowed = " ".join(policy_for(cdn).connect)
    built = server.root / "site" / "glossary"
    text = (built / "relu" / "index.html").read_text(encoding="utf-8")
    (built / "relu-cdn").mkdir(exist_ok=True)
    (built / "relu-cdn" / "index.html").write_text(
        text.replace("connect-src 'self'", f"connect-src 'self' {allowed}", 1), encoding="utf-8"
    )
    page.goto(site + "glossary/relu-cdn/")
    page.evaluate(
        "url => document.querySelector('script[data-glossary-code]')"
        ".setAttribute('data-glossary-pyodide', url)",
        cdn,
    )
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
    assert "[0, 0, 0, 1, 2]" in output.inner_text()
    from_cdn = [s for s in server.seen if s.host.startswith("localhost:")]
    assert sorted(s.path.rsplit("/", 1)[1] for s in from_cdn) == sorted(
        [
            "pyodide.mjs",
            "pyodide.asm.mjs",
            "pyodide-lock.json",
            "pyodide.asm.wasm",
            "python_stdlib.zip",
        ]
    ), from_cdn
    assert all(s.cookie == "" for s in from_cdn), from_cdn
    assert not [u for u in page.requests if "127.0.0.1" in u and "/assets/pyodide/" in u]


PROBE_WHEEL = "glossaryprobe-1.0-py3-none-any.whl"


def probe_wheel(value: str) -> bytes:
    """A tiny pure-Python wheel: ``import glossaryprobe; glossaryprobe.VALUE == value``."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("glossaryprobe/__init__.py", f"VALUE = {value!r}\n")
        info = "glossaryprobe-1.0.dist-info/"
        wheel.writestr(
            info + "METADATA", "Metadata-Version: 2.1\nName: glossaryprobe\nVersion: 1.0\n"
        )
        wheel.writestr(
            info + "WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        wheel.writestr(info + "RECORD", "")
    return buffer.getvalue()


def offer_probe_package(page, server: Server, locked: bytes, served: bytes | None = None) -> None:
    """Pyodide's lock file, as this page gets it, names the probe wheel (with the SHA-256 of
    ``locked``), and Pyodide's folder serves it (``served``, the same bytes unless told)."""
    import hashlib
    import json

    lock = json.loads((server.root / "site/assets/pyodide/pyodide-lock.json").read_text("utf-8"))
    lock["packages"]["glossaryprobe"] = {
        "name": "glossaryprobe",
        "version": "1.0",
        "file_name": PROBE_WHEEL,
        "install_dir": "site",
        "sha256": hashlib.sha256(locked).hexdigest(),
        "package_type": "package",
        "imports": ["glossaryprobe"],
        "depends": [],
        "unvendored_tests": False,
    }
    body = json.dumps(lock)
    page.route(
        "**/assets/pyodide/pyodide-lock.json",
        lambda route: route.fulfill(body=body, content_type="application/json"),
    )
    wheel = locked if served is None else served
    # Where the page takes packages from: a local copy (the npm package has no wheels) names the
    # CDN's full distribution (data-glossary-packages); here the test answers for it.
    page.route(
        "**/" + PROBE_WHEEL,
        lambda route: route.fulfill(
            body=wheel, content_type="application/zip", headers={"Access-Control-Allow-Origin": "*"}
        ),
    )


def test_packages_the_examples_import_come_through_the_page(page, site, server):
    """An example's imports are loaded before it runs: the worker (which has no network) asks the
    page for the wheel Pyodide's lock file names, and the page fetches it from where the page
    says packages are (the CDN's full distribution, for a site with the local copy)."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    offer_probe_package(page, server, probe_wheel("from a wheel the page fetched"))
    page.goto(site + "glossary/relu/")
    island = page.locator("script[data-glossary-code]")
    packages = island.get_attribute("data-glossary-packages")
    assert packages and packages.startswith("https://cdn.jsdelivr.net/pyodide/v"), packages
    block = page.locator(".glossary-runnable").first
    _edit_and_run(block, ">>> import glossaryprobe\n>>> glossaryprobe.VALUE\n")
    output = _wait_for_result(page, block)
    assert output.inner_text().strip() == "'from a wheel the page fetched'", output.inner_text()
    assert "glossary-run-output--ok" in output.get_attribute("class")
    assert any(u == packages + PROBE_WHEEL for u in page.requests), page.requests

    # Offline (the CDN unreachable), the NumPy example says in one short line which package
    # could not be loaded and why: no URL, no traceback, no "integrity" errors in the console
    # (the wheel's SHA-256 is checked after a good answer, not on an error page).
    numpy = page.locator(".glossary-runnable", has_text="import numpy as np").first
    numpy.evaluate(
        """block => {
            window.__seen = [];
            const out = block.querySelector('.glossary-run-output');
            new MutationObserver(() => window.__seen.push(out.textContent))
                .observe(out, {childList: true, characterData: true, subtree: true});
        }"""
    )
    numpy.locator("button.glossary-run").click()
    output = _wait_for_result(page, numpy)
    text = output.inner_text().strip()
    assert "glossary-run-output--error" in output.get_attribute("class"), text
    assert "Loading numpy…" in page.evaluate("window.__seen"), page.evaluate("window.__seen")
    assert text == (
        "Could not load numpy in your browser: it is downloaded from cdn.jsdelivr.net, which "
        "could not be reached (are you offline?). The output printed on the page was verified "
        "when the site was built."
    ), text
    assert any("/numpy-" in u and u.startswith(packages) for u in page.requests)
    assert not [m for m in console if "integrity" in m.lower()], console
    # the verified output printed on the page stays
    assert "array([0, 0, 0, 1, 2])" in numpy.inner_text()


#: The example's code editor: CodeMirror's editable content (the plain text field is the
#: fallback of a site built without the editor bundle).
EDITOR = ".glossary-editor-holder .cm-content, textarea.glossary-editor"


def _editor(block):
    """The block's editor, opened (Edit) if it is not: CodeMirror loads on that first click."""
    editor = block.locator(EDITOR)
    if editor.count() == 0 or editor.is_hidden():
        block.locator("button.glossary-edit").click()
        editor.wait_for(state="visible", timeout=10_000)
    return editor


def _edit_and_run(block, code: str) -> None:
    _editor(block).fill(code)
    block.locator("button.glossary-run").click()


def test_python_runs_in_a_worker_without_the_dom_and_can_be_stopped(page, site):
    """Entry code runs in a Web Worker: no DOM to reach, and an endless loop can be stopped."""
    page.goto(site + "glossary/relu/")
    block = page.locator(".glossary-runnable").first
    run, stop = block.locator("button.glossary-run"), block.locator("button.glossary-stop")

    # The page's document, cookies and storage are not reachable from a snippet.
    _edit_and_run(block, ">>> import js\n>>> js.document.cookie\n")
    output = _wait_for_result(page, block)
    text = output.inner_text()
    assert "glossary-run-output--error" in output.get_attribute("class"), text
    assert "AttributeError" in text and "document" in text, text
    _edit_and_run(
        block,
        ">>> import js\n>>> hasattr(js, 'document'), hasattr(js, 'localStorage'), "
        "hasattr(js, 'WorkerGlobalScope')\n",
    )
    assert (
        _wait_for_result(page, block, timeout=10_000).inner_text().strip() == "(False, False, True)"
    )

    # An endless loop keeps the page responsive; Stop ends it and says what happened.
    _edit_and_run(block, ">>> while True:\n...     pass\n")
    stop.wait_for(state="visible")
    assert run.is_disabled()
    time.sleep(0.5)
    assert page.evaluate("() => 6 * 7") == 42  # the main thread is not frozen
    assert "glossary-run-output--pending" in _output_of(block).get_attribute("class")
    ARTIFACTS.mkdir(exist_ok=True)
    block.screenshot(path=str(ARTIFACTS / "relu-running.png"))
    stop.click()
    output = _wait_for_result(page, block, timeout=10_000)
    text = output.inner_text()
    assert "glossary-run-output--stopped" in output.get_attribute("class"), text
    assert text.startswith("Stopped.") and "fresh Python" in text, text
    assert stop.is_hidden() and run.is_enabled()
    # Stopping removes the sandbox frame, and with it the worker: nothing is left running.
    assert page.locator("iframe.glossary-python-frame").count() == 0
    requests_before_restart = len(page.requests)

    # The next run starts a fresh Python and works; so does the playground, which shares it.
    block.locator("button.glossary-reset").click()
    run.click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
    assert "[0, 0, 0, 1, 2]" in output.inner_text()
    assert page.locator("iframe.glossary-python-frame").count() == 1
    # The fresh Python starts from the files the page already has: Pyodide is not fetched again.
    assert not [u for u in page.requests[requests_before_restart:] if "/assets/pyodide/" in u]
    playground = page.locator(".glossary-playground").first
    playground.locator('input[type="range"]').fill("-1")
    result = playground.locator("output")
    page.wait_for_function(
        "el => el.textContent.includes('relu(-1) = 0')", arg=result.element_handle(), timeout=10_000
    )

    # A run that goes on too long is stopped by the time limit (shortened here), with a message.
    page.evaluate("() => { window.glossaryLive.runTimeoutMs = 1500; }")
    _edit_and_run(block, ">>> while True:\n...     pass\n")
    output = _wait_for_result(page, block, timeout=15_000)
    assert "glossary-run-output--stopped" in output.get_attribute("class"), output.inner_text()
    assert "still running after 1.5 s" in output.inner_text(), output.inner_text()
    assert not _real_errors(page.errors), page.errors
    _assert_local_only(page.requests)


def test_keyboard_reaches_and_runs_the_examples_with_the_sandbox_in_place(page, site):
    """Keyboard use is as before the sandbox: Tab reaches Run, Enter runs, and Tab goes on from
    control to control to the end of the page, never into the (hidden, tabindex -1) frame."""
    page.goto(site + "glossary/relu/")
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    _wait_for_result(page, block)
    assert page.locator("iframe.glossary-python-frame").count() == 1

    def focused() -> str:
        return page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e !== document.body ? e.tagName + '.' + e.className : ''; }"
        )

    # From the heading, Tab reaches the first example's Run button, and Enter runs it.
    page.locator("article h1").first.click()
    for _ in range(100):
        page.keyboard.press("Tab")
        if "glossary-run " in focused() + " ":
            break
    assert "glossary-run" in focused() and "glossary-run-" not in focused(), focused()
    page.keyboard.press("Enter")
    assert "[0, 0, 0, 1, 2]" in _wait_for_result(page, block, timeout=10_000).inner_text()
    # On to the end of the page: every control in turn, never the sandbox frame.
    reached = []
    for _ in range(400):
        page.keyboard.press("Tab")
        now = focused()
        assert not now.startswith("IFRAME"), f"Tab entered the sandbox frame after {reached[-5:]}"
        if not now or (reached and now == reached[0]):
            break  # focus left the page (or wrapped around)
        reached.append(now)
    assert any("glossary-edit" in f for f in reached) and any(
        "glossary-reset" in f for f in reached
    )


FRAME = ROOT / "glossary_gen" / "site" / "assets" / "live-frame.html"


def frame_policy(text: str) -> dict[str, list[str]]:
    """The Content-Security-Policy of the sandbox frame's <meta> element, by directive."""
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    assert found, "live-frame.html has no Content-Security-Policy <meta> element"
    policy: dict[str, list[str]] = {}
    for directive in found.group(1).split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def test_sandbox_frame_policy_blocks_the_network_and_allows_only_its_own_script():
    """No browser needed: the frame's policy is what the design says, and its script hash is right
    (else the browser refuses the script and Run says the sandbox did not start)."""
    import base64
    import hashlib

    text = FRAME.read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", text, flags=re.S)
    assert len(scripts) == 1 and "<script " not in text
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    policy = frame_policy(text)
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]  # not even Pyodide: the page hands it over
    assert policy["worker-src"] == ["blob:"]
    assert sorted(policy["script-src"]) == sorted(
        [f"'sha256-{digest}'", "blob:", "'wasm-unsafe-eval'"]
    ), f"update the policy in live-frame.html to the script's hash: 'sha256-{digest}'"
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert text.index("Content-Security-Policy") < text.index("<script>")  # in force before it
    assert "'unsafe-inline'" not in text


def test_the_code_editor_runs_with_ctrl_enter_and_says_when_the_code_is_not_verified(page, site):
    """Edit opens CodeMirror (loaded on that click only, never with the page), highlighted as
    Python and labelled; typing turns the badge to "Edited: not verified", Ctrl+Enter runs the
    edited code, undo back to the verified code or Reset brings the badge back; Escape then Tab
    leaves the editor."""
    page.goto(site + "glossary/relu/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    assert not [u for u in page.requests if "live-editor" in u]  # not on first paint
    block = page.locator(".glossary-runnable[data-glossary-doctest='passed']").first
    badge = block.locator(".glossary-verified")
    assert badge.inner_text().strip() == "✓\u00a0Verified example" or "Verified example" in (
        badge.inner_text()
    )
    editor = _editor(block)
    assert [u for u in page.requests if u.endswith("/assets/editor/live-editor.js")]
    assert editor.evaluate("el => el.classList.contains('cm-content')"), "not CodeMirror"
    assert "Python code of example" in (editor.get_attribute("aria-label") or "")
    assert editor.evaluate("el => el === document.activeElement")
    assert block.locator(".cm-editor .tok-keyword, .cm-editor .tok-variableName").count() > 0
    assert "Verified example" in badge.inner_text()

    page.keyboard.press("Control+End")
    page.keyboard.type("\n>>> relu(-7), relu(7)")
    assert badge.inner_text().strip() == "Edited: not verified"
    assert "glossary-verified--edited" in (badge.get_attribute("class") or "")
    page.keyboard.press("Control+Enter")
    output = _wait_for_result(page, block)
    assert output.inner_text().strip().endswith("(0, 7)"), output.inner_text()

    # Undo back to the verified code: the badge says so again.
    for _ in range(40):
        if "Edited" not in badge.inner_text():
            break
        editor.focus()
        page.keyboard.press("Control+z")
    assert badge.inner_text().strip().endswith("Verified example"), badge.inner_text()

    # Escape, then Tab, leaves the editor (Tab alone indents) for the Run button after it.
    editor.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not editor.evaluate("el => el === document.activeElement")
    assert block.locator("button.glossary-run").evaluate("el => el === document.activeElement")

    # Reset after an edit: the shown code, the verified badge, no output.
    editor.focus()
    page.keyboard.type("# changed\n")
    assert "Edited" in badge.inner_text()
    block.locator("button.glossary-reset").click()
    assert badge.inner_text().strip().endswith("Verified example")
    assert _output_of(block).is_hidden()
    assert not _real_errors(page.errors), page.errors
    _assert_local_only(page.requests)


def test_doctest_flags_are_hidden_on_the_page_and_kept_in_what_runs(page, site):
    """``# doctest: +IGNORE_EXCEPTION_DETAIL`` is not on the page (as Sphinx's
    trim_doctest_flags), nor in the editor; the unedited example still runs its written code."""
    page.goto(site + "glossary/relu/")
    numpy = page.locator(".glossary-runnable", has_text="import numpy as np").first
    assert "max(0, x)" in numpy.inner_text()
    assert "doctest:" not in page.locator("article").inner_text()
    island = page.locator("script[data-glossary-code]").text_content() or ""
    assert "max(0, x)  # doctest: +IGNORE_EXCEPTION_DETAIL" in island  # what Run executes
    editor = _editor(numpy)
    assert "max(0, x)" in editor.inner_text() and "doctest:" not in editor.inner_text()
    assert "Verified example" in numpy.locator(".glossary-verified").inner_text()


def test_the_site_copy_is_the_fallback_when_the_cdn_cannot_be_reached(page, site, server):
    """pyodide_url: cdn with the local copy deployed: the page tries the CDN (unreachable here),
    then the site's copy, and Run works."""
    built = server.root / "site" / "glossary"
    (built / "relu-fallback").mkdir(exist_ok=True)
    (built / "relu-fallback" / "index.html").write_text(
        (built / "relu" / "index.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    page.goto(site + "glossary/relu-fallback/")
    page.evaluate(
        """cdn => {
            const island = document.querySelector('script[data-glossary-code]');
            island.setAttribute('data-glossary-pyodide-fallback', island.getAttribute('data-glossary-pyodide'));
            island.setAttribute('data-glossary-pyodide', cdn);
        }""",
        "https://cdn.jsdelivr.net/npm/pyodide@314.0.7/",
    )
    block = page.locator(".glossary-runnable").first
    block.locator("button.glossary-run").click()
    output = _wait_for_result(page, block)
    assert "glossary-run-output--ok" in output.get_attribute("class"), output.inner_text()
    assert any(u.startswith("https://cdn.jsdelivr.net/npm/pyodide@") for u in page.requests)
    assert any(u.endswith("/assets/pyodide/pyodide.asm.wasm") for u in page.requests)
