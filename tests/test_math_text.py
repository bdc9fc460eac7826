"""Readable math and the compact page parts: LaTeX as Unicode text wherever text goes (tooltips,
descriptions, exports), one-line summaries with MathML for lists, the tag-title option, and the
docs-page term lists. Browser checks of the same are in test_pages_browser.py."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glossary_gen.core.config import ConfigError, settings_from_options, tag_titles
from glossary_gen.site.math_text import math_text
from glossary_gen.site.summary_html import summary_html
from glossary_gen.site.text import first_sentence, plain_text

#: A command written as LaTeX: what no text for readers may hold.
TEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\log(1 + e^{x})", "log(1 + eˣ)"),
        (r"\mathrm{GELU}(x) = x\,\Phi(x)", "GELU(x) = x Φ(x)"),
        (r"0 \le \alpha < 1", "0 ≤ α < 1"),
        (r"2 / n_{\text{in}}", "2 / nᵢₙ"),
        (r"\sigma(z) = \frac{1}{1 + e^{-z}}", "σ(z) = 1/(1 + e⁻ᶻ)"),
        (r"\frac{1}{\beta}\log(1 + e^{\beta x})", "1/β log(1 + eᵝˣ)"),
        (r"\gamma = \sqrt{s_B^2 + \epsilon}", "γ = √(s_B² + ε)"),
        (
            r"\mathbb{E}[\max(0, z)^2] = \tfrac{1}{2}\operatorname{Var}[z]",
            "𝔼[max(0, z)²] = 1/2 Var[z]",
        ),
        (r"\delta^{(l)} = \partial L / \partial z^{(l)}", "δ⁽ˡ⁾ = ∂L / ∂z⁽ˡ⁾"),
        (r"a \cdot b \times c \to \infty", "a · b × c → ∞"),
        (r"\sum_{i=1}^{n} x_i \in \mathbb{R}", "∑ᵢ₌₁ⁿ xᵢ ∈ ℝ"),
        (r"x^{q}", "x^q"),  # no superscript q in Unicode
        (r"e^{\text{quit}}", "e^(quit)"),  # nor q
        (
            r"f(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
            "f(x) = { x if x > 0; αx if x ≤ 0 }",
        ),
        (r"\left( a \right)", "(a)"),
        (r"\unknowncommand{x}", "unknowncommand x"),
    ],
)
def test_latex_becomes_readable_text(tex: str, text: str) -> None:
    assert math_text(tex) == text


@pytest.mark.parametrize(
    "tex",
    [
        "{" * 5000 + "x" + "}" * 5000,  # nested far deeper than any formula
        r"\frac" * 3000,
        r"\sqrt" * 3000,
        r"\hat" * 3000,
        r"x^\frac" * 3000,
        r"\sqrt[\sqrt[" * 2000,
        "^" * 4000 + "_" * 4000,
        r"\begin{cases}" * 2000,
        r"\\" * 10_000,
        "\\",
        "",
        "}}}{{{",
    ],
)
def test_hostile_formulas_are_read_quickly_and_leave_no_command(tex: str) -> None:
    started = time.process_time()
    text = math_text(tex)
    assert time.process_time() - started < 1.0
    assert not TEX_COMMAND.search(text)
    assert "\\" not in text


def test_plain_text_writes_formulas_as_text_and_keeps_code_and_dollars() -> None:
    text = plain_text(
        r"The *dying* ReLU: $\le 0$ for all inputs, $$\frac{a}{b}$$, `code $x$`, $5 and $10, "
        r"and [[Leaky ReLU|a leak]] &lt;b&gt;"
    )
    assert text == "The dying ReLU: ≤ 0 for all inputs, a/b, code $x$, $5 and $10, and a leak <b>"


def test_plain_text_ignores_private_use_placeholders_in_the_input() -> None:
    assert plain_text("a \ue0000\ue001 b $x$") == "a 0 b x"


def test_first_sentence() -> None:
    assert first_sentence("One thing, e.g. this. Two things.") == "One thing, e.g. this."
    assert first_sentence("No end") == "No end"


def test_summary_html_is_the_first_sentence_with_mathml_and_escaped_text() -> None:
    html = summary_html(r"A <b>bold</b> & $\alpha \le 1$ claim with `x<y`. More text here.")
    assert html.startswith('A bold &amp; <span class="glossary-math"><math')
    assert "<code>x&lt;y</code>" in html
    assert "More text" not in html
    assert "<b>" not in html


def test_summary_html_sanitizes_the_mathml_of_a_hostile_formula() -> None:
    html = summary_html(r"See $\href{javascript:alert(1)}{x}$ and $\unknown{$ now.")
    assert "javascript:" not in html
    assert "<script" not in html
    assert not re.search(r"\son\w+=", html)


# --- tag titles -----------------------------------------------------------------------------


def test_tag_titles_are_read() -> None:
    assert tag_titles({"activation-functions": " Activation functions "}) == (
        ("activation-functions", "Activation functions"),
    )
    assert tag_titles(None) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("activation-functions", "must be a mapping"),
        (["a", "b"], "must be a mapping"),
        ({1: "One"}, "a tag must be a non-empty string"),
        ({"": "Empty"}, "a tag must be a non-empty string"),
        ({"t": ""}, "must be one line"),
        ({"t": 3}, "must be one line"),
        ({"t": "two\nlines"}, "must be one line"),
        ({"t": "x" * 81}, "must be one line"),
        ({f"t{i}": "T" for i in range(501)}, "at most 500"),
    ],
)
def test_hostile_tag_titles_are_configuration_errors(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_options({"tag_titles": value}, Path("."), "mkdocs.yml")


def test_a_build_with_hostile_tag_titles_stops_with_a_located_message(tmp_path, copy_site_basic):
    site = copy_site_basic(tmp_path)
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      autolink: first\n", "      autolink: first\n      tag_titles: [letters]\n"
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "check", "--config", str(config)],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "tag_titles" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_tag_title_is_shown_escaped(tmp_path, copy_site_basic, mkdocs_build):
    site = copy_site_basic(tmp_path)
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      autolink: first\n",
            '      autolink: first\n      tag_titles:\n        letters: "<img src=x onerror=alert(1)> Letters"\n',
        ),
        encoding="utf-8",
    )
    built = mkdocs_build(site)
    page = (built / "glossary" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt; Letters" in page
    assert "<img src=x" not in page
    # Without a repository there is no edit link (and no placeholder one).
    assert "glossary-edit-term" not in page
    assert "OWNER" not in page


# --- term lists on docs pages -----------------------------------------------------------------


def test_featured_and_recent_lists_on_a_docs_page(tmp_path, copy_site_basic, mkdocs_build):
    site = copy_site_basic(tmp_path)
    index = site / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        + "\n<!-- glossary:featured Beta | Alpha | No Such Term -->\n\n<!-- glossary:recent 2 -->\n"
        + "\n```\n<!-- glossary:recent 2 -->\n```\n",
        encoding="utf-8",
    )
    built = mkdocs_build(site)
    home = (built / "index.html").read_text(encoding="utf-8")
    featured = re.search(r'<ul class="glossary-cards glossary-featured">(.*?)</ul>', home, re.S)
    assert featured is not None
    titles = re.findall(r'class="glossary-link"[^>]*>([^<]+)</a>', featured.group(1))
    assert titles == ["Beta", "Alpha"]
    assert "glossary-link--missing" in featured.group(1)
    recent = re.search(r'<ul class="glossary-cards glossary-recent">(.*?)</ul>', home, re.S)
    assert recent is not None
    assert recent.group(1).count("<li>") == 2
    assert recent.group(1).count("<time") == 2
    # Inside a code block the line stays as it is.
    assert "&lt;!-- glossary:recent 2 --&gt;" in home
