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
    passed to :func:`report_progress`, so a caller can say *where* a task hung or crashed;
    ``records`` every record the task committed with :func:`report_record`, in order.
``report_progress(marker)``
    Called from inside a task: remembers a small JSON ``marker``; a no-op outside a worker.
``report_record(record)``
    Called from inside a task: adds ``record`` to ``Outcome.records`` for good (nothing the task
    runs later can take it back); a no-op outside a worker.
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
No terminal: ``/dev/pts`` is an empty read-only tmpfs, so no task holds host ptys.  The
virtualenv is seen at ``/glossary/venv`` and the tasks' packages at ``/glossary/pkg...`` (its
files naming host folders, pyvenv.cfg and editable installs' finders, are empty there), and the
host's boot id is an empty file, so ``sys.path``, ``__file__`` and what a task prints name
neither the project's folder nor the machine.  (The base interpreter keeps its path, which is
compiled into it; ``/proc/self/mountinfo`` still names the bound host folders.)

Inside, the worker's supervisor is PID 1 of the namespace: the kernel delivers no signal to it
from inside unless it handles that signal (it handles none), so ``kill(-1, SIGKILL)`` from a task
cannot touch it.  It is not dumpable, so a task (same uid, no capabilities) can neither ptrace it
nor open its ``/proc/1/fd``, ``mem``, ``environ`` or ``cwd``.  For each task it forks a child
with its own working folder under ``/tmp``, the resource limits and only four descriptors
(``/dev/null``, two output pipes and a result socket); the child then loads its seccomp
filters: no ``memfd_create``, System V IPC or POSIX message queue (memory ``RLIMIT_AS`` would not
count; state the worker's next task would find), and no new processes.  When the task ends,
the supervisor kills every other process of the namespace (``kill(-1)`` as PID 1) and reaps
them until none is left, then empties ``/tmp``, so nothing a task started (a double-forked
``setsid`` daemon included, where forking is allowed) outlives it
or meets the next task; if the worker itself goes, the kernel ends its whole PID namespace.

Where bubblewrap or user namespaces are missing (macOS, hardened kernels), the same supervisor
runs as a plain process (``python -I``, scrubbed environment, temporary cwd, the same limits) and
:func:`isolation` says in one line what is not isolated.  ``GLOSSARY_REQUIRE_SANDBOX=1`` turns
that into :class:`SandboxUnavailable`; ``GLOSSARY_SANDBOX=process`` forces the process sandbox
(for comparisons), ``GLOSSARY_SANDBOX=bubblewrap`` requires bubblewrap.

Nothing crosses a boundary as code: every message (caller <-> supervisor <-> task) is a
length-prefixed JSON document with a size limit, checked against a fixed shape when it arrives.

Modules, along the path of a task: :mod:`.protocol` (the data and the frames that cross every
boundary), :mod:`.bubblewrap` (which sandbox, and bubblewrap's command line), :mod:`.pool` (the
calling side), :mod:`.worker` (the supervisor inside the sandbox), :mod:`.child` (the task's own
process), :mod:`.watch` (the worker's watch over a child) and :mod:`.kernel` (``prctl``, seccomp).
This package's namespace is the API above; the rest of glossary_gen imports only from it.
"""

from __future__ import annotations

from glossary_gen.run.sandbox.bubblewrap import (
    NAMESPACES,
    Isolation,
    SandboxUnavailable,
    isolation,
)
from glossary_gen.run.sandbox.child import report_progress, report_record
from glossary_gen.run.sandbox.pool import run_task, run_tasks
from glossary_gen.run.sandbox.protocol import STATUSES, Limits, Outcome, Task, matches

__all__ = [
    "NAMESPACES",
    "STATUSES",
    "Isolation",
    "Limits",
    "Outcome",
    "SandboxUnavailable",
    "Task",
    "isolation",
    "matches",
    "report_progress",
    "report_record",
    "run_task",
    "run_tasks",
]
