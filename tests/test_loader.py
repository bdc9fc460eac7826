"""Loading entries: line numbers survive, hostile files become located diagnostics, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from glossary_gen.core.loader import (
    MAX_DEPTH,
    MAX_ENTRY_BYTES,
    load_entries,
    load_entry,
    parse_body,
)

FIXTURES = Path(__file__).parent / "fixtures"

ENTRY = """---
title: ReLU
aliases: [Rectified Linear Unit]
related:
  - Activation Function
  - Sigmoid Function
---
### Summary

ReLU keeps positives.

### ELI5

A gate.

### In-depth explanation

See [[Activation Function]] and [[Sigmoid Function|the sigmoid]].

```python
>>> max(0, -1)
0
```
"""


def load_text(tmp_path: Path, text: str | bytes, name: str = "relu.md"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_entry(path)


def test_every_part_knows_its_source_line(tmp_path):
    entry, problems = load_text(tmp_path, ENTRY)
    assert problems == []
    assert entry.slug == "relu" and entry.title == "ReLU"
    assert [(r.value, r.line, r.column) for r in entry.related] == [
        ("Activation Function", 5, 5),
        ("Sigmoid Function", 6, 5),
    ]
    assert entry.position("aliases") == (3, 1)
    assert [(s.title, s.line) for s in entry.sections] == [
        ("Summary", 8),
        ("ELI5", 12),
        ("In-depth explanation", 16),
    ]
    assert entry.summary == "ReLU keeps positives."
    assert [(w.target, w.text, w.line, w.column) for w in entry.wikilinks] == [
        ("Activation Function", None, 18, 5),
        ("Sigmoid Function", "the sigmoid", 18, 33),
    ]
    (block,) = entry.code_blocks
    assert block.is_doctest and block.line == 21 and block.code == ">>> max(0, -1)\n0\n"


def test_bom_and_crlf_are_accepted_with_the_same_lines(tmp_path):
    plain, _ = load_text(tmp_path, ENTRY)
    crlf, problems = load_text(
        tmp_path, b"\xef\xbb\xbf" + ENTRY.replace("\n", "\r\n").encode(), "other.md"
    )
    assert problems == []
    assert [(s.title, s.line) for s in crlf.sections] == [(s.title, s.line) for s in plain.sections]
    assert crlf.code_blocks[0].code == plain.code_blocks[0].code
    assert crlf.title == "ReLU"


def test_oversized_file_is_refused_before_parsing(tmp_path):
    started = time.process_time()
    entry, problems = load_text(tmp_path, ENTRY + "x" * (MAX_ENTRY_BYTES + 10))
    assert entry is None
    assert [p.code for p in problems] == ["file-too-large"]
    assert time.process_time() - started < 1


def test_alias_bomb_is_refused_quickly_without_expanding(tmp_path):
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 30):  # 9**30 leaves if anything expanded it
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    text = "---\ntitle: Bomb\n" + "\n".join(levels) + "\n---\n### Summary\n\nS.\n"
    started = time.process_time()
    entry, problems = load_text(tmp_path, text)
    assert entry is None
    assert [(p.code, p.line) for p in problems] == [("yaml-alias", 4)]
    assert time.process_time() - started < 1


# What a user sees must not depend on which layer refuses first: our depth check, or the nesting
# limit that libyaml itself enforces from PyYAML 6.0.3 on (1,000 levels, refused while scanning).
FLOW_COLUMN = len("x: ") + MAX_DEPTH + 1  # the first list nested more than MAX_DEPTH deep
TOO_DEEP = f"front matter is nested more than {MAX_DEPTH} levels deep"


@pytest.mark.parametrize(
    "depth",
    [MAX_DEPTH + 1, 999, 30_000],  # ours alone; just under libyaml's limit; far past it
)
def test_deeply_nested_flow_yaml_is_one_located_error_whoever_refuses(tmp_path, depth):
    text = "---\ntitle: Deep\nx: " + "[" * depth + "]" * depth + "\n---\n"
    entry, problems = load_text(tmp_path, text)
    assert entry is None
    assert [(p.code, p.line, p.column, p.message) for p in problems] == [
        ("yaml-too-deep", 3, FLOW_COLUMN, TOO_DEEP)
    ]


@pytest.mark.parametrize(
    "body",
    [
        "".join("  " * i + "-\n" for i in range(MAX_DEPTH + 5)),  # block lists, one per line
        "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 5)),  # block mappings
        "- " * 1_500 + "1\n",  # compact lists on one line: past libyaml's own limit
    ],
    ids=["lists", "mappings", "compact-lists"],
)
def test_deeply_nested_block_yaml_is_one_located_error(tmp_path, body):
    entry, problems = load_text(tmp_path, "---\ntitle: Deep\nx:\n" + body + "---\n")
    assert entry is None
    assert [(p.code, p.message) for p in problems] == [("yaml-too-deep", TOO_DEEP)]


def test_nesting_at_the_limit_is_accepted(tmp_path):
    deep = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    text = f"---\ntitle: Deep\ntags: {deep}\n---\n"
    _entry, problems = load_text(tmp_path, text)
    assert "yaml-too-deep" not in [p.code for p in problems]


def test_python_tags_are_never_constructed(tmp_path):
    text = "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n"
    entry, problems = load_text(tmp_path, text)
    assert entry is None
    assert problems[0].code == "yaml-tag" and problems[0].line == 2


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system", "!!python/name:os.system"),  # a scalar tag, never looked up
        ("!!binary aGk=", "!!binary"),
        ("!custom x", "!custom"),
    ],
)
def test_scalar_tags_are_refused_at_the_value(tmp_path, value, tag):
    entry, problems = load_text(tmp_path, f"---\ntitle: T\ndraft: {value}\n---\n")
    assert entry is None
    assert [(p.code, p.line, p.column, p.message) for p in problems] == [
        ("yaml-tag", 3, 8, f"YAML tag '{tag}' is not allowed in front matter")
    ]


def test_a_control_character_in_yaml_is_located(tmp_path):
    entry, problems = load_text(tmp_path, "---\ntitle: T\naliases: [ééé\x01]\n---\n")
    assert entry is None
    assert [p.format_text().split(": ", 1)[1] for p in problems] == [
        "error[yaml-syntax]: invalid YAML in front matter: "
        "control characters are not allowed (U+0001)"
    ]
    assert (problems[0].line, problems[0].column) == (3, 14)


def test_a_value_python_cannot_read_is_located_not_a_traceback(tmp_path):
    entry, problems = load_text(tmp_path, "---\ntitle: T\ndraft: 1" + "0" * 5000 + "\n---\n")
    assert entry is None
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-value", 3, 8)]
    assert "as a whole number in front matter" in problems[0].message


def test_dates_and_keys_stay_the_text_written(tmp_path):
    text = "---\ntitle: T\nupdated: 2024-02-30\non: yes\n1: one\n---\n"
    entry, problems = load_text(tmp_path, text)
    assert problems == []  # an impossible date is the schema's to report, not a crash
    assert entry.meta == {"title": "T", "updated": "2024-02-30", "on": True, "1": "one"}
    assert entry.position("on") == (4, 1)


def test_non_mapping_front_matter(tmp_path):
    entry, problems = load_text(tmp_path, "---\n- a\n- b\n---\nbody\n")
    assert entry is None and problems[0].code == "front-matter-not-mapping"


def test_body_parser_ignores_markup_inside_code_and_comments():
    lines = [
        "### Summary",
        "",
        "Text [[One]].",
        "",
        "````markdown",
        "### not a heading",
        "[[Not A Link]]",
        "```",
        "still code",
        "````",
        "",
        "<!-- [[Hidden]]",
        "still hidden [[Hidden Too]] -->",
        "after `[[code]]` comes [[Two|two]]",
        "## ELI5",
        "  ```pycon",
        "  >>> 1",
        "  1",
        "  ```",
    ]
    sections, blocks, links = parse_body(lines, 10)
    assert [(s.title, s.level, s.line) for s in sections] == [("Summary", 3, 10), ("ELI5", 2, 24)]
    assert [(b.language, b.line, b.end_line) for b in blocks] == [
        ("markdown", 15, 19),
        ("pycon", 26, 28),
    ]
    assert blocks[1].code == ">>> 1\n1\n"
    assert [(w.target, w.line, w.column) for w in links] == [("One", 12, 6), ("Two", 23, 24)]


def test_load_entries_keeps_going_after_bad_files():
    entries, problems = load_entries(FIXTURES / "no_front_matter" / "entries")
    assert entries == [] and len(problems) == 2
    entries, problems = load_entries(FIXTURES / "valid" / "entries")
    assert problems == [] and len(entries) == 4


def test_depth_guard_is_the_same_without_libyaml(tmp_path, monkeypatch):
    """PyYAML built without libyaml (pure Python) has no nesting limit of its own."""
    from glossary_gen.core import (
        untrusted_yaml,
    )  # the one YAML reader (front matter, fence options)

    class PurePythonLoader(yaml.SafeLoader):
        pass

    monkeypatch.setattr(untrusted_yaml, "_Loader", PurePythonLoader)
    text = "---\ntitle: Deep\nx: " + "[" * 3_000 + "]" * 3_000 + "\n---\n"
    entry, problems = load_text(tmp_path, text)
    assert entry is None
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-too-deep", 3, FLOW_COLUMN)]


def test_a_file_longer_than_fstat_said_is_still_read_to_the_limit(tmp_path: Path) -> None:
    """The loader asks for the size fstat gave; a file that grew meanwhile is read on (in chunks)
    and still stops one byte past the limit, so the size check sees it."""
    import os

    from glossary_gen.core.loader import _read_at_most

    data = bytes(range(256)) * 800  # 204,800 bytes: several chunks
    path = tmp_path / "grown.md"
    path.write_bytes(data)
    for expected in (0, 10, len(data)):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            assert _read_at_most(descriptor, len(data) + 1, expected) == data
        finally:
            os.close(descriptor)
        descriptor = os.open(path, os.O_RDONLY)
        try:
            assert _read_at_most(descriptor, 100_001, expected) == data[:100_001]
        finally:
            os.close(descriptor)


def test_the_fast_resolver_tags_every_node_as_the_safe_loader_does() -> None:
    """untrusted_yaml's loader answers the composer's tag questions itself; the tags must be the
    safe loader's, for every kind of scalar YAML reads implicitly."""
    import yaml

    from glossary_gen.core import untrusted_yaml

    text = """
a: 3
b: -0x1F
c: 0o17
d: 1_000
e: 3.5e+3
f: .inf
g: -.NaN
h: true
i: off
j: ~
k: null
l:
m: 2024-01-31
n: 2024-01-31 10:00:00Z
o: '3'
p: "true"
q: =
r: <<
s: [1, x, '', "", 'quoted', yes, No, 0b101]
t: {u: 1.0, v: plain text, w: -}
x: |
  block
y: >-
  folded
"""

    def tags(node: yaml.Node) -> list[tuple[str, str]]:
        if isinstance(node, yaml.ScalarNode):
            return [(node.value, node.tag)]
        if isinstance(node, yaml.SequenceNode):
            return [("[", node.tag)] + [t for item in node.value for t in tags(item)]
        return [("{", node.tag)] + [t for k, v in node.value for t in tags(k) + tags(v)]

    ours = tags(yaml.compose(text, Loader=untrusted_yaml._Loader))
    assert ours == tags(yaml.compose(text, Loader=yaml.SafeLoader))
    assert ("3", "tag:yaml.org,2002:int") in ours and ("'3'", "") not in ours
    assert ("2024-01-31", "tag:yaml.org,2002:timestamp") in ours


