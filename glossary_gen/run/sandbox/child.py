"""The task's own process: forked by the worker for each task, limited, then running the task.

:func:`run_child` gives the child four descriptors only (``/dev/null``, two output pipes and its
end of the result socket, fd 3: a socket, so that the task cannot reopen it through
``/proc/self/fd`` to read back what it already reported), a working folder of its own, the
resource limits and, last, the seccomp filters; then it calls the task's function and writes one
reply frame: ``{"ok": value}`` or
``{"error"|"memory": [type, message, traceback]}``.  It never returns: the child always ends
with ``os._exit``.  :func:`report_progress` is how the task, inside the child, leaves a marker,
:func:`report_record` how it commits a record that nothing it runs later can take back.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import tempfile
import traceback
from typing import TYPE_CHECKING

from glossary_gen.run.sandbox.kernel import PR_SET_PDEATHSIG, forbid_new_processes, prctl
from glossary_gen.run.sandbox.protocol import TaskFunction, TaskLimits, write_frame

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from glossary_gen.run.sandbox.kernel import NoProcesses

_progress_fd: int | None = None


def report_progress(marker: object) -> None:
    """Remember ``marker`` as the task's latest position (see :attr:`Outcome.progress`)."""
    if _progress_fd is not None:
        write_frame(_progress_fd, {"progress": marker})


def report_record(record: object) -> None:
    """Add ``record`` to the task's records (:attr:`Outcome.records`), for good: the worker keeps
    every record in the order it arrived, so code that runs later in the task can add records
    but never take one back or change it (a doctest's example is recorded before the next runs).
    """
    if _progress_fd is not None:
        write_frame(_progress_fd, {"record": record})


def run_child(
    function: TaskFunction,
    payload: object,
    limits: TaskLimits,
    workdir: str,
    fds: tuple[int, int, int],
    isolated: bool,
    baseline: int,
    no_processes: NoProcesses | None,
) -> None:  # pragma: no cover - child process
    global _progress_fd
    result_w, out_w, err_w = fds
    try:
        os.setpgid(0, 0)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(result_w, 3)
        os.closerange(4, os.sysconf("SC_OPEN_MAX"))
        _progress_fd = 3
        os.chdir(workdir)
        os.environ["HOME"] = os.environ["TMPDIR"] = workdir
        tempfile.tempdir = None
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        wanted_limits = [
            (resource.RLIMIT_AS, (limits.get("memory_mb") or 0) * 1024 * 1024),
            (resource.RLIMIT_FSIZE, (limits.get("file_size_mb") or 0) * 1024 * 1024),
        ]
        if isolated:
            # Counted per uid in the sandbox's own user namespace: this bounds the processes and
            # threads of the task, so memory for the whole task is memory_mb x processes.
            wanted_limits.append((resource.RLIMIT_NPROC, baseline + int(limits["processes"])))
        for which, wanted in wanted_limits:
            if wanted:
                _soft, hard = resource.getrlimit(which)
                if hard != resource.RLIM_INFINITY:
                    wanted = min(wanted, hard)
                resource.setrlimit(which, (wanted, wanted))
        faulthandler.enable(sys.stderr)
        # last: no memfd or System V IPC; and unless the task may fork, from here on it is one
        # process (the kernel does not apply RLIMIT_NPROC to uid 0, what the caller's root maps to)
        forbid_new_processes(no_processes, fork=bool(limits.get("fork")))
    except BaseException as exc:  # noqa: BLE001 - the child must exit, never unwind
        os.write(2, f"sandbox setup failed: {exc!r}\n".encode())
        os._exit(70)
    try:
        reply: dict[str, object] = {"ok": function(payload)}
    except BaseException as exc:  # noqa: BLE001 - entry code may raise anything, SystemExit too
        kind = "memory" if isinstance(exc, MemoryError) else "error"
        try:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except BaseException:  # noqa: BLE001 - a hostile exception may break formatting
            text = ""
        reply = {kind: [type(exc).__name__, _describe(exc), text]}
    try:
        try:
            write_frame(3, reply)
        except (TypeError, ValueError, RecursionError) as exc:
            message = f"return value is not JSON data: {exc}"
            write_frame(3, {"error": [type(exc).__name__, message, ""]})
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__ may raise anything
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
