"""Run untrusted Python in worker processes with limits, never in the calling process.

Entries come from pull requests, and their code runs at check and build time: an infinite loop, a
memory bomb, ``sys.exit``, ``os._exit``, a segfault or a flood of output must end *that* task with
a description of what happened, and every other task must still run.

API
---
``run_tasks(tasks, limits, jobs=None, *, on_done=None, preload=()) -> list[Outcome]``
    Run each :class:`Task` and return one :class:`Outcome` per task, in the order given.
    ``jobs`` worker processes run in parallel (default: one per core).  ``on_done(index, outcome)``
    is called in the calling process as each task finishes (progress bars).  ``preload`` names
    modules to import once per worker before any task runs (e.g. ``("numpy",)``), so tasks need not
    pay for the import each time.
``run_task(task, limits) -> Outcome``
    One task.
``Task(target, payload)``
    ``target`` is ``"package.module:function"``: a top-level function, called as
    ``function(payload)``.  It is *trusted* code of ours (it is imported in the supervisor); the
    payload (e.g. an entry's code) is what may be hostile.  Payload and return value are pickled.
``Limits(timeout, memory_mb, output_kb, file_size_mb, env)``
    Per task: wall-clock ``timeout`` in seconds (the process group is killed), ``RLIMIT_AS``
    address-space limit, a cap on the bytes written to stdout+stderr, ``RLIMIT_FSIZE`` for files,
    and extra environment variables on top of the scrubbed environment.
``Outcome``
    ``status`` is one of :data:`STATUSES`:
    ``ok`` (``value`` holds the return value), ``error`` (the function raised; ``error`` and
    ``traceback`` describe it; ``error_type`` is the exception's name), ``memory`` (it raised
    ``MemoryError``), ``timeout``, ``output`` (more than ``output_kb`` written to stdout/stderr),
    ``crash`` (killed by a signal, e.g. SIGSEGV; ``signal`` is set) and ``exit`` (the process ended
    without returning, e.g. ``os._exit(3)``; ``exit_code`` is set).  ``stdout``/``stderr`` hold what
    the task printed (capped), ``progress`` the last value it passed to :func:`report_progress`, so
    a caller can say *where* a task hung or crashed.
``report_progress(marker)``
    Called from inside a task: remembers a small picklable ``marker``; a no-op outside a worker,
    so task functions can also be called directly (tests, benchmarks).

How
---
The calling process starts ``jobs`` supervisor processes (``python -I`` with a minimal
environment: no secrets from the caller's environment reach a snippet) and hands each one task at
a time over a pipe (two queued, so the next task is there when a child ends).  A supervisor
imports the target once (then ``gc.freeze()``), and *forks a fresh child per task*:
the child gets its own process group, a new temporary working directory, the resource limits,
stdin from ``/dev/null`` and stdout/stderr connected to pipes the supervisor reads (and caps).  So
tasks cannot see each other's state, a fork costs about a millisecond, and a hung or crashed child
is killed and reaped by its supervisor, which carries on with the next task.  Children die with
their supervisor (``PR_SET_PDEATHSIG`` on Linux) and supervisors with the caller.  POSIX only.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import pickle
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]

STATUSES = ("ok", "error", "memory", "timeout", "output", "crash", "exit")

#: Worker replies are never bigger than this (a runaway return value is an error, not a hang).
MAX_FRAME = 256 * 1024 * 1024
#: Extra time the caller gives a supervisor beyond the task's own timeout before killing it.
SUPERVISOR_GRACE = 5.0

_HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class Task:
    """``target`` names a top-level function as ``"module:function"``; it is called with ``payload``."""

    target: str
    payload: Any = None


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int | None = 512
    output_kb: int = 64
    file_size_mb: int | None = 64
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    status: str
    value: Any = None
    error: str = ""
    error_type: str = ""
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    progress: Any = None
    duration: float = 0.0
    exit_code: int | None = None
    signal: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --- inside a task ------------------------------------------------------------------------------

_progress_fd: int | None = None


def report_progress(marker: Any) -> None:
    """Remember ``marker`` as the task's latest position (see :attr:`Outcome.progress`)."""
    if _progress_fd is not None:
        _write_frame(_progress_fd, ("progress", marker))


