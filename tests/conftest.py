"""Shared test helpers. Fixture glossaries live in tests/fixtures/<case>/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
#: The small MkDocs site most site tests build: four published terms, a draft, a docs page.
SITE_BASIC = FIXTURES / "site_basic"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def write_entry(tmp_path: Path):
    """Write ``entries/<name>`` under a temporary folder and return the entries folder."""
    entries = tmp_path / "entries"
    entries.mkdir(exist_ok=True)

    def write(name: str, text: str | bytes) -> Path:
        path = entries / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return entries

    return write


def _copy_site_basic(folder: Path) -> Path:
    site = folder / "site_basic"
    shutil.copytree(SITE_BASIC, site)
    return site


def _mkdocs_build(site: Path) -> Path:
    # MkDocs in a child process, as a user runs it (with the MkDocs 2 warning on, so a build
    # that prints it fails under --strict as theirs would).
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "NO_MKDOCS_2_WARNING"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return site / "site"


@pytest.fixture(scope="session")
def copy_site_basic() -> Callable[[Path], Path]:
    """``copy_site_basic(folder)``: a copy of the site_basic fixture in ``folder``, to edit."""
    return _copy_site_basic


@pytest.fixture(scope="session")
def mkdocs_build() -> Callable[[Path], Path]:
    """``mkdocs_build(site)``: build the site (``mkdocs build --strict``), assert it built,
    return the built folder."""
    return _mkdocs_build
