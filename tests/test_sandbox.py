"""The sandbox: whatever a task does, the caller gets an Outcome and the other tasks still run.

The task functions live in tests/fixtures/doctest_tasks/sandbox_tasks.py; the workers import that
module by name (with the caller's sys.path), like any target.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from pathlib import Path

import pytest

from glossary_gen.cli import main
from glossary_gen.run import sandbox
from glossary_gen.run.sandbox import (
    Limits,
    Outcome,
    Task,
    matches,
    report_progress,
    run_task,
    run_tasks,
)

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
    # The two sleeps overlap in time: asked of their spans, not of a wall-clock total, so that a
    # busy machine (the suite's other worker) makes the test slower, never wrong.
    outcomes = run_tasks([Task(f"{ME}:sleep_span", 0.6) for _ in range(2)], FAST, jobs=2)
    (began_a, ended_a), (began_b, ended_b) = (o.value for o in outcomes)
    assert max(began_a, began_b) < min(ended_a, ended_b)


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


# --- the boundary: JSON of a fixed shape, nothing else ------------------------------------------


def test_only_json_crosses_the_boundary():
    outcome = run_task(Task(f"{ME}:returns_a_set"), FAST)
    assert outcome.status == "error"
    assert outcome.error.startswith("return value is not JSON data")


def test_a_pickle_in_the_result_pipe_is_an_error_and_is_never_unpickled(tmp_path):
    sentinel = tmp_path / "unpickled"
    outcome = run_task(Task(f"{ME}:forged_reply", str(sentinel)), FAST)
    assert (outcome.status, outcome.error) == ("error", "unreadable reply from the task")
    assert not sentinel.exists()


def test_a_result_of_another_shape_is_an_error():
    assert run_task(Task(f"{ME}:echo", 1, {"doubled": int}), FAST).value == {"doubled": 2}
    wrong = run_task(Task(f"{ME}:echo", 1, {"doubled": str}), FAST)
    assert (wrong.status, wrong.value) == ("error", None)
    assert wrong.error == "the task's result does not have the expected shape"


@pytest.mark.parametrize(
    ("value", "shape", "expected"),
    [
        (1, int, True),
        (True, int, False),
        (1, float, True),
        (None, (str, None), True),
        ("x", (int, None), False),
        ([1, 2], [int], True),
        ([1, "2"], [int], False),
        ({"a": 1}, {"a": int, "b?": str}, True),
        ({"a": 1, "b": "x"}, {"a": int, "b?": str}, True),
        ({"b": "x"}, {"a": int, "b?": str}, False),
        ({"a": 1, "c": 2}, {"a": int}, False),
        ({"any": [1.5, None]}, {str: [(float, None)]}, True),
        ({"any": ["x"]}, {str: [(float, None)]}, False),
    ],
)
def test_shapes(value, shape, expected):
    assert matches(value, shape) is expected


def test_a_task_may_use_threads_but_not_start_processes():
    refused, threads = run_tasks(
        [Task(f"{ME}:start_process"), Task(f"{ME}:start_threads", 3)], FAST, 1
    )
    assert refused.value == "refused: Resource temporarily unavailable"
    assert threads.value == 3
    allowed = run_task(Task(f"{ME}:start_process"), dataclasses.replace(FAST, fork=True))
    assert allowed.value == "started"


def test_numpy_imports_in_the_sandbox():
    pytest.importorskip("numpy")
    outcome = run_task(Task(f"{ME}:numpy_sum", 4), FAST)
    assert (outcome.status, outcome.value) == ("ok", 6), outcome


# --- isolation ----------------------------------------------------------------------------------


@pytest.fixture
def isolated(monkeypatch):
    """Bubblewrap, or skip (fail where GLOSSARY_REQUIRE_SANDBOX=1, as in CI)."""
    monkeypatch.setenv("GLOSSARY_SANDBOX", "bubblewrap")
    try:
        return sandbox.isolation()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("GLOSSARY_REQUIRE_SANDBOX", "") not in ("", "0"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def test_a_task_sees_neither_the_project_nor_the_cache_key(isolated):
    root = Path(__file__).parent.parent
    from glossary_gen.core.config import key_folder

    tests = root / "tests" / "test_sandbox.py"
    paths = [root / "entries", root / ".git", tests, key_folder(), root / "glossary_gen"]
    paths.append(Path("/glossary/pkg/glossary_gen"))
    outcome = run_task(Task(f"{ME}:exists", [str(p) for p in paths]), FAST)
    # the package only, read-only, and not at the host's path (which names the project's folder)
    assert outcome.value == [False, False, False, False, False, True]


def test_the_supervisor_is_out_of_reach_of_its_tasks(isolated):
    peek, after = run_tasks([Task(f"{ME}:peek_at_the_supervisor"), Task(f"{ME}:echo", 5)], FAST, 1)
    assert peek.value == {
        "environ": "PermissionError",
        "mem": "PermissionError",
        "cwd": "PermissionError",
        "root": "PermissionError",
        "fd/1": "PermissionError",
        "fd/3": "PermissionError",
        "ptrace": "refused",
    }  # (SIGSTOP and SIGKILL to PID 1 "succeed": the kernel drops them)
    assert after.value == {"doubled": 10}  # the same worker, alive


def test_nothing_a_task_starts_outlives_it(isolated):
    token = f"sandbox-daemon-{os.getpid()}-{time.monotonic_ns()}"
    forking = dataclasses.replace(FAST, fork=True)
    daemon, after = run_tasks(
        [Task(f"{ME}:leave_a_daemon", token), Task(f"{ME}:processes_and_tmp")], forking, 1
    )
    assert daemon.status == "ok" and daemon.value >= 3  # it did start (PID 1, itself, the daemon)
    assert after.value["pids"] == [1, after.value["me"]]  # the next task is alone with PID 1
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            assert token.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_a_task_leaves_nothing_in_tmp_for_the_next(isolated):
    planted, after = run_tasks(
        [Task(f"{ME}:plant_in_tmp"), Task(f"{ME}:processes_and_tmp")], FAST, 1
    )
    assert "planted" in planted.value and "locked" in planted.value
    # A checkout under /tmp (a CI runner's, say) shows up as the mount point of the read-only
    # runtime (the venv, the package); nothing the first task made is left.
    runtime = {
        Path(p).resolve().relative_to("/tmp").parts[0]
        for p in (sys.prefix, sandbox.__file__)
        if Path(p).resolve().is_relative_to("/tmp")
    }
    left = [name for name in after.value["tmp"] if name not in runtime]
    assert len(left) == 1 and left[0].startswith("task-"), after.value["tmp"]


def test_isolation_is_named_and_can_be_required(monkeypatch, capsys):
    passing = Path(__file__).parent / "fixtures" / "doctest_passing"
    monkeypatch.delenv("GLOSSARY_REQUIRE_SANDBOX", raising=False)
    monkeypatch.setenv("GLOSSARY_SANDBOX", "process")
    where = sandbox.isolation()
    assert where.kind == "process" and not where.isolated
    assert "not isolated" in where.warning and "\n" not in where.warning
    assert main(["check", "--entries", str(passing), "--no-cache"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == where.warning  # one line saying what is not isolated
    assert err[1].endswith("(doctests in worker processes, NOT isolated)")
    monkeypatch.setenv("GLOSSARY_REQUIRE_SANDBOX", "1")
    with pytest.raises(sandbox.SandboxUnavailable, match="contradicts"):
        sandbox.isolation()
    monkeypatch.delenv("GLOSSARY_SANDBOX")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sandbox.SandboxUnavailable, match="not installed"):
        sandbox.isolation()
    assert main(["check", "--entries", str(passing), "--no-cache"]) == 2
    assert "must run isolated (GLOSSARY_REQUIRE_SANDBOX=1)" in capsys.readouterr().err
    monkeypatch.setenv("GLOSSARY_SANDBOX", "nonsense")
    with pytest.raises(sandbox.SandboxUnavailable, match="not a sandbox"):
        sandbox.isolation()


def test_check_names_the_isolation_that_ran(isolated, capsys):
    passing = Path(__file__).parent / "fixtures" / "doctest_passing"
    assert main(["check", "--entries", str(passing), "--no-cache"]) == 0
    # The project's mkdocs.yml configures French: a second line reports the missing translations.
    lines = capsys.readouterr().err.strip().splitlines()
    summary = [line for line in lines if not line.startswith("glossary-gen: translations:")]
    assert len(summary) == 1  # no warning
    assert summary[0].endswith(
        f"(doctests isolated by bubblewrap {isolated.version}: user/pid/net/mount/ipc namespaces)"
    )


def test_the_blank_file_is_one_per_user_and_kept(monkeypatch, tmp_path):
    """The empty file bound over host identifiers is made once per user, not once per process
    (each killed process used to leave its own in /tmp)."""
    import tempfile

    from glossary_gen.run.sandbox import bubblewrap

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for _process in range(3):  # as three processes, one after the other
        monkeypatch.setattr(bubblewrap, "_empty", [])
        path = bubblewrap._empty_file()
    assert [p.name for p in tmp_path.iterdir()] == [f"glossary-sandbox-empty-{os.getuid()}"]
    assert path == str(tmp_path / f"glossary-sandbox-empty-{os.getuid()}")
    assert os.path.getsize(path) == 0
    assert os.stat(path).st_mode & 0o222 == 0


@pytest.mark.parametrize("planted", ["link", "writable", "content"])
def test_a_planted_blank_file_is_not_used(monkeypatch, tmp_path, planted):
    """Someone else's file (or link) at the shared name is never bound into a sandbox: the
    process makes its own."""
    import tempfile

    from glossary_gen.run.sandbox import bubblewrap

    secret = tmp_path / "secret"
    secret.write_text("host secret")
    shared = tmp_path / f"glossary-sandbox-empty-{os.getuid()}"
    if planted == "link":
        shared.symlink_to(secret)
    else:
        shared.write_text("" if planted == "writable" else "not empty")
        shared.chmod(0o644 if planted == "writable" else 0o444)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(bubblewrap, "_empty", [])
    path = bubblewrap._empty_file()
    assert path != str(shared)
    assert os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) == 0
    assert secret.read_text() == "host secret"
