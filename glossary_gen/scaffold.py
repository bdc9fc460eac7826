"""``glossary-gen new``: a new entry from the template, never overwriting anything."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .links import build_index
from .loader import load_entries
from .model import name_key
from .model import slugify as slugify  # moved to model; still importable from here


class ScaffoldError(Exception):
    pass


def _schema_reference(entries_dir: Path) -> str:
    """Where editors find the front-matter schema, for the ``yaml-language-server`` comment.

    A relative path when the schema sits in the same project as the entries (this repository,
    installed editable), so the committed line works on every clone; otherwise the installed
    file's URI, which works on this machine (the check itself never reads the comment)."""
    schema = Path(
        str(resources.files("glossary_gen").joinpath("schema/entry.schema.json"))
    ).resolve()
    project = Path.cwd().resolve()
    if project == schema or project in schema.parents:
        try:
            return Path(os.path.relpath(schema, entries_dir.resolve())).as_posix()
        except ValueError:  # pragma: no cover - other drive on Windows
            pass
    return schema.as_uri()


def render_template(title: str, entries_dir: Path) -> str:
    template = resources.files("glossary_gen").joinpath("templates/entry.md").read_text("utf-8")
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return template.replace("{{schema}}", _schema_reference(entries_dir)).replace(
        "{{title}}", quoted
    )


def new_entry(title: str, entries_dir: Path) -> Path:
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"cannot make a file name from '{title}'; use letters or digits")
    entries_dir.mkdir(parents=True, exist_ok=True)
    target = entries_dir / f"{slug}.md"
    entries, _ = load_entries(entries_dir)
    owner = build_index(entries).get(name_key(title)) or build_index(entries).get(slug)
    if owner is not None:
        existing = next(e for e in entries if e.slug == owner)
        raise ScaffoldError(
            f"'{title}' is already defined by {existing.path} (title '{existing.title}'); "
            "add it there as an alias or choose another title"
        )
    text = render_template(title, entries_dir)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; it was left unchanged") from None
    return target
