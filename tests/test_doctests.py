"""The doctest step: located diagnostics per failure kind, stdlib semantics, cache, CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.core.config import Settings
from glossary_gen.core.loader import load_entries
from glossary_gen.run import doctests
from glossary_gen.run.doctest_outcomes import from_outcome
from glossary_gen.run.doctests import (
    DoctestCache,
    cache_key,
    check_doctests,
    doctest_blocks,
    run_in_process,
)
from glossary_gen.run.sandbox import Outcome

FIXTURES = Path(__file__).parent / "fixtures"
FAILURES = FIXTURES / "doctest_failures"
PASSING = FIXTURES / "doctest_passing"

#: One diagnostic per failure kind: file, line, column, code, message.
EXPECTED_FAILURES = [
    (
        "exception.md",
        17,
        1,
        "doctest",
        "example `values[10]` raised IndexError: list index out of range (expected '3')",
    ),
    (
        "infinite-loop.md",
        18,
        1,
        "doctest-timeout",
        "example `while True:` did not finish within the 1 s limit for the entry (infinite loop?)",
    ),
    (
        "memory-bomb.md",
        16,
        1,
        "doctest-memory",
        "example `blob = bytearray(2 ** 40)` went over the memory limit of 256 MB (MemoryError)",
    ),
    (
        "os-exit.md",
        17,
        1,
        "doctest-exit",
        "example `os._exit(4)` ended the worker process (exit status 4); examples must not exit the interpreter",
    ),
    (
        "output-flood.md",
        16,
        1,
        "doctest-output",
        "example `while True:` printed more than the output limit of 16 KiB",
    ),
    (
        "parse-error.md",
        17,
        1,
        "doctest-parse",
        "doctest cannot parse this example: lacks blank after >>>: '>>>print(x)'",
    ),
    (
        "segfault.md",
        17,
        1,
        "doctest-crash",
        "example `ctypes.string_at(0)` crashed the worker process: killed by SIGSEGV (Segmentation fault)",
    ),
    (
        "sys-exit.md",
        17,
        1,
        "doctest-exit",
        "example `sys.exit(3)` called sys.exit() (SystemExit: 3); examples must not exit the interpreter",
    ),
    (
        "wrong-output.md",
        27,
        1,
        "doctest",
        "example `relu(-1.5)` failed: expected '-1.5', got '0.0'",
    ),
]


def settings_for(entries_dir: Path, **changes) -> Settings:
    base = Settings(
        entries_dir=entries_dir,
        doctest_timeout=1.0,
        doctest_memory_mb=256,
        doctest_output_kb=16,
        cache_dir=None,
        jobs=2,
    )
    return dataclasses.replace(base, **changes)


def located(diagnostics) -> list[tuple]:
    return sorted((Path(d.path).name, d.line, d.column, d.code, d.message) for d in diagnostics)


@pytest.fixture(scope="module")
def failures():
    entries, problems = load_entries(FAILURES)
    assert problems == []
    return check_doctests(entries, settings_for(FAILURES))


def test_each_failure_kind_is_reported_at_its_example(failures):
    _results, diagnostics = failures
    assert located(diagnostics) == EXPECTED_FAILURES
    assert all(d.is_error for d in diagnostics)


def test_each_failure_kind_has_its_status(failures):
    results, _ = failures
    assert {slug: r.status for slug, r in results.items()} == {
        "exception": "failed",
        "infinite-loop": "timeout",
        "memory-bomb": "memory",
        "no-examples": "empty",
        "os-exit": "exit",
        "output-flood": "output",
        "parse-error": "error",
        "segfault": "crash",
        "sys-exit": "exit",
        "wrong-output": "failed",
    }


def test_results_say_which_blocks_and_examples_passed(failures):
    results, _ = failures
    wrong = results["wrong-output"]
    assert (wrong.attempted, wrong.failed, wrong.cached) == (4, 1, False)
    assert [(b.index, b.line, b.status) for b in wrong.blocks] == [
        (0, 18, "passed"),
        (1, 27, "failed"),
    ]
    assert [e.status for e in wrong.blocks[1].examples] == ["failed", "passed"]
    assert wrong.blocks[1].examples[0].got == "0.0\n"
    loop = results["infinite-loop"]
    assert [e.status for e in loop.blocks[0].examples] == ["passed", "timeout", "not-run"]
    # sys.exit() is reported, and (as with python -m doctest) the next example still runs
    assert [e.status for e in results["sys-exit"].blocks[0].examples] == [
        "passed",
        "exit",
        "passed",
    ]
    assert results["no-examples"].blocks == ()


def test_passing_cases_pass():
    entries, problems = load_entries(PASSING)
    assert problems == []
    results, diagnostics = check_doctests(entries, settings_for(PASSING))
    assert diagnostics == []
    flags = results["flags"]
    assert (flags.status, flags.attempted, flags.failed, flags.skipped) == ("passed", 4, 0, 1)
    shared = results["shared-namespace"]
    assert shared.status == "passed"
    # the indented block counts, the `text` fence does not; columns follow the indentation
    assert [b.index for b in shared.blocks] == [0, 1]
    assert shared.blocks[0].examples[0].column == 5


def stdlib_doctest_passes(entry, tmp_path: Path) -> bool:
    """What ``python -m doctest`` says about the same examples (the fences' code, in order)."""
    text = "\n".join(block.code for _, block in doctest_blocks(entry))
    path = tmp_path / f"{entry.slug}.txt"
    path.write_text(text, encoding="utf-8")
    return (
        subprocess.run(
            [sys.executable, "-m", "doctest", str(path)],
            capture_output=True,
            timeout=30,
            check=False,
        ).returncode
        == 0
    )


@pytest.mark.parametrize(
    ("folder", "slug"),
    [
        (PASSING, "flags"),
        (PASSING, "shared-namespace"),
        (FAILURES, "wrong-output"),
        (FAILURES, "exception"),
        (FAILURES, "sys-exit"),
    ],
)
def test_same_verdict_as_python_m_doctest(folder, slug, tmp_path):
    entries, _ = load_entries(folder)
    entry = next(e for e in entries if e.slug == slug)
    results, _ = check_doctests([entry], settings_for(folder))
    assert results[slug].passed == stdlib_doctest_passes(entry, tmp_path)


def test_in_process_floor_agrees():
    entries, _ = load_entries(PASSING)
    assert [r.failed for r in run_in_process(entries)] == [0, 0]


# --- cache --------------------------------------------------------------------------------------

ENTRY = """---
title: Cached
---
### Summary

{prose}

### ELI5

Simple.

### In-depth explanation

```python
>>> {code}
2
```
"""


def write(entries: Path, prose: str = "Some prose.", code: str = "1 + 1") -> None:
    entries.mkdir(exist_ok=True)
    (entries / "cached.md").write_text(ENTRY.format(prose=prose, code=code), encoding="utf-8")


def run(entries: Path, cache: Path | None):
    loaded, _ = load_entries(entries)
    return check_doctests(loaded, settings_for(entries, cache_dir=cache))


@pytest.fixture
def no_workers(monkeypatch):
    """Fail if anything would be run (i.e. the result did not come from the cache)."""

    def refuse(tasks, *args, **kwargs):
        raise AssertionError(f"{len(tasks)} task(s) run despite the cache")

    monkeypatch.setattr(doctests, "run_tasks", refuse)


def test_cache_hit_runs_nothing(tmp_path, monkeypatch):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries)
    first, _ = run(entries, cache)
    assert first["cached"].status == "passed" and not first["cached"].cached
    assert len(list((cache / "doctests").glob("*.json"))) == 1
    monkeypatch.setattr(doctests, "run_tasks", lambda *a, **k: pytest.fail("ran despite the cache"))
    second, diagnostics = run(entries, cache)
    assert second["cached"].cached and second["cached"].status == "passed" and diagnostics == []


