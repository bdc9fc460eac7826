"""``scripts/build-zensical`` (``glossary-gen zensical build``) prints the check's summary line,
exactly as ``glossary-gen check`` prints it, whether the build goes on or is refused.

Zensical itself is not run here (``test_zensical.py`` builds with it): its command is replaced by
one that fails, so the build stops right after the check and the workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from site_html import copy_fixture

from glossary_gen.cli import main
from glossary_gen.engines.zensical import commands


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = copy_fixture(tmp_path)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("GLOSSARY_CACHE_DIR", str(tmp_path / "cache"))
    # Zensical's command stands in as a Python that exits with 7.
    monkeypatch.setattr(
        commands, "zensical_command", lambda *args: [sys.executable, "-c", "raise SystemExit(7)"]
    )
    return folder


def _summary(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("glossary-gen: checked ")]
    assert len(lines) == 1, err
    return lines[0]


def test_the_build_prints_the_same_summary_line_as_check(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, check_err = run(capsys, "check")
    assert code == 0, check_err
    expected = _summary(check_err)
    assert "0 error(s)" in expected
    code, _, err = run(capsys, "zensical", "build")
    assert code == 7  # Zensical's (stand-in's) code: the check passed and the build went on
    assert _summary(err) == expected


def test_a_refused_build_prints_the_summary_with_the_errors(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = next(p for p in sorted((site / "entries").glob("*.md")))
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("related:", "related:\n  - No Such Term\n", 1)
        if "related:" in entry.read_text(encoding="utf-8")
        else entry.read_text(encoding="utf-8") + "\n[[No Such Term]]\n",
        encoding="utf-8",
    )
    code, check_out, check_err = run(capsys, "check")
    assert code == 1
    code, out, err = run(capsys, "zensical", "build")
    assert code == 1
    assert out == check_out  # the same located messages
    assert err.splitlines()[-1] == _summary(check_err) + ": not built"
