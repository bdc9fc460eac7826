"""Hostile entries, round 3 (issue 22), the sandbox's part: memory outside the limit (memfd,
System V shared memory), IPC state shared by a worker's tasks, terminals, a task forging its own
result, a cache key blind to the entry's name, and host identifiers and paths seen by a task.

Each attack runs through ``glossary-gen check`` in a small git repository beside two honest
entries (tests/fixtures/hostile_sandbox/honest/): the attack has no effect, and the report stays
honest (the failing entry is still reported at its line, the passing one is not, exit code 1).
The attacks' own examples state what the sandbox must give them (``PermissionError``...), so an
attack that succeeds is a failing example too, and the test names what leaked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from glossary_gen.core.config import Settings
from glossary_gen.run import sandbox
from glossary_gen.run.sandbox import Limits, Task, run_task

ROOT = Path(__file__).parent.parent
HONEST = Path(__file__).parent / "fixtures" / "hostile_sandbox" / "honest"
FAILING = "entries/failing.md:15:1: error[doctest]: example `2 + 2` failed: expected '5', got '4'"


def require(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run under ``kind`` (bubblewrap or process); bubblewrap must be there when required."""
    monkeypatch.setenv("GLOSSARY_SANDBOX", kind)
    if kind == "process":
        monkeypatch.delenv("GLOSSARY_REQUIRE_SANDBOX", raising=False)
        return
    try:
        sandbox.isolation()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("GLOSSARY_REQUIRE_SANDBOX", "") not in ("", "0"):
            pytest.fail(f"GLOSSARY_REQUIRE_SANDBOX=1 but {exc}")
        pytest.skip(str(exc))


def entry(title: str, code: str) -> str:
    return (
        f"---\ntitle: {title}\n---\n### Summary\n\nHostile fixture (issue 22).\n\n"
        f"### ELI5\n\nAn attack.\n\n### In-depth explanation\n\n```python\n{code}```\n"
    )


