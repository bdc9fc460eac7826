"""Run untrusted Python in isolated worker processes with limits, never in the calling process.

Entries come from pull requests, and their code runs at check and build time.  Whatever a task
does (an infinite loop, a memory bomb, ``sys.exit``, a segfault, a flood of output, or an attack
on the machine) must end *that* task with a description of what happened, every other task must
still run, and nothing may leave the sandbox except the task's result, as data.

API
---
``run_tasks(tasks, limits, jobs=None, *, on_done=None, preload=()) -> list[Outcome]``
    Run each :class:`Task` and return one :class:`Outcome` per task, in the order given.
    ``jobs`` workers run in parallel (default: one per core).  ``on_done(index, outcome)`` is
    called in the calling process as each task finishes (progress bars).  ``preload`` names
    modules to import once per worker before any task runs (e.g. ``("numpy",)``).
``run_task(task, limits) -> Outcome``
    One task.
``Task(target, payload, shape=None)``
    ``target`` is ``"package.module:function"``: a top-level function, called as
    ``function(payload)``.  It is *trusted* code of ours (imported in the worker); the payload
    (e.g. an entry's code) is what may be hostile.  Payload and return value travel as JSON; the
    return value must match ``shape`` (see :func:`matches`) or the outcome is an ``error``.
``Limits(timeout, memory_mb, output_kb, file_size_mb, env, fork, processes)``
    Per task: wall-clock ``timeout`` in seconds, ``RLIMIT_AS``, a cap on the bytes written to
    stdout+stderr, ``RLIMIT_FSIZE`` (and the size of the private ``/tmp``), extra environment
    variables on top of the scrubbed environment.  A task may not start processes (``fork=False``,
    a seccomp filter; threads are fine): its memory, threads included, is one address space, so
    the whole task uses at most ``memory_mb`` plus ``file_size_mb`` of temporary files.  Isolated
    tasks also get ``RLIMIT_NPROC`` (``processes``, threads included), which bounds a task that may
    fork to ``memory_mb x processes`` (not for uid 0, which the kernel exempts).
``Outcome``
    ``status`` is one of :data:`STATUSES`: ``ok`` (``value`` holds the return value), ``error``
    (the function raised; ``error``, ``error_type`` and ``traceback`` describe it), ``memory``
    (``MemoryError``), ``timeout``, ``output`` (more than ``output_kb`` written), ``crash`` (killed
    by a signal; ``signal`` is set) and ``exit`` (ended without returning; ``exit_code`` is set).
    ``stdout``/``stderr`` hold what the task printed (capped), ``progress`` the last value it
    passed to :func:`report_progress`, so a caller can say *where* a task hung or crashed.
``report_progress(marker)``
    Called from inside a task: remembers a small JSON ``marker``; a no-op outside a worker.
``isolation() -> Isolation``
    Which sandbox runs tasks here, as a one-line summary (and a one-line warning when entry code
    is not isolated).  Raises :class:`SandboxUnavailable` when isolation is required and missing.

Isolation (Linux, bubblewrap)
-----------------------------
Each worker is one ``bwrap`` sandbox: new user, PID, network, mount, IPC and UTS namespaces, no
capabilities, no further user namespaces, ``--die-with-parent``.  Its file system is a read-only
view of what Python needs (``/usr``, ``/lib*``, the interpreter's prefix and virtualenv, the
package holding the task functions), a fresh read-only ``/proc`` for its own PID namespace, a
minimal read-only ``/dev`` and a size-limited private ``/tmp``: not the project, not the caller's
home, cache or key, not the host's processes, no network at all (only a loopback of its own).
(``/proc`` must be read-only: where the caller is root, the sandbox's uid is root outside, which
the kernel lets write ``/proc/sys``, ``kernel.core_pattern`` included, without capabilities.)

Inside, the worker's supervisor is PID 1 of the namespace: the kernel delivers no signal to it
from inside unless it handles that signal (it handles none), so ``kill(-1, SIGKILL)`` from a task
cannot touch it.  It is not dumpable, so a task (same uid, no capabilities) can neither ptrace it
nor open its ``/proc/1/fd``, ``mem``, ``environ`` or ``cwd``.  For each task it forks a child
with its own working folder under ``/tmp``, the resource limits and only four descriptors
(``/dev/null``, two output pipes and a result pipe); the child then forbids itself new processes
(seccomp).  When the task ends, the supervisor kills every other process of the namespace
(``kill(-1)`` as PID 1) and reaps them until none is left, then empties ``/tmp``, so nothing a
task started (a double-forked ``setsid`` daemon included, where forking is allowed) outlives it
or meets the next task; if the worker itself goes, the kernel ends its whole PID namespace.

Where bubblewrap or user namespaces are missing (macOS, hardened kernels), the same supervisor
runs as a plain process (``python -I``, scrubbed environment, temporary cwd, the same limits) and
:func:`isolation` says in one line what is not isolated.  ``GLOSSARY_REQUIRE_SANDBOX=1`` turns
that into :class:`SandboxUnavailable`; ``GLOSSARY_SANDBOX=process`` forces the process sandbox
(for comparisons), ``GLOSSARY_SANDBOX=bubblewrap`` requires bubblewrap.

Nothing crosses a boundary as code: every message (caller <-> supervisor <-> task) is a
length-prefixed JSON document with a size limit, checked against a fixed shape when it arrives.
"""

