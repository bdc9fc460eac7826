"""Hostile entries: each attack on the entry-code sandbox (issue 11) has no effect, and the report
stays honest: the failing entry beside the attacker is still reported and the exit code is 1.

Every test builds a small git repository from tests/fixtures/hostile_sandbox/ (two honest
entries and the attack) and runs ``glossary-gen check`` in it as a separate process, as CI does:
with a secret in its environment and its output going to pipes, which the attacks look for.
The entries are dangerous without isolation (one sends SIGKILL to every process it may
signal): the tests force bubblewrap
(``GLOSSARY_SANDBOX=bubblewrap``) and are skipped where it cannot run, unless
``GLOSSARY_REQUIRE_SANDBOX=1`` (CI), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from glossary_gen.core.config import Settings
from glossary_gen.core.loader import load_entries
from glossary_gen.run import sandbox
from glossary_gen.run.cache import ResultStore, load_key
from glossary_gen.run.doctests import cache_key

ROOT = Path(__file__).parent.parent
HOSTILE = Path(__file__).parent / "fixtures" / "hostile_sandbox"
ATTACKS = sorted(p.stem for p in (HOSTILE / "attacks").glob("*.md"))
FAILING = "entries/failing.md:15:1: error[doctest]: example `2 + 2` failed: expected '5', got '4'"
FAILING_GITHUB = "::error file=entries/failing.md,line=15,col=1,title=doctest::"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never run these entries outside bubblewrap: no fallback, or the test does not run."""
    monkeypatch.setenv("GLOSSARY_SANDBOX", "bubblewrap")
    try:
        where = sandbox.isolation()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("GLOSSARY_REQUIRE_SANDBOX", "") not in ("", "0"):
            pytest.fail(f"GLOSSARY_REQUIRE_SANDBOX=1 but {exc}")
        pytest.skip(f"the hostile entries only run isolated: {exc}")
    assert where.isolated


