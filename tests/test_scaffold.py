"""``glossary-gen new``: a template that passes ``check`` once filled in, never overwriting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.model import REQUIRED_SECTIONS
from glossary_gen.scaffold import slugify


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
    hint = re.search(r"# yaml-language-server: \$schema=(\S+)", text)
    assert hint and hint.group(1).endswith("entry.schema.json")


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
    assert main(["new", "  "]) == 1
    assert "empty" in capsys.readouterr().err
