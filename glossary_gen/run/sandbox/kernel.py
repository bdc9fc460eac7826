"""What a worker asks of the Linux kernel through libc: ``prctl`` and a seccomp filter.

The worker makes itself undumpable and tied to its parent (:func:`prctl`), builds the filter
once (:func:`prepare_no_processes`) and each task's child loads it last
(:func:`forbid_new_processes`), so that the task is one address space: threads, but no new
process.  Everything here is a no-op where the kernel or libc lacks it (macOS, other
architectures); ``ctypes`` is imported only when it is used.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes

    #: libseccomp and a filter context built by it.
    NoProcesses = tuple[ctypes.CDLL, int]

_libc: ctypes.CDLL | None = None

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


def prctl(option: int, value: int) -> None:
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


#: Architectures where ``clone``'s first argument is its flags (what the filter inspects).
_SECCOMP_MACHINES = ("x86_64", "amd64", "aarch64", "arm64", "riscv64", "ppc64le")


def prepare_no_processes() -> NoProcesses | None:
    """A seccomp filter (libseccomp) under which a process may start threads but no process.

    ``fork``/``vfork`` and a ``clone`` without ``CLONE_THREAD`` fail with EAGAIN (as when the
    process limit is reached); ``clone3``, whose flags a filter cannot see, reports ENOSYS so
    that the C library falls back to ``clone`` for threads.  Threads share the task's address
    space, so ``RLIMIT_AS`` bounds the memory of the whole task.  A few system calls no example
    needs (keyrings, ptrace, bpf, io_uring...) fail with EPERM.  Built once per worker, loaded
    by each task (:func:`forbid_new_processes`); None where unavailable.
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

    lib: ctypes.CDLL | None = None
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


def forbid_new_processes(no_processes: NoProcesses | None) -> bool:
    """From now on this process may start threads but no process; False where unavailable."""
    if no_processes is None:
        return False
    lib, context = no_processes
    loaded: int = lib.seccomp_load(context)
    return loaded == 0