@dataclass
class Project:
    path: Path
    cache: Path
    key_path: Path
    values: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return self.values["TOKEN"]

    def check(self, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        """``glossary-gen check`` in the project, as its own process (with ``SECRET`` set)."""
        env = dict(os.environ, GLOSSARY_HOSTILE_SECRET=self.values["SECRET"])
        done = subprocess.run(
            [sys.executable, "-m", "glossary_gen.cli", "check", "--timeout", "20", *args],
            cwd=cwd or self.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Project]:
    """``make_project(*attacks, **placeholders)``: the repository, as the working directory."""

    def make(*attacks: str, **extra: str) -> Project:
        project = tmp_path / "project"
        (project / "entries").mkdir(parents=True)
        cache, xdg = tmp_path / "user-cache", tmp_path / "xdg"
        monkeypatch.setenv("GLOSSARY_CACHE_DIR", str(cache))
        monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
        key_path = xdg / "glossary-gen" / "cache.key"
        for honest in (HOSTILE / "honest").glob("*.md"):
            shutil.copy(honest, project / "entries" / honest.name)
        failing, _ = load_entries(project / "entries")
        values = {
            "PROJECT": str(project),
            "TOKEN": f"hostile-{uuid.uuid4().hex}",
            "SENTINEL": str(tmp_path / "unpickled"),
            "CACHE_DIR": str(cache),
            "KEY_PATH": str(key_path),
            "FAILING_KEYS": ",".join(
                cache_key(e, Settings()) for e in failing if e.slug == "failing"
            ),
            "SECRET_NAME": "GLOSSARY_HOSTILE_SECRET",
            "SECRET": uuid.uuid4().hex,
            "MEMORY_MB": str(Settings().doctest_memory_mb),
            "ABSTRACT": f"glossary-hostile-{uuid.uuid4().hex}",
            **extra,
        }
        for attack in attacks:
            text = (HOSTILE / "attacks" / f"{attack}.md").read_text(encoding="utf-8")
            for name, value in values.items():
                text = text.replace(f"@@{name}@@", value)
            assert "@@" not in text, f"{attack}: a placeholder is not filled in"
            (project / "entries" / f"{attack}.md").write_text(text, encoding="utf-8")
        (project / ".gitignore").write_text(".glossary_cache/\nsite/\n", encoding="utf-8")
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "commit", "-qm", "glossary")
        monkeypatch.chdir(project)
        return Project(project, cache, key_path, values)

    return make


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under ``folders`` (bytecode caches aside) with its content."""
    return {
        str(path): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def assert_honest(code: int, out: str, err: str, *, github: bool = False) -> None:
    """Exit 1, the honest failing entry reported as a plain wrong output, the passing one not."""
    assert code == 1, (out, err)
    if github:
        assert FAILING_GITHUB in out, out
        assert "file=entries/passing.md" not in out
    else:
        assert FAILING in out, out
        assert "passing.md" not in out
    summary = err.strip().splitlines()[-1]
    errors = re.search(r": (\d+) error\(s\)", summary)
    assert errors and int(errors.group(1)) >= 1, summary
    assert summary.endswith(
        f"(doctests isolated by bubblewrap {sandbox.isolation().version}: {sandbox.NAMESPACES})"
    ), summary
    assert not re.search(r"\b0 error\(s\)", out + err)


def host_processes_with(token: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in command:
            found.append(int(pid))
    return found


# --- 2. change files --------------------------------------------------------------------------


def test_an_entry_cannot_change_other_entries_or_plant_files(make_project):
    project = make_project("attack-files")
    before = snapshot(project.path, ROOT / "entries", ROOT / "glossary_gen")
    code, out, err = project.check()
    assert_honest(code, out, err)
    assert snapshot(project.path, ROOT / "entries", ROOT / "glossary_gen") == before
    assert not (project.path / "entries" / "planted.md").exists()
    assert not (ROOT / "glossary_gen" / "planted_by_entry.py").exists()
    assert "changed" not in out  # the attack prints each write that succeeded
    assert "plot-failed" not in out  # its plot ran the same attack, through the plot sampler


# --- 3. forge the verdict ---------------------------------------------------------------------


def test_a_pickle_in_the_reply_pipes_is_never_run(make_project):
    project = make_project("attack-verdict")
    code, out, err = project.check()
    assert_honest(code, out, err)
    assert not Path(project.values["SENTINEL"]).exists()


# --- 4. poison the result cache ---------------------------------------------------------------


def test_an_entry_cannot_write_a_passed_record_for_a_failing_one(make_project):
    project = make_project("attack-cache")
    # The attacker's entry ends with os._exit(), so it is not cached and runs every time: a
    # forged record written in the second run would be read by the third.
    for _run in ("cold", "warm", "warm again"):
        code, out, err = project.check()
        assert_honest(code, out, err)
        assert "entries/attack-cache.md:" in out and "doctest-exit" in out
    # (writes to the same paths inside the sandbox land in its private /tmp, then vanish)
    store = ResultStore(project.cache / "doctests", "doctests", load_key())
    records = sorted(p.stem for p in (project.cache / "doctests").glob("*.json"))
    assert len(records) == 2 and all(store.get(name) is not None for name in records)
    (failing_key,) = project.values["FAILING_KEYS"].split(",")
    assert store.get(failing_key)["status"] == "failed"
    assert not (project.path / ".glossary_cache").exists()
    assert project.key_path.stat().st_mode & 0o777 == 0o600


def forged_record(key: str, secret: bytes | None, tmp_path: Path) -> bytes:
    """A "passed" record for the failing entry's example, as a forger would write it: in the
    old, unauthenticated format, or in the store's own format with a MAC made with ``secret``."""
    result = {
        "blocks": [
            {
                "examples": [
                    {
                        "lineno": 0,
                        "indent": 0,
                        "source": "2 + 2\n",
                        "want": "5\n",
                        "status": "passed",
                        "got": "5\n",
                        "detail": "",
                    }
                ],
                "parse_error": None,
            }
        ],
        "status": "passed",
        "duration": 0.0,
    }
    if secret is None:
        return json.dumps({"version": 1, "result": result}).encode()
    forger = ResultStore(tmp_path / "forger", "doctests", secret)
    forger.put(key, result)
    return forger.path(key).read_bytes()


def test_a_committed_cache_is_never_trusted_even_with_the_right_key(make_project, tmp_path):
    project = make_project()
    (failing_key,) = project.values["FAILING_KEYS"].split(",")
    leaked = load_key()  # the worst case: the forger knows this user's key
    assert leaked is not None
    committed = project.path / ".glossary_cache" / "doctests"
    committed.mkdir(parents=True)
    (committed / f"{failing_key}.json").write_bytes(forged_record(failing_key, leaked, tmp_path))
    (committed / "old-format.json").write_bytes(forged_record(failing_key, None, tmp_path))
    (project.path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - glossary:\n      cache_dir: .glossary_cache\n"
    )
    git(project.path, "add", "-f", "-A")
    git(project.path, "commit", "-qm", "a cache, committed")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(project.path), str(clone))
    assert (clone / ".glossary_cache" / "doctests" / f"{failing_key}.json").is_file()
    # mkdocs.yml points the cache into the repository: ignored, with a warning
    code, out, err = project.check(cwd=clone)
    assert_honest(code, out, err)
    assert "ignoring the cache folder" in err and ".glossary_cache" in err
    (clone / "mkdocs.yml").unlink()  # the default cache (the user's) has no such record
    code, out, err = project.check(cwd=clone)
    assert_honest(code, out, err)


