"""The front-matter schema (a JSON Schema shipped in the package, extended by the site's entry
model) as a validation rule: fast on valid entries, located and explained on invalid ones."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import fastjsonschema

if TYPE_CHECKING:
    import jsonschema

from glossary_gen.core.config import DEFAULT_MODEL, EntryModel, package_schema
from glossary_gen.core.diagnostics import Diagnostic, did_you_mean, error
from glossary_gen.core.model import Entry


def schema() -> dict[str, Any]:
    """The front-matter JSON Schema shipped in the package (``glossary_gen/schema/``); a site's
    own (with its extra keys) is :meth:`EntryModel.schema`."""
    return package_schema()


@lru_cache(maxsize=8)
def _fast_check(model: EntryModel) -> Callable[[object], object]:
    # Compiled to Python code: ~40x faster than interpreting the schema, which matters at
    # 10,000 entries. It stops at the first error, so jsonschema explains the invalid ones.
    return fastjsonschema.compile(model.schema())


@lru_cache(maxsize=8)
def _explainer(model: EntryModel) -> jsonschema.protocols.Validator:
    import jsonschema  # only when an entry is invalid: the import costs ~0.1 s per build

    cls = jsonschema.validators.validator_for(model.schema())
    return cls(model.schema())


#: The model last checked against and its compiled check (a model is hashed field by field, so
#: the lru_cache lookup costs more than the check itself; this is asked 10,000 times in a row).
_last: tuple[EntryModel, Callable[[object], object]] | None = None


def check_schema(entry: Entry, model: EntryModel = DEFAULT_MODEL) -> Iterable[Diagnostic]:
    global _last
    if _last is None or _last[0] is not model:
        _last = (model, _fast_check(model))
    try:
        _last[1](entry.meta)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    # JSON-like by construction: the loader builds only YAML's core types
    instance: Any = entry.meta
    problems = _explainer(model).iter_errors(instance)
    for problem in sorted(problems, key=lambda e: list(map(str, e.absolute_path))):
        yield from _schema_diagnostics(entry, problem)


def _schema_part(problem: jsonschema.ValidationError) -> Mapping[str, Any]:
    """The subschema a problem was found against (always a mapping in our schema)."""
    return problem.schema if isinstance(problem.schema, Mapping) else {}


def _schema_diagnostics(entry: Entry, problem: jsonschema.ValidationError) -> Iterable[Diagnostic]:
    path = tuple(problem.absolute_path)
    where = ".".join(str(p) for p in path) or "front matter"
    if problem.validator == "additionalProperties":
        allowed = list(_schema_part(problem).get("properties", {}))
        instance = problem.instance if isinstance(problem.instance, dict) else {}
        for key in instance:
            if key not in allowed:
                line, col = entry.position(*path, key)
                scope = f" in {where}" if path else ""
                yield error(
                    entry.path,
                    line,
                    col,
                    "unknown-key",
                    f"unknown key '{key}'{scope}",
                    did_you_mean(str(key), allowed) or f"allowed keys: {', '.join(allowed)}",
                )
        return
    if problem.validator == "required":
        line, col = entry.position(*path) if path else (1, 1)
        instance = problem.instance if isinstance(problem.instance, dict) else {}
        for key in cast("list[str]", problem.validator_value):
            if key not in instance:
                scope = f" in {where}" if path else ""
                yield error(
                    entry.path, line, col, "missing-key", f"required key '{key}' is missing{scope}"
                )
        return
    line, col = entry.position(*path)
    if problem.validator == "const":
        message = f"'{where}' must be {problem.validator_value!r}"
    elif path == ("updated",):
        message = f"'updated' must be a date written YYYY-MM-DD, got {problem.instance!r}"
    elif problem.validator == "pattern" and path and path[-1] == "url":
        message = f"'{where}' must be an http(s) URL, got {problem.instance!r}"
    elif problem.validator == "pattern" and path[:1] == ("redirect_from",):
        message = (
            f"'{where}' must be a path on this site such as /old/path/, got {problem.instance!r}"
        )
    elif problem.validator == "pattern":
        message = f"'{where}' must be a single non-blank line"
    else:
        message = f"'{where}': {problem.message}"
    yield error(entry.path, line, col, "schema", message)


def schema_text(model: EntryModel) -> str:
    """The schema file for editors: the package schema plus the site's extra keys."""
    schema = {
        "$comment": "Written by `glossary-gen schema` from mkdocs.yml; do not edit by hand.",
        **model.schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
