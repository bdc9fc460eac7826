"""Hostile entries, round 3 (issue 22), the site's part: sanitize last, heading ids that are
slugs, helpers that run isolated, no cache read from the repository, bounded rendering and
capped values.

Each attack sits next to an honest failing entry: the attack has no effect, and the report
stays honest (the failing entry still fails, at its place).
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_html import copy_fixture

from glossary_gen.core.config import Settings
from glossary_gen.core.loader import load_entries
from glossary_gen.core.markup import check_nesting
from glossary_gen.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = "### Summary\n\nS.\n\n### ELI5\n\nE.\n\n### In-depth explanation\n\n"

#: Heading ids that break out of ``href="{{ toc_item.url }}"``: from an attribute list (MkDocs
#: keeps it in the TOC) and from raw HTML (the sanitizer escapes it; Zensical's TOC unescaped
#: it); an id with an underscore, linked from the page, keeps its link.
HEADINGS = (
    "---\ntitle: Heading Attack\n---\n" + SECTIONS + "Read [the cache part](#cache_dir).\n\n"
    '#### Sub {: id=\'x" autofocus onfocus="alert(1)"\' }\n\nText.\n\n'
    "#### Cache part {: #cache_dir }\n\nMore.\n\n"
    "<h4 id='y\" autofocus onfocus=\"alert(2)'>Raw heading</h4>\n\nEnd.\n"
)

#: Sanitized HTML parsed as Markdown again: the decoded ``~~~`` lines make one fence that
#: swallows ``</p><div><div><p>``, so the entry's ``</div>`` closes the page's raw block and
#: what follows is Markdown: the attribute list gives the paragraph an event handler.
TILDES = (
    "---\ntitle: Tilde Attack\n---\n" + SECTIONS + "a\n&#126;&#126;&#126;\nz\n\n"
    "<div><div><p>b\n&#126;&#126;&#126;\n</p></div>\n\n"
    'Hover\n&#123;: onmouseover="alert(3)" &#125;\n\n</div>\n'
)

#: An honest entry with a broken wiki link, beside the attackers.
FAILING = "---\ntitle: Honest Failure\n---\n" + SECTIONS + "See [[No Such Term]].\n"

HANDLER = re.compile(r"^on", re.I)
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class Page(HTMLParser):
    """Every start tag of a page: (tag, attributes)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_no_injection(html: str) -> Page:
    """No handler, no ``autofocus``, and heading ids and in-page links that are slugs."""
    parsed = Page(html)
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if HANDLER.match(a) or a == "autofocus"], (tag, attrs)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and "id" in attrs:
            assert SLUG.fullmatch(attrs["id"] or ""), (tag, attrs)
    return parsed


def toc_matches_headings(parsed: Page, toc_class: str) -> set[str]:
    """The TOC's links (``a.<toc_class>`` to ``#...``) each name a heading of the page."""
    ids = {a["id"] for t, a in parsed.tags if t[:1] == "h" and t[1:].isdigit() and a.get("id")}
    links = {
        (a.get("href") or "")[1:]
        for t, a in parsed.tags
        if t == "a" and toc_class in (a.get("class") or "") and (a.get("href") or "")[:1] == "#"
    }
    assert links and links <= ids, (links, ids)
    return links


def run(cwd: Path, *command: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_MKDOCS_2_WARNING"}
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**env, "NO_COLOR": "1"},
        check=False,
    )


def hostile_site(tmp_path: Path) -> Path:
    site = copy_fixture(tmp_path)
    (site / "entries" / "heading-attack.md").write_text(HEADINGS, encoding="utf-8")
    (site / "entries" / "tilde-attack.md").write_text(TILDES, encoding="utf-8")
    return site


# --- the report stays honest --------------------------------------------------------------------


def test_the_attacks_pass_check_and_the_honest_failure_still_fails(tmp_path):
    site = hostile_site(tmp_path)
    (site / "entries" / "honest-failure.md").write_text(FAILING, encoding="utf-8")
    result = check(Settings(entries_dir=site / "entries", doctest=False, cache_dir=None))
    errors = [(Path(d.path).name, d.line, d.code) for d in result.diagnostics if d.is_error]
    assert errors == [("honest-failure.md", 14, "unknown-term")], result.diagnostics