def test_a_record_with_a_wrong_mac_is_a_miss(make_project, tmp_path):
    project = make_project()
    (failing_key,) = project.values["FAILING_KEYS"].split(",")
    target = project.cache / "doctests"
    target.mkdir(parents=True)
    forged = forged_record(failing_key, b"not the key" * 3, tmp_path)
    (target / f"{failing_key}.json").write_bytes(forged)
    code, out, err = project.check()
    assert_honest(code, out, err)


# --- 5. outlive the check ---------------------------------------------------------------------


def test_nothing_an_entry_starts_outlives_the_check(make_project):
    project = make_project("attack-outlive")
    before = snapshot(project.path)
    code, out, err = project.check()
    assert_honest(code, out, err)
    assert host_processes_with(project.token) == []
    time.sleep(1.0)  # the thread would write every 0.1 s
    assert host_processes_with(project.token) == []
    assert snapshot(project.path) == before
    assert not (project.path / "site").exists()


# --- 6. reach what it should not ----------------------------------------------------------------


def test_an_entry_cannot_read_the_callers_secrets_or_the_cache_key(make_project):
    project = make_project("attack-secrets")
    code, out, err = project.check()
    assert_honest(code, out, err)
    key = project.key_path.read_bytes()
    secret = project.values["SECRET"]
    for leaked in (secret, "GLOSSARY_HOSTILE_SECRET", key.hex(), "file "):
        assert leaked not in out + err


def test_an_entry_cannot_reach_any_network(make_project):
    with socket.socket() as listener, socket.socket(socket.AF_UNIX) as abstract:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        name = f"glossary-hostile-{uuid.uuid4().hex}"
        abstract.bind("\0" + name)
        abstract.listen()
        abstract.setblocking(False)
        project = make_project("attack-network", PORT=str(listener.getsockname()[1]), ABSTRACT=name)
        code, out, err = project.check()
        assert_honest(code, out, err)
        for server in (listener, abstract):
            with pytest.raises(BlockingIOError):
                server.accept()
    assert "connected" not in out and "resolved" not in out


def test_an_entry_cannot_signal_any_process(make_project):
    canary = subprocess.Popen(["sleep", "60"])
    try:
        project = make_project("attack-kill")
        # one worker: the attack runs first, then the honest entries in the same sandbox
        code, out, err = project.check("--jobs", "1")
        assert_honest(code, out, err)
        assert "doctest-crash" not in out and "doctest-error" not in out
        assert canary.poll() is None
    finally:
        canary.kill()
        canary.wait()


def test_an_entry_cannot_hold_more_memory_than_its_limit(make_project):
    project = make_project("attack-memory")
    code, out, err = project.check()
    assert_honest(code, out, err)
    assert "forked" not in out and "held" not in out


def test_an_entry_cannot_change_kernel_settings_or_use_the_callers_keyring(make_project):
    before = Path("/proc/sys/kernel/core_pattern").read_text()
    project = make_project("attack-kernel")
    code, out, err = project.check()
    assert_honest(code, out, err)
    assert "writable" not in out and "keyring" not in out
    assert Path("/proc/sys/kernel/core_pattern").read_text() == before


def test_an_entry_cannot_write_into_the_callers_output(make_project):
    project = make_project("attack-annotations")
    code, out, err = project.check("--format", "github")
    assert_honest(code, out, err, github=True)
    assert project.token not in out + err


def test_all_attacks_at_once(make_project):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        canary = subprocess.Popen(["sleep", "60"])
        try:
            project = make_project(*ATTACKS, PORT=str(listener.getsockname()[1]))
            before = snapshot(project.path, ROOT / "entries", ROOT / "glossary_gen")
            code, out, err = project.check("--jobs", "2")
            assert_honest(code, out, err)
            assert canary.poll() is None
        finally:
            canary.send_signal(signal.SIGKILL)
            canary.wait()
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert snapshot(project.path, ROOT / "entries", ROOT / "glossary_gen") == before
    assert not Path(project.values["SENTINEL"]).exists()
    assert host_processes_with(project.token) == []
    assert project.values["SECRET"] not in out + err and project.token not in out + err
    # only the honest failing entry fails (and the cache attacker, which exits to run again):
    # every other attack ran and passed, having done nothing
    assert [line.split(":")[0] for line in out.strip().splitlines()] == [
        "entries/attack-cache.md",
        "entries/failing.md",
    ], out
