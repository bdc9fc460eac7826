"""The entry's own Python, as the live fences see it: the code a plot runs (in page order, at its
file lines) and the names that code defines (what a fence may name as its function).

Both are read statically here, in the build process; the code only ever runs in the sandbox
(:mod:`glossary_gen.fences.evaluate`).
"""

from __future__ import annotations

import ast
import doctest

from glossary_gen.core.model import PYTHON_LANGUAGES, Entry


def python_sources(entry: Entry) -> list[tuple[int, str]]:
    """The entry's Python code in page order, as ``(file line, source)`` pairs.

    Doctest blocks contribute each example's source (what ``doctest`` executes) at the line of its
    ``>>>`` prompt; plain Python blocks are executed as written. This is the code the plots run,
    and tracebacks point at the entry file's own lines.
    """
    sources: list[tuple[int, str]] = []
    parser = doctest.DocTestParser()
    for block in entry.code_blocks:
        if block.language not in PYTHON_LANGUAGES:
            continue
        if ">>>" not in block.code:
            sources.append((block.line, block.code))
            continue
        try:
            examples = parser.get_examples(block.code)
        except ValueError:
            continue  # malformed doctest: the doctest step reports it
        # An example that shows an expected exception teaches, it does not define: skip it, as
        # doctest goes on past it.
        sources.extend(
            (block.line + example.lineno, example.source)
            for example in examples
            if example.exc_msg is None
        )
    return sources


def defined_names(entry: Entry) -> set[str]:
    """Top-level names the entry's Python blocks define (functions, classes, assignments, imports).

    A static look (``ast``), so that ``check --no-doctest`` still catches a misspelt function.
    """
    names: set[str] = set()
    for _line, source in python_sources(entry):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # Not Python, or nested past what the parser takes (it signals that with
            # RecursionError or MemoryError): the doctest step reports it from the sandbox.
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.add((alias.asname or alias.name).split(".")[0])
    return names
