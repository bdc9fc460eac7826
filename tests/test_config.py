"""The entry model in mkdocs.yml (plugin options ``sections``, ``extra_keys``, ``schema_file``):
``check``, ``new``, the schema and the pages follow it; a wrong one is exit 2 naming mkdocs.yml."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.config import (
    DEFAULT_MODEL,
    ConfigError,
    EntryModel,
    entry_model_from_options,
    load_settings,
)
from glossary_gen.core.model import REQUIRED_SECTIONS

SECTIONS = """\
      sections:
        - Summary
        - title: ELI5
          required: false
          heading: Explain like I'm five
        - In-depth explanation
        - title: Examples
          required: false
"""


def project(tmp: Path, options: str = SECTIONS) -> Path:
    (tmp / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - search\n  - glossary:\n" + options, encoding="utf-8"
    )
    (tmp / "entries").mkdir(exist_ok=True)
    (tmp / "docs").mkdir(exist_ok=True)
    (tmp / "docs" / "index.md").write_text("# T\n", encoding="utf-8")
    return tmp


def entry(tmp: Path, name: str, text: str) -> Path:
    path = tmp / "entries" / name
    path.write_text(text, encoding="utf-8")
    return path


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["check", "--no-doctest", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else []


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return project(tmp_path)


def test_the_default_model_is_todays_three_required_sections() -> None:
    assert [s.title for s in DEFAULT_MODEL.sections] == list(REQUIRED_SECTIONS)
    assert DEFAULT_MODEL.required == REQUIRED_SECTIONS
    assert entry_model_from_options({}) == DEFAULT_MODEL
    assert load_settings(None).entry_model == DEFAULT_MODEL  # no mkdocs.yml here


def test_sections_are_read_in_order_with_their_options(site: Path) -> None:
    model = load_settings(None).entry_model
    assert [(s.title, s.required) for s in model.sections] == [
        ("Summary", True),
        ("ELI5", False),
        ("In-depth explanation", True),
        ("Examples", False),
    ]
    assert model.headings == {"eli5": "Explain like I'm five"}
    # what init writes back into mkdocs.yml reads as the same model
    assert entry_model_from_options(model.to_options()) == model


def test_an_optional_section_may_be_left_out_or_left_empty(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry(site, "a.md", "---\ntitle: A\n---\n### Summary\n\nS.\n\n### In-depth explanation\n\nD.\n")
    entry(
        site,
        "b.md",
        "---\ntitle: B\n---\n### Summary\n\nS.\n\n### ELI5\n\n<!-- later -->\n\n"
        "### In-depth explanation\n\nD.\n",
    )
    assert check_json(capsys) == (0, [])  # an empty optional section is not shown


def test_a_required_section_is_still_required(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry(site, "a.md", "---\ntitle: A\n---\n### Summary\n\nS.\n")
    code, problems = check_json(capsys)
    assert code == 1
    assert [(p["code"], p["message"]) for p in problems] == [
        ("missing-section", "required section 'In-depth explanation' is missing")
    ]


def test_sections_out_of_the_configured_order_are_a_warning(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry(
        site,
        "a.md",
        "---\ntitle: A\n---\n### Summary\n\nS.\n\n### In-depth explanation\n\nD.\n\n"
        "### ELI5\n\nE.\n",
    )
    code, problems = check_json(capsys)
    assert code == 0
    assert [(p["line"], p["code"]) for p in problems] == [(12, "section-order")]
    assert problems[0]["message"] == "section 'ELI5' comes after 'In-depth explanation'"


def test_without_configuration_every_default_section_is_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "entries").mkdir()
    entry(
        tmp_path,
        "a.md",
        "---\ntitle: A\n---\n### Summary\n\nS.\n\n### In-depth explanation\n\nD.\n",
    )
    code, problems = check_json(capsys)
    assert code == 1
    assert [p["message"] for p in problems] == ["required section 'ELI5' is missing"]


EXTRA = (
    SECTIONS
    + """\
      extra_keys:
        difficulty: {enum: [beginner, advanced]}
        reviewed: {type: string, format: date}
        notes: {}
