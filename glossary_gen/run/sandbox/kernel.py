"""What a worker asks of the Linux kernel through libc: ``prctl`` and a seccomp filter.

The worker makes itself undumpable and tied to its parent (:func:`prctl`), builds the filters
once (:func:`prepare_no_processes`) and each task's child loads them last
(:func:`forbid_new_processes`): always the one that keeps all of the task's memory inside its
``RLIMIT_AS`` and its state inside the task (no ``memfd_create``, no System V IPC or POSIX
message queues), and, unless the task may fork, the one that makes it one address space:
threads, but no new process.  Everything here is a no-op where the kernel or libc lacks it (macOS, other
architectures); ``ctypes`` is imported only when it is used.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes

    #: libseccomp, the filter every task loads and the one a task that may not fork adds.
    NoProcesses = tuple[ctypes.CDLL, int, int]

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
    needs fail with EPERM, in a second filter that every task loads, forking or not: memfd_create,
    System V IPC and POSIX message queues (memory outside RLIMIT_AS, state that outlives the task),
    keyrings, ptrace, bpf, io_uring...  Built once per worker, loaded by each task
    (:func:`forbid_new_processes`); None where unavailable.
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
    no_fork: list[tuple[str, int, ArgCmp | None]] = [
        ("fork", refuse(errno.EAGAIN), None),
        ("vfork", refuse(errno.EAGAIN), None),
        ("clone3", refuse(errno.ENOSYS), None),
        ("clone", refuse(errno.EAGAIN), ArgCmp(0, masked_eq, clone_thread, 0)),
    ]
    # For every task: nothing an example needs, each a way out of its limits or a large attack
    # surface. memfd_create and System V shared memory hold pages that RLIMIT_AS does not count
    # until mapped (a task held 1,000 MiB under 512 MiB with memfds filled by write()); System V
    # IPC and POSIX message queues live in the worker's IPC namespace, which the tasks share one
    # after the other (the worker has no capability to give each task its own); the caller's
    # kernel keyrings (inherited, not namespaced), ptrace, and kernel interfaces with a history
    # of exploits (as in Docker's default profile).
    always: list[tuple[str, int, ArgCmp | None]] = [
        (name, refuse(errno.EPERM), None)
        for name in (
            "memfd_create",
            "memfd_secret",
            "shmget",
            "shmat",
            "shmctl",
            "shmdt",
            "msgget",
            "msgsnd",
            "msgrcv",
            "msgctl",
            "semget",
            "semop",
            "semtimedop",
            "semctl",
            "mq_open",
            "mq_unlink",
            "mq_timedsend",
            "mq_timedreceive",
            "mq_notify",
            "mq_getsetattr",
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
    contexts: list[int] = []
    for rules in (always, no_fork):
        context = _build(lib, allow, rules)
        if context is None:
            for built in contexts:
                lib.seccomp_release(built)
            return None
        contexts.append(context)
    return lib, contexts[0], contexts[1]


def _build(
    lib: ctypes.CDLL, allow: int, rules: Sequence[tuple[str, int, ctypes.Structure | None]]
) -> int | None:
    """A libseccomp filter context with ``rules`` (name, action, condition); None on failure."""
    import ctypes

    context: int | None = lib.seccomp_init(allow)
    if not context:
        return None
    for name, action, condition in rules:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:  # not a system call on this architecture (fork on arm64)
            continue
        count, args = (1, ctypes.pointer(condition)) if condition is not None else (0, None)
        if lib.seccomp_rule_add_array(context, action, number, count, args) != 0:
            lib.seccomp_release(context)
            return None
    return context


def forbid_new_processes(no_processes: NoProcesses | None, *, fork: bool = False) -> bool:
    """Load the filters: always the one for memory and IPC, and unless ``fork`` the one under
    which this process may start threads but no process. False where unavailable."""
    if no_processes is None:
        return False
    lib, always, no_fork = no_processes
    loaded: int = lib.seccomp_load(always)
    if loaded == 0 and not fork:
        loaded = lib.seccomp_load(no_fork)
    return loaded == 0
