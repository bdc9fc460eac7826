"""Loading the glossary pauses the cycle collector and leaves what it built in the oldest
generation, without undoing a freeze its caller made (the MkDocs plugin freezes the last serve
build's records for the length of a rebuild)."""

from __future__ import annotations

import gc
from pathlib import Path

from glossary_gen.pipeline import load_and_link

ENTRY = """---
title: Alpha
---
### Summary

Alpha in one line.

### Explain like I'm 5

Easy.

### In-depth explanation

Nothing more.
"""


def _entries(tmp_path: Path) -> Path:
    folder = tmp_path / "entries"
    folder.mkdir()
    (folder / "alpha.md").write_text(ENTRY, encoding="utf-8")
    return folder


def test_a_callers_freeze_survives_loading(tmp_path: Path) -> None:
    folder = _entries(tmp_path)
    kept = [object() for _ in range(100)]  # noqa: F841  (frozen below, as a build record is)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        load_and_link(folder)
        assert gc.get_freeze_count() >= frozen  # still frozen: the caller unfreezes
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_loading_alone_leaves_nothing_frozen(tmp_path: Path) -> None:
    folder = _entries(tmp_path)
    gc.unfreeze()
    load_and_link(folder)
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
