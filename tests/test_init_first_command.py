"""A new glossary works on its first command: ``glossary-gen init``, then the new project's own
``bash scripts/test`` and ``bash scripts/serve``, as its README says, in a clean environment.

This installs the new project's ``.venv`` from scratch (``python -m venv``, then pip: glossary_gen
from this clone and MkDocs, Material, matplotlib... from the package index or pip's cache), as a
newcomer's machine does: about 1 to 2 minutes. It runs in CI (``.ci/run``) like every test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from glossary_gen.cli import main

ROOT = Path(__file__).parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment() -> dict[str, str]:
    """The caller's environment without this virtualenv: the project makes its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)
    env["PYTHON"] = sys.executable  # the same Python version as this one, for its venv module
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def run_in(project: Path, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_init_then_the_projects_own_test_and_serve_commands_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    assert main(["init", "mygloss"]) == 0, capsys.readouterr().err
    project = tmp_path / "mygloss"
    env = _environment()

    # scripts/test: set up .venv (glossary_gen from requirements.txt), check, mkdocs build --strict
    test = run_in(project, env, "bash", "scripts/test")
    output = test.stdout + test.stderr
    assert test.returncode == 0, output
    seconds = time.monotonic() - started
    print(f"init -> scripts/test passed in {seconds:.0f} s")
    assert "setup:   mkdocs" in output  # progress: one line per package
    assert "is ignored" not in output and "Requirement already satisfied" not in output
    assert not [line for line in output.splitlines() if line.startswith("  ")]  # pip's detail
    assert "glossary-gen: checked 0 entries" in output
    assert (project / "site" / "glossary" / "index.html").is_file()
    installed = project / ".venv" / "bin" / "glossary-gen"
    assert installed.is_file()

    # The term `new` makes, checked as `new` says (against the first commit init made).
    new = run_in(project, env, str(installed), "new", "Leaky ReLU")
    assert new.returncode == 0, new.stderr
    changed = run_in(project, env, str(installed), "check", "--changed", "--no-doctest")
    assert changed.returncode == 1, changed.stderr  # its empty sections; not a usage error (2)
    assert "checked 1 entry changed since main" in changed.stderr, changed.stderr
    (project / "entries" / "leaky-relu.md").unlink()

    # scripts/serve, set up already: it starts at once and serves the glossary.
    port = _free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    serve = subprocess.Popen(
        ["bash", "scripts/serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        page = ""
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/glossary/", timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert "Mygloss" in page, (tmp_path / "serve.log").read_text(encoding="utf-8")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        log.close()
    served = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "serve: checking the glossary and building the site" in served, served
    assert "setup: installing" not in served  # set up once, by scripts/test
