"""Hostile snippets in the browser: what a Run button executes cannot act as the site.

The entries' Python runs in a worker inside a sandboxed frame (opaque origin, a policy with
``connect-src 'none'``). These tests run attacks through the real page, the local Pyodide and
Debian's Chromium, against a test server that records every request and its cookies: a snippet's
requests to the site never arrive (so they carry no cookie), its storage is not the site's, the
frame refuses to work unsandboxed, and the page ignores messages that do not come from its frame.
"""

from __future__ import annotations

import time

import test_browser as shared
from site_html import start_theme, wait_for_instant_links
from test_browser import (
    Seen,
    _edit_and_run,
    _wait_for_result,
    offer_probe_package,
    probe_wheel,
)

# The browser, the built site and its recording server, as the other browser tests have them.
browser = shared.browser
server = shared.server
site = shared.site
page = shared.page

SECRET = "glossary-secret-cookie"
#: How long a request a snippet started (fetch, WebSocket ...) gets to reach the server.
SETTLE_S = 2.0


def _probes(seen: list[Seen], marker: str) -> list[Seen]:
    return [s for s in seen if f"/probe/{marker}" in s.path]


def _with_cookies(page, site: str) -> None:
    """The site's session cookie, as a signed-in reader would have it."""
    page.context.add_cookies([{"name": "glossary_session", "value": SECRET, "url": site}])


def _sandbox_frame(page):
    frames = [f for f in page.frames if f.url.endswith("/assets/glossary/live-frame.html")]
    assert len(frames) == 1, [f.url for f in page.frames]
    return frames[0]


#: The JavaScript a snippet runs in a worker of its own (a blob: URL, which it may start).
NESTED_JS = """
fetch(SITE + "probe/nested-fetch", {credentials: "include"}).catch(() => 0);
import(SITE + "probe/nested-import.mjs").catch(() => 0);
try { new WebSocket(SITE.replace("http", "ws") + "probe/nested-ws"); } catch (e) {}
try { importScripts(SITE + "probe/nested-import-scripts.js"); } catch (e) {}
postMessage("nested ran");
"""

NETWORK_SNIPPET = """\
import asyncio, js, json
from pyodide.ffi import create_proxy, to_js
from pyodide.http import open_url, pyfetch
SITE = {site!r}
def options(**kw):
    return to_js(kw, dict_converter=js.Object.fromEntries)
def xhr():
    request = js.XMLHttpRequest.new()
    request.open("GET", SITE + "probe/snippet-xhr", False)
    request.withCredentials = True
    request.send()
    return request.status
attempts = {{
    "open_url": lambda: open_url(SITE + "probe/snippet-open-url"),
    "xhr": xhr,
    "importScripts": lambda: js.importScripts(SITE + "probe/snippet-import-scripts.js"),
    "Worker": lambda: js.Worker.new(SITE + "probe/snippet-worker.js"),
    "WebSocket": lambda: js.WebSocket.new(SITE.replace("http", "ws", 1) + "probe/snippet-ws"),
    "EventSource": lambda: js.EventSource.new(SITE + "probe/snippet-event-source"),
}}
for name, attempt in attempts.items():
    try:
        attempt()
        print(name, "no error")
    except Exception as exc:
        print(name, "failed")
# Started now, answered after this snippet returns: only the server can tell whether they left.
js.fetch(SITE + "probe/snippet-fetch", options(credentials="include"))
js.fetch(SITE + "probe/snippet-fetch-no-cors", options(credentials="include", mode="no-cors"))
asyncio.ensure_future(pyfetch(SITE + "probe/snippet-pyfetch", credentials="include"))
NESTED = "const SITE = " + json.dumps(SITE) + ";\\n" + {nested}
blob = js.Blob.new(to_js([NESTED]), options(type="text/javascript"))
nested = js.Worker.new(js.URL.createObjectURL(blob))
js.glossaryNested = "pending"
def nested_said(event):
    js.glossaryNested = event.data
nested.onmessage = create_proxy(nested_said)
print("done")
"""