from __future__ import annotations

import contextlib
import errno
import faulthandler
import gc
import json
import os
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
from dataclasses import asdict, dataclass, field
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]

STATUSES = ("ok", "error", "memory", "timeout", "output", "crash", "exit")

#: A worker's message to the caller is never bigger than this (outputs are capped separately).
MAX_FRAME = 16 * 1024 * 1024
#: A task's own messages (its return value, each progress marker) are never bigger than this.
MAX_TASK_FRAME = 8 * 1024 * 1024
#: Extra time the caller gives a worker beyond the task's own timeout before killing it.
SUPERVISOR_GRACE = 5.0
#: Tasks queued on one worker at a time: the next one is already there when a child ends.
PIPELINE_DEPTH = 2

_HEADER = struct.Struct(">I")

#: A JSON value (what crosses the boundary).
JSON = Any


class SandboxUnavailable(Exception):
    """Entry code must run isolated here (``GLOSSARY_REQUIRE_SANDBOX=1``) and cannot be.

    :func:`glossary_gen.pipeline.check` reports it as a configuration error (exit code 2).
    (Not a subclass of ``ConfigError``: workers import this module, and need no YAML.)"""


@dataclass(frozen=True)
class Task:
    """``target`` names a top-level function as ``"module:function"``; it is called with
    ``payload``; its return value must match ``shape`` (None: any JSON value)."""

    target: str
    payload: JSON = None
    shape: Any = None


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int | None = 512
    output_kb: int = 64
    file_size_mb: int | None = 64
    env: Mapping[str, str] = field(default_factory=dict)
    #: May a task start processes? By default it may not (seccomp): one address space per task.
    fork: bool = False
    #: Processes and threads a task may run at once (isolated sandbox; RLIMIT_NPROC, which the
    #: kernel does not apply to uid 0).
    processes: int = 8


@dataclass(frozen=True)
class Outcome:
    status: str
    value: JSON = None
    error: str = ""
    error_type: str = ""
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    progress: JSON = None
    duration: float = 0.0
    exit_code: int | None = None
    signal: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --- shapes ---------------------------------------------------------------------------------------


def matches(value: JSON, shape: Any) -> bool:
    """Does the JSON ``value`` have ``shape``?

    A shape is ``str``, ``int``, ``float`` (an int is accepted), ``bool`` or ``None``; a list
    ``[item_shape]``; a dict ``{"key": shape, "other?": shape}`` (exactly these keys, the ones
    ending in ``?`` optional); ``{str: shape}`` (any string keys); or a tuple of alternatives.
    """
    if isinstance(shape, tuple):
        return any(matches(value, option) for option in shape)
    if shape is None:
        return value is None
    if shape is bool:
        return isinstance(value, bool)
    if shape is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if shape is str:
        return isinstance(value, str)
    if isinstance(shape, list):
        return isinstance(value, list) and all(matches(item, shape[0]) for item in value)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        if list(shape) == [str]:
            return all(isinstance(k, str) and matches(v, shape[str]) for k, v in value.items())
        required = {k for k in shape if not k.endswith("?")}
        known = {k.rstrip("?"): s for k, s in shape.items()}
        return (
            required <= value.keys()
            and value.keys() <= known.keys()
            and all(matches(v, known[k]) for k, v in value.items())
        )
    raise TypeError(f"not a shape: {shape!r}")