# --- 1. heading ids through MkDocs ----------------------------------------------------------------


def test_mkdocs_heading_ids_are_slugs_in_the_page_and_in_its_toc(tmp_path):
    site = hostile_site(tmp_path)
    result = run(site, "mkdocs", "build", "--strict")
    assert result.returncode == 0, result.stderr
    for slug in ("heading-attack", "tilde-attack"):
        html = (site / "site" / "glossary" / slug / "index.html").read_text(encoding="utf-8")
        parsed = assert_no_injection(html)
        links = toc_matches_headings(parsed, "md-nav__link")
        for tag, attrs in parsed.tags:  # each permalink names its heading
            if tag == "a" and "headerlink" in (attrs.get("class") or ""):
                assert (attrs.get("href") or "")[1:] in links | {"eli5", "in-depth-explanation"}
    html = (site / "site" / "glossary" / "heading-attack" / "index.html").read_text()
    assert 'href="#x-autofocus-onfocus-alert-1"' in html  # the TOC entry of "Sub"
    assert '<h3 id="x-autofocus-onfocus-alert-1">Sub' in html
    assert '<a href="#cache-dir">the cache part</a>' in html  # the page's link follows the id
    assert '<h3 id="cache-dir">' in html and '<h4 id="y-autofocus-onfocus-alert-2">' in html


# --- 2. and 3. Zensical: heading ids, and no second Markdown pass -------------------------------


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Zensical needs Python 3.11")
def test_zensical_publishes_slugs_and_never_parses_sanitized_html_again(tmp_path):
    pytest.importorskip("zensical")
    site = hostile_site(tmp_path)
    result = run(site, "glossary_gen.cli", "zensical", "build", "--no-doctest")
    assert result.returncode == 0, result.stdout + result.stderr
    for slug in ("heading-attack", "tilde-attack"):
        html = (site / "site" / "glossary" / slug / "index.html").read_text(encoding="utf-8")
        parsed = assert_no_injection(html)
        toc_matches_headings(parsed, "md-nav__link")
    html = (site / "site" / "glossary" / "tilde-attack" / "index.html").read_text()
    assert 'Hover\n{: onmouseover="alert(3)" }' in html  # text, as the entry wrote it
    html = (site / "site" / "glossary" / "heading-attack" / "index.html").read_text()
    assert 'href="#y-autofocus-onfocus-alert-2"' in html  # the raw heading, listed by its slug
    # The Markdown Zensical reads holds no entry text: only the placeholder of the HTML.
    written = (site / "build" / "zensical" / "docs" / "glossary" / "tilde-attack.md").read_text()
    assert "Hover" not in written and "~~~" not in written


def test_pages_output_keeps_the_finished_html_out_of_markdown(tmp_path):
    import markdown

    site = hostile_site(tmp_path)
    out = tmp_path / "out"
    result = run(site, "glossary_gen.cli", "pages", "--out", str(out), "--no-doctest")
    assert result.returncode == 0, result.stdout + result.stderr
    written = (out / "glossary" / "tilde-attack.md").read_text(encoding="utf-8")
    assert "Hover" not in written and "~~~" not in written
    # Any Python-Markdown engine with the glossary's extension (its ``html`` option) and the
    # extensions the attack needs: the finished HTML comes in after Markdown, unchanged.
    from glossary_gen.engines.markdown import makeExtension

    body = written.split("---\n", 2)[2]
    html = markdown.markdown(
        body,
        extensions=[
            "attr_list",
            "pymdownx.superfences",
            makeExtension(entries=str(site / "entries"), html=str(out / ".glossary-html")),
        ],
    )
    assert_no_injection(html)
    assert 'Hover\n{: onmouseover="alert(3)" }' in html and "data-glossary-page" in html
    # A placeholder whose file was changed is not filled in.
    name = re.search(r"glossarypagehtml([0-9a-f]{64})", body)
    assert name is not None
    (out / ".glossary-html" / f"{name.group(1)}.html").write_text("<p onclick=x>forged</p>")
    html = markdown.markdown(
        body,
        extensions=[makeExtension(entries=str(site / "entries"), html=str(out / ".glossary-html"))],
    )
    assert "forged" not in html and "content is missing" in html