def test_the_loader_makes_parts_as_their_constructors_do() -> None:
    from dataclasses import fields

    from glossary_gen.core import loader
    from glossary_gen.core.model import Located, Section, WikiLink

    made = (
        (loader._located("a", 1, 2), Located("a", 1, 2)),
        (loader._section("S", 2, 3, "text", 4), Section("S", 2, 3, "text", 4)),
        (loader._wikilink("t", None, 5, 6, "[[t]]"), WikiLink("t", None, 5, 6, "[[t]]")),
        (loader._wikilink("t", "x", 5, 6, "[[t|x]]"), WikiLink("t", "x", 5, 6, "[[t|x]]")),
    )
    for fast, usual in made:
        assert type(fast) is type(usual) and fast == usual and vars(fast) == vars(usual)
        # A field added to the model must be added to the loader's maker too.
        assert list(vars(fast)) == [f.name for f in fields(usual)]


def test_the_loader_makes_an_entry_as_its_constructor_does(tmp_path: Path) -> None:
    from dataclasses import fields

    from glossary_gen.core.loader import parse_entry
    from glossary_gen.core.model import Entry

    text = (
        "---\ntitle: T\naliases: [A]\nrelated: [R]\ntags: [t]\nrequires: [numpy]\n"
        "sources:\n  - title: B\n    url: https://example.org\n---\n"
        "## Summary\n\nS [[R]].\n\n<!--\n```python\n>>> 1\n1\n```\n-->\n"
        "```python\n>>> 2\n2\n```\n"
    )
    entry, problems = parse_entry(text.encode(), tmp_path / "t.md", "entries/t.md")
    assert entry is not None and problems == []
    usual = Entry(**{f.name: getattr(entry, f.name) for f in fields(Entry)})
    assert type(entry) is Entry and vars(entry) == vars(usual)
    # A field added to Entry must be set by the loader too, and nothing else.
    assert list(vars(entry)) == [f.name for f in fields(Entry)]
    assert entry.hidden_code and entry.code_blocks and entry.requires and entry.sources
