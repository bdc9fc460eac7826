"""Hostile entries, round 3: what is verified is what is shown.

Each test plants the attack next to an honest failing entry: the attack has no effect, and the
report stays honest (the failing entry still fails).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.config import Settings
from glossary_gen.pipeline import check

SECTIONS = "### Summary\n\nS.\n\n### ELI5\n\nE.\n\n### In-depth explanation\n\n"

#: A block inside an HTML comment sets up what the shown block prints: the page shows
#: "1 + 1" -> "3" as a verified example.
HIDDEN = (
    "---\ntitle: Hidden Setup\n---\n" + SECTIONS + "<!--\n"
    "```pycon\n"
    ">>> import builtins, doctest\n"
    ">>> doctest.OutputChecker.check_output = lambda *a: True\n"
    "```\n"
    "-->\n\n"
    "```pycon\n>>> 1 + 1\n3\n```\n"
)

#: An honest entry with a wrong example, beside the attacker.
FAILING = "---\ntitle: Honest Failure\n---\n" + SECTIONS + "```pycon\n>>> 2 * 2\n5\n```\n"

#: Comment markers inside a shown code block are code: the block after it is shown and runs.
NOT_HIDDEN = (
    "---\ntitle: Comment In Code\n---\n"
    + SECTIONS
    + "```pycon\n>>> s = '<!--'\n>>> len(s)\n4\n```\n\n"
    "```pycon\n>>> s + '-->'\n'<!---->'\n```\n"
)


@pytest.fixture
def entries(write_entry) -> Path:
    write_entry("hidden-setup.md", HIDDEN)
    write_entry("honest-failure.md", FAILING)
    return write_entry("comment-in-code.md", NOT_HIDDEN)


def test_a_code_block_inside_a_comment_is_a_located_error_and_never_runs(entries: Path, tmp_path):
    result = check(Settings(entries_dir=entries, cache_dir=tmp_path / "cache"))
    found = {(Path(d.path).name, d.line, d.code) for d in result.diagnostics if d.is_error}
    # The hidden block is reported where it is; the shown "1 + 1 -> 3" fails as it should,
    # because the hidden block that would have patched doctest never ran.
    assert ("hidden-setup.md", 15, "hidden-code") in found
    assert ("hidden-setup.md", 22, "doctest") in found
    assert ("honest-failure.md", 15, "doctest") in found
    assert not any(name == "comment-in-code.md" for name, _, _ in found)
    hidden = next(e for e in result.glossary.entries if e.slug == "hidden-setup")
    assert [b.line for b in hidden.hidden_code] == [16]
    assert [b.line for b in hidden.code_blocks] == [22]


def test_check_exits_1_on_hidden_code(entries: Path, capsys):
    assert main(["check", "--entries", str(entries)]) == 1
    out = capsys.readouterr().out
    assert "hidden-setup.md:15:1: error[hidden-code]" in out


PATCHER = (
    "---\ntitle: Shown Patch\n---\n" + SECTIONS + "```pycon\n"
    ">>> import doctest\n"
    ">>> doctest.OutputChecker.check_output = lambda *a: True\n"
    ">>> doctest.DocTestRunner.report_failure = doctest.DocTestRunner.report_success\n"
    ">>> 1 + 1\n3\n"
    ">>> raise ValueError('real')\nTraceback (most recent call last):\nKeyError: 'forged'\n"
    "```\n"
)


def test_the_verdict_is_the_builds_not_the_sandboxed_codes(write_entry, tmp_path):
    """Code that patches doctest inside the sandbox changes nothing: the build compares what the
    examples printed and raised with what the page says, itself."""
    entries = write_entry("shown-patch.md", PATCHER)
    write_entry("honest-failure.md", FAILING)
    result = check(Settings(entries_dir=entries, cache_dir=tmp_path / "cache"))
    found = sorted((Path(d.path).name, d.line) for d in result.diagnostics if d.code == "doctest")
    assert found == [("honest-failure.md", 15), ("shown-patch.md", 18), ("shown-patch.md", 20)]