def test_editing_prose_keeps_the_cache_and_moves_the_report(tmp_path, monkeypatch):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries, code="1 + 2")
    _, before = run(entries, cache)
    assert [(d.line, d.code) for d in before] == [(15, "doctest")]
    write(entries, prose="Longer prose.\n\nIn two paragraphs.", code="1 + 2")
    monkeypatch.setattr(
        doctests, "run_tasks", lambda *a, **k: pytest.fail("prose edit invalidated the cache")
    )
    results, after = run(entries, cache)
    assert results["cached"].cached
    assert [(d.line, d.code, d.message) for d in after] == [
        (17, "doctest", "example `1 + 2` failed: expected '2', got '3'")
    ]


def test_editing_code_or_runtime_misses(tmp_path, monkeypatch):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries)
    run(entries, cache)
    write(entries, code="4 // 2")
    results, _ = run(entries, cache)
    assert not results["cached"].cached
    monkeypatch.setattr(doctests, "runtime_fingerprint", lambda: "another python")
    results, _ = run(entries, cache)
    assert not results["cached"].cached


@pytest.mark.parametrize(
    "garbage", ["", "{not json", '{"version": 1, "result": {"status": "passed"}}', "[]"]
)
def test_corrupt_cache_is_rebuilt(tmp_path, garbage):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries)
    run(entries, cache)
    (path,) = (cache / "doctests").glob("*.json")
    path.write_text(garbage, encoding="utf-8")
    results, diagnostics = run(entries, cache)
    assert (
        results["cached"].status == "passed" and not results["cached"].cached and diagnostics == []
    )
    assert json.loads(path.read_text(encoding="utf-8"))["result"]["status"] == "passed"


