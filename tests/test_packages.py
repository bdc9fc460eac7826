"""``requires:``: declared packages are there for the doctests, and for Run in the browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary_gen.core import packages
from glossary_gen.core.loader import parse_entry
from glossary_gen.core.validate import validate

ROOT = Path(__file__).parent.parent
PYODIDE_LOCK = ROOT / "node_modules" / "pyodide" / "pyodide-lock.json"


def problems_of(front_matter: str, example: str = "") -> list[tuple[str, int, int, str]]:
    body = (
        "### Summary\n\nS.\n\n### ELI5\n\nE.\n\n### In-depth explanation\n\nD.\n\n"
        f"```python\n{example}```\n"
    )
    text = f"---\ntitle: T\n{front_matter}---\n{body}"
    entry, loaded = parse_entry(text.encode(), Path("t.md"), "entries/t.md")
    assert loaded == [] and entry is not None
    return [(d.code, d.line, d.column, d.message) for d in validate([entry])]


def test_a_declared_installed_pyodide_package_is_clean():
    assert (
        problems_of("requires: [numpy]\n", ">>> import numpy as np\n>>> int(np.int8(3))\n3\n") == []
    )


def test_an_undeclared_import_is_located_at_its_line():
    example = ">>> x = 1\n>>> import numpy as np\n>>> from numpy import linalg\n"
    assert problems_of("", example) == [
        (
            "requires-undeclared",
            18,  # the second line of the fence that opens on line 16
            1,
            "the example imports 'numpy', which 'requires:' does not list",
        )
    ]


def test_the_standard_library_and_pyodide_bridge_need_no_declaration():
    example = ">>> import math, json\n>>> from collections import Counter\n>>> import js\n"
    assert problems_of("", example) == []
    assert [p[0] for p in problems_of("requires: [math]\n")] == ["requires-stdlib"]


def test_a_package_missing_from_the_doctest_environment_is_a_located_error():
    found = problems_of("requires: [numpy, surely_not_installed_pkg]\n")
    assert ("requires-missing", 3, 19) in [p[:3] for p in found]
    message = next(p[3] for p in found if p[0] == "requires-missing")
    assert "'surely_not_installed_pkg'" in message
    # and, being in no Pyodide either, Run cannot load it: a warning beside the error
    assert ("requires-not-in-pyodide", 3, 19) in [p[:3] for p in found]


def test_an_installed_package_pyodide_lacks_is_a_warning_only():
    # playwright is installed for the tests, and is not a Pyodide package
    assert packages.installed("playwright") and not packages.in_pyodide("playwright")
    found = problems_of("requires: [playwright]\n")
    assert [p[:3] for p in found] == [("requires-not-in-pyodide", 3, 12)]


def test_names_are_import_names_not_expressions():
    found = problems_of("requires: ['os.system(1)']\n")
    assert [p[0] for p in found] == ["schema"] or all(p[0] != "requires-missing" for p in found)
    assert not packages.installed("..")


def test_the_shipped_pyodide_snapshot_matches_the_pinned_lock():
    if not PYODIDE_LOCK.exists():
        pytest.skip("node_modules/pyodide is not installed (run npm ci)")
    lock = json.loads(PYODIDE_LOCK.read_text(encoding="utf-8"))
    snapshot = packages.pyodide_snapshot()
    assert snapshot["imports"] == packages.imports_from_lock(lock)
    version = json.loads((PYODIDE_LOCK.parent / "package.json").read_text(encoding="utf-8"))
    assert snapshot["pyodide"] == version["version"]
    assert packages.pyodide_package("numpy") == "numpy"


def test_numpy_in_the_lock_matches_the_version_pyodide_ships():
    """The doctests and the browser run the same NumPy (major.minor), so outputs agree."""
    import numpy

    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "numpy==" in lock
    if PYODIDE_LOCK.exists():
        pyodide_numpy = json.loads(PYODIDE_LOCK.read_text(encoding="utf-8"))["packages"]["numpy"]
        assert numpy.__version__.split(".")[:2] == pyodide_numpy["version"].split(".")[:2]
