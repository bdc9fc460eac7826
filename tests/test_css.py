"""The site's stylesheets are well formed: every block is closed, and no rule sits inside another.

A rule left open swallows the rules after it: modern browsers read them as nested rules (CSS
nesting) that match nothing, so they vanish without an error. That happened to the language
switcher and the fallback-link marker (an unclosed block above them in glossary.css).
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

ASSETS = resources.files("glossary_gen.site").joinpath("assets")
STYLESHEETS = sorted(p.name for p in ASSETS.iterdir() if p.name.endswith(".css"))


def css_problems(text: str) -> list[str]:
    """Where a block is left open, closed twice, or a rule is put inside a rule (at-rules such
    as ``@media`` hold rules; a rule holds declarations only). Line numbers are 1-based."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', '""', text)
    problems: list[str] = []
    stack: list[tuple[str, int]] = []  # ("at" or "rule", line it opened)
    line, start = 1, 0
    for i, char in enumerate(text):
        if char == "\n":
            line += 1
        elif char == "{":
            prelude = text[start:i].strip()
            if stack and stack[-1][0] == "rule":
                problems.append(
                    f"line {line}: a rule inside the rule opened on line {stack[-1][1]}"
                )
            stack.append(("at" if prelude.startswith("@") else "rule", line))
            start = i + 1
        elif char == "}":
            if not stack:
                problems.append(f"line {line}: '}}' closes nothing")
            else:
                stack.pop()
            start = i + 1
        elif char == ";" and (not stack or stack[-1][0] == "at"):
            start = i + 1
    problems += [f"line {opened}: block never closed" for _, opened in stack]
    return problems


@pytest.mark.parametrize("name", STYLESHEETS)
def test_stylesheet_is_well_formed(name):
    assert css_problems(ASSETS.joinpath(name).read_text(encoding="utf-8")) == []


def test_the_check_finds_an_unclosed_rule():
    broken = ".a {\n  color: red;\n/* note */\n.b {\n  color: blue;\n}\n"
    assert css_problems(broken) == [
        "line 4: a rule inside the rule opened on line 1",
        "line 1: block never closed",
    ]
    assert css_problems("@media screen {\n  .a { color: red; }\n}\n") == []
    assert css_problems(".a { content: '{'; }\n") == []
    assert css_problems(".a { }\n}\n") == ["line 2: '}' closes nothing"]
