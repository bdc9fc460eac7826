"""The worker's watch over one task's child: its pipes, its clock, its output cap, its end.

:func:`watch` reads the child's result, progress and output pipes until it ends, kills it on a
timeout or when it prints more than the cap, then removes whatever it left behind (in the
sandbox: every other process of the namespace) and describes what happened as an
:class:`~.protocol.Outcome`.  The child's reply is data of a fixed shape, read only here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import signal
import time
from typing import TypedDict

from glossary_gen.run.sandbox.protocol import (
    MAX_TASK_FRAME,
    Outcome,
    TaskLimits,
    loads,
    matches,
    split_frames,
)


class _Common(TypedDict):
    """What every outcome of a watched task carries, whatever its status."""

    stdout: str
    stderr: str
    duration: float
    progress: object
    records: list[object]


def _kill_everything_else() -> None:
    """As PID 1 of the sandbox: kill every other process of the namespace and reap them all."""
    while True:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except OSError as exc:  # pragma: no cover - EINTR is retried by Python
            if exc.errno != errno.EINTR:
                return


def watch(
    pid: int,
    started: float,
    limits: TaskLimits,
    result_r: int,
    out_r: int,
    err_r: int,
    isolated: bool,
) -> Outcome:
    """Wait for the child, reading its pipes; kill it on timeout or when it prints too much."""
    cap = int(limits["output_kb"]) * 1024
    timeout = float(limits["timeout"])
    selector = selectors.DefaultSelector()
    buffers = {result_r: bytearray(), out_r: bytearray(), err_r: bytearray()}
    for fd in buffers:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
            selector.register(pidfd, selectors.EVENT_READ)
        except OSError:  # pragma: no cover - old kernel
            pidfd = None
    deadline = started + timeout
    status: int | None = None
    reason = ""
    progress: bytes | None = None
    reply: bytes | None = None
    #: Every record in the order it came; once here, nothing the task does can change it.
    records: list[object] = []
    recorded = 0

    def drain(fd: int) -> None:
        nonlocal progress, reply, reason, recorded
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                selector.unregister(fd)
                return
            buffers[fd] += chunk
            if fd == result_r:
                try:
                    for frame in split_frames(buffers[fd], MAX_TASK_FRAME):
                        if frame.startswith(b'{"progress":'):
                            progress = frame
                        elif frame.startswith(b'{"record":'):
                            recorded += len(frame)
                            if recorded > MAX_TASK_FRAME:
                                raise ValueError("too many records")
                            records.append(_task_message(frame, "record"))
                        else:
                            reply = frame
                except ValueError:
                    reason = "too-large"
                    buffers[fd].clear()
                    return
            elif len(buffers[out_r]) + len(buffers[err_r]) > cap:
                return

    try:
        while status is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                reason = "timeout"
                break
            events = selector.select(remaining if pidfd is not None else min(remaining, 0.005))
            for key, _ in events:
                if key.fd != pidfd:
                    drain(key.fd)
            if len(buffers[out_r]) + len(buffers[err_r]) > cap:
                reason = "output"
                break
            if reason:
                break
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                status = wait_status
        if status is None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        duration = time.monotonic() - started
        # whatever the task left behind goes too: in the sandbox every other process of the
        # namespace, else its process group
        if isolated:
            _kill_everything_else()
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        for fd in list(buffers):
            if selector.get_map() and fd in selector.get_map():
                drain(fd)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)

    common: _Common = {
        "stdout": _text(buffers[out_r], cap),
        "stderr": _text(buffers[err_r], cap),
        "duration": duration,
        "progress": _task_message(progress, "progress"),
        "records": records,
    }
    if reason == "timeout":
        return Outcome("timeout", error=f"did not finish within {timeout:g} s", **common)
    if reason == "output":
        return Outcome(
            "output", error=f"wrote more than {limits['output_kb']} KiB to stdout/stderr", **common
        )
    if reason == "too-large":
        return Outcome("error", error="the task's reply is too large", **common)
    if reply is not None:
        return _reply_outcome(reply, common)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        description = signal.strsignal(number) or name
        return Outcome("crash", error=f"killed by {name} ({description})", signal=number, **common)
    code = os.WEXITSTATUS(status)
    return Outcome(
        "exit",
        error=f"process exited with status {code} before the task returned",
        exit_code=code,
        **common,
    )


def _task_message(frame: bytes | None, key: str) -> object:
    """The value of a task's ``{key: value}`` message; None when absent or malformed."""
    if frame is None:
        return None
    try:
        data = loads(frame)
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) and len(data) == 1 else None


def _reply_outcome(frame: bytes, common: _Common) -> Outcome:
    """A task's reply: ``{"ok": value}`` or ``{"error"|"memory": [type, message, traceback]}``."""
    try:
        data = loads(frame)
    except ValueError:
        data = None
    if isinstance(data, dict) and len(data) == 1:
        ((kind, value),) = data.items()
        if kind == "ok":
            return Outcome("ok", value=value, **common)
        if kind in ("error", "memory") and matches(value, [str]) and len(value) == 3:
            return Outcome(kind, error=value[1], error_type=value[0], traceback=value[2], **common)
    return Outcome("error", error="unreadable reply from the task", **common)


def _text(data: bytearray, cap: int) -> str:
    return bytes(data[:cap]).decode("utf-8", errors="replace")
