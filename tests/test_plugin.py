"""The MkDocs plugin end to end: build fixture sites with ``mkdocs build --strict`` and read the
HTML a reader would get."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_html import FIXTURE, article, assert_no_entry_script_runs, copy_fixture, page

MKDOCS = [sys.executable, "-m", "mkdocs"]


def build(site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_MKDOCS_2_WARNING"}
    return subprocess.run(
        [*MKDOCS, "build", "--strict", *extra],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = copy_fixture(tmp_path_factory.mktemp("build"))
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = build(site)
    assert result.returncode == 0, result.stderr
    return site, result, before


def test_strict_build_is_clean_and_the_material_notice_is_not_a_warning(built):
    _, result, _ = built
    assert not re.search(r"^(WARNING|ERROR) +-", result.stderr, re.M), result.stderr
    assert "Material for MkDocs reaches end of life" in result.stderr  # printed, not logged


def test_term_pages_are_generated_in_memory_and_drafts_are_not_published(built):
    site, _, before = built
    for slug in ("alpha", "beta", "omega-point", "evil"):
        assert (site / "site" / "glossary" / slug / "index.html").is_file()
    assert not (site / "site" / "glossary" / "secret").exists()
    assert "Secret Draft" not in page(built, "glossary/index.html")
    assert "secret" not in page(built, "glossary.json")
    after = sorted(
        p.relative_to(site)
        for p in site.rglob("*")
        if p.relative_to(site).parts[0] not in ("site", ".glossary_cache")
    )
    assert after == before  # nothing written into docs/ or entries/


def test_term_page_shows_every_part(built):
    html = article(page(built, "glossary/alpha/index.html"))
    assert "<h1>Alpha</h1>" in html  # the theme prints the title (the body has no H1 of its own)
    assert 'class="glossary-aliases">Also known as <em>First Letter</em>' in html
    assert '<div class="glossary-summary">\n<p>Alpha is the <strong>first</strong> letter' in html
    for heading in ("ELI5", "In-depth explanation", "Related terms", "Referenced by", "Sources"):
        assert f'>{heading}<a class="headerlink"' in html, heading
    # The page's table of contents lists the generated headings too, in page order.
    toc = (
        page(built, "glossary/alpha/index.html")
        .split('class="md-nav md-nav--secondary"')[1]
        .split("</nav>")[0]
    )
    anchors = re.findall(r'href="#([^"]+)"', toc)
    # "Used on" (docs/index.md links [[Alpha]]) joined the generated sections in issue 17.
    assert anchors[-4:] == ["related-terms", "referenced-by", "used-on", "sources"]
    assert "eli5" in anchors
    assert 'class="md-tag">letters</a>' in html
    assert (
        '<a href="https://example.org/alphabet" rel="nofollow noopener" class="glossary-source">'
        "The Alphabet Book</a> — 2001" in html
    )
    assert re.search(r'Last updated <time datetime="\d{4}-\d\d-\d\d">', html)


def test_links_carry_the_summary_as_tooltip(built):
    html = article(page(built, "glossary/alpha/index.html"))
    assert (
        '<a class="glossary-link" href="../beta/" title="Beta comes after the first letter.">Beta</a>'
        in html
    )
    related = html[html.index('class="glossary-related ') :]
    assert (
        '<a href="../beta/" class="glossary-link" title="Beta comes after the first letter.">Beta</a>'
        in related
    )
    home = article(page(built, "index.html"))
    assert (
        '<a class="glossary-link" href="glossary/alpha/" title="Alpha is the first letter, see Beta.">Alpha</a>'
        in home
    )


def test_backlinks_list_every_published_referrer(built):
    html = article(page(built, "glossary/alpha/index.html"))
    backlinks = html[html.index('class="glossary-backlinks"') :].split("</p>")[0]
    titles = re.findall(r">([^<>]+)</a>", backlinks)
    assert sorted(titles) == sorted(
        [
            "Beta",
            "Omega Point",
            "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Evil &amp; Co",
        ]
    )
    assert "Secret" not in backlinks


def test_auto_link_first_plain_mention_only(built):
    html = article(page(built, "glossary/alpha/index.html"))
    autolinks = re.findall(
        r'<a class="glossary-link glossary-autolink" href="([^"]+)"[^>]*>([^<]+)</a>', html
    )
    assert autolinks == [("../omega-point/", "Omega Point")]
    assert "<code>code with $x$ and Omega Point</code>" in html


def test_math_renders_as_mathml_without_javascript(built):
    html = article(page(built, "glossary/alpha/index.html"))
    assert html.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 2
    assert "a price of $5 and $10 stay text" in html
    full = page(built, "glossary/alpha/index.html")
    assert "mathjax" not in full.lower() and "katex" not in full.lower()


def test_doctest_blocks_are_marked_runnable_with_a_code_island(built):
    html = page(built, "glossary/alpha/index.html")
    wrappers = re.findall(r'<div class="glossary-runnable" ([^>]+)>', html)
    assert len(wrappers) == 2
    assert (
        'data-glossary-block="0" data-glossary-entry="alpha" '
        'data-glossary-path="entries/alpha.md" data-glossary-line="28"' in wrappers[0]
    )
    assert 'data-glossary-doctest="passed"' in wrappers[0]
    island = re.search(
        r'<script type="application/json" class="glossary-data" data-glossary-code '
        r'data-glossary-pyodide="([^"]+)"[^>]*>(.*?)</script>',
        html,
        re.S,
    )
    assert island.group(1) == "../../assets/pyodide/"
    data = json.loads(island.group(2))
    assert [b["line"] for b in data["blocks"]] == [28, 35]
    assert (
        'class="language-pycon highlight"' in html
        or '<span class="gp">&gt;&gt;&gt; </span>' in html
    )


def _head_and_body(html: str) -> tuple[str, str]:
    return html[: html.index("</head>")], html[html.index("<body") :]


@pytest.mark.parametrize(
    "path", ["glossary/alpha/index.html", "glossary/evil/index.html", "glossary/index.html"]
)
def test_page_data_is_in_the_head_and_the_body_has_no_inline_script_of_ours(built, path):
    """Material's instant navigation re-creates the content's <script> elements without their
    type: JSON in the content would run as JavaScript. The JSON-LD and the code island live in
    <head>, which it swaps element by element."""
    head, body = _head_and_body(page(built, path))
    inline = re.findall(r"<script((?: [^>]*)?)>(.*?)</script>", body, re.S)
    inline = [(attrs, text) for attrs, text in inline if " src=" not in attrs]
    # Material's own: its configuration (id="__config") and two small bootstrap scripts; the
    # plugin's palette script (theme/partials/javascripts/palette.html), in the header.
    palette = (
        '(function () {\n  var form = document.querySelector("form[data-md-component=palette]");'
    )
    assert all(
        'id="__config"' in attrs
        or text.lstrip().startswith(("document.", "var ", "__md_", palette))
        for attrs, text in inline
    ), inline
    assert "<script" not in article(page(built, path))
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == ("DefinedTermSet" if path == "glossary/index.html" else "DefinedTerm")
    if path != "glossary/index.html":
        island = re.findall(
            r'<script type="application/json" class="glossary-data" data-glossary-code[^>]*>(.*?)</script>',
            head,
            re.S,
        )
        assert len(island) == 1 and json.loads(island[0])["entry"] == path.split("/")[1]


def test_search_indexes_the_term_not_the_lists_of_other_terms(built):
    index = json.loads(page(built, "search/search_index.json"))
    sections = {
        d["location"]: d["text"]
        for d in index["docs"]
        if d["location"].startswith("glossary/alpha/")
    }
    alpha = " ".join(sections.values())
    assert "Alpha is the" in alpha and "The Alphabet Book" in alpha  # summary, sources
    # Related terms, "Referenced by" and the footer are shown, but not indexed: a search for
    # Beta finds Beta's page, not every page that lists Beta.
    assert (
        "glossary/alpha/#related-terms" not in sections
        and "glossary/alpha/#referenced-by" not in sections
    )
    assert "The Alphabet Book" in sections["glossary/alpha/#sources"]
    assert "Beta comes after" not in alpha and "Last updated" not in alpha
    # Formulas are indexed as readable text, never as LaTeX or MathML.
    assert "a² + b² = c²" in alpha and "<math" not in alpha and "glossarymath" not in alpha
    assert "a^2" not in alpha


def test_json_ld_and_glossary_json(built):
    html = page(built, "glossary/alpha/index.html")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "DefinedTerm" and data["name"] == "Alpha"
    assert data["url"] == "https://glossary.example.org/glossary/alpha/"
    assert data["inDefinedTermSet"] == {
        "@type": "DefinedTermSet",
        "name": "Fixture Glossary",
        "url": "https://glossary.example.org/glossary/",
    }
    exported = json.loads(page(built, "glossary.json"))
    assert {t["slug"] for t in exported["terms"]} == {"alpha", "beta", "omega-point", "evil"}
    beta = next(t for t in exported["terms"] if t["slug"] == "beta")
    assert set(beta) == {"slug", "title", "aliases", "summary", "url", "related", "tags"}
    assert beta["url"] == "https://glossary.example.org/glossary/beta/"


def test_index_page_and_navigation(built):
    html = page(built, "glossary/index.html")
    body = article(html)
    assert re.findall(r'<h2 id="letter-(\w+)">', body) == ["a", "b", "o", "other"]
    # One compact row per term: the summary as text (its formulas as MathML), no Markdown.
    assert '<span class="glossary-card-summary">Alpha is the first letter, see Beta.</span>' in body
    nav = html[html.index("md-nav--primary") : html.index("</nav>", html.index("md-nav--primary"))]
    assert "glossary/alpha/" not in nav and "alpha/" not in nav  # term pages are not in the sidebar
    tags = page(built, "tags/index.html")
    assert "Alpha" in tags and "Beta" in tags


def test_search_finds_terms_by_title_and_alias(built):
    index = json.loads(page(built, "search/search_index.json"))
    docs = {d["location"]: d for d in index["docs"]}
    assert docs["glossary/alpha/"]["title"] == "Alpha"
    assert "First Letter" in docs["glossary/alpha/"]["text"]


@pytest.mark.parametrize(
    "path",
    [
        "glossary/evil/index.html",
        "glossary/index.html",
        "glossary/alpha/index.html",
        "tags/index.html",
        "index.html",
    ],
)
def test_nothing_an_entry_writes_can_run_in_the_readers_browser(built, path):
    html = page(built, path)
    assert_no_entry_script_runs(html)
    # Outside the JSON islands, every 'alert(' from the hostile entry is inert text.
    text = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    for match in re.finditer(r"alert\(", text):
        before = text[max(0, match.start() - 60) : match.start()]
        assert "<" not in before.rsplit("&lt;", 1)[-1] or before.rfind("&lt;") > before.rfind(
            "<"
        ), before


class _TitleAudit(HTMLParser):
    """Every ``title`` attribute, entities decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.titles += [(tag, value or "") for name, value in attrs if name == "title"]


