"""Which sandbox runs tasks here, and the bubblewrap command line that starts an isolated worker.

:func:`isolation` probes once per process and setting whether bubblewrap can start a sandbox
(Linux, unprivileged user namespaces) and falls back to plain worker processes where it cannot,
unless isolation is required.  :func:`bwrap_argv` is the why of the sandbox in one place: the
namespaces, the read-only view of the runtime and of the task's package, a private ``/tmp``, a
read-only ``/proc``, and the cache key hidden (see the package docstring).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from glossary_gen.run.sandbox.protocol import Limits


class SandboxUnavailable(Exception):
    """Entry code must run isolated here (``GLOSSARY_REQUIRE_SANDBOX=1``) and cannot be.

    :func:`glossary_gen.pipeline.check` reports it as a configuration error (exit code 2).
    (Not a subclass of ``ConfigError``: workers import this module, and need no YAML.)"""


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
        python = interpreter(sandbox_binds([]))
        argv = [*bwrap_argv(bwrap, version, Limits(), []), python, "-I", "-S", "-c", ""]
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


#: Where the sandbox shows the caller's virtualenv and the tasks' packages: fixed paths that say
#: nothing about the host (a playground's start value once printed the project's folder).
NEUTRAL_ROOT = "/glossary"
#: Host identifiers a task could read and print: each is replaced by an empty file.
HOST_IDS = ("/proc/sys/kernel/random/boot_id", "/etc/machine-id", "/var/lib/dbus/machine-id")


def bwrap_argv(bwrap: str, version: str, limits: Limits, extra_roots: Sequence[str]) -> list[str]:
    """The bubblewrap command line of a worker: see the package docstring for the why."""
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
    # No terminals: --dev gives a devpts of its own whose ptmx anyone may open, and every pty
    # opened there counts against the host's kernel.pty.max. An empty read-only tmpfs hides it
    # (/dev/ptmx is a link into it). No /dev/shm either: /dev is read-only, and seccomp refuses
    # memfd_create and System V IPC (kernel.py), so all of a task's memory is in RLIMIT_AS.
    argv += ["--tmpfs", "/dev/pts", "--remount-ro", "/dev/pts"]
    argv += ["--size", str(size), "--tmpfs", "/tmp"]
    # after /tmp, so that a runtime kept under /tmp (a CI checkout's) shows through
    binds = sandbox_binds(extra_roots)
    for host, inside in binds:
        argv += ["--ro-bind", host, inside]
    for secret in _secrets_inside([host for host, _ in binds]):
        argv += ["--tmpfs", translate(secret, binds) or secret]
    blanks = _blanks(binds)
    if blanks:
        empty = _empty_file()
        for blank in blanks:
            argv += ["--ro-bind", empty, blank]
    argv += ["--remount-ro", "/", "--chdir", "/tmp", "--"]
    return argv


def sandbox_binds(extra_roots: Sequence[str]) -> list[tuple[str, str]]:
    """(host path, path inside) of every folder bound into a worker besides the system's.

    The base interpreter stays where it is (its own build prefix is compiled into it anyway);
    the virtualenv is shown at ``/glossary/venv`` and every other root (the task packages, which
    may live in the project) at ``/glossary/pkg``, ``/glossary/pkg1``..., so ``sys.path``,
    ``__file__`` and tracebacks do not show the host's folders.
    """
    base = {os.path.realpath(r) for r in (sys.base_prefix, sys.base_exec_prefix) if r}
    base.add(os.path.dirname(os.path.realpath(sys.executable)))
    venv = os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else ""
    extra = [os.path.realpath(p) for p in extra_roots]
    binds: list[tuple[str, str]] = []
    others = []
    for root in outermost(runtime_roots() + extra):
        if root in base:
            binds.append((root, root))
        elif root == venv:
            binds.append((root, f"{NEUTRAL_ROOT}/venv"))
        else:
            others.append(root)
    # numbered in the caller's order: glossary_gen (always first) is /glossary/pkg/glossary_gen
    others.sort(key=lambda r: extra.index(r) if r in extra else len(extra))
    for number, root in enumerate(others):
        binds.append((root, f"{NEUTRAL_ROOT}/pkg{number or ''}/{os.path.basename(root)}"))
    return binds


def translate(path: str, binds: Sequence[tuple[str, str]]) -> str | None:
    """Where the sandbox sees the host's ``path``; None when it does not see it."""
    real = os.path.realpath(path)
    for system in SYSTEM_DIRS:
        if real == system or real.startswith(system + "/"):
            return real
    for host, inside in sorted(binds, key=lambda b: -len(b[0])):
        if real == host or real.startswith(host.rstrip("/") + "/"):
            return inside + real[len(host) :]
    return None


def interpreter(binds: Sequence[tuple[str, str]]) -> str:
    """The interpreter a worker runs: the caller's, by its real path (a virtualenv's ``python``
    is a link to it; the worker gets its ``sys.path`` from the caller, not from pyvenv.cfg)."""
    return translate(sys.executable, binds) or sys.executable


_empty: list[str] = []


def _empty_file() -> str:
    """An empty, read-only regular file to bind over the files a task must not read: one per
    user in the temporary folder, made once and kept (a file per process was left behind by
    every process that was killed rather than stopped). Used only when it is still what was
    made: not a link, ours, empty, read-only; else a file of this process's own."""
    if not _empty:
        import tempfile

        uid = os.getuid() if hasattr(os, "getuid") else 0
        shared = os.path.join(tempfile.gettempdir(), f"glossary-sandbox-empty-{uid}")
        with contextlib.suppress(OSError):  # made by an earlier process, or not makeable
            os.close(os.open(shared, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o444))
        _empty.append(shared if _is_blank(shared, uid) else _own_empty_file())
    return _empty[0]


def _is_blank(path: str, uid: int) -> bool:
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == uid
        and info.st_size == 0
        and stat.S_IMODE(info.st_mode) & 0o222 == 0
    )


def _own_empty_file() -> str:
    """The fallback: an empty read-only file of this process, removed when it exits."""
    import atexit
    import tempfile

    fd, path = tempfile.mkstemp(prefix="glossary-sandbox-empty-")
    os.close(fd)
    os.chmod(path, 0o444)
    atexit.register(_remove, path)
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _blanks(binds: Sequence[tuple[str, str]]) -> list[str]:
    """Files inside the sandbox to replace by an empty one: host identifiers, and the files of the
    virtualenv that name the host's folders (pyvenv.cfg, editable installs' finders and URLs)."""
    import glob

    blanks = [
        p for p in HOST_IDS if os.path.exists(p) and (p.startswith("/proc/") or translate(p, binds))
    ]
    python = os.path.realpath(sys.executable)
    for host, inside in binds:
        if inside != f"{NEUTRAL_ROOT}/venv":
            continue
        found = [os.path.join(host, "pyvenv.cfg")] if not python.startswith(host + "/") else []
        for site in glob.glob(os.path.join(glob.escape(host), "lib*", "*", "site-packages")):
            escaped = glob.escape(site)
            found += glob.glob(os.path.join(escaped, "__editable__*"))
            found += glob.glob(os.path.join(escaped, "*.dist-info", "direct_url.json"))
        blanks += [inside + f[len(host) :] for f in found if os.path.isfile(f)]
    return blanks


def runtime_roots() -> list[str]:
    """What the interpreter needs: its prefixes (stdlib, virtualenv) and its own folder."""
    roots = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix}
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    return [os.path.realpath(r) for r in roots if r and os.path.realpath(r) != "/"]


def outermost(paths: Sequence[str]) -> list[str]:
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


def module_root(module: str) -> tuple[str, str] | None:
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