class Project:
    def __init__(self, path: Path, cache: Path) -> None:
        self.path, self.cache = path, cache

    def check(self, *args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "glossary_gen.cli", "check", "--timeout", "30", *args],
            cwd=self.path,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    def git(self, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
        )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def make(**attacks: str) -> Project:
        path = tmp_path / "project"
        (path / "entries").mkdir(parents=True)
        monkeypatch.setenv("GLOSSARY_CACHE_DIR", str(tmp_path / "user-cache"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        for honest in HONEST.glob("*.md"):
            shutil.copy(honest, path / "entries" / honest.name)
        for name, text in attacks.items():
            (path / "entries" / f"{name}.md").write_text(text, encoding="utf-8")
        made = Project(path, tmp_path / "user-cache")
        made.git("init", "-q")
        made.git("add", "-A")
        made.git("commit", "-qm", "glossary")
        return made

    return make


def assert_honest(code: int, out: str, err: str) -> None:
    assert code == 1, (out, err)
    assert FAILING in out, out
    assert "passing.md" not in out, out
    assert "Traceback" not in out + err, err


def got(out: str, name: str) -> str:
    """What the attack's example printed, from its located diagnostic ('' if it passed)."""
    found = re.search(rf"entries/{name}\.md:\d+:\d+: error\[\S+\]: .*", out)
    return found.group(0) if found else ""


# --- 6. memory past the limit: memfd and System V shared memory --------------------------------

MEMORY = entry(
    "Attack Memfd",
    """\
>>> import ctypes, errno, os
>>> def hold(total=768):
...     report, chunk = [], b'x' * (16 << 20)
...     fds, held = [], 0
...     while held < total:  # pages written into memfds are not mapped: RLIMIT_AS does not count
...         try:  # them (each is capped by RLIMIT_FSIZE: so, many of them)
...             fds.append(os.memfd_create('hold'))
...         except OSError as exc:
...             report.append('memfd ' + type(exc).__name__)
...             break
...         try:
...             for _ in range(4):
...                 os.write(fds[-1], chunk)
...                 held += 16
...         except OSError:
...             pass
...     if fds:
...         report.append(f'memfd held {held} MiB')
...     libc = ctypes.CDLL(None, use_errno=True)
...     libc.shmat.restype = ctypes.c_void_p
...     segments, held = [], 0
...     while held < total:  # attached, filled, detached: held, and out of the address space
...         shmid = libc.shmget(0, ctypes.c_size_t(64 << 20), 0o1600)
...         if shmid < 0:
...             report.append('shmget ' + errno.errorcode[ctypes.get_errno()])
...             break
...         segments.append(shmid)
...         address = libc.shmat(shmid, None, 0)
...         ctypes.memset(address, 1, 64 << 20)
...         libc.shmdt(ctypes.c_void_p(address))
...         held += 64
...     for shmid in segments:
...         libc.shmctl(shmid, 0, None)  # IPC_RMID: the attack cleans up after measuring
...     if segments:
...         report.append(f'shm held {held} MiB')
...     print(', '.join(report))
>>> hold()
memfd PermissionError, shmget EPERM
""",
)


@pytest.mark.parametrize("kind", ["bubblewrap", "process"])
def test_memfd_and_shm_cannot_hold_memory_outside_the_limit(kind, project, monkeypatch):
    require(kind, monkeypatch)
    made = project(**{"attack-memfd": MEMORY})
    code, out, err = made.check()
    assert_honest(code, out, err)
    assert got(out, "attack-memfd") == "", got(out, "attack-memfd")  # e.g. "memfd held 768 MiB"


@pytest.mark.parametrize("path", ["/dev/shm/hold", "/tmp/hold"])
def test_shared_memory_files_are_capped(path, monkeypatch):
    """POSIX shared memory is a file in /dev/shm: read-only in the sandbox; /tmp is a tmpfs capped
    at the task's file size limit."""
    require("bubblewrap", monkeypatch)
    outcome = run_task(Task("sandbox_tasks:write_file", [path, 200]), LIMITS)
    assert outcome.status == "ok", outcome
    assert outcome.value <= 64, outcome.value  # 0 in /dev/shm


# --- 7. System V IPC outlives its task ---------------------------------------------------------

IPC_CODE = """\
>>> import ctypes, errno
>>> libc = ctypes.CDLL(None, use_errno=True)
>>> libc.shmat.restype = ctypes.c_void_p
>>> def segment(create):
...     shmid = libc.shmget(@@KEY@@, 4096, 0o1600 if create else 0)
...     if shmid < 0:
...         return errno.errorcode[ctypes.get_errno()]
...     address = libc.shmat(shmid, None, 0)
...     if create:
...         ctypes.memmove(address, b'@@TOKEN@@', 32)
...     return ctypes.string_at(address, 32).decode()
"""


@pytest.mark.parametrize("kind", ["bubblewrap", "process"])
def test_one_tasks_ipc_is_not_the_next_ones(kind, project, monkeypatch):
    require(kind, monkeypatch)
    key, token = 0x6C000000 + os.getpid() % 0xFFFF, uuid.uuid4().hex
    code = IPC_CODE.replace("@@KEY@@", str(key)).replace("@@TOKEN@@", token)
    made = project(
        **{
            "ipc-a": entry("Ipc A", code + ">>> segment(create=True)\n'EPERM'\n"),
            "ipc-b": entry("Ipc B", code + ">>> segment(create=False)\n'EPERM'\n"),
        }
    )
    try:
        code_, out, err = made.check("--jobs", "1")  # one worker: A's task, then B's
    finally:  # without the fix, the process sandbox would leave the segment on this machine
        subprocess.run(["ipcrm", "-M", str(key)], capture_output=True, check=False)
    assert_honest(code_, out, err)
    assert token not in out + err
    assert got(out, "ipc-a") == got(out, "ipc-b") == "", out


# --- 13. terminals -----------------------------------------------------------------------------

TERMINAL = entry(
    "Attack Terminal",
    """\
>>> import os
>>> def terminal(path):
...     try:
...         os.close(os.open(path, os.O_RDWR | os.O_NOCTTY))
...     except OSError as exc:
...         return type(exc).__name__
...     return 'opened a terminal'
>>> terminal('/dev/ptmx'), terminal('/dev/pts/ptmx')
('FileNotFoundError', 'FileNotFoundError')
>>> os.listdir('/dev/pts')
[]
""",
)


def test_a_task_gets_no_terminal(project, monkeypatch):
    require("bubblewrap", monkeypatch)
    made = project(**{"attack-terminal": TERMINAL})
    code, out, err = made.check()
    assert_honest(code, out, err)
    assert got(out, "attack-terminal") == "", got(out, "attack-terminal")


# --- 14. a task forging its own result ---------------------------------------------------------

FORGE = """\
>>> import json, os, struct
>>> def forge(*wants):  # what each example of the entry expects: its forged output
...     rows = [{"status": "passed", "got": want, "detail": "", "exc": ""} for want in wants]
...     reply = {"ok": {"blocks": [{"parse_error": None, "examples": rows}]}}
...     records = [{"record": dict(row, block=0, example=n)} for n, row in enumerate(rows)]
...     frames = [json.dumps(f).encode() for f in records + [reply]]
...     data = b"".join(struct.pack(">I", len(f)) + f for f in frames)
...     for fd in range(256):  # every descriptor the task has: one of them is the result channel
...         try:
...             os.write(fd, data)
...         except OSError:
...             pass
...     os._exit(0)
"""


@pytest.mark.parametrize("kind", ["bubblewrap", "process"])
def test_a_task_cannot_forge_its_result(kind, project, monkeypatch):
    require(kind, monkeypatch)
    made = project(
        **{
            # a wrong example, then one that says "all passed" on every descriptor and exits
            "forge-after": entry(
                "Forge After", ">>> 1 + 1\n3\n" + FORGE + ">>> forge('3\\n', '', '', '')\n"
            ),
            # the forger's own example: an old-style reply, "passed", then the end
            "forge-alone": entry(
                "Forge Alone", FORGE.replace("records + ", "") + ">>> forge('', '', '')\n"
            ),
        }
    )
    code, out, err = made.check()
    assert_honest(code, out, err)
    # the wrong example was recorded before the forger ran: its verdict stands, located
    wrong = "example `1 + 1` failed: expected '3', got '2'"
    assert f"entries/forge-after.md:15:1: error[doctest]: {wrong}" in out, out
    assert re.search(r"entries/forge-after\.md:\d+:1: error\[doctest-error\]: .*tampered", out)
    assert re.search(
        r"entries/forge-alone\.md:\d+:1: error\[doctest-error\]: .*without a result", out
    )


# --- 16. the cache key and the entry's name ----------------------------------------------------

NAMED = entry(
    "Original",
    """\
>>> import sys
>>> sys._getframe().f_code.co_filename.startswith('<doctest original[')
True
""",
)


def test_a_renamed_entry_runs_again(project, monkeypatch):
    require("bubblewrap", monkeypatch)
    made = project(original=NAMED)
    code, out, err = made.check()
    assert_honest(code, out, err)
    assert "original.md" not in out  # it passes under its own name, and is cached
    assert list((made.cache / "doctests").glob("*.json"))
    made.git("mv", "entries/original.md", "entries/renamed.md")
    code, out, err = made.check()
    assert_honest(code, out, err)
    assert "entries/renamed.md:16:1: error[doctest]: example `sys._getframe()" in out, out


def test_the_live_cache_key_covers_the_path_the_runtime_and_the_limits(monkeypatch):
    from glossary_gen.fences.evaluate import _cache_key

    payload = {"path": "entries/a.md", "sources": [[1, "def f(x): return x"]], "plots": []}
    key = _cache_key(payload, Settings())  # type: ignore[arg-type]
    assert key != _cache_key({**payload, "path": "entries/b.md"}, Settings())  # type: ignore[arg-type]
    assert key != _cache_key(payload, Settings(doctest_memory_mb=256))  # type: ignore[arg-type]
    monkeypatch.setenv("GLOSSARY_SANDBOX", "process")
    monkeypatch.delenv("GLOSSARY_REQUIRE_SANDBOX", raising=False)
    assert key != _cache_key(payload, Settings()) or sandbox.isolation().kind == "process"  # type: ignore[arg-type]


def test_values_from_the_sandbox_are_capped_on_the_build_side():
    from glossary_gen.fences.evaluate import MAX_REPR, _bounded

    class Request:
        functions = ("f",)

    item = {"values": {"f": [1.0, 2.0]}, "point": {"x": "0", "repr": "x" * 10**6, "number": 1.0}}
    bounded = _bounded(item, Request(), [0.0, 1.0])  # type: ignore[arg-type]
    assert len(bounded["point"]["repr"]) == MAX_REPR
    more = {"values": {"f": [1.0] * 10**5}}
    assert "error" in _bounded(more, Request(), [0.0, 1.0])  # type: ignore[arg-type]


# --- 20. host identifiers and paths ------------------------------------------------------------

LIMITS = Limits(timeout=20.0, memory_mb=512, output_kb=64)


@pytest.fixture(autouse=True)
def tasks_module(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fixtures" / "doctest_tasks"))


def test_a_task_sees_no_host_identifier_or_host_path(monkeypatch):
    require("bubblewrap", monkeypatch)
    outcome = run_task(Task("sandbox_tasks:host_details"), LIMITS)
    assert outcome.status == "ok", outcome
    seen = json.dumps(outcome.value)
    host = [
        Path("/proc/sys/kernel/random/boot_id").read_text().strip(),
        str(ROOT.resolve()),
        str(Path(sys.prefix).resolve()),
        str(Path(__file__).parent.resolve()),
    ]
    machine_id = Path("/etc/machine-id")
    if machine_id.is_file() and machine_id.read_text().strip():
        host.append(machine_id.read_text().strip())
    leaked = [value for value in host if value in seen]
    assert not leaked, (leaked, outcome.value)
    assert outcome.value["file"] == "/glossary/pkg/glossary_gen/__init__.py"
    assert outcome.value["boot_id"] == ""