# --- framing ------------------------------------------------------------------------------------


def _write_frame(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int) -> Any:
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    data = _read_exactly(fd, size)
    return None if data is None else pickle.loads(data)


def _split_frames(buffer: bytearray) -> list[Any]:
    """Take every complete frame off the front of ``buffer``."""
    frames = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if size > MAX_FRAME:
            raise ValueError(f"reply of {size} bytes is too large")
        if len(buffer) < _HEADER.size + size:
            break
        frames.append(pickle.loads(bytes(buffer[_HEADER.size : _HEADER.size + size])))
        del buffer[: _HEADER.size + size]
    return frames


# --- the calling side ---------------------------------------------------------------------------


def scrubbed_env(home: str, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The whole environment a worker sees: nothing inherited (tokens, keys, proxies stay out)."""
    env = {
        "PATH": os.defpath,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",  # libraries must not start threads in a process that forks
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "NO_COLOR": "1",
    }
    env.update(extra)
    return env


_BOOTSTRAP = (
    "import os, pickle, struct, sys\n"
    "def _r(n):\n"
    "    b = b''\n"
    "    while len(b) < n:\n"
    "        c = os.read(0, n - len(b))\n"
    "        if not c: raise SystemExit(0)\n"
    "        b += c\n"
    "    return b\n"
    "init = pickle.loads(_r(struct.unpack('>I', _r(4))[0]))\n"
    "sys.path[:] = init['path']\n"
    "from glossary_gen.sandbox import _serve\n"
    "_serve(init)\n"
)


class _Supervisor:
    """The calling side's handle on one supervisor process and the tasks queued on it."""

    def __init__(self, root: str, limits: Limits, preload: Sequence[str]) -> None:
        path = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
            cwd=root,
            env=scrubbed_env(root, limits.env),
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.fd_in = self.process.stdin.fileno()
        self.fd_out = self.process.stdout.fileno()
        os.set_blocking(self.fd_out, False)
        self.buffer = bytearray()
        #: Indexes of the tasks sent and not answered yet; the first one is running.
        self.queue: deque[int] = deque()
        self.started = time.monotonic()
        self.deadline = 0.0
        self.limits = limits
        _write_frame(self.fd_in, {"path": path, "preload": list(preload), "root": root})

    @property
    def running(self) -> int | None:
        return self.queue[0] if self.queue else None

    def send(self, index: int, task: Task) -> None:
        if not self.queue:
            self.restart_clock()
        self.queue.append(index)
        _write_frame(self.fd_in, ("task", task.target, task.payload, self.limits))

    def restart_clock(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.limits.timeout + SUPERVISOR_GRACE

    def read(self) -> tuple[list[Any], bool]:
        """Frames that arrived, and whether the supervisor has gone away."""
        try:
            chunk = os.read(self.fd_out, 1 << 20)
        except BlockingIOError:
            return [], False
        except OSError:
            return [], True
        if not chunk:
            return [], True
        self.buffer += chunk
        return _split_frames(self.buffer), False

    def close(self, *, kill: bool = False) -> None:
        process = self.process
        if not kill:
            try:
                process.stdin.close()  # type: ignore[union-attr]
                process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                kill = True
        if kill:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


#: Tasks queued on one supervisor at a time: the next one is already there when a child ends.
PIPELINE_DEPTH = 2


def run_task(task: Task, limits: Limits = Limits()) -> Outcome:
    return run_tasks([task], limits, 1)[0]


def run_tasks(
    tasks: Sequence[Task],
    limits: Limits = Limits(),
    jobs: int | None = None,
    *,
    on_done: Callable[[int, Outcome], None] | None = None,
    preload: Sequence[str] = (),
) -> list[Outcome]:
    """Run every task in a sandboxed worker; see the module docstring."""
    tasks = list(tasks)
    outcomes: list[Outcome | None] = [None] * len(tasks)
    if not tasks:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    depth = PIPELINE_DEPTH if len(tasks) > jobs else 1
    root = tempfile.mkdtemp(prefix="glossary-sandbox-")
    pending = deque(range(len(tasks)))
    selector = selectors.DefaultSelector()
    supervisors: list[_Supervisor] = []

    def start() -> None:
        supervisor = _Supervisor(root, limits, preload)
        supervisors.append(supervisor)
        selector.register(supervisor.fd_out, selectors.EVENT_READ, supervisor)
        fill(supervisor)

    def fill(supervisor: _Supervisor) -> None:
        while pending and len(supervisor.queue) < depth:
            index = pending.popleft()
            supervisor.send(index, tasks[index])

    def finish(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if on_done is not None:
            on_done(index, outcome)

    def retire(supervisor: _Supervisor, outcome: Outcome) -> None:
        """Kill a supervisor: its running task gets ``outcome``, the queued ones go back."""
        selector.unregister(supervisor.fd_out)
        supervisors.remove(supervisor)
        supervisor.close(kill=True)
        if supervisor.queue:
            finish(supervisor.queue.popleft(), outcome)
            pending.extendleft(reversed(supervisor.queue))
            supervisor.queue.clear()
        if pending:
            start()

    try:
        for _ in range(jobs):
            start()
        while any(s.queue for s in supervisors):
            now = time.monotonic()
            wait = max(0.0, min(s.deadline for s in supervisors if s.queue) - now)
            for key, _events in selector.select(wait):
                supervisor = key.data
                try:
                    frames, gone = supervisor.read()
                except Exception as exc:  # noqa: BLE001 - any unreadable reply retires the supervisor
                    retire(
                        supervisor,
                        Outcome("crash", error=f"sandbox worker sent a bad reply: {exc}"),
                    )
                    continue
                for frame in frames:
                    if supervisor.queue:
                        finish(supervisor.queue.popleft(), frame)
                        supervisor.restart_clock()
                    fill(supervisor)
                if gone:
                    retire(
                        supervisor,
                        Outcome(
                            "crash",
                            error="sandbox worker died unexpectedly",
                            duration=time.monotonic() - supervisor.started,
                        ),
                    )
            now = time.monotonic()
            for supervisor in [s for s in supervisors if s.queue and s.deadline <= now]:
                retire(
                    supervisor,
                    Outcome(
                        "timeout",
                        error=f"did not finish within {limits.timeout:g} s",
                        duration=now - supervisor.started,
                    ),
                )
    finally:
        for supervisor in supervisors:
            supervisor.close(kill=bool(supervisor.queue))
        selector.close()
        shutil.rmtree(root, ignore_errors=True)
    return [o if o is not None else Outcome("error", error="task was not run") for o in outcomes]


# --- the supervisor (a separate process) ---------------------------------------------------------

_prctl: Any = None


def _set_parent_death_signal() -> None:
    """Linux: die with the parent, so nothing outlives an interrupted run."""
    global _prctl
    if not sys.platform.startswith("linux"):
        return
    try:
        if _prctl is None:
            import ctypes

            _prctl = ctypes.CDLL(None, use_errno=True).prctl
        _prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        pass


def _serve(init: dict) -> None:
    """Supervisor main loop: one task at a time from fd 0, one :class:`Outcome` each to fd 1."""
    parent = os.getppid()
    _set_parent_death_signal()
    if os.getppid() != parent:  # pragma: no cover - the caller died before prctl
        os._exit(1)
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
    functions: dict[str, Callable[[Any], Any]] = {}
    while True:
        message = _read_frame(commands)
        if message is None:
            return
        _kind, target, payload, limits = message
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
            outcome = _supervise(function, payload, limits, init["root"], (commands, replies))
        _write_frame(replies, outcome)


def _resolve(target: str) -> Callable[[Any], Any]:
    import importlib

    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"target {target!r} must look like 'package.module:function'")
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


def _supervise(
    function: Callable[[Any], Any],
    payload: Any,
    limits: Limits,
    root: str,
    protocol: tuple[int, int],
) -> Outcome:
    workdir = tempfile.mkdtemp(prefix="task-", dir=root)
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (covered through the tests' outcomes)
        _child(function, payload, limits, workdir, result_w, out_w, err_w)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    for fd in (result_w, out_w, err_w):
        os.close(fd)
    try:
        return _watch(pid, started, limits, result_r, out_r, err_r)
    finally:
        for fd in (result_r, out_r, err_r):
            os.close(fd)
        shutil.rmtree(workdir, ignore_errors=True)


def _child(
    function: Callable[[Any], Any],
    payload: Any,
    limits: Limits,
    workdir: str,
    result_w: int,
    out_w: int,
    err_w: int,
) -> None:  # pragma: no cover - child process
    global _progress_fd
    try:
        os.setpgid(0, 0)
        _set_parent_death_signal()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(result_w, 3)
        os.closerange(4, 1 << 16)
        _progress_fd = 3
        os.chdir(workdir)
        os.environ["HOME"] = os.environ["TMPDIR"] = workdir
        tempfile.tempdir = None
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        for which, megabytes in (
            (resource.RLIMIT_AS, limits.memory_mb),
            (resource.RLIMIT_FSIZE, limits.file_size_mb),
        ):
            if megabytes:
                _soft, hard = resource.getrlimit(which)
                wanted = megabytes * 1024 * 1024
                if hard != resource.RLIM_INFINITY:
                    wanted = min(wanted, hard)
                resource.setrlimit(which, (wanted, wanted))
        faulthandler.enable(sys.stderr)
    except BaseException as exc:  # noqa: BLE001 - the child must exit, never unwind
        os.write(2, f"sandbox setup failed: {exc!r}\n".encode())
        os._exit(70)
    try:
        reply: tuple = ("ok", function(payload))
    except BaseException as exc:  # noqa: BLE001 - entry code may raise anything, SystemExit too
        kind = "memory" if isinstance(exc, MemoryError) else "error"
        try:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except BaseException:  # noqa: BLE001 - a hostile exception may break formatting
            text = ""
        reply = (kind, type(exc).__name__, _describe(exc), text)
    try:
        try:
            _write_frame(3, reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            _write_frame(
                3, ("error", type(exc).__name__, f"return value cannot be pickled: {exc}", "")
            )
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


def _watch(
    pid: int, started: float, limits: Limits, result_r: int, out_r: int, err_r: int
) -> Outcome:
    """Wait for the child, reading its pipes; kill it on timeout or when it prints too much."""
    cap = limits.output_kb * 1024
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
    deadline = started + limits.timeout
    status: int | None = None
    reason = ""

    def drain(fd: int) -> None:
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                selector.unregister(fd)
                return
            buffers[fd] += chunk
            if fd != result_r and len(buffers[out_r]) + len(buffers[err_r]) > cap:
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
            if len(buffers[result_r]) > MAX_FRAME:
                reason = "error"
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
        # whatever the child left behind in its process group goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        for fd in list(buffers):
            if selector.get_map() and fd in selector.get_map():
                drain(fd)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)

    stdout = _text(buffers[out_r], cap)
    stderr = _text(buffers[err_r], cap)
    common = {"stdout": stdout, "stderr": stderr, "duration": duration}
    progress = None
    reply = None
    try:
        for frame in _split_frames(buffers[result_r]):
            if frame[0] == "progress":
                progress = frame[1]
            else:
                reply = frame
    except Exception as exc:  # noqa: BLE001 - the task's bytes are untrusted
        reply = ("error", type(exc).__name__, f"unreadable reply from the task: {exc}", "")
    common["progress"] = progress
    if reason == "timeout":
        return Outcome("timeout", error=f"did not finish within {limits.timeout:g} s", **common)
    if reason == "output":
        return Outcome(
            "output", error=f"wrote more than {limits.output_kb} KiB to stdout/stderr", **common
        )
    if reply is not None and reason != "error":
        if reply[0] == "ok":
            return Outcome("ok", value=reply[1], **common)
        return Outcome(reply[0], error=reply[2], error_type=reply[1], traceback=reply[3], **common)
    if reason == "error":
        return Outcome("error", error="reply too large", **common)
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


def _text(data: bytearray, cap: int) -> str:
    return bytes(data[:cap]).decode("utf-8", errors="replace")