def test_no_title_attribute_holds_markup_since_tooltips_render_it_as_html(built):
    """Material's tooltips set a title as HTML: every title on every page must be text."""
    pages = sorted((built[0] / "site").rglob("*.html"))
    seen = 0
    for path in pages:
        audit = _TitleAudit()
        audit.feed(path.read_text(encoding="utf-8"))
        for tag, title in audit.titles:
            seen += 1
            assert "<" not in title and ">" not in title, (path, tag, title)
    assert seen > 20
    # The hostile entry's summary keeps its words, as text, in the links to it.
    assert '<a href="evil/" class="glossary-link" title="Evil summary with and .">' in page(
        built, "glossary/index.html"
    )


def test_hostile_title_and_body_are_escaped_or_sanitized(built):
    html = page(built, "glossary/evil/index.html")
    assert (
        "<title>&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Evil &amp; Co - Fixture Glossary</title>"
        in html
    )
    body = article(html)
    assert "<h1>&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Evil &amp; Co</h1>" in body
    assert "<em>&lt;img src=x onerror=alert(&#x27;alias&#x27;)&gt;</em>" in body
    assert "&lt;b onmouseover=alert(&#x27;tag&#x27;)&gt;bad&lt;/b&gt;</a>" in body
    assert "<iframe" not in body and "<svg" not in body and "style=" not in body
    assert '<p>Evil summary with  and <img src="x">.</p>' in body
    assert (
        'data-glossary-block="0"' not in body.split("glossary-runnable")[0]
    )  # attr_list cannot forge hooks
    # The sidebar table of contents shows the hostile heading as text.
    toc = html[html.index("md-nav--secondary") :]
    assert "&lt;img src=x onerror=alert('heading')&gt; Heading" in toc


