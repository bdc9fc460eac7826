"""Packages an entry's examples need (``requires:``): are they there to run the examples?

Two places run an entry's code: the doctest workers (this interpreter's environment, the locked
``requirements.lock``) and the reader's browser (Pyodide, whose packages are those its lock lists).
``requires:`` names *import names* (``numpy``, not a PyPI project name), because that is what both
places resolve. Python's standard library needs no declaration.

The Pyodide side is a snapshot shipped in the package (``schema/pyodide-packages.json``), taken
from the pinned npm package's ``pyodide-lock.json``: check works without ``npm ci``, and a test
keeps the snapshot equal to the lock. Regenerate it after upgrading Pyodide with
``python -m glossary_gen.core.packages node_modules/pyodide/pyodide-lock.json``.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import json
import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from glossary_gen.core.model import CodeBlock

SNAPSHOT = "schema/pyodide-packages.json"
_PARSER = doctest.DocTestParser()

#: Modules Pyodide has without loading a package (its own bridge modules).
PYODIDE_BUILTINS = frozenset({"js", "pyodide", "pyodide_js", "micropip"})


#: What ``requires:`` accepts (the schema says the same): a top-level import name.
VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


#: Packages a worker may import once, before forking its tasks, when an entry declares them, so
#: that each example does not pay the import again. An allow-list, because the worker is the
#: trusted side of the sandbox: only packages known not to start threads or install signal
#: handlers at import time belong here.
PRELOADABLE = frozenset({"numpy"})


def preload_for(requires: Iterable[str]) -> tuple[str, ...]:
    """What the workers should import up front for entries declaring ``requires``."""
    return tuple(sorted({top_level(n) for n in requires} & PRELOADABLE))


def top_level(name: str) -> str:
    return name.split(".", 1)[0]


def is_stdlib(name: str) -> bool:
    return top_level(name) in sys.stdlib_module_names or top_level(name) in sys.builtin_module_names


@lru_cache(maxsize=256)
def installed(name: str) -> bool:
    """Whether the doctest environment can import ``name`` (searched, never imported)."""
    try:
        return importlib.util.find_spec(top_level(name)) is not None
    except (ImportError, ValueError):
        return False


def imports_from_lock(lock: Mapping[str, object]) -> dict[str, str]:
    """Import name -> Pyodide package name, for the importable packages of a Pyodide lock."""
    packages = lock.get("packages")
    found: dict[str, str] = {}
    if not isinstance(packages, Mapping):
        return found
    for key in sorted(packages):
        package = packages[key]
        if not isinstance(package, Mapping) or package.get("package_type") != "package":
            continue
        for name in package.get("imports") or ():
            found.setdefault(str(name), str(package.get("name", key)))
    return dict(sorted(found.items()))


@lru_cache(maxsize=1)
def pyodide_snapshot() -> Mapping[str, object]:
    text = resources.files("glossary_gen").joinpath(SNAPSHOT).read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def pyodide_package(name: str) -> str | None:
    """The Pyodide package that provides the import ``name``, or ``None``."""
    imports = pyodide_snapshot().get("imports")
    if not isinstance(imports, Mapping):
        return None
    found = imports.get(top_level(name))
    return str(found) if found else None


def needs_declaring(name: str) -> bool:
    """An import that is neither the standard library nor Pyodide's own bridge modules."""
    return not is_stdlib(name) and top_level(name) not in PYODIDE_BUILTINS


def in_pyodide(name: str) -> bool:
    return is_stdlib(name) or top_level(name) in PYODIDE_BUILTINS or bool(pyodide_package(name))


def imported_names(block: CodeBlock) -> Iterable[tuple[str, int]]:
    """Top-level modules a doctest block imports, with the file line of each import.

    Parsed with the standard ``doctest`` parser, as the doctest run will; an example that does not
    parse yields nothing here (the doctest run reports it at its line).
    """
    if "import" not in block.code:  # no example can import anything (most blocks: no parse)
        return
    try:
        examples = _PARSER.get_examples(block.code)
    except ValueError:
        return
    for example in examples:
        if "import" not in example.source:
            continue
        try:
            tree = ast.parse(example.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            line = block.line + example.lineno + getattr(node, "lineno", 1) - 1
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield top_level(alias.name), line
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield top_level(node.module), line


def write_snapshot(lock_path: Path, out: Path) -> None:
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    version = json.loads((lock_path.parent / "package.json").read_text(encoding="utf-8"))
    data = {
        "pyodide": version.get("version"),
        "python": lock.get("info", {}).get("python"),
        "imports": imports_from_lock(lock),
    }
    out.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - maintenance command
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules/pyodide/pyodide-lock.json")
    target = Path(__file__).parents[1] / SNAPSHOT
    write_snapshot(lock, target)
    print(f"wrote {target}")