_OUTCOME_SHAPE = {
    "status": str,
    "value": object,  # checked against the task's own shape
    "error": str,
    "error_type": str,
    "traceback": str,
    "stdout": str,
    "stderr": str,
    "progress": object,
    "duration": float,
    "exit_code": (int, None),
    "signal": (int, None),
}


def _outcome_from_json(data: JSON) -> Outcome:
    """The caller's check of a worker's reply: exactly the fields of :class:`Outcome`."""
    if not isinstance(data, dict) or data.keys() != _OUTCOME_SHAPE.keys():
        raise ValueError("a reply must be an object with the fields of an outcome")
    for key, shape in _OUTCOME_SHAPE.items():
        if shape is not object and not matches(data[key], shape):
            raise ValueError(f"field {key!r} of the reply has the wrong type")
    if data["status"] not in STATUSES:
        raise ValueError(f"unknown status {data['status']!r}")
    return Outcome(**_clean(data))


def _clean(value: JSON) -> JSON:
    """Strings without lone surrogates (they cannot be printed), recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


# --- framing (JSON only) ------------------------------------------------------------------------


def _encode(obj: JSON) -> bytes:
    data = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    body = data.encode("utf-8", "replace")
    return _HEADER.pack(len(body)) + body


def _loads(data: bytes) -> JSON:
    """Strict JSON: ``NaN`` and ``Infinity`` are not JSON and are refused; too deep is invalid."""
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _write_frame(fd: int, obj: JSON) -> None:
    view = memoryview(_encode(obj))
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


def _read_frame(fd: int, limit: int = MAX_FRAME) -> JSON:
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        raise ValueError(f"message of {size} bytes is too large")
    data = _read_exactly(fd, size)
    return None if data is None else _loads(data)


def _split_frames(buffer: bytearray, limit: int) -> list[bytes]:
    """Take every complete frame off the front of ``buffer`` (undecoded)."""
    frames = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if size > limit:
            raise ValueError(f"message of {size} bytes is too large")
        if len(buffer) < _HEADER.size + size:
            break
        frames.append(bytes(buffer[_HEADER.size : _HEADER.size + size]))
        del buffer[: _HEADER.size + size]
    return frames


# --- inside a task ------------------------------------------------------------------------------

_progress_fd: int | None = None


def report_progress(marker: JSON) -> None:
    """Remember ``marker`` as the task's latest position (see :attr:`Outcome.progress`)."""
    if _progress_fd is not None:
        _write_frame(_progress_fd, {"progress": marker})


# --- which sandbox ------------------------------------------------------------------------------

NAMESPACES = "user/pid/net/mount/ipc namespaces"


@dataclass(frozen=True)
class Isolation:
    """How entry code runs here: ``kind`` is ``bubblewrap`` or ``process``."""

    kind: str
    version: str = ""
    #: For the summary line of ``check``: "doctests isolated by bubblewrap 0.8.0: ...".
    summary: str = ""
    #: One line for the user when entry code is not isolated (empty otherwise).
    warning: str = ""
    bwrap: str = ""

    @property
    def isolated(self) -> bool:
        return self.kind == "bubblewrap"


_probed: dict[tuple[str, ...], tuple[str, str]] = {}


_isolations: dict[tuple[str, bool, str], Isolation] = {}


def isolation() -> Isolation:
    """The sandbox that runs tasks here (probed once per process and setting)."""
    mode = os.environ.get("GLOSSARY_SANDBOX", "").strip().lower() or "auto"
    required = os.environ.get("GLOSSARY_REQUIRE_SANDBOX", "").strip() not in ("", "0")
    setting = (mode, required, os.environ.get("PATH", ""))
    if setting not in _isolations:
        _isolations[setting] = _isolation(mode, required)
    return _isolations[setting]


