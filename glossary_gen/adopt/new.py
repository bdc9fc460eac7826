"""``glossary-gen new``: a new entry from the template, never overwriting anything.

The title comes from the command line, so it is checked before it becomes a file name or YAML:
no control or invisible formatting characters (a newline would break the front matter, an escape
sequence would reach the terminal, a bidi override would disguise the name), no more characters
than the schema allows a title, and a file name that is short, made of ``a-z0-9-`` only (so a
``/`` or ``..`` in a title never reaches the path: ``TCP/IP`` is ``tcp-ip.md``) and not reserved.
A title that cannot be used is a usage error (exit code 2); a title the glossary already has is a
problem with the content (exit code 1).

The template follows the site's entry model (sections, extra keys); this module also writes the
schema file editors read (``glossary-gen schema``).
"""

from __future__ import annotations

import json
import os
import unicodedata
from importlib import resources
from pathlib import Path

from glossary_gen.core.config import ConfigError, EntryModel, Settings
from glossary_gen.core.links import build_index
from glossary_gen.core.loader import RESERVED_SLUGS, SLUG_RE, load_entries
from glossary_gen.core.model import name_key, slugify
from glossary_gen.core.schema import schema_text

#: Longest file name ``new`` makes (without ``.md``); far below any file system's limit.
MAX_SLUG_CHARS = 120
#: Invisible characters a title may hold: the zero-width (non-)joiners some scripts need.
_ALLOWED_FORMAT = frozenset("\u200c\u200d")


class ScaffoldError(Exception):
    """The glossary cannot take the new entry (exit code 1): the name or the file is taken."""


class TitleError(ConfigError):
    """The title (or the folder) cannot be used at all: a usage error (exit code 2)."""


def _max_title_chars() -> int:
    """The schema's limit for ``title``: ``new`` never writes what ``check`` refuses."""
    schema = resources.files("glossary_gen").joinpath("schema/entry.schema.json")
    limit = json.loads(schema.read_text("utf-8"))["properties"]["title"].get("maxLength", 120)
    return int(limit)


def check_title(title: str) -> tuple[str, str]:
    """The title as it will be written (whitespace collapsed) and its slug; raises
    :class:`TitleError` with the reason when either cannot be used."""
    for position, char in enumerate(title, start=1):
        category = unicodedata.category(char)
        if category == "Cs":  # a byte that was not UTF-8 on the command line
            raise TitleError("the title is not valid UTF-8 text")
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and char not in _ALLOWED_FORMAT):
            name = unicodedata.name(char, "a control character")
            raise TitleError(
                f"the title contains U+{ord(char):04X} ({name.lower()}) at character {position}; "
                "write the title as one line of plain text"
            )
    title = " ".join(title.split())
    if not title:
        raise TitleError("the title is empty")
    limit = _max_title_chars()
    if len(title) > limit:
        raise TitleError(
            f"the title is {len(title)} characters long, at most {limit} are allowed; "
            "use the short name as the title and explain it in the Summary"
        )
    slug = slugify(title)
    if not slug:
        raise TitleError(f"cannot make a file name from '{title}'; use letters or digits")
    if len(slug) > MAX_SLUG_CHARS:
        raise TitleError(
            f"the file name made from the title would be {len(slug)} characters long "
            f"(at most {MAX_SLUG_CHARS}); use a shorter title"
        )
    if slug in RESERVED_SLUGS:
        why = "the glossary's index page" if slug == "index" else "a device name on Windows"
        raise TitleError(
            f"'{slug}.md' is a reserved file name ({why}); choose another title, "
            f"and add '{title}' as an alias if readers look for it"
        )
    assert SLUG_RE.match(slug), slug  # slugify() only makes a-z0-9 words joined by hyphens
    return title, slug


def schema_reference(entries_dir: Path, settings: Settings) -> str | None:
    """Where editors find the front-matter schema, for the ``yaml-language-server`` comment: a
    path relative to the entries folder, so the committed line works on every clone; ``None``
    when the schema lies outside the project (an installed package), since a machine's path must
    never be committed. The site's ``schema_file`` when configured, else the package's schema
    (this repository, installed editable) unless the site allows extra keys it does not know."""
    if settings.schema_file is not None:
        schema = settings.schema_file.resolve()
    elif not settings.entry_model.extra_keys:
        schema = Path(str(resources.files("glossary_gen").joinpath("schema/entry.schema.json")))
        schema = schema.resolve()
    else:
        return None
    project = settings.project_dir.resolve()
    if project not in schema.parents:
        return None
    try:
        return Path(os.path.relpath(schema, entries_dir.resolve())).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        return None


def schema_modeline(entries_dir: Path, settings: Settings) -> str:
    """The modeline comment (with its newline), or nothing."""
    reference = schema_reference(entries_dir, settings)
    return f"# yaml-language-server: $schema={reference}\n" if reference else ""


def write_schema(settings: Settings, output: Path | None = None) -> Path | None:
    """Write the schema to ``output`` or the configured ``schema_file``; ``None`` if neither."""
    target = output or settings.schema_file
    if target is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(settings.entry_model), encoding="utf-8", newline="\n")
    return target


def section_template(model: EntryModel) -> str:
    """Every configured section, in order, each with its hint as a comment."""
    parts = []
    for spec in model.sections:
        hint = spec.hint or f"Write the {spec.title} here."
        if not spec.required:
            hint = f"Optional: remove this section if it does not apply. {hint}"
        parts.append(f"### {spec.title}\n\n<!-- {hint} -->\n")
    return "\n".join(parts)


def render_template(title: str, entries_dir: Path, settings: Settings | None = None) -> str:
    settings = settings or Settings()
    template = (
        resources.files("glossary_gen.adopt").joinpath("templates/entry.md").read_text("utf-8")
    )
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    extra = "".join(
        f"# {name}:   (a key this site allows, see extra_keys in mkdocs.yml)\n"
        for name, _ in settings.entry_model.extra_keys
    )
    return (
        template.replace("{{modeline}}", schema_modeline(entries_dir, settings))
        .replace("{{extra_keys}}", extra)
        .replace("{{sections}}", section_template(settings.entry_model))
        .replace("{{title}}", quoted)
        .rstrip("\n")
        + "\n"
    )


def new_entry(title: str, entries_dir: Path, settings: Settings | None = None) -> Path:
    title, slug = check_title(title)
    try:
        entries_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TitleError(f"cannot create the folder {entries_dir}: {exc.strerror or exc}") from None
    target = entries_dir / f"{slug}.md"
    entries, _ = load_entries(entries_dir)
    owner = build_index(entries).get(name_key(title)) or build_index(entries).get(slug)
    if owner is not None:
        existing = next(e for e in entries if e.slug == owner)
        raise ScaffoldError(
            f"'{title}' is already defined by {existing.path} (title '{existing.title}'); "
            "add it there as an alias or choose another title"
        )
    return write_new_entry(target, render_template(title, entries_dir, settings))


def write_new_entry(target: Path, text: str) -> Path:
    """Write a scaffolded file that must not exist yet (its folder made); never overwrites."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; it was left unchanged") from None
    except OSError as exc:
        raise TitleError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
