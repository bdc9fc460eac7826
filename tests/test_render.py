"""The renderer and the Markdown extension, without MkDocs: links, math, auto-links, escaping,
fence formatters, runnable blocks and exports."""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from pathlib import Path

import markdown
import pytest

from glossary_gen.core.fences import FENCE_FORMATTERS, FenceError, Markdown
from glossary_gen.pipeline import load_and_link
from glossary_gen.site import dates as entry_dates
from glossary_gen.site import exports
from glossary_gen.site.markdown_ext import GlossaryExtension
from glossary_gen.site.page import RenderOptions
from glossary_gen.site.render import Renderer
from glossary_gen.site.sanitize import sanitize
from glossary_gen.site.text import plain_text, relative_url, script_json, tooltip_text

SITE = Path(__file__).parent / "fixtures" / "site_basic"


@pytest.fixture(scope="module")
def glossary():
    glossary, diagnostics = load_and_link(SITE / "entries")
    assert not [d for d in diagnostics if d.is_error], diagnostics
    return glossary


def make_renderer(glossary, **kwargs) -> Renderer:
    published = [e.slug for e in glossary.published]
    return Renderer(
        glossary,
        RenderOptions(last_updated=False, pyodide_url="assets/pyodide/"),
        src_of={s: f"glossary/{s}.md" for s in published},
        url_of={s: f"glossary/{s}/" for s in published},
        **kwargs,
    )


def to_html(
    renderer: Renderer, text: str, *, page: str = "glossary/alpha.md", slug: str | None = "alpha"
) -> str:
    renderer.linker.begin_page(page, page[:-3] + "/", slug)
    md = markdown.Markdown(extensions=[GlossaryExtension(renderer.linker), "pymdownx.superfences"])
    return md.convert(text)


@pytest.mark.parametrize(
    "target, base, expected",
    [
        ("glossary/relu/", "glossary/sigmoid/", "../relu/"),
        ("glossary/relu/", "glossary/", "relu/"),
        ("glossary/", "glossary/relu/", "../"),
        ("", "glossary/relu/", "../../"),
        ("glossary/relu.html", "glossary/index.html", "relu.html"),
        ("glossary/relu/#x", "glossary/relu/", "./#x"),
    ],
)
def test_relative_url(target, base, expected):
    assert relative_url(target, base) == expected


def test_plain_text_strips_markdown_for_tooltips():
    text = "A **bold** [[Beta|second]] and [[Alpha]], a [link](x.md), `code`, $x^2$ <b>tag</b><script>evil()</script>."
    assert plain_text(text) == "A bold second and Alpha, a link, code, x² tag."


def test_script_json_cannot_close_a_script_element():
    out = script_json({"a": "</script><script>alert(1)</script>", "b": "&\u2028"})
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"a": "</script><script>alert(1)</script>", "b": "&\u2028"}


def test_sanitize_drops_scripts_handlers_and_javascript_urls_but_keeps_mathml_and_code():
    dirty = (
        '<p onclick="x()">hi<script>evil()</script></p><a href="javascript:alert(1)">a</a>'
        '<a href="jav&#x61;script:alert(1)">b</a><img src=x onerror=alert(1)><div data-glossary-block="0" '
        'style="position:fixed">d</div><iframe src="https://e.org"></iframe>'
        '<math display="block"><mi>x</mi></math><div class="highlight"><pre><code><span class="k">def</span>'
        "</code></pre></div>"
    )
    clean = sanitize(dirty)
    for bad in ("script", "onclick", "onerror", "javascript", "data-glossary", "style=", "iframe"):
        assert bad not in clean, bad
    assert '<math display="block"><mi>x</mi></math>' in clean
    assert '<span class="k">def</span>' in clean


def test_wiki_links_have_source_hrefs_and_summary_tooltips(glossary):
    html = to_html(
        make_renderer(glossary), "See [[Beta]], [[first letter|the start]] and [[Nowhere]]."
    )
    assert (
        '<a class="glossary-link" href="beta.md" title="Beta comes after the first letter.">Beta</a>'
        in html
    )
    assert 'href="alpha.md"' in html and ">the start</a>" in html
    assert '<span class="glossary-link glossary-link--missing">Nowhere</span>' in html