def _isolation(mode: str, required: bool) -> Isolation:
    if mode == "bwrap":
        mode = "bubblewrap"
    if mode not in ("auto", "bubblewrap", "process"):
        raise SandboxUnavailable(
            f"GLOSSARY_SANDBOX={mode!r} is not a sandbox (use auto, bubblewrap or process)"
        )
    if mode == "process":
        if required:
            raise SandboxUnavailable(
                "GLOSSARY_SANDBOX=process contradicts GLOSSARY_REQUIRE_SANDBOX=1 "
                "(entry code must run isolated by bubblewrap here)"
            )
        return _not_isolated("GLOSSARY_SANDBOX=process")
    version, problem = _probe_bubblewrap()
    if not problem:
        return Isolation(
            "bubblewrap",
            version,
            f"doctests isolated by bubblewrap {version}: {NAMESPACES}",
            bwrap=shutil.which("bwrap") or "bwrap",
        )
    if required or mode == "bubblewrap":
        why = "GLOSSARY_REQUIRE_SANDBOX=1" if required else "GLOSSARY_SANDBOX=bubblewrap"
        raise SandboxUnavailable(
            f"entry code must run isolated ({why}) but {problem}; install bubblewrap "
            "(Debian/Ubuntu: apt-get install bubblewrap; `bash scripts/setup` does it as root) "
            "on a Linux kernel that allows unprivileged user namespaces"
        )
    return _not_isolated(problem)


def _not_isolated(reason: str) -> Isolation:
    return Isolation(
        "process",
        summary="doctests in worker processes, NOT isolated",
        warning=(
            f"glossary-gen: warning: entry code is not isolated ({reason}): it runs as you, "
            "with your files, network and processes in reach (limits only: time, memory, output)"
        ),
    )


def _probe_bubblewrap() -> tuple[str, str]:
    """(version, problem): problem is empty when a real sandbox starts here."""
    if not sys.platform.startswith("linux"):
        return "", f"bubblewrap needs Linux user namespaces, not available on {sys.platform}"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "", "bubblewrap (bwrap) is not installed"
    key = (bwrap, sys.executable)
    if key not in _probed:
        _probed[key] = _run_probe(bwrap)
    return _probed[key]


