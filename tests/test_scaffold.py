"""``glossary-gen new``: a template that passes ``check`` once filled in, never overwriting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.model import REQUIRED_SECTIONS, slugify


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fill_in(text: str) -> str:
    """What a contributor does: replace each section's comment with prose."""
    return re.sub(r"<!--.*?-->", "Some real text.", text, flags=re.S)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Leaky ReLU", "leaky-relu"),
        ("  Tanh   Function ", "tanh-function"),
        ("Réseau de neurones", "reseau-de-neurones"),
        ("C++ (language)", "c-language"),
    ],
)
def test_slug_from_title(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_new_writes_every_required_section_and_a_schema_hint(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "Leaky ReLU"]) == 0
    assert "created entries/leaky-relu.md" in capsys.readouterr().out
    text = (workdir / "entries" / "leaky-relu.md").read_text(encoding="utf-8")
    assert 'title: "Leaky ReLU"' in text
    for section in REQUIRED_SECTIONS:
        assert f"### {section}\n" in text
    # The package's schema lies outside this project (an installed package): no machine path is
    # written (it used to be a file:// URI); a project's own schema_file is referenced instead.
    assert "$schema" not in text and "file:" not in text
    (workdir / "mkdocs.yml").write_text(
        "plugins:\n  - glossary:\n      schema_file: schema/entry.schema.json\n", encoding="utf-8"
    )
    assert main(["new", "Parametric ReLU"]) == 0
    text = (workdir / "entries" / "parametric-relu.md").read_text(encoding="utf-8")
    hint = re.search(r"# yaml-language-server: \$schema=(\S+)", text)
    assert hint and hint.group(1) == "../schema/entry.schema.json"


def test_unfilled_template_points_at_each_empty_section(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["new", "Leaky ReLU"])
    capsys.readouterr()
    assert main(["check", "--no-doctest", "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert {p["code"] for p in problems} == {"empty-section"}
    assert len(problems) == len(REQUIRED_SECTIONS)


def test_filled_in_template_passes_check(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["new", "Leaky ReLU"])
    path = workdir / "entries" / "leaky-relu.md"
    path.write_text(fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out


def test_new_never_overwrites(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = workdir / "entries"
    entries.mkdir()
    (entries / "leaky-relu.md").write_text("mine\n", encoding="utf-8")  # not even a valid entry
    assert main(["new", "Leaky ReLU"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (entries / "leaky-relu.md").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("title", ["relu", "Rectified Linear Unit", "rectifier"])
def test_new_refuses_a_title_or_alias_that_exists(
    workdir: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    entries = workdir / "entries"
    entries.mkdir()
    (entries / "relu.md").write_text(
        "---\ntitle: ReLU\naliases: [Rectified Linear Unit, rectifier]\n---\n", encoding="utf-8"
    )
    assert main(["new", title]) == 1
    err = capsys.readouterr().err
    assert "is already defined by entries/relu.md" in err and "alias" in err
    assert sorted(p.name for p in entries.iterdir()) == ["relu.md"]


def test_new_honours_entries_option(workdir: Path) -> None:
    assert main(["new", "Dying ReLU Problem", "--entries", "glossary"]) == 0
    assert (workdir / "glossary" / "dying-relu-problem.md").is_file()


def test_empty_title_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A title that cannot be used is a usage error (exit 2, DESIGN.md section 4); it was 1 before
    # the title checks below made every unusable title one kind of error.
    assert main(["new", "  "]) == 2
    assert "empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("A" * 300, "the title is 300 characters long, at most 120 are allowed"),
        ("Leaky\nReLU", "U+000A (a control character) at character 6"),
        ("Leaky\tReLU", "U+0009 (a control character) at character 6"),
        ("red \x1b[31mReLU", "U+001B (a control character) at character 5"),
        ("ReLU\u2028x", "U+2028 (line separator)"),
        ("Re\u202eUL", "U+202E (right-to-left override)"),
        ("ReLU\udcff", "the title is not valid UTF-8 text"),  # an undecodable byte in argv
        ("日本語", "cannot make a file name from '日本語'"),
        ("\ufb03" * 100, "the file name made from the title would be 300 characters long"),
        ("Index", "'index.md' is a reserved file name (the glossary's index page)"),
        ("CON", "'con.md' is a reserved file name (a device name on Windows)"),
        ("lpt1", "'lpt1.md' is a reserved file name"),
    ],
)
def test_unusable_titles_are_refused_with_the_reason(
    workdir: Path, capsys: pytest.CaptureFixture[str], title: str, message: str
) -> None:
    assert main(["new", title]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glossary-gen: error: ") and message in err
    assert "Traceback" not in err and "\x1b" not in err  # nothing unprintable is echoed back
    assert not (workdir / "entries").exists() or not any((workdir / "entries").iterdir())


@pytest.mark.parametrize(
    ("title", "name"),
    [("TCP/IP", "tcp-ip.md"), ("../../etc/passwd", "etc-passwd.md"), ("a\\b", "a-b.md")],
)
def test_path_syntax_in_a_title_never_reaches_the_file_name(
    workdir: Path, title: str, name: str
) -> None:
    """Decided: separators are allowed in titles (``TCP/IP``, ``I/O``); the file name is made of
    ``a-z0-9-`` only, so the file is always written inside the entries folder."""
    assert main(["new", title]) == 0
    assert [p.name for p in (workdir / "entries").iterdir()] == [name]
    assert f'title: "{title.replace(chr(92), chr(92) * 2)}"' in (
        workdir / "entries" / name
    ).read_text(encoding="utf-8")


def test_a_title_at_the_schema_limit_passes_check_once_filled_in(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Relu " + "x" * 115
    assert main(["new", title]) == 0
    path = next((workdir / "entries").iterdir())
    path.write_text(fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--no-doctest"]) == 0, capsys.readouterr().out


def test_an_unwritable_entries_folder_is_a_usage_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "entries").write_text("a file, not a folder\n", encoding="utf-8")
    assert main(["new", "Leaky ReLU"]) == 2
    assert "cannot create the folder entries" in capsys.readouterr().err
