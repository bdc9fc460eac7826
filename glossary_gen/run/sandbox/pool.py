"""The calling side: start sandboxed workers, hand them tasks, watch their time, read replies.

:func:`run_tasks` keeps ``jobs`` worker processes busy (each with up to
:data:`PIPELINE_DEPTH` tasks queued, so the next task is already there when one ends), turns
every reply into an :class:`~.protocol.Outcome` after checking its shape, and retires a worker
that overruns its task's timeout, dies or sends something unreadable: its running task gets
that outcome, its queued tasks go to a new worker.  How a worker starts (bubblewrap or a plain
process, which folders it sees) is decided once per call (:func:`_plan`).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from glossary_gen.run.sandbox.bubblewrap import (
    Isolation,
    bwrap_argv,
    interpreter,
    isolation,
    module_root,
    sandbox_binds,
    scrubbed_env,
    translate,
)
from glossary_gen.run.sandbox.protocol import (
    MAX_FRAME,
    Limits,
    Outcome,
    Task,
    TaskMessage,
    WorkerStart,
    loads,
    matches,
    outcome_from_json,
    split_frames,
    write_frame,
)

#: Extra time the caller gives a worker beyond the task's own timeout before killing it.
SUPERVISOR_GRACE = 5.0
#: Tasks queued on one worker at a time: the next one is already there when a child ends.
PIPELINE_DEPTH = 2
#: Limits when the caller names none (frozen, so one instance serves every call).
DEFAULT_LIMITS = Limits()

_BOOTSTRAP = (
    "import json, os, struct, sys\n"
    "def _r(n):\n"
    "    b = b''\n"
    "    while len(b) < n:\n"
    "        c = os.read(0, n - len(b))\n"
    "        if not c: raise SystemExit(0)\n"
    "        b += c\n"
    "    return b\n"
    "init = json.loads(_r(struct.unpack('>I', _r(4))[0]))\n"
    "sys.path[:] = init['path']\n"
    "from glossary_gen.run.sandbox.worker import serve\n"
    "serve(init)\n"
)


@dataclass(frozen=True)
class _Plan:
    """How workers start: the command line and the ``sys.path`` they get."""

    argv: list[str]
    path: list[str]
    cwd: str
    env: dict[str, str]
    isolated: bool
    #: Read-only mounts inside the worker's /tmp (never emptied).
    keep: list[str] = field(default_factory=list)


def _plan(where: Isolation, tasks: Sequence[Task], limits: Limits, root: str) -> _Plan:
    python = [sys.executable, "-I", "-c", _BOOTSTRAP]
    caller_path = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    if not where.isolated:
        return _Plan(python, caller_path, root, scrubbed_env(root, limits.env), False)
    # Only the runtime and the modules holding the task functions are visible, at the paths the
    # sandbox shows them (bubblewrap.sandbox_binds); sys.path keeps the caller's order,
    # restricted to what is there.
    modules = ["glossary_gen"] + [t.target.partition(":")[0] for t in tasks]
    found = [r for r in (module_root(m) for m in dict.fromkeys(modules)) if r is not None]
    binds = sandbox_binds([bound for bound, _ in found])
    path: list[str] = []
    for _bound, _folder in found:
        seen = translate(_bound, binds)
        if seen is not None:
            path.append(os.path.dirname(seen))
    for entry in caller_path:
        seen = translate(entry, binds)
        if seen is not None:
            path.append(seen)
    argv = bwrap_argv(where.bwrap, where.version, limits, [bound for bound, _ in found])
    python = [interpreter(binds), "-I", "-c", _BOOTSTRAP]
    visible = [inside for _, inside in binds]
    keep = [v for v in visible if v.startswith("/tmp/")]
    env = scrubbed_env("/tmp", limits.env)
    return _Plan(argv + python, list(dict.fromkeys(path)), "/", env, True, keep)


class _Worker:
    """The calling side's handle on one worker process and the tasks queued on it."""

    def __init__(self, plan: _Plan, limits: Limits, preload: Sequence[str], root: str) -> None:
        self.process = subprocess.Popen(
            plan.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
            cwd=plan.cwd,
            env=plan.env,
            start_new_session=True,
        )
        assert self.process.stdin and self.process.stdout and self.process.stderr
        self.fd_in = self.process.stdin.fileno()
        self.fd_out = self.process.stdout.fileno()
        self.fd_err = self.process.stderr.fileno()
        self.fd_err_open = True
        os.set_blocking(self.fd_out, False)
        os.set_blocking(self.fd_err, False)
        self.buffer = bytearray()
        self.errors = bytearray()
        #: Indexes of the tasks sent and not answered yet; the first one is running.
        self.queue: deque[int] = deque()
        self.started = time.monotonic()
        self.deadline = 0.0
        self.limits = limits
        start: WorkerStart = {
            "path": plan.path,
            "preload": list(preload),
            "root": "/tmp" if plan.isolated else root,
            "isolated": plan.isolated,
            "keep": plan.keep,
        }
        write_frame(self.fd_in, start)

    @property
    def running(self) -> int | None:
        return self.queue[0] if self.queue else None

    def send(self, index: int, task: Task) -> None:
        if not self.queue:
            self.restart_clock()
        self.queue.append(index)
        message: TaskMessage = {
            "target": task.target,
            "payload": task.payload,
            "limits": self.limits.message(),
        }
        write_frame(self.fd_in, message)

    def restart_clock(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.limits.timeout + SUPERVISOR_GRACE

    def read(self) -> tuple[list[Outcome], bool]:
        """Replies that arrived, and whether the worker has gone away."""
        try:
            chunk = os.read(self.fd_out, 1 << 20)
        except BlockingIOError:
            return [], False
        except OSError:
            return [], True
        if not chunk:
            return [], True
        self.buffer += chunk
        frames = split_frames(self.buffer, MAX_FRAME)
        return [outcome_from_json(loads(frame)) for frame in frames], False

    def read_errors(self) -> bool:
        """Keep the first 4 KiB the worker writes to stderr; False once it is closed."""
        try:
            chunk = os.read(self.fd_err, 4096)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if len(self.errors) < 4096:
            self.errors += chunk[: 4096 - len(self.errors)]
        return bool(chunk)

    def why(self) -> str:
        """The worker's own last words (e.g. bubblewrap's), for a crash message."""
        self.read_errors()
        text = bytes(self.errors).decode("utf-8", "replace").strip().splitlines()
        return f": {text[-1][:300]}" if text else ""

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
        for stream in (process.stdin, process.stdout, process.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


def run_task(task: Task, limits: Limits = DEFAULT_LIMITS) -> Outcome:
    return run_tasks([task], limits, 1)[0]


def run_tasks(
    tasks: Sequence[Task],
    limits: Limits = DEFAULT_LIMITS,
    jobs: int | None = None,
    *,
    on_done: Callable[[int, Outcome], None] | None = None,
    preload: Sequence[str] = (),
) -> list[Outcome]:
    """Run every task in a sandboxed worker; see the package docstring."""
    tasks = list(tasks)
    outcomes: list[Outcome | None] = [None] * len(tasks)
    if not tasks:
        return []
    where = isolation()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    depth = PIPELINE_DEPTH if len(tasks) > jobs else 1
    root = tempfile.mkdtemp(prefix="glossary-sandbox-")
    plan = _plan(where, tasks, limits, root)
    pending = deque(range(len(tasks)))
    selector = selectors.DefaultSelector()
    workers: list[_Worker] = []

    def start() -> None:
        worker = _Worker(plan, limits, preload, root)
        workers.append(worker)
        selector.register(worker.fd_out, selectors.EVENT_READ, worker)
        selector.register(worker.fd_err, selectors.EVENT_READ, worker)
        fill(worker)

    def fill(worker: _Worker) -> None:
        while pending and len(worker.queue) < depth:
            index = pending.popleft()
            worker.send(index, tasks[index])

    def finish(index: int, outcome: Outcome) -> None:
        shape = tasks[index].shape
        if outcome.ok and shape is not None and not matches(outcome.value, shape):
            outcome = Outcome(
                "error",
                error="the task's result does not have the expected shape",
                error_type="ValueError",
                stdout=outcome.stdout,
                stderr=outcome.stderr,
                duration=outcome.duration,
            )
        outcomes[index] = outcome
        if on_done is not None:
            on_done(index, outcome)

    def retire(worker: _Worker, outcome: Outcome) -> None:
        """Kill a worker: its running task gets ``outcome``, the queued ones go back."""
        selector.unregister(worker.fd_out)
        if worker.fd_err_open:
            selector.unregister(worker.fd_err)
        workers.remove(worker)
        worker.close(kill=True)
        if worker.queue:
            finish(worker.queue.popleft(), outcome)
            pending.extendleft(reversed(worker.queue))
            worker.queue.clear()
        if pending:
            start()

    try:
        for _ in range(jobs):
            start()
        while any(s.queue for s in workers):
            now = time.monotonic()
            wait = max(0.0, min(s.deadline for s in workers if s.queue) - now)
            for key, _events in selector.select(wait):
                worker = key.data
                if worker not in workers:
                    continue
                if key.fd == worker.fd_err:
                    if not worker.read_errors():
                        selector.unregister(worker.fd_err)
                        worker.fd_err_open = False
                    continue
                try:
                    frames, gone = worker.read()
                except Exception as exc:  # noqa: BLE001 - any unreadable reply retires the worker
                    retire(
                        worker,
                        Outcome("crash", error=f"sandbox worker sent a bad reply: {exc}"),
                    )
                    continue
                for frame in frames:
                    if worker.queue:
                        finish(worker.queue.popleft(), frame)
                        worker.restart_clock()
                    fill(worker)
                if gone:
                    retire(
                        worker,
                        Outcome(
                            "crash",
                            error=f"sandbox worker died unexpectedly{worker.why()}",
                            duration=time.monotonic() - worker.started,
                        ),
                    )
            now = time.monotonic()
            for worker in [s for s in workers if s.queue and s.deadline <= now]:
                retire(
                    worker,
                    Outcome(
                        "timeout",
                        error=f"did not finish within {limits.timeout:g} s",
                        duration=now - worker.started,
                    ),
                )
    finally:
        for worker in workers:
            worker.close(kill=bool(worker.queue))
        selector.close()
        shutil.rmtree(root, ignore_errors=True)
    return [o if o is not None else Outcome("error", error="task was not run") for o in outcomes]