def test_tooltips_are_text_even_when_a_summary_spells_out_a_tag(glossary):
    """Material shows a title as HTML: a summary's '&lt;img ...&gt;' must stay text, on entry
    pages (sanitized) and on docs pages (not sanitized) alike."""
    renderer = make_renderer(glossary)
    renderer.linker.tooltips["beta"] = tooltip_text(
        plain_text("See &lt;img src=x onerror=alert(1)&gt; &amp;lt;b&amp;gt; here.")
    )
    for page, slug in (("glossary/alpha.md", "alpha"), ("index.md", None)):
        html = to_html(renderer, "[[Beta]]", page=page, slug=slug)
        title = re.search(r'title="([^"]*)"', html).group(1)
        decoded = unescape(title)  # what the browser puts into the tooltip
        assert decoded == "See \u2039img src=x onerror=alert(1)\u203a &lt;b&gt; here."
        assert "<" not in decoded and ">" not in decoded
        assert "<" not in sanitize(html).split('title="')[1].split('"')[0]


def test_wiki_links_from_another_folder(glossary):
    html = to_html(make_renderer(glossary), "[[Alpha]]", page="index.md", slug=None)
    assert 'href="glossary/alpha.md"' in html


def test_wiki_links_to_drafts_are_not_links(glossary):
    html = to_html(make_renderer(glossary), "[[Secret Draft]]")
    assert "<a " not in html


def test_math_is_mathml_but_never_inside_code_or_prices(glossary):
    text = (
        "Inline $a^2$ and \\$3, a price of $5 and $10; `$x$` stays code.\n\n"
        "$$\n\\frac{1}{2}\n$$\n\n```python\ny = '$z$'\n```\n"
    )
    html = to_html(make_renderer(glossary), text)
    assert html.count("<math") == 2
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "$3" in html and "$5 and $10" in html
    assert "<code>$x$</code>" in html
    assert "$z$" in html


def test_bad_math_is_recorded_for_a_located_error(glossary):
    renderer = make_renderer(glossary)
    html = to_html(renderer, r"Broken $\left( x$ here.")
    assert "glossary-math-error" in html
    assert renderer.linker.math_errors and renderer.linker.math_errors[0][0] == r"\left( x"


def test_autolink_first_mention_only_and_never_in_code_headings_or_links(glossary):
    renderer = make_renderer(glossary, autolink="first")
    text = (
        "## Omega Point heading\n\n`Omega Point` in code, [Omega Point](x.md) linked, "
        "then omega point in text and Omega Point again.\n"
    )
    html = to_html(renderer, text)
    links = re.findall(
        r'<a class="glossary-link glossary-autolink" href="([^"]+)"[^>]*>([^<]+)</a>', html
    )
    assert links == [("omega-point.md", "omega point")]
    assert "<h2>Omega Point heading</h2>" in html or "Omega Point heading</h2>" in html
    assert "<code>Omega Point</code>" in html


def test_autolink_skips_the_page_itself_and_terms_it_links_explicitly(glossary):
    renderer = make_renderer(glossary, autolink="first")
    # Alpha links [[Beta]] explicitly: a later plain "beta" is not linked again.
    html = to_html(renderer, "Alpha and beta.")
    assert "glossary-autolink" not in html


def test_entry_page_markdown(glossary):
    renderer = make_renderer(glossary)
    page, diagnostics = renderer.render_entry(glossary.by_slug["alpha"])
    assert diagnostics == []
    meta = json.loads(page.markdown.split("\n")[1])
    assert meta["title"] == "Alpha" and meta["tags"] == ["letters"]
    # The closing sections are trusted HTML fragments, headings included (listed in the TOC by the adapter).
    assert "## Related terms" not in page.markdown and "## Sources" not in page.markdown
    assert [(title, anchor) for _, title, anchor in page.headings] == [
        ("Related terms", "related-terms"),
        ("Referenced by", "referenced-by"),
        ("Sources", "sources"),
    ]
    assert all(key in page.markdown for key, _, _ in page.headings)
    assert "```pycon" in page.markdown  # doctest blocks highlighted with their prompts
    island = page.fragments.head[-1]
    data = json.loads(re.search(r">(\{.*\})</script>", island).group(1))
    assert [b["source"] for b in data["blocks"]] == [
        "def double(x):\n    return 2 * x\ndouble(21)\n",
        "double(2)\n",
    ]
    assert data["pyodide_url"] == "../../assets/pyodide/"
    runnable = [v for v in page.fragments.items.values() if "glossary-runnable" in v]
    assert [re.search(r'data-glossary-block="(\d+)"', v).group(1) for v in runnable] == ["0", "1"]
    assert 'data-glossary-line="28"' in runnable[0]