def test_missing_cache_folder_is_rebuilt_and_none_means_no_cache(tmp_path):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries)
    run(entries, cache)
    shutil.rmtree(cache)
    results, _ = run(entries, cache)
    assert not results["cached"].cached and (cache / "doctests").is_dir()
    results, _ = run(entries, None)
    assert not results["cached"].cached


def test_timeouts_are_not_cached(tmp_path):
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries, code="while True: pass")
    results, _ = run(entries, cache)
    assert results["cached"].status == "timeout"
    assert not (cache / "doctests").exists() or not list((cache / "doctests").glob("*.json"))


def test_cache_key_ignores_prose_but_not_limits(tmp_path):
    entries = tmp_path / "entries"
    write(entries)
    (entry,), _ = load_entries(entries)
    key = cache_key(entry, settings_for(entries))
    write(entries, prose="Other words.")
    (edited,), _ = load_entries(entries)
    assert cache_key(edited, settings_for(entries)) == key
    assert cache_key(entry, settings_for(entries, doctest_memory_mb=128)) != key
    assert DoctestCache(tmp_path).get(key) is None


# --- CLI and progress -----------------------------------------------------------------------------


def test_cli_check_exit_codes(capsys):
    assert main(["check", "--entries", str(PASSING), "--no-cache"]) == 0
    assert main(["check", "--entries", str(FAILURES), "--no-doctest"]) == 0
    capsys.readouterr()
    assert (
        main(["check", "--entries", str(FAILURES), "--no-cache", "--timeout", "1", "--jobs", "2"])
        == 1
    )
    out = capsys.readouterr().out
    assert (
        "wrong-output.md:27:1: error[doctest]: example `relu(-1.5)` failed: expected '-1.5', got '0.0'"
        in out
    )
    assert "infinite-loop.md:18:1: error[doctest-timeout]:" in out
    assert len(out.strip().splitlines()) == len(EXPECTED_FAILURES)


