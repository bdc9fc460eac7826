"""The pytest plugin, driven through pytester: opt-in collection, one item per entry, readable reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a unit test, two passing entries and one failing entry."""
    entries = pytester.path / "entries"
    entries.mkdir()
    for name in ("flags.md", "shared-namespace.md"):
        shutil.copy(FIXTURES / "doctest_passing" / name, entries / name)
    shutil.copy(FIXTURES / "doctest_failures" / "wrong-output.md", entries / "wrong-output.md")
    shutil.copy(FIXTURES / "doctest_failures" / "no-examples.md", entries / "no-examples.md")
    pytester.makepyfile(test_unit="def test_unit():\n    assert True\n")
    pytester.makeini("[pytest]\ntestpaths = test_unit.py\n")
    return pytester


def test_nothing_is_collected_without_the_flag(project: pytest.Pytester):
    result = project.runpytest()
    result.assert_outcomes(passed=1)
    result = project.runpytest("entries")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_flag_collects_one_item_per_entry_with_examples(project: pytest.Pytester):
    result = project.runpytest("--glossary", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "test_unit.py::test_unit",
            "entries/flags.md::flags",
            "entries/shared-namespace.md::shared-namespace",
            "entries/wrong-output.md::wrong-output",
            "4 tests collected*",
        ]
    )
    assert "no-examples" not in result.stdout.str()


def test_failure_report_points_at_the_entry_line(project: pytest.Pytester):
    result = project.runpytest("--glossary")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]glossary doctest[]] wrong-output*",
            "entries/wrong-output.md:27: doctest",
            ">  27  >>> relu(-1.5)",
            "Expected:",
            "    -1.5",
            "Got:",
            "    0.0",
            "*FAILED entries/wrong-output.md::wrong-output*",
        ]
    )


def test_explicit_entry_path_and_no_cache(project: pytest.Pytester):
    result = project.runpytest("--glossary", "--glossary-no-cache", "entries/flags.md")
    result.assert_outcomes(passed=1)
    assert not (project.path / ".glossary_cache").exists()


def test_ini_options_enable_collection_and_move_the_folder(pytester: pytest.Pytester):
    folder = pytester.path / "glossary"
    folder.mkdir()
    shutil.copy(FIXTURES / "doctest_passing" / "flags.md", folder / "flags.md")
    pytester.makeini("[pytest]\nglossary_doctests = true\nglossary_entries = glossary\n")
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["glossary/flags.md::flags PASSED*"])
    result.assert_outcomes(passed=1)


def test_timeout_from_mkdocs_yml(pytester: pytest.Pytester):
    entries = pytester.path / "entries"
    entries.mkdir()
    shutil.copy(FIXTURES / "doctest_failures" / "infinite-loop.md", entries / "infinite-loop.md")
    pytester.makefile(
        ".yml", mkdocs="site_name: t\nplugins:\n  - glossary:\n      doctest_timeout: 0.5\n"
    )
    result = pytester.runpytest("--glossary")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["entries/infinite-loop.md:18: doctest-timeout", "*did not finish within the 0.5 s limit*"]
    )


PLANTED = """
import pathlib
pathlib.Path({marker!r}).write_text("ran {what}")
"""


@pytest.mark.parametrize(
    "args",
    [("--glossary",), ("--glossary", "entries"), ("--glossary", "entries/wrong-output.md"), ()],
    ids=["flag", "folder", "file", "no-flag"],
)
def test_no_python_from_the_entries_folder_is_imported(project: pytest.Pytester, args):
    """A pull request's conftest.py, __init__.py or test file in entries/ never runs in the
    reviewer's pytest, whatever is collected; the failing entry beside them still fails."""
    marker = project.path / "planted-ran.txt"
    entries = project.path / "entries"
    (entries / "fr").mkdir()
    for place in (entries / "conftest.py", entries / "fr" / "conftest.py"):
        place.write_text(PLANTED.format(marker=str(marker), what=place.name))
    (entries / "__init__.py").write_text(PLANTED.format(marker=str(marker), what="__init__"))
    (entries / "test_planted.py").write_text(
        PLANTED.format(marker=str(marker), what="test module") + "def test_x():\n    pass\n"
    )
    project.makeini("[pytest]\ntestpaths = test_unit.py entries\n")
    result = project.runpytest_subprocess(*args)
    assert not marker.exists(), marker.read_text()
    assert "test_planted" not in result.stdout.str()
    if args:
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(["*FAILED entries/wrong-output.md::wrong-output*"])


def test_translations_are_items_of_their_own(project: pytest.Pytester):
    """entries/<lang>/<slug>.md has the slug of its entry: both run, each with its verdict."""
    (project.path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - glossary:\n      languages: [en, fr]\n", encoding="utf-8"
    )
    french = project.path / "entries" / "fr"
    french.mkdir()
    text = (project.path / "entries" / "flags.md").read_text(encoding="utf-8")
    (french / "flags.md").write_text(text, encoding="utf-8")  # passes, like the original
    wrong = (project.path / "entries" / "wrong-output.md").read_text(encoding="utf-8")
    (french / "shared-namespace.md").write_text(wrong, encoding="utf-8")  # fails, unlike it
    (project.path / "entries" / "de").mkdir()  # not a language of the site: not collected
    (project.path / "entries" / "de" / "flags.md").write_text(text, encoding="utf-8")
    result = project.runpytest("--glossary", "-v")
    result.stdout.fnmatch_lines(
        [
            "entries/flags.md::flags PASSED*",
            "entries/fr/flags.md::flags PASSED*",
            "entries/fr/shared-namespace.md::shared-namespace FAILED*",
            "entries/shared-namespace.md::shared-namespace PASSED*",
        ],
        consecutive=False,
    )
    assert "entries/de/" not in result.stdout.str()
