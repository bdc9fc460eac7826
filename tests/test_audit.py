# ruff: noqa: E501  (the theme's minified scripts are long lines)
"""The output audit: every built page is parsed and refused if it could run or load anything that
is neither the theme's nor ours; every accepted page gets a Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glossary_gen.site.audit import (
    audit_html,
    check_site,
    policy_for,
    script_hash,
    secure_page,
    secure_site,
    theme_scripts,
)

#: A page as Material writes it: its own inline scripts (with their paths filled in), a JSON
#: configuration island, the bundle and ours.
THEME_PAGE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>ReLU</title>
<script>__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}</script>
<script type="application/ld+json">{"@type": "DefinedTerm"}</script>
</head><body>
<script>var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))</script>
<article class="md-content__inner md-typeset"><h1 id="relu">ReLU</h1>
<p><a href="https://arxiv.org/abs/1803.08375">a paper</a> <img src="../../assets/x.svg" alt=""></p>
<img src="data:image/png;base64,AAAA" alt="">
</article>
<script id="__config" type="application/json">{"base": "../.."}</script>
<script src="../../assets/javascripts/bundle.js"></script>
<script src="../../assets/glossary/live.js"></script>
</body></html>
"""

BODY_END = "</article>"


def page_with(fragment: str) -> str:
    return THEME_PAGE.replace(BODY_END, fragment + BODY_END)


def test_the_themes_own_page_passes_and_its_scripts_are_hashed():
    assert theme_scripts(), "the installed themes' script templates were not found"
    audit = audit_html(THEME_PAGE, "glossary/relu/index.html")
    assert audit.problems == []
    assert len(audit.script_hashes) == 2
    assert audit.script_hashes[1] == script_hash(
        "var target=document.getElementById(location.hash.slice(1));target&&target.name&&"
        '(target.checked=target.name.startsWith("__tabbed_"))'
    )


@pytest.mark.parametrize(
    "fragment, code",
    [
        ('<h2 id="x" autofocus onfocus="alert(1)">T</h2>', "event-handler"),
        ('<svg><a onclick="alert(1)">x</a></svg>', "event-handler"),
        ('<img src=x OnError="alert(1)">', "event-handler"),
        ('<a href="javascript:alert(1)">x</a>', "script-url"),
        ('<a href="  JaVa&#x09;script:alert(1)">x</a>', "script-url"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "script-url"),
        ('<form action="javascript:alert(1)"></form>', "script-url"),
        ('<iframe src="https://example.org/"></iframe>', "frame"),
        ('<object data="x.swf"></object>', "frame"),
        ("<embed src=x.swf>", "frame"),
        ("<script>alert(document.cookie)</script>", "foreign-script"),
        ('<script>__md_scope=new URL("x");alert(1)//",location)</script>', "foreign-script"),
        (
            '<script src="https://unpkg.com/mermaid@11/dist/mermaid.min.js"></script>',
            "foreign-script",
        ),
        ('<script src="//evil.example/x.js"></script>', "foreign-script"),
        ('<img src="https://tracker.example/pixel.gif" alt="">', "third-party"),
        ('<link rel="stylesheet" href="https://fonts.example/x.css">', "third-party"),
        ('<video poster="https://cdn.example/p.png"></video>', "third-party"),
        ('<img srcset="https://cdn.example/a.png 2x" alt="">', "third-party"),
    ],
)
def test_each_hostile_construct_is_refused_with_its_page(fragment, code):
    audit = audit_html(page_with(fragment), "glossary/evil/index.html")
    assert [p.code for p in audit.problems] == [code], audit.problems
    problem = audit.problems[0]
    assert problem.page == "glossary/evil/index.html" and problem.line > 1


def test_links_to_other_sites_and_the_sites_own_url_are_not_loads():
    fragment = (
        '<a href="https://doi.org/10.1/x">cited</a>'
        '<link rel="canonical" href="https://glossary.example.org/glossary/relu/">'
        '<img src="https://glossary.example.org/assets/x.png" alt="">'
    )
    audit = audit_html(page_with(fragment), "p.html", site_url="https://glossary.example.org/")
    assert audit.problems == []


def test_the_policy_goes_first_into_head_and_allows_no_inline_script_but_the_hashed_ones():
    policy = policy_for("https://cdn.jsdelivr.net/npm/pyodide@314.0.7/")
    secured, problems = secure_page(THEME_PAGE, "glossary/relu/index.html", policy)
    assert problems == []
    head = secured.split("<head>", 1)[1]
    assert head.startswith('\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"')
    content = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', secured)
    assert content is not None
    csp = content.group(1).replace("&#x27;", "'")
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "connect-src 'self' https://cdn.jsdelivr.net" in csp
    assert csp.count("'sha256-") == 2
    # A page that brings its own policy (the Python sandbox frame) keeps it.
    again, _ = secure_page(secured, "x.html", policy)
    assert again == secured


def test_a_site_is_secured_once_and_then_checks_clean(tmp_path: Path):
    (tmp_path / "glossary" / "relu").mkdir(parents=True)
    (tmp_path / "glossary" / "relu" / "index.html").write_text(THEME_PAGE)
    (tmp_path / "evil.html").write_text(page_with('<a href="javascript:x()">x</a>'))
    assert [p.code for p in check_site(tmp_path)] == ["script-url", "no-policy", "no-policy"]
    problems = secure_site(tmp_path, policy_for("local"), entry_of={"evil.html": "entries/evil.md"})
    assert [(p.page, p.code, p.entry) for p in problems] == [
        ("evil.html", "script-url", "entries/evil.md")
    ]
    assert "(page of entries/evil.md)" in problems[0].format_text()
    assert [p.code for p in check_site(tmp_path)] == ["script-url"]
