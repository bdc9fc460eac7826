"""The saved entry's page first (glossary_gen/engines/mkdocs/preview.py): under ``mkdocs serve
--dirty`` a save writes the entry's term page from the last build's objects and reloads the
browsers before MkDocs' build runs; the build then writes the same bytes, and the browsers
reload again only when the build changed more than the preview showed. Hostile entries are
sanitized and audited in the preview as in the build; a page the audit refuses is not written."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from test_partial_build import (  # the sites and helpers of the in-process rebuild tests
    assert_same_site,
    edit,
    new_site,  # noqa: F401 - the fixture the site fixture builds on
    page,
    serve_build,
    served,
)

from glossary_gen.engines.mkdocs import preview as preview_module
from glossary_gen.engines.mkdocs.preview import last_build, preview, serve_saved_page_first
from glossary_gen.engines.mkdocs.records import Session, session

ALPHA = "glossary/alpha.md"


@pytest.fixture
def site(new_site: Path) -> Path:  # noqa: F811 - the imported fixture
    """The site after a first ``mkdocs serve --dirty`` build, which kept its objects."""
    serve_build(new_site)
    return new_site


def digest(site: Path, output: str) -> str:
    return hashlib.sha256(served(site).joinpath(output).read_bytes()).hexdigest()


def site_session(site: Path) -> Session:
    return session(str(site / "mkdocs.yml"), str(served(site)))


def outputs(site: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in served(site).rglob("*") if p.is_file()}


class Server:
    """What the preview uses of MkDocs' serve server (``mkdocs.livereload.LiveReloadServer``)."""

    def __init__(self, builder: Callable[[], object]) -> None:
        self.builder = builder
        self._epoch_cond = threading.Condition()
        self._wanted_epoch = 1000  # the build loop sets it before it calls the builder
        self._visible_epoch = 900


def wrapped(site: Path) -> tuple[Server, list[tuple[int, str]]]:
    """A server whose builder is a serve build, wrapped by the preview; the builder notes the
    visible epoch and alpha's page as it starts."""
    seen: list[tuple[int, str]] = []

    def build() -> None:
        seen.append((server._visible_epoch, page(site, "glossary/alpha")))
        serve_build(site)

    server = Server(build)
    assert serve_saved_page_first(server, last_build(site_session(site)).plugin.partial) is not None  # type: ignore[arg-type]
    return server, seen


def test_the_saved_page_is_written_first_as_the_build_writes_it(site: Path) -> None:
    last = last_build(site_session(site))
    assert last is not None  # kept by the first serve build
    before = outputs(site)
    edit(site, "alpha", "Alpha is the first letter.", "Alpha opens the alphabet.")
    written = preview(last, [site / "entries" / "alpha.md"], site_session(site).memo)
    assert set(written) == {ALPHA}
    after = outputs(site)
    changed = {p.relative_to(served(site)).as_posix() for p in after if after[p] != before[p]}
    assert changed == {"glossary/alpha/index.html"}  # nothing else, and no file left behind
    assert set(after) == set(before)
    html = page(site, "glossary/alpha")
    assert "Alpha opens the alphabet." in html
    assert "Alpha is the first letter" in page(site, "glossary/gamma")  # left to the build
    assert serve_build(site) >= {ALPHA, "glossary/gamma.md"}
    assert (
        hashlib.sha256(served(site).joinpath("glossary/alpha/index.html").read_bytes()).hexdigest()
        == written[ALPHA].digest
    )
    assert_same_site(site)


def test_the_browsers_reload_after_the_preview_and_again_when_the_build_did_more(
    site: Path,
) -> None:
    server, seen = wrapped(site)
    edit(site, "alpha", "Alpha is the first letter.", "Alpha opens the alphabet.")
    server.builder.saved([str(site / "entries" / "alpha.md")])  # type: ignore[attr-defined]
    server.builder()
    ((visible, html),) = seen
    assert visible == 1000  # reloaded before the build started ...
    assert "Alpha opens the alphabet." in html  # ... onto the new page
    assert server._wanted_epoch > 1000  # the build changed other pages: a second reload


def test_an_edit_only_its_page_shows_reloads_once(site: Path) -> None:
    server, seen = wrapped(site)
    edit(site, "alpha", "It comes first.", "It comes before all the others.")
    server.builder.saved([str(site / "entries" / "alpha.md")])  # type: ignore[attr-defined]
    server.builder()
    ((visible, html),) = seen
    assert visible == 1000 and "It comes before all the others." in html
    assert server._wanted_epoch == 1000  # the build made the same page and nothing else


def test_without_a_saved_entry_nothing_is_previewed(site: Path) -> None:
    server, seen = wrapped(site)
    (site / "docs" / "about.md").write_text("# About\n\nNew words.\n", encoding="utf-8")
    server.builder()
    assert seen[0][0] == 900  # the browsers wait for the build, as without the preview
    assert server._wanted_epoch == 1000


@pytest.mark.parametrize(
    "change",
    [
        "new",  # a new entry: its page is not in the last build's navigation and files
        "deleted",
        "not-markdown",
    ],
)
def test_what_the_preview_cannot_show_is_left_to_the_build(site: Path, change: str) -> None:
    last = last_build(site_session(site))
    assert last is not None
    entries = site / "entries"
    if change == "new":
        path = entries / "zeta.md"
        path.write_text((entries / "delta.md").read_text("utf-8").replace("Delta", "Zeta"))
    elif change == "deleted":
        path = entries / "delta.md"
        path.unlink()
    else:
        path = entries / "notes.txt"
        path.write_text("not an entry", encoding="utf-8")
    before = outputs(site)
    assert preview(last, [path], site_session(site).memo) == {}
    assert outputs(site) == before


