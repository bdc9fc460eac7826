"""The glossary built with ProperDocs, the MkDocs 1.6 fork (``properdocs build --strict``): the
plugin runs as it is, and the site is the one test_plugin.py asserts on."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from site_html import article, copy_fixture, page

pytest.importorskip("properdocs", reason="the 'engines' extra is installed by scripts/setup")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = copy_fixture(tmp_path_factory.mktemp("properdocs"))
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return site, result


def test_strict_build_is_clean(built):
    assert not re.search(r"^(WARNING|ERROR) +-", built[1].stderr, re.M), built[1].stderr


def test_term_page_links_tooltips_and_run_buttons(built):
    html = page(built, "glossary/alpha/index.html")
    body = article(html)
    assert "<h1>Alpha</h1>" in body
    assert (
        '<a class="glossary-link" href="../beta/" title="Beta comes after the first letter.">Beta</a>'
        in body
    )
    assert (
        'class="glossary-backlinks"' in body and 'class="glossary-related glossary-cards"' in body
    )
    assert len(re.findall(r'<div class="glossary-runnable" ', body)) == 2
    head = html[: html.index("</head>")]
    assert "data-glossary-code" in head and '"@type":"DefinedTerm"' in head
    assert not (built[0] / "site" / "glossary" / "secret").exists()


def test_exports_and_search(built):
    exported = json.loads(page(built, "glossary.json"))
    assert {t["slug"] for t in exported["terms"]} == {"alpha", "beta", "omega-point", "evil"}
    index = json.loads(page(built, "search/search_index.json"))
    docs = {d["location"]: d for d in index["docs"]}
    assert docs["glossary/alpha/"]["title"] == "Alpha"
    assert "First Letter" in docs["glossary/alpha/"]["text"]


def test_a_content_error_fails_the_strict_build(tmp_path):
    site = copy_fixture(tmp_path)
    entry = site / "entries" / "beta.md"
    entry.write_text(entry.read_text().replace("[[Alpha|", "[[Alpah|"))
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert re.search(
        r"^ERROR +-  entries/beta\.md:7:\d+: error\[unknown-term\]", result.stderr, re.M
    ), result.stderr
