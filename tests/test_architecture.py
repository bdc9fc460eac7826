"""The package's shape is a contract too: layers import only downward (import-linter's contracts
in pyproject.toml), no two modules import each other, and no module or class grows past the size
where it stops being one job."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "glossary_gen"

MAX_MODULE_LINES = 700
MAX_CLASS_LINES = 250
#: Function signatures that may name ``Any``: only where a value is truly unknown (JSON Schema
#: documents, Markdown's and pytest's keyword pass-through).
MAX_ANY_SIGNATURES = 15


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("lint-imports is not installed (bash scripts/setup installs the locked tools)")
    return found


def test_the_layer_contracts_hold():
    result = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_layer_crossed_fails_the_contract(tmp_path):
    """The contract can fail: a core module that imports the site layer breaks it."""
    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "glossary_gen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    model = copy / "glossary_gen" / "core" / "model.py"
    model.write_text(
        model.read_text(encoding="utf-8") + "\n\ndef _upward():\n"
        "    from glossary_gen.site import text  # noqa: F401\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(copy), "PATH": ""},
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "glossary_gen.core.model -> glossary_gen.site.text" in result.stdout


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_or_class_is_two_jobs():
    too_long: list[str] = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    too_long.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} class {node.name}: {size}"
                    )
    assert too_long == []


def test_any_only_where_a_type_is_truly_unknown():
    found: list[str] = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            annotations = [a.annotation for a in every if a.annotation is not None]
            if node.returns is not None:
                annotations.append(node.returns)
            if any("Any" in ast.unparse(a) for a in annotations):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert len(found) <= MAX_ANY_SIGNATURES, "\n".join(found)