def test_a_hostile_edit_is_sanitized_in_the_preview_as_in_the_build(site: Path) -> None:
    last = last_build(site_session(site))
    assert last is not None
    edit(
        site,
        "alpha",
        "It comes first.",
        'It comes first.<script>alert(1)</script><img src=x onerror="alert(2)">'
        "[click](javascript:alert(3))",
    )
    written = preview(last, [site / "entries" / "alpha.md"], site_session(site).memo)
    html = page(site, "glossary/alpha")
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html
    serve_build(site)
    assert digest(site, "glossary/alpha/index.html") == written[ALPHA].digest


def test_an_entry_with_a_problem_shows_its_banner_in_the_preview(site: Path) -> None:
    last = last_build(site_session(site))
    assert last is not None
    edit(site, "alpha", "related: [Beta]", "related: [Beta, Omega]")
    written = preview(last, [site / "entries" / "alpha.md"], site_session(site).memo)
    html = page(site, "glossary/alpha")
    assert "Omega" in html and "entries/alpha.md:" in html  # the located problem, on the page
    serve_build(site)
    assert digest(site, "glossary/alpha/index.html") == written[ALPHA].digest


def test_a_page_the_audit_refuses_is_not_written(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = last_build(site_session(site))
    assert last is not None
    audit = last.plugin.audit

    def refuse(output: str, dest: str, entry: str | None = None) -> str:
        audit.problems.append(object())  # type: ignore[arg-type]  # what a refusal leaves
        return output

    monkeypatch.setattr(audit, "page", refuse)
    edit(site, "alpha", "It comes first.", "It comes before all the others.")
    before = outputs(site)
    assert preview(last, [site / "entries" / "alpha.md"], site_session(site).memo) == {}
    assert outputs(site) == before
    assert audit.problems == []  # the build that follows finds (and reports) it itself


def test_a_failing_preview_leaves_the_build_as_it_was(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(preview_module, "preview", broken)
    server, seen = wrapped(site)
    edit(site, "alpha", "It comes first.", "It comes before all the others.")
    server.builder.saved([str(site / "entries" / "alpha.md")])  # type: ignore[attr-defined]
    server.builder()
    assert seen[0][0] == 900  # no early reload
    assert "It comes before all the others." in page(site, "glossary/alpha")  # the build's
    assert_same_site(site)


def test_a_server_without_the_expected_internals_is_left_alone(site: Path) -> None:
    class Other:
        builder = staticmethod(lambda: None)

    other = Other()
    partial = last_build(site_session(site)).plugin.partial
    assert serve_saved_page_first(other, partial) is None  # type: ignore[arg-type]
    assert other.builder is Other.builder


def test_every_rebuild_of_the_server_is_kept_for_the_next_preview(site: Path) -> None:
    """MkDocs' CLI lets each message of its build logger through once per process: the notice
    that a build is dirty is seen at every rebuild all the same."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.utils import DuplicateFilter

    once = DuplicateFilter()
    mkdocs_build.log.addFilter(once)
    try:
        for words in ("It comes before all the others.", "It leads."):
            edit(
                site,
                "alpha",
                "It comes first."
                if words.startswith("It comes")
                else "It comes before all the others.",
                words,
            )
            serve_build(site)
            last = last_build(site_session(site))
            assert last is not None and last.plugin.partial is not None
            assert last.plugin.partial.dirty
    finally:
        mkdocs_build.log.removeFilter(once)


def test_a_saved_translation_is_previewed_in_its_language(new_site: Path) -> None:  # noqa: F811
    from test_translation_serve import translated

    site = translated(new_site)
    serve_build(site)
    last = last_build(site_session(site))
    assert last is not None
    path = site / "entries/fr/alpha.md"
    path.write_text(path.read_text("utf-8").replace("Elle vient en premier.", "Elle ouvre."))
    written = preview(last, [path], site_session(site).memo)
    assert set(written) == {"fr/glossary/alpha.md"}
    html = page(site, "fr/glossary/alpha")
    assert "Elle ouvre." in html and 'lang="fr"' in html
    serve_build(site)
    assert digest(site, "fr/glossary/alpha/index.html") == written["fr/glossary/alpha.md"].digest


def test_a_real_server_reloads_the_browsers_onto_the_saved_page_before_its_build(
    site: Path,
) -> None:
    """``mkdocs serve --dirty`` itself: a browser's live-reload poll returns before the build
    is done, and the page it then loads is the saved one (MkDocs' server internals the preview
    relies on are checked here, not imitated)."""
    import re
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = site / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
            cwd=site,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/"

    def get(path: str, timeout: float = 10) -> str:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            return response.read().decode("utf-8")

    try:
        deadline = time.monotonic() + 120
        html = ""
        while time.monotonic() < deadline and not html:
            try:
                html = get("glossary/alpha/")
            except OSError:
                time.sleep(0.2)
        found = re.search(r"livereload\((\d+), (\d+)\)", html)
        assert found, html[-500:]
        epoch = found.group(1)
        time.sleep(1.5)  # the watcher is up (on_serve runs after the first build)
        edit(site, "alpha", "Alpha is the first letter.", "Alpha opens the alphabet.")
        get(f"livereload/{epoch}/1", timeout=60)  # what the browser waits on
        reloaded = get("glossary/alpha/")
        assert "Alpha opens the alphabet." in reloaded
        deadline = time.monotonic() + 60
        while "Alpha opens the alphabet." not in get("glossary/gamma/"):  # the build's page
            assert time.monotonic() < deadline
            time.sleep(0.1)
        while "Reloading browsers" not in log.read_text("utf-8"):  # the build is done
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text("utf-8")
    first, built = text.find("glossary/alpha.md served first"), text.find("Reloading browsers")
    assert 0 <= first < built, text[-3000:]