def test_snippet_requests_to_the_site_never_leave_and_carry_no_cookie(page, site, server):
    page.goto(site + "glossary/relu/")
    _with_cookies(page, site)
    # Control: the page's own request carries the session cookies, so the recorder would see them.
    page.evaluate(
        "url => fetch(url, {credentials: 'include'}).then(r => r.status)", site + "probe/control"
    )
    control = _probes(server.seen, "control")
    assert control and f"glossary_session={SECRET}" in control[-1].cookie, control

    block = page.locator(".glossary-runnable").first
    _edit_and_run(block, NETWORK_SNIPPET.format(site=site, nested=repr(NESTED_JS)))
    output = _wait_for_result(page, block)
    text = output.inner_text()
    assert "glossary-run-output--ok" in output.get_attribute("class"), text
    assert text.strip().endswith("done"), text
    # Every synchronous attempt failed on the spot (blocked, not merely answered without cookies).
    for name in ("open_url", "xhr", "importScripts", "Worker"):
        assert f"{name} failed" in text, text
    time.sleep(SETTLE_S)
    _edit_and_run(block, "import js\nprint(js.glossaryNested)\n")  # the nested worker did run
    assert _wait_for_result(page, block, timeout=10_000).inner_text().strip() == "nested ran"
    reached = _probes(server.seen, "snippet") + _probes(server.seen, "nested")
    assert not reached, f"a snippet's request reached the site: {reached}"

    # The sandbox document itself: opaque origin, no cookies, no storage, no requests.
    frame = _sandbox_frame(page)
    facts = frame.evaluate(
        """async (url) => {
            const attempt = (f) => { try { return String(f()); } catch (e) { return e.name; } };
            let fetched;
            try { await fetch(url, {credentials: "include"}); fetched = "fetched"; }
            catch (e) { fetched = e.name; }
            return {
                origin: window.origin,
                cookie: attempt(() => document.cookie),
                localStorage: attempt(() => localStorage.setItem("k", "v")),
                fetch: fetched,
            };
        }""",
        site + "probe/frame-fetch",
    )
    assert facts == {
        "origin": "null",
        "cookie": "SecurityError",
        "localStorage": "SecurityError",
        "fetch": "TypeError",
    }, facts
    time.sleep(0.5)
    assert not _probes(server.seen, "frame-fetch"), "the sandbox frame's own request left"


STORAGE_SNIPPET = """\
import js
from pyodide.ffi import create_proxy
def name(exc):
    return str(exc).split(":")[0]
try:
    request = js.indexedDB.open("glossary-probe-db", 1)
    def upgrade(event):
        request.result.createObjectStore("s")
    def success(event):
        request.result.transaction("s", "readwrite").objectStore("s").put("snippet-value", "k")
    request.onupgradeneeded = create_proxy(upgrade)
    request.onsuccess = create_proxy(success)
    print("indexedDB: opened")
except Exception as exc:
    print("indexedDB:", name(exc))
try:
    js.caches.open("glossary-probe-cache").then(
        create_proxy(lambda cache: cache.put("https://example.invalid/", js.Response.new("v")))
    )
    print("caches: opened")
except AttributeError:
    print("caches: absent")
except Exception as exc:
    print("caches:", name(exc))
print(hasattr(js, "localStorage"), hasattr(js, "sessionStorage"), hasattr(js, "document"))
"""


#: What the page sees of the site's storage (a snippet's writes would show up here).
PAGE_STORAGE = """async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name).sort(),
    caches: (await caches.keys()).sort(),
    secret: localStorage.getItem("glossary-secret"),
    keys: Object.keys(localStorage).sort(),
})"""