def _run_probe(bwrap: str) -> tuple[str, str]:
    try:
        found = subprocess.run(
            [bwrap, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        version = found.stdout.split()[-1] if found.stdout.split() else "?"
        argv = [*_bwrap_argv(bwrap, version, Limits(), []), sys.executable, "-I", "-S", "-c", ""]
        started = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env=scrubbed_env("/tmp"),
            cwd="/",
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return "", f"bubblewrap cannot run ({exc})"
    if started.returncode != 0:
        detail = " ".join(started.stderr.split())[:200] or f"exit status {started.returncode}"
        return version, f"bubblewrap cannot start a sandbox here ({detail})"
    return version, ""


def _version_at_least(version: str, wanted: tuple[int, ...]) -> bool:
    try:
        return tuple(int(p) for p in version.split(".")[:3]) >= wanted
    except ValueError:
        return False


#: Inside the sandbox, tasks run as this unprivileged uid/gid (mapped to the caller's).
SANDBOX_UID = 1000
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")


def _bwrap_argv(bwrap: str, version: str, limits: Limits, extra_roots: Sequence[str]) -> list[str]:
    """The bubblewrap command line of a worker: see the module docstring for the why."""
    argv = [
        bwrap,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
    ]
    if _version_at_least(version, (0, 8)):
        argv.append("--disable-userns")
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.isfile(path):
            argv += ["--ro-bind", path, path]
    size = max(limits.file_size_mb or 64, 1) * 1024 * 1024
    # /proc read-only: where the caller is root, the sandbox's uid is root's outside, and the
    # kernel lets that uid write /proc/sys files (kernel.core_pattern!) without any capability.
    argv += ["--proc", "/proc", "--remount-ro", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    argv += ["--size", str(size), "--tmpfs", "/tmp"]
    # after /tmp, so that a module kept under /tmp (a test's) shows through
    roots = _runtime_roots() + [os.path.realpath(p) for p in extra_roots]
    for path in _outermost(roots):
        argv += ["--ro-bind", path, path]
    for secret in _secrets_inside(_outermost(roots)):
        argv += ["--tmpfs", secret]
    argv += ["--remount-ro", "/", "--chdir", "/tmp", "--"]
    return argv


def _runtime_roots() -> list[str]:
    """What the interpreter needs: its prefixes (stdlib, virtualenv) and its own folder."""
    roots = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix}
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    return [os.path.realpath(r) for r in roots if r and os.path.realpath(r) != "/"]


def _outermost(paths: Sequence[str]) -> list[str]:
    """Existing paths, without those inside another one (a bind covers its subfolders)."""
    kept: list[str] = []
    for path in sorted({p for p in paths if os.path.exists(p)}, key=len):
        covered = [*kept, *SYSTEM_DIRS]
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in covered):
            kept.append(path)
    return kept


def _secrets_inside(bound: Sequence[str]) -> list[str]:
    """Folders to hide under an empty tmpfs because a bind would expose them (the cache key)."""
    from glossary_gen.core.config import key_folder

    secret = os.path.realpath(key_folder())
    return [
        secret
        for root in bound
        if (secret == root or secret.startswith(root.rstrip("/") + "/")) and os.path.isdir(secret)
    ]


def _module_root(module: str) -> tuple[str, str] | None:
    """(path to bind, folder to put on sys.path) for a task's top-level module or package."""
    import importlib.util

    top = module.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        location = os.path.realpath(next(iter(spec.submodule_search_locations)))
        return location, os.path.dirname(location)
    if spec.origin and os.path.isfile(spec.origin):
        origin = os.path.realpath(spec.origin)
        return origin, os.path.dirname(origin)
    return None


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
    "from glossary_gen.run.sandbox import _serve\n"
    "_serve(init)\n"
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
    # Only the runtime and the modules holding the task functions are visible; sys.path keeps
    # the caller's order, restricted to what is there.
    modules = ["glossary_gen"] + [t.target.partition(":")[0] for t in tasks]
    found = [r for r in (_module_root(m) for m in dict.fromkeys(modules)) if r is not None]
    roots = _runtime_roots() + [bound for bound, _ in found]
    visible = _outermost(roots) + [d for d in SYSTEM_DIRS if os.path.isdir(d)]

    def inside(path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == v or real.startswith(v.rstrip("/") + "/") for v in visible)

    path = [p for p in caller_path if inside(p)]
    path = [folder for _, folder in found if folder not in path] + path
    argv = _bwrap_argv(where.bwrap, where.version, limits, [bound for bound, _ in found])
    keep = [v for v in visible if v.startswith("/tmp/")]
    return _Plan(argv + python, path, "/", scrubbed_env("/tmp", limits.env), True, keep)


class _Supervisor:
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
        _write_frame(
            self.fd_in,
            {
                "path": plan.path,
                "preload": list(preload),
                "root": "/tmp" if plan.isolated else root,
                "isolated": plan.isolated,
                "keep": plan.keep,
            },
        )

    @property
    def running(self) -> int | None:
        return self.queue[0] if self.queue else None

    def send(self, index: int, task: Task) -> None:
        if not self.queue:
            self.restart_clock()
        self.queue.append(index)
        limits = asdict(self.limits)
        limits["env"] = dict(self.limits.env)
        _write_frame(self.fd_in, {"target": task.target, "payload": task.payload, "limits": limits})

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
        frames = _split_frames(self.buffer, MAX_FRAME)
        return [_outcome_from_json(_loads(frame)) for frame in frames], False

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
    where = isolation()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    depth = PIPELINE_DEPTH if len(tasks) > jobs else 1
    root = tempfile.mkdtemp(prefix="glossary-sandbox-")
    plan = _plan(where, tasks, limits, root)
    pending = deque(range(len(tasks)))
    selector = selectors.DefaultSelector()
    supervisors: list[_Supervisor] = []

    def start() -> None:
        supervisor = _Supervisor(plan, limits, preload, root)
        supervisors.append(supervisor)
        selector.register(supervisor.fd_out, selectors.EVENT_READ, supervisor)
        selector.register(supervisor.fd_err, selectors.EVENT_READ, supervisor)
        fill(supervisor)

    def fill(supervisor: _Supervisor) -> None:
        while pending and len(supervisor.queue) < depth:
            index = pending.popleft()
            supervisor.send(index, tasks[index])

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

    def retire(supervisor: _Supervisor, outcome: Outcome) -> None:
        """Kill a worker: its running task gets ``outcome``, the queued ones go back."""
        selector.unregister(supervisor.fd_out)
        if supervisor.fd_err_open:
            selector.unregister(supervisor.fd_err)
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
                if supervisor not in supervisors:
                    continue
                if key.fd == supervisor.fd_err:
                    if not supervisor.read_errors():
                        selector.unregister(supervisor.fd_err)
                        supervisor.fd_err_open = False
                    continue
                try:
                    frames, gone = supervisor.read()
                except Exception as exc:  # noqa: BLE001 - any unreadable reply retires the worker
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
                            error=f"sandbox worker died unexpectedly{supervisor.why()}",
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


# --- the supervisor (a separate process, PID 1 of its namespace when isolated) --------------------

_libc: Any = None

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


def _prctl(option: int, value: int) -> None:
    """Linux ``prctl``; a no-op elsewhere."""
    global _libc
    if not sys.platform.startswith("linux"):
        return
    try:
        if _libc is None:
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        pass


def _serve(init: dict[str, Any]) -> None:
    """Worker main loop: one task at a time from fd 0, one outcome each to fd 1."""
    parent = os.getppid()
    isolated = bool(init.get("isolated"))
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if not isolated and os.getppid() != parent:  # pragma: no cover - the caller died first
        os._exit(1)
    # Not dumpable: a task (same uid, no capabilities) can neither ptrace this process nor open
    # its /proc/<pid>/fd, mem, environ or cwd.
    _prctl(PR_SET_DUMPABLE, 0)
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
    _no_processes = _prepare_no_processes()
    functions: dict[str, Callable[[Any], Any]] = {}
    while True:
        message = _read_frame(commands)
        if message is None:
            return
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
        _write_frame(replies, asdict(outcome))


def _resolve(target: str) -> Callable[[Any], Any]:
    import importlib

    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"target {target!r} must look like 'package.module:function'")
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{target} is not a function")
    function: Callable[[Any], Any] = obj
    return function