def test_hostile_title_is_escaped_everywhere(glossary):
    renderer = make_renderer(glossary)
    page, _ = renderer.render_entry(glossary.by_slug["evil"])
    meta = json.loads(page.markdown.split("\n")[1])
    assert "<" not in meta["title"] and "<" not in "".join(meta["tags"])
    assert "<script" not in page.markdown.split("\n")[4]  # the H1
    assert "<script" not in "".join(page.fragments.items.values())
    assert "<script>" not in "".join(page.fragments.head).replace('<script type="application/', "")


def test_index_groups_terms_a_to_z(glossary):
    page = make_renderer(glossary).render_index()
    letters = re.findall(r"^## (\S+) \{ #letter-", page.markdown, re.M)
    assert letters == ["A", "B", "O", "Other"]  # '<script>...' sorts under Other
    assert "Secret" not in page.markdown


def test_glossary_json_lists_published_terms(glossary):
    data = json.loads(exports.glossary_json(make_renderer(glossary)))
    assert [t["slug"] for t in data["terms"]] == ["alpha", "beta", "omega-point", "evil"] or sorted(
        t["slug"] for t in data["terms"]
    ) == ["alpha", "beta", "evil", "omega-point"]
    alpha = next(t for t in data["terms"] if t["slug"] == "alpha")
    assert alpha == {
        "slug": "alpha",
        "title": "Alpha",
        "aliases": ["First Letter"],
        "summary": "Alpha is the first letter, see Beta.",
        "url": "glossary/alpha/",
        "related": ["beta"],
        "tags": ["letters"],
    }


@pytest.fixture
def formatter():
    calls = []

    def install(fn):
        def wrapped(ctx):
            calls.append(ctx)
            return fn(ctx)

        FENCE_FORMATTERS["shout"] = wrapped
        return calls

    yield install
    FENCE_FORMATTERS.pop("shout", None)


def _entry_with_fence(write_entry, info: str):
    entries = write_entry(
        "loud.md",
        "---\ntitle: Loud\n---\n### Summary\n\nLoud.\n\n### ELI5\n\nLoud.\n\n"
        f"### In-depth explanation\n\n```{info}\nhello\n```\n",
    )
    glossary, _ = load_and_link(entries)
    return glossary


def test_fence_formatter_gets_context_and_its_html_is_trusted(write_entry, formatter):
    calls = formatter(
        lambda ctx: f'<figure data-x="1"><script>ok()</script>{ctx.block.code.strip()}</figure>'
    )
    glossary = _entry_with_fence(write_entry, "text shout")
    renderer = make_renderer(glossary)
    page, diagnostics = renderer.render_entry(glossary.by_slug["loud"])
    assert diagnostics == []
    ctx = calls[0]
    assert (ctx.entry.slug, ctx.block.code, ctx.index, ctx.glossary) == (
        "loud",
        "hello\n",
        0,
        glossary,
    )
    out = renderer.finish_html(markdown.markdown(page.markdown), page)
    assert '<figure data-x="1"><script>ok()</script>hello</figure>' in out


def test_fence_formatter_may_return_markdown_which_is_sanitized(write_entry, formatter):
    formatter(lambda ctx: Markdown("**bold** <img src=x onerror=alert(1)>"))
    glossary = _entry_with_fence(write_entry, "shout")
    renderer = make_renderer(glossary)
    page, _ = renderer.render_entry(glossary.by_slug["loud"])
    out = renderer.finish_html(markdown.markdown(page.markdown), page)
    assert "<strong>bold</strong>" in out and "onerror" not in out


@pytest.mark.parametrize(
    "raise_, expected",
    [
        (FenceError("bad plot", line=17), ":17:1: error[fence]: bad plot"),
        (
            ZeroDivisionError("boom"),
            ":14:1: error[fence]: 'shout' block could not be rendered: ZeroDivisionError: boom",
        ),
    ],
)
def test_failing_formatter_is_a_located_error_not_a_crash(write_entry, formatter, raise_, expected):
    def fail(ctx):
        raise raise_

    formatter(fail)
    glossary = _entry_with_fence(write_entry, "shout")
    page, diagnostics = make_renderer(glossary).render_entry(glossary.by_slug["loud"])
    assert [d.format_text().split("loud.md", 1)[1] for d in diagnostics] == [expected]
    assert "```shout" in page.markdown  # default rendering


def test_last_updated_uses_one_git_call(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "entries").mkdir(parents=True)
    for name in ("a.md", "b.md"):
        (repo / "entries" / name).write_text("x\n")
    env = {
        "GIT_AUTHOR_DATE": "2020-01-02T03:04:05Z",
        "GIT_COMMITTER_DATE": "2020-01-02T03:04:05Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    try:
        for args in (["init", "-q"], ["add", "entries/a.md"], ["commit", "-qm", "a"]):
            subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(
        entry_dates.subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k)
    )
    dates = entry_dates.last_updated([repo / "entries" / "a.md", repo / "entries" / "b.md"])
    assert len(calls) == 1
    assert dates[repo / "entries" / "a.md"].isoformat() == "2020-01-02"
    assert repo / "entries" / "b.md" in dates  # untracked: its modification time


