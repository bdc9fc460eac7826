"""The worker process: the supervisor of its tasks, PID 1 of its namespace when isolated.

Started by the caller (:mod:`.pool`) with a bootstrap that imports :func:`serve`, it reads one
task message at a time from fd 0, forks a child per task (:mod:`.child`), watches it
(:mod:`.watch`), cleans up after it (every other process, the private ``/tmp``) and writes one
outcome per task to fd 1.  It handles no signal and is not dumpable, so its tasks cannot reach it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, cast

from glossary_gen.run.sandbox.child import run_child
from glossary_gen.run.sandbox.kernel import (
    PR_SET_DUMPABLE,
    PR_SET_PDEATHSIG,
    prctl,
    prepare_no_processes,
)
from glossary_gen.run.sandbox.protocol import (
    Outcome,
    TaskFunction,
    TaskLimits,
    TaskMessage,
    WorkerStart,
    read_frame,
    write_frame,
)
from glossary_gen.run.sandbox.watch import watch

if TYPE_CHECKING:
    from glossary_gen.run.sandbox.kernel import NoProcesses

#: The seccomp filter each task's child loads (built once per worker by :func:`serve`).
_no_processes: NoProcesses | None = None


def serve(init: WorkerStart) -> None:
    """Worker main loop: one task at a time from fd 0, one outcome each to fd 1."""
    parent = os.getppid()
    isolated = bool(init.get("isolated"))
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if not isolated and os.getppid() != parent:  # pragma: no cover - the caller died first
        os._exit(1)
    # Not dumpable: a task (same uid, no capabilities) can neither ptrace this process nor open
    # its /proc/<pid>/fd, mem, environ or cwd.
    prctl(PR_SET_DUMPABLE, 0)
    # As PID 1 of its namespace, signals from tasks reach it only if it handles them: it does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # The protocol moves off fds 0/1 so that nothing a child inherits can reach it.
    commands, replies = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    for name in init.get("preload", ()):
        # the task reports the import error itself
        with contextlib.suppress(Exception):
            __import__(name)
    global _no_processes
    _no_processes = prepare_no_processes()
    functions: dict[str, TaskFunction] = {}
    while True:
        received = read_frame(commands)
        if received is None:
            return
        message = cast(TaskMessage, received)  # from the caller, which is trusted
        target, payload, limits = message["target"], message["payload"], message["limits"]
        try:
            function = functions.get(target)
            if function is None:
                function = functions[target] = _resolve(target)
                # Objects that exist now are shared with every child; keep the children's garbage
                # collector off them so it does not copy those pages on each fork.
                gc.collect()
                gc.freeze()
        except Exception as exc:  # noqa: BLE001 - reported as the task's outcome
            outcome = Outcome(
                "error", error=f"cannot import {target}: {exc}", error_type=type(exc).__name__
            )
        else:
            outcome = _supervise(function, payload, limits, init)
        write_frame(replies, asdict(outcome))


def _resolve(target: str) -> TaskFunction:
    import importlib

    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"target {target!r} must look like 'package.module:function'")
    obj: object = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{target} is not a function")
    return cast(TaskFunction, obj)


def _supervise(
    function: TaskFunction, payload: object, limits: TaskLimits, init: WorkerStart
) -> Outcome:
    root, isolated = init["root"], bool(init.get("isolated"))
    workdir = tempfile.mkdtemp(prefix="task-", dir=root)
    # A socket, not a pipe: the task could reopen a pipe through /proc/self/fd for reading and
    # take back records it had already committed (report_record) before the watch reads them.
    result_r, result_w = (s.detach() for s in socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    baseline = _thread_count() if isolated else 0
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (covered through the tests' outcomes)
        fds = (result_w, out_w, err_w)
        run_child(function, payload, limits, workdir, fds, isolated, baseline, _no_processes)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    for fd in (result_w, out_w, err_w):
        os.close(fd)
    try:
        return watch(pid, started, limits, result_r, out_r, err_r, isolated)
    finally:
        for fd in (result_r, out_r, err_r):
            os.close(fd)
        if isolated:
            _empty(root, init.get("keep", ()))
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _thread_count() -> int:
    """Processes and threads of this namespace (the supervisor's own, normally 1)."""
    try:
        return sum(len(os.listdir(f"/proc/{p}/task")) for p in os.listdir("/proc") if p.isdigit())
    except OSError:
        return 1


def _empty(folder: str, keep: Sequence[str] = ()) -> None:
    """Remove everything in ``folder``, whatever permissions a task gave it, except the read-only
    mounts in ``keep`` (and the folders leading to them)."""

    def unlock(function: Callable[..., object], path: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path in keep:
            continue
        if any(k.startswith(path + "/") for k in keep):
            _empty(path, keep)
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=unlock)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)
