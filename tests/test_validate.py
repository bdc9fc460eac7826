"""Validation: the shipped JSON Schema and the rule registry."""

from __future__ import annotations

from pathlib import Path

import fastjsonschema
import jsonschema
import pytest

from glossary_gen.core import validate as validate_module
from glossary_gen.core.loader import load_entries, parse_entry
from glossary_gen.core.schema import check_schema, schema
from glossary_gen.core.validate import ENTRY_RULES, validate

FIXTURES = Path(__file__).parent / "fixtures"
BODY = "### Summary\n\nS.\n\n### ELI5\n\nE.\n\n### In-depth explanation\n\nD.\n"


def entry_from(front_matter: str):
    entry, problems = parse_entry(
        f"---\n{front_matter}---\n{BODY}".encode(), Path("term.md"), "term.md"
    )
    assert problems == [] and entry is not None
    return entry


def test_shipped_schema_is_a_valid_json_schema_for_editors():
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["additionalProperties"] is False


@pytest.mark.parametrize(
    "front_matter, valid",
    [
        ("title: ReLU\n", True),
        (
            "title: ReLU\naliases: [a]\nrelated: [b]\ntags: [t]\ndraft: false\ntype: glossary\nlayout: entry\n"
            "sources:\n  - title: P\n    url: https://example.org\n    authors: A. B.\n    year: 2010\n",
            True,
        ),
        ("title: ''\n", False),
        ("title: 3\n", False),
        ("title: ReLU\naliases: x\n", False),
        ("title: ReLU\nsources:\n  - url: https://example.org\n", False),
        ("title: ReLU\nsources:\n  - title: P\n    url: javascript:alert(1)\n", False),
        ("title: ReLU\ntype: page\n", False),
        ("title: ReLU\nextra: 1\n", False),
    ],
)
def test_fast_gate_and_explaining_validator_agree(front_matter, valid):
    entry = entry_from(front_matter)
    explained = list(check_schema(entry))
    assert (explained == []) is valid
    try:
        fastjsonschema.compile(schema())(entry.meta)
        fast_valid = True
    except fastjsonschema.JsonSchemaException:
        fast_valid = False
    assert fast_valid is valid


def test_a_javascript_url_in_sources_is_a_located_error():
    entry = entry_from("title: ReLU\nsources:\n  - title: P\n    url: javascript:alert(1)\n")
    (problem,) = check_schema(entry)
    assert (problem.line, problem.column, problem.code) == (5, 5, "schema")
    assert "http(s) URL" in problem.message


def test_a_new_rule_is_one_function_and_one_line(monkeypatch):
    def no_todo(entry):
        if "TODO" in entry.body:
            yield validate_module.warning(
                entry.path, entry.body_line, 1, "todo", "entry still has a TODO"
            )

    monkeypatch.setattr(validate_module, "ENTRY_RULES", [*ENTRY_RULES, no_todo])
    entry, _ = parse_entry(f"---\ntitle: T\n---\n{BODY}TODO\n".encode(), Path("t.md"), "t.md")
    assert [d.code for d in validate([entry])] == ["todo"]


def test_valid_fixture_has_no_problems():
    entries, problems = load_entries(FIXTURES / "valid" / "entries")
    assert problems == [] and validate(entries) == []


@pytest.mark.parametrize("slug", ["index", "con", "lpt1"])
def test_reserved_file_names_are_refused(slug):
    entry, problems = parse_entry(
        f"---\ntitle: T {slug}\n---\n{BODY}".encode(), Path(f"{slug}.md"), f"entries/{slug}.md"
    )
    assert problems == [] and entry is not None
    found = [(d.code, d.line) for d in validate_module.validate([entry])]
    assert ("reserved-slug", 1) in found
