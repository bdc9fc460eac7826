"""``glossary-gen new --lang fr "Sigmoid Function"``: scaffold a translation of an entry.

The name is the term in the default language (its title, an alias or its slug), since the file
of a translation is named after the entry it translates: ``entries/fr/sigmoid-function.md``.
The front matter is prefilled from the entry (``related``, ``tags``, ``requires``, ``sources``:
what a translation usually keeps; the title to translate), the headings are the language's
(``Résumé``, ``En bref`` ...) and each holds a comment naming what to translate, so the file
fails ``check`` until it is written, like a new entry. Nothing is ever overwritten.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from glossary_gen.adopt.new import ScaffoldError, TitleError, check_title, write_new_entry
from glossary_gen.core.config import Settings
from glossary_gen.core.links import build_index
from glossary_gen.core.loader import load_entries
from glossary_gen.core.model import name_key

#: Front-matter keys a translation starts with, copied from the entry it translates.
KEPT_KEYS = ("related", "tags", "requires", "sources")


def new_translation(name: str, lang: str, settings: Settings) -> Path:
    """Write ``entries/<lang>/<slug>.md`` for the entry named ``name``; returns its path."""
    languages = settings.languages
    if lang not in languages.translated:
        configured = ", ".join(languages.translated) or "none: set 'languages:' in mkdocs.yml"
        raise TitleError(f"--lang {lang!r} is not a translated language of the site ({configured})")
    name, _ = check_title(name)
    entries_dir = settings.entries_dir
    entries, _ = load_entries(entries_dir)
    index = build_index(entries)
    slug = index.get(name_key(name))
    if slug is None:
        raise ScaffoldError(
            f"'{name}' is not an entry of {entries_dir}; a translation translates an entry "
            "(name it by its title, an alias or its file name)"
        )
    entry = next(e for e in entries if e.slug == slug)
    folder = entries_dir / lang
    target = folder / f"{slug}.md"
    names = languages.names(lang)
    kept = {key: entry.meta[key] for key in KEPT_KEYS if key in entry.meta}
    front = yaml.safe_dump(
        {"title": entry.title, **kept}, allow_unicode=True, sort_keys=False, width=100
    )
    title_line, _, rest = front.partition("\n")
    sections = []
    for spec in settings.entry_model.sections:
        heading = names.get(spec.title, spec.title)
        sections.append(
            f"### {heading}\n\n<!-- Translate '{spec.title}' of {entry.path} into '{lang}'. -->\n"
        )
    text = (
        "---\n"
        f"{title_line}  # translate the title; aliases: [names in this language]\n"
        f"{rest}"
        "---\n" + "\n".join(sections)
    )
    return write_new_entry(target, text)
