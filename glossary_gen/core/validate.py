"""Validate: schema and structure rules for each entry, and the rules that span entries.

A rule is a small function that yields diagnostics; adding a rule is one function and one line in
:data:`ENTRY_RULES` or :data:`GLOSSARY_RULES`. Every rule runs and every problem is reported. The
rules that follow the site's entry model (sections, extra keys: mkdocs.yml) are in
:data:`MODEL_RULES` and get the :class:`~glossary_gen.core.config.EntryModel` as well.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from glossary_gen.core.addresses import check_alias_slugs, check_old_addresses
from glossary_gen.core.config import DEFAULT_MODEL, EntryModel
from glossary_gen.core.diagnostics import Diagnostic, did_you_mean, error, warning
from glossary_gen.core.fences import check_fences
from glossary_gen.core.loader import RESERVED_SLUGS, SLUG_RE
from glossary_gen.core.markup import check_nesting, check_raw_html
from glossary_gen.core.model import Entry, name_key
from glossary_gen.core.schema import check_schema

EntryRule = Callable[[Entry], Iterable[Diagnostic]]
ModelRule = Callable[[Entry, EntryModel], Iterable[Diagnostic]]
GlossaryRule = Callable[[Sequence[Entry]], Iterable[Diagnostic]]

#: Sections generated from the front matter, which a body must not write by hand.
GENERATED_SECTIONS = {"related terms": "related", "referenced by": None}


def check_slug(entry: Entry) -> Iterable[Diagnostic]:
    if not SLUG_RE.match(entry.slug):
        suggestion = "-".join(
            filter(None, "".join(c if c.isalnum() else "-" for c in entry.slug.lower()).split("-"))
        )
        yield error(
            entry.path,
            1,
            1,
            "invalid-slug",
            f"file name '{entry.slug}.md' must be lower-case letters, digits and hyphens",
            f"rename it to '{suggestion or 'term'}.md'",
        )
    elif entry.slug in RESERVED_SLUGS:
        yield error(
            entry.path,
            1,
            1,
            "reserved-slug",
            f"file name '{entry.slug}.md' is reserved (the index page, or a device name on Windows)",
            f"rename it, e.g. to '{entry.slug}-term.md'",
        )


def check_sections(entry: Entry, model: EntryModel = DEFAULT_MODEL) -> Iterable[Diagnostic]:
    seen: dict[str, int] = {}
    for section in entry.sections:
        if section.key in GENERATED_SECTIONS:
            field = GENERATED_SECTIONS[section.key]
            yield error(
                entry.path,
                section.line,
                1,
                "generated-section",
                f"a '{section.title}' section is generated and must not be written by hand",
                f"list the terms under '{field}:' in the front matter" if field else "remove it",
            )
        if section.key in seen:
            yield error(
                entry.path,
                section.line,
                1,
                "duplicate-section",
                f"section '{section.title}' appears twice (first on line {seen[section.key]})",
            )
        seen.setdefault(section.key, section.line)
    for spec in model.sections:
        required = spec.title
        found = entry.section(required)
        if found is None and not spec.required:
            continue
        if found is None:
            close = did_you_mean(required, [s.title for s in entry.sections], cutoff=0.7)
            yield error(
                entry.path,
                entry.body_line,
                1,
                "missing-section",
                f"required section '{required}' is missing",
                close.replace("did you mean", "found")
                if close
                else f"add a '### {required}' heading",
            )
        elif spec.required and not _COMMENT.sub("", found.content).strip():
            yield error(
                entry.path,
                found.line,
                1,
                "empty-section",
                f"section '{required}' is empty",
                "write it under the heading; <!-- comments --> do not count",
            )
    yield from _section_order(entry, model)


def _section_order(entry: Entry, model: EntryModel) -> Iterable[Diagnostic]:
    """The configured sections in the configured order (pages show the file's order)."""
    rank = _ranks(model)
    latest: tuple[int, str] | None = None
    seen: set[str] = set()
    for section in entry.sections:
        if section.key not in rank or section.key in seen:  # a repeat is duplicate-section's
            continue
        seen.add(section.key)
        if latest is not None and rank[section.key] < latest[0]:
            order = ", ".join(s.title for s in model.sections)
            yield warning(
                entry.path,
                section.line,
                1,
                "section-order",
                f"section '{section.title}' comes after '{latest[1]}'",
                f"the site's order is: {order}",
            )
            continue
        latest = (rank[section.key], section.title)


#: The model last asked about, and each of its section keys' place (asked once per entry).
_last_ranks: tuple[EntryModel, dict[str, int]] | None = None


def _ranks(model: EntryModel) -> dict[str, int]:
    global _last_ranks
    if _last_ranks is None or _last_ranks[0] is not model:
        _last_ranks = (model, {s.key: i for i, s in enumerate(model.sections)})
    return _last_ranks[1]


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def check_aliases(entry: Entry) -> Iterable[Diagnostic]:
    seen = {name_key(entry.title): "the title"}
    for alias in entry.aliases:
        key = name_key(alias.value)
        if key in seen:
            yield warning(
                entry.path,
                alias.line,
                alias.column,
                "duplicate-alias",
                f"alias '{alias.value}' repeats {seen[key]}",
            )
        seen.setdefault(key, f"alias on line {alias.line}")


def check_tags(entry: Entry) -> Iterable[Diagnostic]:
    seen: set[str] = set()
    for tag in entry.tags:
        if tag.value.casefold() in seen:
            yield warning(
                entry.path,
                tag.line,
                tag.column,
                "duplicate-tag",
                f"tag '{tag.value}' is listed twice",
            )
        seen.add(tag.value.casefold())


def check_updated(entry: Entry) -> Iterable[Diagnostic]:
    """``updated:`` is a real calendar date (the schema checks its shape) and not in the future,
    where it would keep the term at the top of the feed."""
    value = entry.meta.get("updated")
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return
    line, col = entry.position("updated")
    if entry.updated is None:
        yield error(
            entry.path, line, col, "invalid-date", f"'updated' is not a calendar date: {value}"
        )
    elif entry.updated > _dt.date.today() + _dt.timedelta(days=1):  # +1: time zones
        yield warning(
            entry.path,
            line,
            col,
            "future-date",
            f"'updated' is in the future: {value}",
            "write the date of the change (YYYY-MM-DD), or remove the key to use the git date",
        )


def check_hidden_code(entry: Entry) -> Iterable[Diagnostic]:
    """What is verified is what is shown: a code block the page drops (inside an HTML comment)
    may not run, or a hidden block could set up what the shown ones print."""
    for block in entry.hidden_code:
        yield error(
            entry.path,
            block.fence_line,
            block.indent + 1,
            "hidden-code",
            "this code block is inside an HTML comment: readers would not see it, so it "
            "may not run",
            "remove the comment around it, or the block",
        )


def check_requires(entry: Entry) -> Iterable[Diagnostic]:
    """Every package the examples need is declared, present for the doctests, and in Pyodide."""
    from glossary_gen.core import packages

    declared = {r.value: r for r in entry.requires}
    for name, item in declared.items():
        if not packages.VALID_NAME.match(name):
            continue  # the schema reports it
        if packages.is_stdlib(name):
            yield warning(
                entry.path,
                item.line,
                item.column,
                "requires-stdlib",
                f"'{name}' is in Python's standard library; it need not be declared",
                "remove it from 'requires:'",
            )
            continue
        if not packages.installed(name):
            yield error(
                entry.path,
                item.line,
                item.column,
                "requires-missing",
                f"package '{name}' is not installed where the doctests run",
                "add it to pyproject.toml and run 'bash scripts/lock', or drop the example",
            )
        if not packages.in_pyodide(name):
            yield warning(
                entry.path,
                item.line,
                item.column,
                "requires-not-in-pyodide",
                f"package '{name}' is not in Pyodide's package index, so Run cannot load it "
                "in the browser",
                "the printed output stays verified; prefer packages Pyodide ships",
            )
    reported: set[str] = set()
    for block in entry.code_blocks:
        if not block.is_doctest:
            continue
        for name, line in packages.imported_names(block):
            if name in declared or name in reported or not packages.needs_declaring(name):
                continue
            reported.add(name)
            yield error(
                entry.path,
                line,
                1,
                "requires-undeclared",
                f"the example imports '{name}', which 'requires:' does not list",
                f"add 'requires: [{name}]' to the front matter",
            )


ENTRY_RULES: list[EntryRule] = [
    check_slug,
    check_aliases,
    check_tags,
    check_updated,
    check_fences,
    check_hidden_code,
    check_requires,
    check_raw_html,
    check_nesting,
]


def check_unique_names(entries: Sequence[Entry]) -> Iterable[Diagnostic]:
    """Titles, aliases and slugs share one namespace, so any name resolves to one entry."""
    owners: dict[str, tuple[Entry, str, int, int]] = {}
    for entry in entries:
        line, col = entry.position("title")
        names = [(entry.title, "title", line, col)]
        names += [(a.value, "alias", a.line, a.column) for a in entry.aliases]
        names.append((entry.slug, "slug", 1, 1))
        own: set[str] = set()
        for name, kind, n_line, n_col in names:
            key = name_key(name)
            if key in own:
                continue  # repeats inside one entry are check_aliases' business
            own.add(key)
            if key in owners:
                other, other_kind, o_line, _ = owners[key]
                if kind == "slug" and other_kind == "slug":
                    continue  # impossible on one file system; nothing to report twice
                yield error(
                    entry.path,
                    n_line,
                    n_col,
                    f"duplicate-{kind}",
                    f"{kind} '{name}' is already used as the {other_kind} of {other.path}:{o_line}",
                )
            else:
                owners[key] = (entry, kind, n_line, n_col)


#: Rules that need the whole glossary.
GLOSSARY_RULES: list[GlossaryRule] = [check_unique_names, check_alias_slugs, check_old_addresses]


#: Rules that follow the site's entry model (``sections`` and ``extra_keys`` in mkdocs.yml).
MODEL_RULES: list[ModelRule] = [check_schema, check_sections]


def validate(entries: Sequence[Entry], model: EntryModel = DEFAULT_MODEL) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for entry in entries:
        for model_rule in MODEL_RULES:
            diagnostics.extend(model_rule(entry, model))
        for rule in ENTRY_RULES:
            diagnostics.extend(rule(entry))
    for glossary_rule in GLOSSARY_RULES:
        diagnostics.extend(glossary_rule(entries))
    return diagnostics
