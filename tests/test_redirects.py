"""Alias redirects: every alias keeps an address that leads to its term, and an alias whose
address would take another page's is a located error from ``check``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.addresses import alias_slugs, check_alias_slugs
from glossary_gen.core.loader import load_entries
from glossary_gen.site.redirects import (
    redirect_html,
    redirect_src,
    redirects,
)

FIXTURES = Path(__file__).parent / "fixtures"

BODY = "### Summary\n\nA term.\n\n### ELI5\n\nSimple.\n\n### In-depth explanation\n\nLonger.\n"


def entry(title: str, *aliases: str) -> str:
    names = ", ".join(f'"{a}"' for a in aliases)
    return f"---\ntitle: {title}\naliases: [{names}]\n---\n{BODY}"


def load(write_entry, files: dict[str, str]):
    for name, text in files.items():
        folder = write_entry(name, text)
    entries, problems = load_entries(folder)
    assert problems == []
    return sorted(entries, key=lambda e: e.path)


def test_each_alias_gets_its_slug_once_and_never_the_entrys_own(write_entry):
    (relu,) = load(
        write_entry, {"relu.md": entry("ReLU", "Rectifier", "rectifier!", "RELU", "∑", "Réseau")}
    )
    assert [(a.value, slug) for a, slug in alias_slugs(relu)] == [
        ("Rectifier", "rectifier"),
        ("Réseau", "reseau"),
    ]


def test_check_reports_each_slug_clash_at_the_alias(monkeypatch, capsys):
    # Golden: tests/fixtures/alias_slugs/expected.txt (also run by test_cli's fixture cases).
    monkeypatch.chdir(FIXTURES / "alias_slugs")
    assert main(["check", "--entries", "entries", "--no-doctest"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == (FIXTURES / "alias_slugs" / "expected.txt").read_text().splitlines()
    assert (
        "entries/leaky-relu.md:5:5: error[alias-slug]: alias 'Rectifier!' would have the "
        "address 'rectifier/', which is the page of entries/rectifier.md" in lines[0]
    )


def test_a_clash_of_the_names_themselves_is_reported_once(write_entry):
    # 'relu' is the other entry's slug *and* name: duplicate-alias says so; no second error.
    entries = load(write_entry, {"relu.md": entry("ReLU"), "leaky.md": entry("Leaky", "relu")})
    assert list(check_alias_slugs(entries)) == []


def test_redirects_never_replace_a_term_page_or_each_other(write_entry):
    entries = load(
        write_entry,
        {
            "a.md": entry("A", "Old A", "b"),
            "b.md": entry("B", "old-a", "Index"),
        },
    )
    found = [(r.slug, r.entry.slug, r.alias.value) for r in redirects(entries)]
    assert found == [("old-a", "a", "Old A")]  # 'b' is a page, 'index' the A-Z page


def test_redirect_page_is_small_escaped_and_keeps_the_anchor():
    page = redirect_html(
        '<script>alert("x")</script> & Co',
        "glossary/relu/",
        "glossary/rectifier/",
        site_url="https://example.org/g/",
    )
    assert len(page) < 1000
    assert '<link rel="canonical" href="https://example.org/g/glossary/relu/">' in page
    assert '<meta http-equiv="refresh" content="0; url=../relu/">' in page
    assert 'location.replace("../relu/" + location.hash)' in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    # Without the site's URL the canonical link is relative; without directory URLs, files.
    assert 'rel="canonical" href="relu.html"' in redirect_html(
        "ReLU", "glossary/relu.html", "glossary/rectifier.html"
    )
    assert redirect_src("glossary/", "rectifier") == "glossary/rectifier/index.html"
    assert redirect_src("", "rectifier", directory_urls=False) == "rectifier.html"


# --- in a built site ------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "NO_MKDOCS_2_WARNING"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_site_basic, mkdocs_build):
    return mkdocs_build(copy_site_basic(tmp_path_factory.mktemp("redirects")))


def test_every_alias_of_a_published_term_redirects_to_it(built):
    page = (built / "glossary" / "first-letter" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../alpha/">' in page
    assert '<link rel="canonical" href="https://glossary.example.org/glossary/alpha/">' in page
    assert "md-header" not in page  # written directly, not rendered through the theme
    # The hostile alias of the 'evil' entry gets a harmless address and an escaped page.
    evil = built / "glossary" / "img-src-x-onerror-alert-alias" / "index.html"
    assert "<script>alert" not in evil.read_text()
    assert "url=../evil/" in evil.read_text()
    # The redirect is not a page of the site: not in the sitemap, not in search.
    assert "first-letter" not in (built / "sitemap.xml").read_text()
    assert "first-letter" not in (built / "search" / "search_index.json").read_text()


def test_an_alias_cannot_take_the_address_of_a_docs_page(tmp_path, copy_site_basic):
    site = copy_site_basic(tmp_path)
    (site / "docs" / "glossary" / "first-letter").mkdir(parents=True)
    (site / "docs" / "glossary" / "first-letter" / "index.html").write_text("<p>mine</p>")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert result.returncode != 0
    assert re.search(
        r"entries/alpha\.md:3:\d+: error\[alias-slug\]: alias 'First Letter' would have the "
        r"address of docs/glossary/first-letter/index\.html",
        result.stderr,
    ), result.stderr
    # The maintainer's page stays what it was (and the term page is untouched).
    assert (site / "site" / "glossary" / "first-letter" / "index.html").read_text() == (
        "<p>mine</p>"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redirects_work_under_mkdocs_serve(tmp_path, copy_site_basic):
    site = copy_site_basic(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    try:
        body = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/glossary/first-letter/", timeout=5
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, proc.stderr.read().decode() if proc.poll() is not None else ""
        assert "url=../alpha/" in body
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stderr is not None:
            proc.stderr.close()


# -- old addresses: redirect_from (e.g. Hugo's aliases, kept by the importer) ----------------


@pytest.mark.parametrize(
    "path, target",
    [
        ("/old/relu/", "old/relu/index.html"),
        ("glossary/rectifier", "glossary/rectifier/index.html"),
        ("/posts/relu.html", "posts/relu.html"),
        ("/../../etc/passwd", None),
        ("/a/./b/", None),
        ("/a//b/", None),
        ("/assets/javascripts/bundle.js", None),
        ("/index.html", None),
        ("/search/search_index.json", None),
        ("/x/y.json", None),
        ("/x?y=1", None),
        ("", None),
        ("/glossary/relu/index.html/", None),
        ("feed.xml/", None),
        ("/feed.xml", None),
        ("glossary.json/x/", None),
        ("old.html/page/", None),
        ("/v1.2/relu/", "v1.2/relu/index.html"),
    ],
)
def test_an_old_address_is_a_plain_path_inside_the_site(path, target):
    from glossary_gen.core.addresses import redirect_file

    assert redirect_file(path) == target


def test_bad_or_shared_old_addresses_are_located_errors(write_entry):
    def with_old(title: str, *paths: str) -> str:
        listed = ", ".join(f'"{p}"' for p in paths)
        return f"---\ntitle: {title}\nredirect_from: [{listed}]\n---\n{BODY}"

    from glossary_gen.core.addresses import check_old_addresses

    entries = load(
        write_entry,
        {
            "a.md": with_old("A", "/old/a/", "/../escape/"),
            "b.md": with_old("B", "/old/a", "/old/b/"),
        },
    )
    found = [
        (d.path.rsplit("/", 1)[-1], d.line, d.code, d.message) for d in check_old_addresses(entries)
    ]
    assert found == [
        (
            "a.md",
            3,
            "redirect-path",
            "old address '/../escape/' is not a plain path inside the site",
        ),
        (
            "b.md",
            3,
            "redirect-path",
            "old address '/old/a' already leads to " + entries[0].path + " (line 3)",
        ),
    ]


def test_old_addresses_get_redirect_pages_and_never_replace_a_page(tmp_path, copy_site_basic):
    site = copy_site_basic(tmp_path)
    alpha = site / "entries" / "alpha.md"
    text = alpha.read_text(encoding="utf-8")
    alpha.write_text(
        text.replace("---\n", "---\nredirect_from: [/posts/old-alpha/, /tags/]\n", 1),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = (site / "site" / "posts" / "old-alpha" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../glossary/alpha/">' in page
    # /tags/ is the site's tags page: it stays, and the build names the line that asked for it
    assert "md-header" in (site / "site" / "tags" / "index.html").read_text()
    assert re.search(
        r"entries/alpha\.md:2:\d+: error\[redirect-path\]: old address '/tags/' is the address of tags\.md",
        result.stderr,
    ), result.stderr


def test_an_old_address_cannot_turn_a_site_file_into_a_folder(tmp_path: Path, copy_site_basic):
    """`redirect_from: [glossary/relu/index.html/, feed.xml/]` passed check and then crashed the
    build (IsADirectoryError): now each is a located error, and the build does not crash."""
    site = copy_site_basic(tmp_path)
    relu = site / "entries" / "alpha.md"
    text = relu.read_text(encoding="utf-8")
    relu.write_text(
        text.replace("---\n", "---\nredirect_from: [glossary/alpha/index.html/, feed.xml/]\n", 1),
        encoding="utf-8",
    )
    code = main(["check", "--no-doctest", "--entries", str(site / "entries")])
    assert code == 1
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml")],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert "Traceback" not in built.stderr, built.stderr
    assert (site / "site" / "feed.xml").is_file()
    assert (site / "site" / "glossary" / "alpha" / "index.html").is_file()