"""
)


def test_extra_keys_are_allowed_and_checked_against_their_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    project(tmp_path, EXTRA)
    body = "### Summary\n\nS.\n\n### In-depth explanation\n\nD.\n"
    entry(tmp_path, "a.md", f"---\ntitle: A\ndifficulty: beginner\nnotes: [x, 1]\n---\n{body}")
    entry(tmp_path, "b.md", f"---\ntitle: B\ndifficulty: expert\nreviewed: 2024-05-01\n---\n{body}")
    entry(tmp_path, "c.md", f"---\ntitle: C\ndificulty: beginner\n---\n{body}")
    code, problems = check_json(capsys)
    assert code == 1
    found = [(p["path"], p["line"], p["code"]) for p in problems]
    assert found == [("entries/b.md", 3, "schema"), ("entries/c.md", 3, "unknown-key")]
    assert "did you mean 'difficulty'" in problems[1]["hint"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-05-01", None),
        ("'2024-05-01'", None),
        ("'2024-13-01'", "'updated' is not a calendar date: 2024-13-01"),
        ("yesterday", "'updated' must be a date written YYYY-MM-DD, got 'yesterday'"),
        ("2024-05-01 10:00:00", "'updated' must be a date written YYYY-MM-DD"),
        ("2024-13-01", "'updated' is not a calendar date: 2024-13-01"),  # located, no crash
    ],
)
def test_updated_is_a_date(
    value: str, message: str | None, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry(
        site,
        "a.md",
        f"---\ntitle: A\nupdated: {value}\n---\n### Summary\n\nS.\n\n"
        "### In-depth explanation\n\nD.\n",
    )
    code, problems = check_json(capsys)
    assert (code == 0) is (message is None)
    if message is not None:
        assert [p["line"] for p in problems] == [3]
        assert problems[0]["message"].startswith(message)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("/old/relu/", True),
        ("old/relu.html", True),
        ("//evil.example", False),
        ("javascript:x", False),
    ],
)
def test_redirect_from_holds_paths_on_the_site(
    value: str, valid: bool, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry(
        site,
        "a.md",
        f"---\ntitle: A\nredirect_from: ['{value}']\n---\n### Summary\n\nS.\n\n"
        "### In-depth explanation\n\nD.\n",
    )
    code, problems = check_json(capsys)
    assert (code == 0) is valid, problems
    if not valid:
        assert (problems[0]["line"], problems[0]["column"]) == (3, 17)
        assert "must be a path on this site" in problems[0]["message"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("      sections: Summary\n", "'sections' must be a non-empty list"),
        ("      sections: []\n", "'sections' must be a non-empty list"),
        ("      sections: [ELI5, Summary]\n", "the first section must be 'Summary', required"),
        (
            "      sections: [{title: Summary, required: false}]\n",
            "the first section must be 'Summary', required",
        ),
        ("      sections: [Summary, ELI5, eli5]\n", "section 'eli5' is listed twice"),
        ("      sections: [Summary, Related terms]\n", "a 'Related terms' section is generated"),
        ("      sections: [Summary, {title: X, requird: false}]\n", "unknown option 'requird'"),
        ("      sections: [Summary, {title: X, required: no-way}]\n", "'required' must be true"),
        ("      extra_keys: {title: {type: string}}\n", "extra key 'title' is already a built-in"),
        ("      extra_keys: {level: {type: 12}}\n", "extra key 'level' is not a valid JSON Schema"),
        ("      extra_keys: {'bad key': {}}\n", "must be a plain word"),
        ("      extra_keys: 3\n", "'extra_keys' must be a list of key names or a mapping"),
        ("      schema_file: ''\n", "'schema_file' must be a path"),
    ],
)
def test_a_wrong_entry_model_is_a_usage_error_naming_mkdocs_yml(
    options: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    project(tmp_path, options)
    capsys.readouterr()
    assert main(["check", "--no-doctest"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glossary-gen: error: mkdocs.yml: ") and message in err, err
    with pytest.raises(ConfigError):
        load_settings(Path("mkdocs.yml"))


def fill_in(text: str) -> str:
    return re.sub(r"<!--.*?-->", "Some real text.", text, flags=re.S)


def test_new_writes_the_configured_sections_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    project(tmp_path, EXTRA)
    assert main(["new", "Leaky ReLU"]) == 0
    text = (tmp_path / "entries" / "leaky-relu.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, flags=re.M)
    assert headings == ["Summary", "ELI5", "In-depth explanation", "Examples"]
    assert "<!-- Optional: remove this section if it does not apply." in text
    assert "# difficulty:" in text  # the site's extra keys, as comments
    assert "$schema" not in text  # extra keys and no schema_file: no schema that would reject them
    (tmp_path / "entries" / "leaky-relu.md").write_text(fill_in(text), encoding="utf-8")
    assert check_json(capsys) == (0, [])


def test_schema_command_writes_the_site_schema_and_check_notices_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    project(tmp_path, EXTRA + "      schema_file: schema/entry.schema.json\n")
    code, problems = check_json(capsys)
    assert code == 0
    assert [(p["path"], p["code"]) for p in problems] == [
        ("schema/entry.schema.json", "schema-outdated")
    ]
    assert main(["schema"]) == 0
    schema = json.loads((tmp_path / "schema" / "entry.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["difficulty"] == {"enum": ["beginner", "advanced"]}
    assert {"updated", "redirect_from", "title"} <= set(schema["properties"])
    assert check_json(capsys) == (0, [])
    # new entries point editors at it, relative to the entry
    assert main(["new", "Leaky ReLU"]) == 0
    text = (tmp_path / "entries" / "leaky-relu.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=../schema/entry.schema.json\n" in text
    capsys.readouterr()
    assert main(["schema", "--output", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["properties"]["notes"] == {}


def test_a_model_is_hashable_so_compiled_schemas_are_cached() -> None:
    model = entry_model_from_options({"extra_keys": ["a"]})
    assert isinstance(hash(model), int) and model == EntryModel(extra_keys=(("a", "{}"),))
    assert model.schema()["properties"]["a"] == {}
    assert "a" not in DEFAULT_MODEL.schema()["properties"]


def test_pages_show_the_configured_heading_and_no_empty_optional_section(
    site: Path,
) -> None:
    entry(
        site,
        "a.md",
        "---\ntitle: A\n---\n### Summary\n\nS.\n\n### ELI5\n\nLike a gate.\n\n"
        "### In-depth explanation\n\nD.\n\n### Examples\n\n<!-- none yet -->\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "glossary" / "a" / "index.html").read_text(encoding="utf-8")
    assert "Explain like I&rsquo;m five" in html or "Explain like I'm five" in html
    assert ">ELI5<" not in html and "Examples" not in html


def test_the_plugin_reports_a_wrong_model_naming_mkdocs_yml(tmp_path: Path) -> None:
    project(tmp_path, "      sections: [ELI5]\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "mkdocs.yml: the first section must be 'Summary'" in result.stderr