def _supervise(
    function: Callable[[Any], Any], payload: JSON, limits: dict[str, Any], init: dict[str, Any]
) -> Outcome:
    root, isolated = init["root"], bool(init.get("isolated"))
    workdir = tempfile.mkdtemp(prefix="task-", dir=root)
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    baseline = _thread_count() if isolated else 0
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (covered through the tests' outcomes)
        _child(function, payload, limits, workdir, (result_w, out_w, err_w), isolated, baseline)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    for fd in (result_w, out_w, err_w):
        os.close(fd)
    try:
        return _watch(pid, started, limits, result_r, out_r, err_r, isolated)
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

    def unlock(function: Any, path: str, _exc: Any) -> None:
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


def _child(
    function: Callable[[Any], Any],
    payload: JSON,
    limits: dict[str, Any],
    workdir: str,
    fds: tuple[int, int, int],
    isolated: bool,
    baseline: int,
) -> None:  # pragma: no cover - child process
    global _progress_fd
    result_w, out_w, err_w = fds
    try:
        os.setpgid(0, 0)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
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
        if not limits.get("fork"):
            # last: from here on the task is one process (the kernel does not apply RLIMIT_NPROC
            # to uid 0, which is what the caller's root maps to)
            _forbid_new_processes()
    except BaseException as exc:  # noqa: BLE001 - the child must exit, never unwind
        os.write(2, f"sandbox setup failed: {exc!r}\n".encode())
        os._exit(70)
    try:
        reply: dict[str, Any] = {"ok": function(payload)}
    except BaseException as exc:  # noqa: BLE001 - entry code may raise anything, SystemExit too
        kind = "memory" if isinstance(exc, MemoryError) else "error"
        try:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except BaseException:  # noqa: BLE001 - a hostile exception may break formatting
            text = ""
        reply = {kind: [type(exc).__name__, _describe(exc), text]}
    try:
        try:
            _write_frame(3, reply)
        except (TypeError, ValueError, RecursionError) as exc:
            message = f"return value is not JSON data: {exc}"
            _write_frame(3, {"error": [type(exc).__name__, message, ""]})
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


#: Architectures where ``clone``'s first argument is its flags (what the filter inspects).
_SECCOMP_MACHINES = ("x86_64", "amd64", "aarch64", "arm64", "riscv64", "ppc64le")


_no_processes: tuple[Any, int] | None = None


def _prepare_no_processes() -> tuple[Any, int] | None:
    """A seccomp filter (libseccomp) under which a process may start threads but no process.

    ``fork``/``vfork`` and a ``clone`` without ``CLONE_THREAD`` fail with EAGAIN (as when the
    process limit is reached); ``clone3``, whose flags a filter cannot see, reports ENOSYS so
    that the C library falls back to ``clone`` for threads.  Threads share the task's address
    space, so ``RLIMIT_AS`` bounds the memory of the whole task.  A few system calls no example
    needs (keyrings, ptrace, bpf, io_uring...) fail with EPERM.  Built once per worker, loaded
    by each task (:func:`_forbid_new_processes`); None where unavailable.
    """
    import ctypes
    import ctypes.util
    import platform

    if not sys.platform.startswith("linux") or platform.machine().lower() not in _SECCOMP_MACHINES:
        return None

    class ArgCmp(ctypes.Structure):
        _fields_ = [
            ("arg", ctypes.c_uint),
            ("op", ctypes.c_int),
            ("datum_a", ctypes.c_uint64),
            ("datum_b", ctypes.c_uint64),
        ]

    allow, masked_eq, clone_thread = 0x7FFF0000, 7, 0x00010000

    def refuse(code: int) -> int:
        return 0x00050000 | code  # SCMP_ACT_ERRNO(code)

    lib: Any = None
    for name in ("libseccomp.so.2", ctypes.util.find_library("seccomp")):
        with contextlib.suppress(OSError, TypeError):
            lib = ctypes.CDLL(name)
            break
    if lib is None:
        return None
    try:
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(ArgCmp),
        ]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
    except AttributeError:
        return None
    context = lib.seccomp_init(allow)
    if not context:
        return None
    rules: list[tuple[str, int, ArgCmp | None]] = [
        ("fork", refuse(errno.EAGAIN), None),
        ("vfork", refuse(errno.EAGAIN), None),
        ("clone3", refuse(errno.ENOSYS), None),
        ("clone", refuse(errno.EAGAIN), ArgCmp(0, masked_eq, clone_thread, 0)),
    ]
    # Nothing an example needs, each a way out or a large attack surface: the caller's kernel
    # keyrings (inherited, not namespaced), ptrace, and kernel interfaces with a history of
    # exploits (as in Docker's default profile).
    rules += [
        (name, refuse(errno.EPERM), None)
        for name in (
            "keyctl",
            "add_key",
            "request_key",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "userfaultfd",
            "perf_event_open",
            "bpf",
            "io_uring_setup",
        )
    ]
    for name, action, condition in rules:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:  # not a system call on this architecture (fork on arm64)
            continue
        count, args = (1, ctypes.pointer(condition)) if condition else (0, None)
        if lib.seccomp_rule_add_array(context, action, number, count, args) != 0:
            lib.seccomp_release(context)
            return None
    return lib, context


