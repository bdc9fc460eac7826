"""The sandbox: whatever a task does, the caller gets an Outcome and the other tasks still run.

The task functions live in tests/fixtures/doctest_tasks/sandbox_tasks.py; the workers import that
module by name (with the caller's sys.path), like any target.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from glossary_gen.sandbox import Limits, Outcome, Task, report_progress, run_task, run_tasks

ME = "sandbox_tasks"
FAST = Limits(timeout=2.0, memory_mb=256, output_kb=16)


@pytest.fixture(autouse=True)
def tasks_module(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fixtures" / "doctest_tasks"))


def test_ok_returns_value_and_output():
    outcome = run_task(Task(f"{ME}:echo", 21), FAST)
    assert outcome.status == "ok" and outcome.ok
    assert outcome.value == {"doubled": 42}
    assert outcome.stdout == "printed 21\n"
    assert outcome.stderr == "to stderr\n"


@pytest.mark.parametrize(
    ("function", "status", "error"),
    [
        ("raise_value_error", "error", "ValueError: bad payload"),
        ("call_sys_exit", "error", "SystemExit: 3"),
        ("memory_bomb", "memory", "MemoryError"),
        ("call_os_exit", "exit", "process exited with status 4 before the task returned"),
        ("segfault", "crash", "killed by SIGSEGV (Segmentation fault)"),
        ("flood", "output", "wrote more than 16 KiB to stdout/stderr"),
        ("flood_stderr", "output", "wrote more than 16 KiB to stdout/stderr"),
        ("unpicklable", "error", None),
    ],
)
def test_each_failure_kind_becomes_an_outcome(function, status, error):
    outcome = run_task(Task(f"{ME}:{function}"), FAST)
    assert outcome.status == status, outcome
    if error is not None:
        assert outcome.error == error
    assert outcome.value is None


def test_exit_and_crash_details():
    exited, crashed = run_tasks([Task(f"{ME}:call_os_exit"), Task(f"{ME}:segfault")], FAST, 2)
    assert exited.exit_code == 4
    assert crashed.signal == 11
    assert "Segmentation fault" in crashed.stderr  # faulthandler says where


def test_timeout_kills_the_task_and_keeps_its_progress():
    started = time.monotonic()
    outcome = run_task(Task(f"{ME}:spin"), Limits(timeout=0.5))
    assert time.monotonic() - started < 3
    assert outcome.status == "timeout"
    assert outcome.error == "did not finish within 0.5 s"
    assert outcome.progress == "before the loop"


def test_a_bad_task_does_not_stop_the_others_and_order_is_kept():
    names = ["echo", "spin", "segfault", "call_os_exit", "flood", "echo"]
    done = []
    outcomes = run_tasks(
        [Task(f"{ME}:{n}", 1) for n in names],
        Limits(timeout=1.0, output_kb=16),
        jobs=2,
        on_done=lambda index, outcome: done.append(index),
    )
    assert [o.status for o in outcomes] == ["ok", "timeout", "crash", "exit", "output", "ok"]
    assert outcomes[-1].value == {"doubled": 2}
    assert sorted(done) == list(range(len(names)))


def test_tasks_run_in_parallel():
    started = time.monotonic()
    outcomes = run_tasks([Task(f"{ME}:sleep", 0.6) for _ in range(2)], FAST, jobs=2)
    assert [o.value for o in outcomes] == [0.6, 0.6]
    assert time.monotonic() - started < 1.1


def test_environment_is_scrubbed_and_cwd_is_temporary(monkeypatch):
    monkeypatch.setenv("GLOSSARY_TEST_SECRET", "hunter2")
    outcome = run_task(Task(f"{ME}:environment"), Limits(env={"EXTRA": "1"}))
    env, cwd = outcome.value
    assert "GLOSSARY_TEST_SECRET" not in env
    assert env["EXTRA"] == "1"
    assert env["HOME"] == cwd and cwd != os.getcwd()
    assert not os.path.exists(cwd)  # removed after the task
    assert not os.path.exists(os.path.join(os.getcwd(), "scratch.txt"))


def test_tasks_do_not_see_each_others_state():
    outcomes = run_tasks([Task(f"{ME}:touch_state") for _ in range(4)], FAST, jobs=1)
    assert [o.value for o in outcomes] == [False] * 4


def test_unknown_target_is_an_error():
    outcome = run_task(Task("glossary_gen.no_such_module:run"), FAST)
    assert outcome.status == "error"
    assert outcome.error.startswith("cannot import glossary_gen.no_such_module:run")


def test_no_tasks_no_workers():
    assert run_tasks([], FAST) == []


def test_report_progress_is_a_no_op_outside_a_worker():
    report_progress("anything")
    assert Outcome("ok").ok
