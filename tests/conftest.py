"""Shared test helpers. Fixture glossaries live in tests/fixtures/<case>/."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


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