def test_every_page_is_finished_after_sanitizing_on_the_second_thread(built):
    """Entry pages are sanitized off the main thread between on_page_content and on_page_context;
    no page and no search entry may keep the placeholder they hold meanwhile."""
    from glossary_gen.engines.mkdocs.page_content import _PENDING

    outputs = [p for p in (built[0] / "site").rglob("*") if p.suffix in (".html", ".json")]
    assert len(outputs) > 5
    for path in outputs:
        assert _PENDING not in path.read_text(encoding="utf-8"), path
    assert "Alpha is the <strong>first</strong> letter" in article(
        page(built, "glossary/alpha/index.html")
    )


def test_content_error_fails_the_strict_build_with_the_cli_message(tmp_path):
    site = copy_fixture(tmp_path)
    entry = site / "entries" / "beta.md"
    entry.write_text(
        entry.read_text().replace("[[Alpha|the first letter]]", "[[Alpah|the first letter]]")
    )
    cli = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "check", "--no-doctest"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = cli.stdout.splitlines()[0]
    assert (
        line.startswith("entries/beta.md:7:")
        and "error[unknown-term]: wiki link target 'Alpah' is not defined" in line
    )
    result = build(site)
    assert result.returncode != 0
    assert re.search(r"^ERROR +-  " + re.escape(line) + "$", result.stderr, re.M), result.stderr
    assert "in strict mode" in result.stdout + result.stderr