def _forbid_new_processes() -> bool:
    """From now on this process may start threads but no process; False where unavailable."""
    if _no_processes is None:
        return False
    lib, context = _no_processes
    loaded: int = lib.seccomp_load(context)
    return loaded == 0


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__ may raise anything
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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


def _watch(
    pid: int,
    started: float,
    limits: dict[str, Any],
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

    def drain(fd: int) -> None:
        nonlocal progress, reply, reason
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
                    for frame in _split_frames(buffers[fd], MAX_TASK_FRAME):
                        if frame.startswith(b'{"progress":'):
                            progress = frame
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

    common: dict[str, Any] = {
        "stdout": _text(buffers[out_r], cap),
        "stderr": _text(buffers[err_r], cap),
        "duration": duration,
        "progress": _task_message(progress, "progress"),
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


def _task_message(frame: bytes | None, key: str) -> JSON:
    """The value of a task's ``{key: value}`` message; None when absent or malformed."""
    if frame is None:
        return None
    try:
        data = _loads(frame)
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) and len(data) == 1 else None


def _reply_outcome(frame: bytes, common: dict[str, Any]) -> Outcome:
    """A task's reply: ``{"ok": value}`` or ``{"error"|"memory": [type, message, traceback]}``."""
    try:
        data = _loads(frame)
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