# --- 5. the math prefetch helper runs isolated ----------------------------------------------------

PLANTED = "open({marker!r}, 'w').write('ran')\n"


def plant(folder: Path, marker: Path) -> None:
    (folder / "json.py").write_text(PLANTED.format(marker=str(marker)))
    (folder / "latex2mathml").mkdir()
    (folder / "latex2mathml" / "__init__.py").write_text(PLANTED.format(marker=str(marker)))


def test_math_helper_ignores_modules_in_the_current_folder(tmp_path, monkeypatch):
    from glossary_gen.site.markdown_ext import MathCache

    marker = tmp_path / "marker"
    project = tmp_path / "project"
    project.mkdir()
    plant(project, marker)
    monkeypatch.chdir(project)
    cache = MathCache()
    cache.prefetch(f"Ix_{{{n}}}" for n in range(MathCache.PREFETCH_MIN + 5))
    assert cache._worker is not None
    assert cache._worker[0].wait(timeout=120) == 0
    assert cache.convert("x_{3}", False).startswith("<math")
    assert "Ix_{7}" in cache.clean  # converted by the helper
    assert not marker.exists()


def test_mkdocs_build_with_many_formulas_runs_no_module_of_the_project(tmp_path):
    site = copy_fixture(tmp_path)
    marker = tmp_path / "marker"
    plant(site, marker)
    nonce = time.time_ns() % 10**9
    formulas = " ".join(f"${nonce} + x_{{{n}}}$" for n in range(230))
    (site / "entries" / "many-formulas.md").write_text(
        "---\ntitle: Many Formulas\n---\n" + SECTIONS + formulas + "\n", encoding="utf-8"
    )
    # The ``mkdocs`` command, as readers and CI run it (``python -m`` would put the folder on
    # ``sys.path`` itself).
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "glossary" / "many-formulas" / "index.html").read_text()
    assert html.count("<math") >= 230
    assert not marker.exists()


# --- 12. no math cache is read from the repository -------------------------------------------------

FORGED = '<math><mi><a href="https://evil.example/">x</a></mi></math>'


def forge_cache(folder: Path, tex: str) -> None:
    from importlib.metadata import version

    folder.mkdir(parents=True, exist_ok=True)
    data = {"version": f"1:{version('latex2mathml')}", "math": {f"I{tex}": FORGED}}
    (folder / "math.json").write_text(json.dumps(data))


def test_a_committed_math_cache_is_ignored_with_one_warning(tmp_path, caplog):
    from glossary_gen.site.markdown_ext import MathCache

    project = tmp_path / "project"
    forge_cache(project / ".glossary_cache", "y")
    caplog.set_level(logging.WARNING, logger="glossary_gen")
    for _ in range(2):
        cache = MathCache()
        cache.open(project / ".glossary_cache", project)
        assert "evil" not in cache.convert("y", False)
        cache.save()
    assert sum("ignoring the math cache" in r.getMessage() for r in caplog.records) == 1
    # In a git work tree, found from the folder itself (the MkDocs plugin names no project).
    (project / ".git").mkdir()
    forge_cache(project / "sub" / "cache", "z")
    cache = MathCache()
    cache.open(project / "sub" / "cache")
    assert "evil" not in cache.convert("z", False)
    # Outside the repository, the cache is used as before.
    forge_cache(tmp_path / "user-cache", "w")
    cache = MathCache()
    cache.open(tmp_path / "user-cache", project)
    assert cache.convert("w", False) == FORGED


def test_mkdocs_build_does_not_read_a_math_cache_in_the_repository(tmp_path):
    site = copy_fixture(tmp_path)
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    config = (site / "mkdocs.yml").read_text()
    (site / "mkdocs.yml").write_text(
        config.replace(
            "      entries_dir: entries\n", "      entries_dir: entries\n      cache_dir: cache\n"
        )
    )
    forge_cache(site / "cache", "q")
    (site / "entries" / "formula.md").write_text(
        "---\ntitle: Formula\n---\n" + SECTIONS + "Here $q$ is a formula.\n", encoding="utf-8"
    )
    result = run(site, "mkdocs", "build", "--strict")
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "glossary" / "formula" / "index.html").read_text()
    assert "evil.example" not in html and "<math" in html
    assert "ignoring the math cache" in result.stderr