def test_the_theme_prints_the_h1_unless_the_body_has_one(glossary):
    from glossary_gen.core.loader import parse_entry

    renderer = make_renderer(glossary)
    page, _ = renderer.render_entry(glossary.by_slug["alpha"])
    assert not any(
        line.startswith("# ") for line in page.markdown.split("\n")
    )  # Material prints the title
    text = (SITE / "entries" / "alpha.md").read_text(encoding="utf-8")
    for extra in ("# A heading of its own", "A heading\n=========", "<h1>raw</h1>"):
        own, _ = parse_entry(
            text.replace("### ELI5\n", f"{extra}\n\n### ELI5\n", 1).encode(),
            SITE / "entries" / "alpha.md",
            "entries/alpha.md",
        )
        page, _ = renderer.render_entry(own)
        assert "# Alpha" in page.markdown.split("\n"), extra
    # '#' lines inside code (Python comments) are not headings.
    code, _ = parse_entry(
        text.replace(">>> double(21)", "# a comment\n>>> double(21)", 1).encode(),
        SITE / "entries" / "alpha.md",
        "entries/alpha.md",
    )
    assert code is not None and "# a comment" in code.body
    page, _ = renderer.render_entry(code)
    assert "# Alpha" not in page.markdown.split("\n")


def test_math_prefetch_worker_gives_the_same_mathml_and_errors_stay_located(tmp_path, monkeypatch):
    from latex2mathml.converter import convert

    from glossary_gen.site.markdown_ext import MathCache, formula_keys

    text = "Inline $a_{1}$ and $b^2$ here.\n\n$$\n\\frac{1}{2}\n$$\n\nBroken $\\left( x$.\n"
    keys = list(formula_keys(text))
    assert keys == ["B\\frac{1}{2}", "Ia_{1}", "Ib^2", "I\\left( x"]
    cache = MathCache()
    monkeypatch.setattr(MathCache, "PREFETCH_MIN", 1)
    cache.prefetch(keys)
    assert cache._worker is not None
    cache._worker[0].wait(timeout=60)
    assert cache.convert("a_{1}", False) == convert("a_{1}", display="inline")
    assert cache.clean["Ia_{1}"] == sanitize(convert("a_{1}", display="inline"))
    assert cache.convert("\\frac{1}{2}", True) == convert("\\frac{1}{2}", display="block")
    assert cache._worker is None and "I\\left( x" not in cache.data
    from latex2mathml.exceptions import ExtraLeftOrMissingRightError

    with pytest.raises(ExtraLeftOrMissingRightError):
        cache.convert("\\left( x", False)


def test_generated_headings_get_ids_the_entry_does_not_use(glossary):
    renderer = make_renderer(glossary)
    page, _ = renderer.render_entry(glossary.by_slug["alpha"])
    body = markdown.markdown(page.markdown) + '<h2 id="sources">Sources of my own</h2>'
    out = renderer.finish_html(body, page)
    assert page.toc == [
        ("Related terms", "related-terms"),
        ("Referenced by", "referenced-by"),
        ("Sources", "sources-1"),
    ]
    assert '<h2 id="sources-1">Sources</h2><ol class="glossary-sources">' in out


def test_subheadings_move_up_with_their_section_so_no_level_is_skipped(write_entry):
    """Sections written as ``###`` become ``##``; their ``####`` must become ``###`` (axe's
    heading-order: a screen reader's heading list would otherwise jump from h2 to h4)."""
    entries = write_entry(
        "deep.md",
        "---\ntitle: Deep\n---\n### Summary\n\nDeep.\n\n### ELI5\n\nDeep.\n\n"
        "### In-depth explanation\n\n#### Why\n\nText.\n\n##### Detail\n\n"
        "```text\n#### not a heading\n```\n",
    )
    glossary, _ = load_and_link(entries)
    page, diagnostics = make_renderer(glossary).render_entry(glossary.by_slug["deep"])
    assert diagnostics == []
    lines = page.markdown.split("\n")
    assert "## In-depth explanation" in lines
    assert "### Why" in lines and "#### Detail" in lines
    assert "#### Why" not in lines
    assert "#### not a heading" in page.markdown  # code is left alone