def test_snippet_storage_is_not_the_sites(page, site):
    page.goto(site + "glossary/relu/")
    start_theme(page)  # Material stores the palette when it starts: before the first look
    # The site's own storage, which a snippet must neither read nor add to.
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            localStorage.setItem("glossary-secret", "page-value");
            const request = indexedDB.open("glossary-page-db", 1);
            request.onupgradeneeded = () => request.result.createObjectStore("s");
            request.onsuccess = () => { request.result.close(); resolve(); };
            request.onerror = () => reject(request.error);
        })"""
    )
    before = page.evaluate(PAGE_STORAGE)
    # The page's own database is listed (so the check below would see the snippet's).
    assert "glossary-page-db" in before["databases"] and before["secret"] == "page-value"
    block = page.locator(".glossary-runnable").first
    _edit_and_run(block, STORAGE_SNIPPET)
    output = _wait_for_result(page, block)
    # In the opaque origin IndexedDB is refused outright and CacheStorage is not there at all (a
    # browser that allowed them would have to keep them apart from the site's: the page's view
    # below checks that either way).
    assert output.inner_text().strip().splitlines() == [
        "indexedDB: SecurityError",
        "caches: absent",
        "False False False",
    ], output.inner_text()
    time.sleep(0.5)  # had anything been opened, its writes would have landed by now
    after = page.evaluate(PAGE_STORAGE)
    assert after == before, (before, after)


REFUSAL = """async ({frameUrl, probeUrl, sandbox}) => {
    const frame = document.createElement("iframe");
    if (sandbox !== null) frame.setAttribute("sandbox", sandbox);
    frame.src = frameUrl;
    const got = [];
    const listen = (event) => { if (event.source === frame.contentWindow) got.push(event.data); };
    window.addEventListener("message", listen);
    const loaded = new Promise((resolve) => { frame.onload = resolve; });
    document.body.appendChild(frame);
    await loaded;
    const workerSource = `
        postMessage({type: "worker-started"});
        fetch(${JSON.stringify(probeUrl)}, {credentials: "include"}).catch(() => 0);
        try { indexedDB.open("glossary-refusal-db"); } catch (e) { 0; }`;
    frame.contentWindow.postMessage({type: "start", workerSource, init: {type: "init"}}, "*");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    window.removeEventListener("message", listen);
    frame.remove();
    return got.map((data) => data && data.type);
}"""


def test_the_frame_works_only_sandboxed_and_only_for_its_parent(page, site, server):
    """Framed without the sandbox (by another site, say), the frame would have the site's origin:
    it refuses to start anything. Sandboxed, it starts the worker its parent sends, whose
    requests the frame's policy blocks (the worker inherits it)."""
    page.goto(site + "glossary/relu/")
    _with_cookies(page, site)
    frame_url = site + "assets/glossary/live-frame.html"
    for sandbox in (None, "allow-scripts allow-same-origin"):
        probe = site + "probe/unsandboxed"
        got = page.evaluate(REFUSAL, {"frameUrl": frame_url, "probeUrl": probe, "sandbox": sandbox})
        assert got == [], (sandbox, got)
    # Control: sandboxed as live.js does it, the same messages start a worker.
    got = page.evaluate(
        REFUSAL,
        {"frameUrl": frame_url, "probeUrl": site + "probe/sandboxed", "sandbox": "allow-scripts"},
    )
    assert got == ["frame-ready", "worker-started"], got
    time.sleep(0.5)
    assert not _probes(server.seen, "unsandboxed") and not _probes(server.seen, "sandboxed")
    assert "glossary-refusal-db" not in page.evaluate(
        "async () => (await indexedDB.databases()).map((d) => d.name)"
    )


def test_opaque_origin_alone_sends_no_cookies(browser, site, server):
    """The second wall, checked on its own: a sandboxed frame *without* the policy (made here, not
    the project's) reaches the site, but its requests carry none of the site's cookies, even with
    ``credentials: "include"``. The pages' own policy would stop the frame's inline script before
    it ran (a third wall), so this context leaves the page's policy out."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        _opaque_origin_sends_no_cookies(page, site, server)
    finally:
        context.close()


def _opaque_origin_sends_no_cookies(page, site, server) -> None:
    page.goto(site + "glossary/relu/")
    _with_cookies(page, site)
    page.evaluate(
        """(url) => new Promise((resolve) => {
            const frame = document.createElement("iframe");
            frame.setAttribute("sandbox", "allow-scripts");
            frame.srcdoc = `<script>fetch(${JSON.stringify(url)}, {credentials: "include"})
                .catch(() => 0).finally(() => parent.postMessage("done", "*"));<\\/script>`;
            window.addEventListener("message", (e) => { if (e.source === frame.contentWindow) resolve(); });
            document.body.appendChild(frame);
        })""",
        site + "probe/opaque",
    )
    reached = _probes(server.seen, "opaque")
    assert reached and all(s.cookie == "" for s in reached), reached
    page.evaluate("url => fetch(url).then(r => r.status)", site + "probe/same-origin")
    assert SECRET in _probes(server.seen, "same-origin")[-1].cookie  # the page's own do


def test_page_takes_only_data_and_only_from_its_own_frame(page, site):
    page.goto(site + "glossary/relu/")
    block = page.locator(".glossary-runnable").first
    # Output that looks like markup is shown as text.
    _edit_and_run(block, "print('<img src=x onerror=\"window.pwned = 1\">')\n")
    output = _wait_for_result(page, block)
    assert output.inner_text().strip() == '<img src=x onerror="window.pwned = 1">'
    assert output.locator("img").count() == 0
    # Endless output does not flood the page: it is cut.
    _edit_and_run(block, "print('x' * 300_000)\n")
    text = _wait_for_result(page, block, timeout=20_000).inner_text()
    assert len(text) < 100_200 and "output cut after 100000 characters" in text
    # While a run is under way, answers forged by the page itself or by another frame are ignored.
    page.evaluate("() => { window.glossaryLive.runTimeoutMs = 4000; }")
    _edit_and_run(block, "while True:\n    pass\n")
    block.locator("button.glossary-stop").wait_for(state="visible")
    page.evaluate(
        """() => {
            const forged = [{type: "ready"}, {type: "load-error", message: "FORGED"}];
            for (let id = 0; id < 50; id++) forged.push({id, result: {output: "FORGED"}});
            forged.forEach((message) => window.postMessage(message, "*"));
            const other = document.createElement("iframe");
            other.setAttribute("sandbox", "allow-scripts");
            other.srcdoc = `<script>for (let id = 0; id < 50; id++)
                parent.postMessage({id, result: {output: "FORGED"}}, "*");<\\/script>`;
            document.body.appendChild(other);
        }"""
    )
    output = _wait_for_result(page, block, timeout=15_000)
    assert "glossary-run-output--stopped" in output.get_attribute("class"), output.inner_text()
    assert "FORGED" not in output.inner_text()
    assert page.evaluate("() => window.pwned === undefined")


FORGED_FILE_REQUESTS = """\
import js
from pyodide.ffi import to_js
BASE = {base!r}
names = ["../../probe/relay-up.whl", "../probe/relay-up", {site!r} + "probe/relay-url.whl",
         "x/../../../probe/relay-dots.whl", "", None, 42]