# --- 11. bounded rendering --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "size", "code"),
    [
        ("[a](b ", 30_000, "too-slow"),
        ("<a ", 30_000, "too-slow"),
        ('<a x="', 30_000, "too-slow"),
        ("[a](b ", 510_000, "too-long"),
        ("<a ", 510_000, "too-long"),
    ],
)
def test_quadratic_markdown_is_a_located_error_at_check(write_entry, pattern, size, code):
    text = (
        "---\ntitle: Slow Page\n---\n" + SECTIONS + "Fine.\n\n" + pattern * (size // len(pattern))
    )
    entries = write_entry("slow-page.md", text + "\n")
    write_entry("honest-failure.md", FAILING)
    started = time.perf_counter()
    result = check(Settings(entries_dir=entries, doctest=False, cache_dir=None))
    assert time.perf_counter() - started < 10
    found = {(Path(d.path).name, d.line, d.code) for d in result.diagnostics if d.is_error}
    line = 16 if code == "too-slow" else 4  # the paragraph; the body, for its size
    assert ("slow-page.md", line, code) in found, result.diagnostics
    assert ("honest-failure.md", 14, "unknown-term") in found


def test_the_worst_entry_the_budget_allows_renders_in_well_under_a_second(tmp_path):
    import markdown

    from glossary_gen.core.loader import load_entry
    from glossary_gen.site.markdown_ext import GlossaryExtension

    path = tmp_path / "entries" / "worst.md"
    path.parent.mkdir()
    n = 1
    while True:  # the most '[a](b ' openers one paragraph may hold
        path.write_text("---\ntitle: W\n---\n" + SECTIONS + "[a](b " * (n * 2) + "\n")
        entry = load_entry(path)[0]
        assert entry is not None
        if list(check_nesting(entry)):
            break
        n *= 2
    path.write_text("---\ntitle: W\n---\n" + SECTIONS + "[a](b " * n + "\n")
    entry = load_entry(path)[0]
    assert entry is not None and not list(check_nesting(entry))
    md = markdown.Markdown(
        extensions=["attr_list", "toc", "md_in_html", "pymdownx.superfences", GlossaryExtension()]
    )
    # CPU seconds, not wall time: the bound is the work the budget allows, whatever else the
    # machine is doing (the parallel suite's other worker, a busy CI runner).
    started = time.process_time()
    md.convert(entry.body)
    assert time.process_time() - started < 1.0
    from glossary_gen.core.markup import MAX_RESCAN

    assert MAX_RESCAN >= 100_000  # room for ordinary links and tags


def test_every_entry_of_the_repository_is_within_the_budget():
    entries, problems = load_entries(ROOT / "entries")
    assert entries and not problems
    for entry in entries:
        assert not [d for d in check_nesting(entry) if d.code in ("too-slow", "too-long")]


# --- 20. values printed onto pages are capped -------------------------------------------------------


def test_start_values_and_messages_on_pages_are_capped():
    from glossary_gen.fences.evaluate import Evaluated
    from glossary_gen.fences.playground import render_playground
    from glossary_gen.fences.plot import MAX_SHOWN, failure
    from glossary_gen.fences.request import PlotRequest

    request = PlotRequest(
        "playground", "entries/leak.md", 12, ("f",), (0.0, 1.0), "F", value=0.5, step=0.1
    )
    long = "/home/runner/work/project/.venv/lib/" * 200
    html = render_playground(
        Evaluated(request, {"f": [0.0, 1.0]}, [0.0, 1.0], point={"x": "0.5", "repr": long})
    )
    shown = re.search(r"<output [^>]*>(.*?)</output>", html, re.S)
    assert shown is not None and len(shown.group(1)) <= MAX_SHOWN + 20
    assert shown.group(1).endswith("\u2026")
    html = render_playground(
        Evaluated(request, {"f": [0.0, 1.0]}, [0.0, 1.0], point={"x": "0.5", "error": long})
    )
    assert long not in html and long[:100] in html
    note = failure(Evaluated(request, error=long), "Plot")
    assert long not in note and "\u2026" in note
