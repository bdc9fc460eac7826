"""The output audit as the last gate of both engines: every page of a build gets its
Content-Security-Policy, and a page that holds anything that could run or load in a reader's
browser fails the build, named with the entry it came from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.site.audit import check_site, html_files

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

#: A plugin of the site's own (trusted configuration, run after the glossary's page events)
#: that slips a handler into one term page: the audit runs after every plugin, so it sees it.
HOOK = """
def on_post_page(output, page, config):
    if page.file.src_uri == "glossary/alpha.md":
        return output.replace("</article>", '<img src="x" onerror="alert(1)"></article>', 1)
    return output
"""


def _mkdocs(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=site,
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )


def test_every_mkdocs_page_gets_a_policy_and_the_site_audits_clean(tmp_path, copy_site_basic):
    site = copy_site_basic(tmp_path)
    result = _mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr[-3000:]
    built = site / "site"
    pages = list(html_files(built))
    assert len(pages) > 10
    assert check_site(built) == []
    relu = (built / "glossary" / "alpha" / "index.html").read_text(encoding="utf-8")
    policy = relu.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    # Redirect pages bring their own, tighter policy.
    redirects = [p for p in pages if "location.replace(" in p.read_text(encoding="utf-8")]
    assert redirects
    assert all("default-src 'none'" in p.read_text(encoding="utf-8") for p in redirects)
    assert main(["audit", str(built)]) == 0


def test_a_handler_that_slips_through_fails_the_mkdocs_build_naming_page_and_entry(
    tmp_path, copy_site_basic
):
    site = copy_site_basic(tmp_path)
    (site / "hooks.py").write_text(HOOK, encoding="utf-8")
    config = site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks.py\n", "utf-8")
    result = _mkdocs(site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "glossary/alpha/index.html" in result.stderr
        and "error[event-handler]" in result.stderr
        and "(page of entries/alpha.md)" in result.stderr
    ), result.stderr[-3000:]
    assert "the output audit refused 1 problem(s)" in result.stderr


def test_a_hand_written_page_with_a_handler_fails_the_zensical_build(tmp_path, copy_site_basic):
    pytest.importorskip("zensical", reason="the 'engines' extra is installed by scripts/setup")
    site = copy_site_basic(tmp_path)
    (site / "docs" / "extra.md").write_text(
        '# Extra\n\n<p>Safe.</p>\n\n<div onmouseover="alert(1)">hover</div>\n', "utf-8"
    )
    run = [sys.executable, "-m", "glossary_gen.cli", "zensical", "build"]
    result = subprocess.run(run, cwd=site, capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "extra/index.html" in result.stdout and "error[event-handler]" in result.stdout
    # Without it, the same site passes and every page carries its policy.
    (site / "docs" / "extra.md").unlink()
    result = subprocess.run(run, cwd=site, capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "output audit:" in result.stdout and "no problem" in result.stdout
    assert check_site(site / "site") == []


ROOT = Path(__file__).resolve().parent.parent


def test_this_glossary_built_by_zensical_passes_the_audit(tmp_path):
    """The project's own site (MkDocs builds it in tests/test_browser.py, through the same gate)."""
    pytest.importorskip("zensical", reason="the 'engines' extra is installed by scripts/setup")
    import shutil

    work = tmp_path / "glossary"
    shutil.copytree(ROOT / "entries", work / "entries")
    shutil.copytree(ROOT / "docs", work / "docs")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    run = [sys.executable, "-m", "glossary_gen.cli", "zensical", "build", "--no-doctest"]
    result = subprocess.run(run, cwd=work, capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no problem; a Content-Security-Policy on each" in result.stdout
    assert check_site(work / "site") == []


def test_the_live_reload_script_of_mkdocs_serve_is_allowed_by_its_hash(tmp_path):
    """``mkdocs serve`` adds a live-reload script to each page it serves (a new one each time):
    the page's policy allows that script by its hash, and nothing more."""
    import re

    from mkdocs.livereload import LiveReloadServer

    from glossary_gen.engines.mkdocs.audit_gate import allow_live_reload
    from glossary_gen.site.audit import policy_for, script_hash, secure_page

    page, _ = secure_page(
        "<!doctype html><html><head><meta charset='utf-8'></head><body><p>x</p></body></html>",
        "index.html",
        policy_for("local"),
    )
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        before = server._inject_js_into_html(page.encode(), 7).decode()
        allow_live_reload(server)
        served = server._inject_js_into_html(page.encode(), 7).decode()
    finally:
        server.server_close()
    assert "livereload" in before
    injected = re.findall(r"<script>(.*?)</script>", served, re.S)[-1]
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', served)
    assert policy is not None and script_hash(injected) in policy.group(1)
    assert policy.group(1).count("'sha256-") == 1  # that script only


def test_the_sandbox_frame_gets_no_live_reload_script(tmp_path):
    """The examples' sandbox frame has a policy of its own that allows none of the site's
    scripts: ``mkdocs serve`` used to add its live-reload script there too, which the frame's
    policy blocked (an error in the console of every page with an example)."""
    from importlib import resources

    from mkdocs.livereload import LiveReloadServer

    from glossary_gen.engines.mkdocs.audit_gate import allow_live_reload

    frame = resources.files("glossary_gen.site").joinpath("assets", "live-frame.html")
    content = frame.read_bytes()
    assert b"Content-Security-Policy" in content
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        assert b"livereload" in server._inject_js_into_html(content, 7)  # what MkDocs does
        allow_live_reload(server)
        served = server._inject_js_into_html(content, 7)
    finally:
        server.server_close()
    assert served == content
