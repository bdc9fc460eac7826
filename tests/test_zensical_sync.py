"""The writer's output folder (glossary_gen/engines/zensical/sync.py): exactly the run's files,
only the changed ones written, the earlier run's other files and emptied folders removed, the
vendored folders and linked folders left alone."""

from __future__ import annotations

from pathlib import Path

from glossary_gen.engines.zensical.sync import sync
from glossary_gen.fences.pyodide import VENDORED_DIRS


def test_only_changed_files_are_written_and_stale_ones_removed(tmp_path: Path) -> None:
    out, source = tmp_path / "out", tmp_path / "style.css"
    source.write_bytes(b"body{}")
    files: dict[str, bytes | Path] = {
        "a.md": b"A",
        "deep/b.md": b"B",
        "old/gone.md": b"G",
        "assets/style.css": source,
    }
    written, removed = sync(out, files)
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(files)
    assert removed == []
    vendored = out / VENDORED_DIRS[0].strip("/") / "kept.js"
    vendored.parent.mkdir(parents=True)
    vendored.write_bytes(b"//")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_bytes(b"X")
    (out / "linked").symlink_to(elsewhere, target_is_directory=True)
    del files["old/gone.md"]
    files["deep/b.md"] = b"B2"
    written, removed = sync(out, files)
    assert written == [out / "deep" / "b.md"]
    assert removed == [out / "old" / "gone.md"]
    assert not (out / "old").exists()  # emptied, removed
    assert (out / "deep" / "b.md").read_bytes() == b"B2"
    assert vendored.is_file()
    assert (elsewhere / "x.md").is_file() and (out / "linked").is_symlink()
    source.write_bytes(b"body{color:red}")
    written, removed = sync(out, files)
    assert written == [out / "assets" / "style.css"] and removed == []
    assert (out / "assets" / "style.css").read_bytes() == b"body{color:red}"