def test_failing_doctest_fails_the_strict_build_at_its_line(tmp_path):
    site = copy_fixture(tmp_path)
    entry = site / "entries" / "alpha.md"
    entry.write_text(entry.read_text().replace(">>> double(21)\n42", ">>> double(21)\n41"))
    result = build(site)
    assert result.returncode != 0
    assert re.search(r"ERROR +-  entries/alpha\.md:30:\d+: error\[doctest\]", result.stderr), (
        result.stderr
    )


def test_bad_math_is_a_located_error(tmp_path):
    site = copy_fixture(tmp_path)
    entry = site / "entries" / "beta.md"
    entry.write_text(entry.read_text().replace("Nothing more.", "Nothing $\\left( x$ more."))
    result = build(site)
    assert result.returncode != 0
    assert re.search(
        r"ERROR +-  entries/beta\.md:15:9: error\[math\]: cannot convert math '\\left\( x'",
        result.stderr,
    ), result.stderr


def test_generated_page_cannot_silently_replace_a_docs_page(tmp_path):
    site = copy_fixture(tmp_path)
    (site / "docs" / "glossary").mkdir()
    (site / "docs" / "glossary" / "alpha.md").write_text("# Mine\n")
    result = build(site)
    assert result.returncode != 0
    assert "docs/glossary/alpha.md would be overwritten by a generated page" in result.stderr


def test_serve_watches_the_entries_folder():
    from glossary_gen.engines.mkdocs.plugin import GlossaryPlugin

    class Server:
        def __init__(self):
            self.watched = []

        def watch(self, path):
            self.watched.append(path)

    plugin = GlossaryPlugin()
    plugin.load_config({"entries_dir": str(FIXTURE / "entries")})
    plugin.entries_dir = FIXTURE / "entries"
    server = Server()
    plugin.on_serve(server, config=None, builder=None)
    assert server.watched == [str(FIXTURE / "entries")]