for rid, name in enumerate(names, start=1000):
    js.postMessage(to_js({{"type": "file-request", "rid": rid, "name": name}},
                         dict_converter=js.Object.fromEntries))
# Through the fetch Pyodide uses: only the lock file's names go to the page; the rest is blocked.
js.fetch(BASE + "../../probe/relay-fetch.whl")
print("asked")
"""


def test_the_page_fetches_only_pyodides_own_package_files_unaltered(page, site, server):
    """The page fetches wheels for the worker: only the lock file's names, from Pyodide's
    folder, and only with the bytes the lock file's SHA-256 says."""
    offer_probe_package(page, server, probe_wheel("genuine"), served=probe_wheel("tampered"))
    page.goto(site + "glossary/relu/")
    block = page.locator(".glossary-runnable").first
    base = site + "assets/pyodide/"
    _edit_and_run(block, FORGED_FILE_REQUESTS.format(base=base, site=site))
    output = _wait_for_result(page, block)
    assert output.inner_text().strip() == "asked", output.inner_text()
    time.sleep(1.0)
    assert not _probes(server.seen, "relay"), _probes(server.seen, "relay")
    # A wheel whose bytes are not the locked ones is refused, so its code never runs.
    _edit_and_run(block, ">>> import glossaryprobe\n>>> glossaryprobe.VALUE\n")
    text = _wait_for_result(page, block).inner_text()
    assert text.startswith(
        "Could not load glossaryprobe in your browser: the file downloaded "
        "does not match Pyodide's lock file (SHA-256)"
    ), text
    assert "tampered" not in text


POISON = """\
import builtins, sys
builtins.print = lambda *a, **k: sys.stdout.write("FORGED\\n")
sys.displayhook = lambda value: sys.stdout.write("FORGED\\n")
leaked = "from the ReLU page"
print("patched")
"""


def test_one_pages_code_cannot_change_the_next_pages_run(page, site):
    """Material's instant navigation keeps the page's scripts alive: the next page still gets a
    fresh Python, so what one entry's code redefined (print, the display hook, its globals)
    cannot forge what another entry's Run shows."""
    page.goto(site + "glossary/relu/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    start_theme(page)  # Material (instant navigation) runs from the first interaction
    wait_for_instant_links(page)
    page.evaluate("() => { window.__sameVisit = true; }")
    relu = page.locator(".glossary-runnable").first
    _edit_and_run(relu, POISON)
    assert "FORGED" in _wait_for_result(page, relu).inner_text()  # the poison took on its page
    page.locator("a[href*='sigmoid-function']").first.click()
    page.wait_for_url("**/sigmoid-function/")
    page.wait_for_selector(".glossary-runnable[data-glossary-bound]")
    assert page.evaluate("() => window.__sameVisit === true"), "instant navigation reloaded"
    sigmoid = page.locator(".glossary-runnable").first
    sigmoid.locator("button.glossary-run").click()
    output = _wait_for_result(page, sigmoid).inner_text()
    assert "(0.5, 0.25)" in output and "FORGED" not in output, output
    _edit_and_run(sigmoid, "print(globals().get('leaked'))")
    assert _wait_for_result(page, sigmoid).inner_text().strip() == "None"