def test_cli_json_format(capsys):
    assert (
        main(
            [
                "check",
                "--entries",
                str(FAILURES),
                "--no-cache",
                "--timeout",
                "1",
                "--format",
                "json",
            ]
        )
        == 1
    )
    # The project's mkdocs.yml configures French: the JSON also lists each untranslated term
    # as an ``info`` item, which is not a problem.
    problems = [p for p in json.loads(capsys.readouterr().out) if p["severity"] != "info"]
    assert sorted((Path(p["path"]).name, p["line"], p["code"]) for p in problems) == [
        (name, line, code) for name, line, _col, code, _message in EXPECTED_FAILURES
    ]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch):
    for name in ("CI", "GITHUB_ACTIONS", "BUILD_NUMBER", "TF_BUILD", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    assert doctests._want_progress(None, 100, FakeTerminal())
    assert not doctests._want_progress(None, 3, FakeTerminal())  # short runs stay quiet
    assert not doctests._want_progress(None, 100, io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not doctests._want_progress(None, 100, FakeTerminal())
    stream = FakeTerminal()
    bar = doctests._ProgressBar(2, stream)
    bar.advance()
    bar.advance()
    bar.close()
    assert "doctests [" in stream.getvalue() and "2/2" in stream.getvalue()


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    write(tmp_path / "entries")
    run(tmp_path / "entries", None)
    assert capsys.readouterr().err == ""


# --- what crosses the boundary, and a cache that cannot be forged --------------------------------


def test_a_reply_that_does_not_fit_the_entry_is_an_error():
    payload = {"name": "x", "blocks": [">>> 1 + 1\n2\n"], "output_cap": 1024}
    good = {
        "blocks": [
            {
                "parse_error": None,
                "examples": [{"status": "passed", "got": "2\n", "detail": "", "exc": ""}],
            }
        ]
    }
    data = from_outcome(Outcome("ok", value=good), payload)
    assert data["status"] == "passed"
    # The verdict is the build's: a reply that says "passed" over the wrong output fails.
    lying = {
        "blocks": [
            {"parse_error": None, "examples": [{**good["blocks"][0]["examples"][0], "got": "3\n"}]}
        ]
    }
    assert from_outcome(Outcome("ok", value=lying), payload)["status"] == "failed"
    assert data["blocks"][0]["examples"][0]["source"] == "1 + 1\n"  # parsed here, not sent
    too_many = {"blocks": [{"parse_error": None, "examples": good["blocks"][0]["examples"] * 2}]}
    unknown = {
        "blocks": [
            {
                "parse_error": None,
                "examples": [{"status": "great", "got": "", "detail": "", "exc": ""}],
            }
        ]
    }
    for forged in (too_many, unknown, {"blocks": []}, {"blocks": good["blocks"] * 2}):
        data = from_outcome(Outcome("ok", value=forged), payload)
        assert data["status"] == "error"
        assert data["message"] == "the worker's reply does not match the entry's examples"


def test_cache_records_are_authenticated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    entries, cache = tmp_path / "entries", tmp_path / "cache"
    write(entries, code="1 + 2")  # fails: 3, not 2
    run(entries, cache)
    (record,) = (cache / "doctests").glob("*.json")
    data = json.loads(record.read_text(encoding="utf-8"))
    assert data["result"]["status"] == "failed" and len(data["mac"]) == 64
    key_file = tmp_path / "xdg" / "glossary-gen" / "cache.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    # a forger edits the verdict without the key: a miss, the example runs and fails again
    forged = record.read_bytes().replace(b'"status":"failed"', b'"status":"passed"')
    assert forged.count(b'"status":"passed"') == 2  # the entry's and its example's
    record.write_bytes(forged)
    results, diagnostics = run(entries, cache)
    assert not results["cached"].cached and [d.code for d in diagnostics] == ["doctest"]
    # a valid record moved to another entry's key is a miss too (the MAC covers the name)
    write(entries, code="1 + 1")
    run(entries, cache)
    passed = max((cache / "doctests").glob("*.json"), key=lambda p: p.stat().st_mtime)
    write(entries, code="1 + 2")
    (failing_key,) = set((cache / "doctests").glob("*.json")) - {passed}
    failing_key.write_bytes(passed.read_bytes())
    results, diagnostics = run(entries, cache)
    assert not results["cached"].cached and [d.code for d in diagnostics] == ["doctest"]


def test_a_key_others_can_read_is_replaced(tmp_path, monkeypatch):
    from glossary_gen.run import cache

    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "cache.key").write_bytes(b"k" * 32)
    (folder / "cache.key").chmod(0o644)
    key = cache.load_key(folder)
    assert key is not None and key != b"k" * 32
    assert (folder / "cache.key").stat().st_mode & 0o777 == 0o600
    assert cache.load_key(folder) == key


def test_a_cache_inside_the_repository_is_ignored(tmp_path, caplog):
    project = tmp_path / "project"
    project.mkdir()
    write(project / "entries")
    (project / ".git").mkdir()  # a repository
    settings = settings_for(project / "entries", cache_dir=project / ".glossary_cache")
    assert DoctestCache.for_settings(settings) is None
    assert "ignoring the cache folder" in caplog.text
    outside = settings_for(project / "entries", cache_dir=tmp_path / "cache")
    assert DoctestCache.for_settings(outside) is not None


def test_the_default_cache_is_the_users_not_the_projects(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GLOSSARY_CACHE_DIR", raising=False)
    assert Settings().cache_dir == tmp_path / "xdg" / "glossary-gen"
    monkeypatch.setenv("GLOSSARY_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert Settings().cache_dir == tmp_path / "elsewhere"
