"""Hugo's translations by file name (``relu.fr.md``, ``relu/index.fr.md``) as translations:
``entries/fr/relu.md``, the file name of the term's default-language page being its identity.

Only the site's configured translated languages (``languages:`` in mkdocs.yml) are read as
translations; ``relu.en.md`` in the default language is the page ``relu``. A translation's
headings are matched in its language (``## Résumé``) and written the same way.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from glossary_gen.core.config import EntryModel
from glossary_gen.core.languages import Languages
from glossary_gen.core.model import slugify


def split_languages(
    paths: list[Path], languages: Languages
) -> tuple[list[Path], dict[str, list[Path]]]:
    """The default language's pages, and each translated language's."""
    default: list[Path] = []
    found: dict[str, list[Path]] = {}
    for path in paths:
        base, dot, code = path.name[: -len(".md")].rpartition(".")
        if dot and base and code in languages.translated:
            found.setdefault(code, []).append(path)
        else:
            default.append(path)
    return default, found


def language_suffix(path: Path, languages: Languages) -> bool:
    """``relu.en.md`` in the default language: its slug is ``relu``."""
    base, dot, code = path.name[: -len(".md")].rpartition(".")
    return bool(dot and base and code == languages.default)


def original_slug(path: Path) -> str:
    """The slug of the term a ``name.<lang>.md`` (or, in a language's own content folder,
    ``name.md``) page belongs to; a bundle's is its folder's."""
    stem = path.name[: -len(".md")]
    base = stem.rpartition(".")[0] or stem
    return slugify(path.parent.name if base == "index" else base)


def language_folders(source: Path, languages: Languages) -> dict[str, Path]:
    """Hugo's content folder per language (``content/en/glossary`` imported, beside it
    ``content/fr/glossary``): the same section in each translated language's folder."""
    if source.resolve().parent.name != languages.default:
        return {}
    content = source.resolve().parent.parent
    found = {}
    for lang in languages.translated:
        folder = content / lang / source.resolve().name
        if folder.is_dir() and not folder.is_symlink():
            found[lang] = folder
    return found


def localized_model(model: EntryModel, languages: Languages, lang: str) -> EntryModel:
    """The site's sections with the headings of ``lang``."""
    names = languages.names(lang)
    sections = tuple(
        replace(s, title=names.get(s.title, s.title), heading="", hint="") for s in model.sections
    )
    return replace(model, sections=sections)
