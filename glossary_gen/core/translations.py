"""Translations: ``entries/<lang>/<slug>.md`` loaded, validated and linked like entries.

Each translated language is a glossary of its own whose names fall back to the default
language's: ``[[Fonction sigmoïde]]`` finds the French title, ``[[Sigmoid Function]]`` the
English one, and either way the link is the slug, the term's identity. Problems are located:

- a folder of entries under ``entries/`` that is not a configured language (``entries/fr/``
  without ``languages: [en, fr]``, or ``entries/de/`` with it) is an error, not a silent skip;
- a translation whose slug has no default-language entry is an error;
- what each language still lacks is a report (:func:`missing_report`), not a problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from glossary_gen.core.config import EntryModel
from glossary_gen.core.diagnostics import Diagnostic, did_you_mean, error, info
from glossary_gen.core.languages import LANG_RE, Languages
from glossary_gen.core.links import link
from glossary_gen.core.loader import Boundary, discover, display_path, load_entry
from glossary_gen.core.model import Entry, Glossary
from glossary_gen.core.validate import validate

__all__ = ["Translation", "Translations", "load_translations", "missing_report"]


@dataclass(frozen=True, eq=False)
class Translation:
    """One language's translations, linked (names fall back to the default language)."""

    lang: str
    glossary: Glossary

    def has(self, slug: str) -> bool:
        return slug in self.glossary.by_slug


@dataclass(frozen=True, eq=False)
class Translations:
    """Every translated language of a site (empty for a one-language site)."""

    languages: Languages
    by_lang: Mapping[str, Translation] = field(default_factory=dict)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for t in self.by_lang.values() for e in t.glossary.entries)

    def of(self, slug: str) -> dict[str, Entry]:
        """The translations of one term: language -> entry."""
        return {lang: t.glossary.by_slug[slug] for lang, t in self.by_lang.items() if t.has(slug)}


def _folders(entries_dir: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(entries_dir) as found:
            return sorted(
                (e for e in found if not e.name.startswith(".") and _is_dir(e)),
                key=lambda e: e.name,
            )
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _has_entries(folder: Path) -> bool:
    try:
        return bool(discover(folder))
    except OSError:
        return False


def _canonical_sections(entry: Entry, names: Mapping[str, str]) -> Entry:
    """The entry with each section heading written in its language known by the site's title
    (``Résumé`` is the Summary): rules and pages find the sections; the page shows the file's
    heading, since :attr:`Section.title` stays as written."""
    if not names:
        return entry
    sections = tuple(
        replace(s, canonical=names[s.key]) if s.key in names else s for s in entry.sections
    )
    return replace(entry, sections=sections) if sections != entry.sections else entry


def _folder_problem(entries_dir: Path, name: str, languages: Languages) -> Diagnostic:
    shown = display_path(entries_dir / name) + "/"
    if languages.default is None:
        looks = LANG_RE.match(name) is not None
        return error(
            shown,
            1,
            1,
            "unconfigured-language",
            f"folder '{name}' holds entries, but the site has one language: its files are "
            "not read" + (" (translations need the plugin option 'languages')" if looks else ""),
            f"add 'languages: [en, {name}]' to the glossary plugin in mkdocs.yml"
            if looks
            else "entries go directly in the entries folder",
        )
    if name == languages.default:
        return error(
            shown,
            1,
            1,
            "default-language-folder",
            f"'{name}' is the default language: its entries go directly in "
            f"{display_path(entries_dir)}/, not in a folder",
            "move the files up one folder",
        )
    return error(
        shown,
        1,
        1,
        "unconfigured-language",
        f"folder '{name}' is not one of the site's languages "
        f"({', '.join(languages.codes)}): its files are not read",
        f"add '{name}' to 'languages:' in mkdocs.yml"
        if LANG_RE.match(name)
        else "translations go in a folder named after their language code",
    )


_SECTION_CODES = frozenset({"missing-section", "empty-section"})


def _in_language(found: list[Diagnostic], names: Mapping[str, str]) -> list[Diagnostic]:
    """Section problems of a translation named by the headings of its language."""
    if not names:
        return found
    worded = []
    for diagnostic in found:
        if diagnostic.code in _SECTION_CODES:
            for title, name in names.items():
                if f"'{title}'" in diagnostic.message:
                    diagnostic = replace(
                        diagnostic,
                        message=diagnostic.message.replace(f"'{title}'", f"'{name}' ({title})"),
                        hint=(diagnostic.hint or "").replace(f"### {title}", f"### {name}") or None,
                    )
                    break
        worded.append(diagnostic)
    return worded


def load_translations(
    entries_dir: Path,
    languages: Languages,
    model: EntryModel,
    default: Glossary,
    *,
    at_root: bool = False,
) -> tuple[Translations, list[Diagnostic]]:
    """Load, validate and link every translated language under ``entries_dir``. ``at_root``:
    term pages are at the site's root (``url_prefix: ""``), where a term named like a language
    would take that language's folder."""
    diagnostics: list[Diagnostic] = []
    if at_root:
        for code in languages.translated:
            entry = default.by_slug.get(code)
            if entry is not None:
                diagnostics.append(
                    error(
                        entry.path,
                        1,
                        1,
                        "language-slug",
                        f"'{code}.md' would have the address of the '{code}' pages ({code}/)",
                        "rename the file, or give the plugin a url_prefix",
                    )
                )
    by_lang: dict[str, Translation] = {}
    boundary = Boundary.around(entries_dir)
    folder = display_path(entries_dir)
    for found in _folders(entries_dir):
        path = Path(found.path)
        if found.name in languages.translated:
            continue
        if _has_entries(path):
            diagnostics.append(_folder_problem(entries_dir, found.name, languages))
    for lang in languages.translated:
        lang_dir = entries_dir / lang
        entries: list[Entry] = []
        if lang_dir.is_dir():
            names = languages.canonical(lang)
            for path in discover(lang_dir):
                shown = os.path.join(folder, lang, path.name)
                entry, problems = load_entry(path, shown=shown, boundary=boundary)
                diagnostics.extend(problems)
                if entry is None:
                    continue
                entry = _canonical_sections(entry, names)
                if entry.slug not in default.by_slug:
                    slugs = sorted(default.by_slug)
                    diagnostics.append(
                        error(
                            entry.path,
                            1,
                            1,
                            "translation-without-original",
                            f"'{path.name}' translates no entry: there is no "
                            f"{os.path.join(folder, path.name)}",
                            (did_you_mean(entry.slug, slugs) or "")
                            + (" — " if did_you_mean(entry.slug, slugs) else "")
                            + "a translation has the file name of the entry it translates",
                        )
                    )
                    continue
                entries.append(entry)
        diagnostics += _in_language(validate(entries, model), languages.names(lang))
        glossary, problems = link(entries, fallback=default)
        diagnostics += problems
        by_lang[lang] = Translation(lang, glossary)
    return Translations(languages, by_lang), diagnostics


def missing_report(
    entries_dir: Path, translations: Translations, default: Glossary
) -> list[Diagnostic]:
    """One info per published term a translated language lacks, at the path it would have."""
    folder = display_path(entries_dir)
    report: list[Diagnostic] = []
    for lang, translation in translations.by_lang.items():
        for entry in default.published:
            if not translation.has(entry.slug):
                report.append(
                    info(
                        os.path.join(folder, lang, f"{entry.slug}.md"),
                        0,
                        0,
                        "missing-translation",
                        f"'{entry.title}' has no '{lang}' translation yet",
                        f'glossary-gen new --lang {lang} "{entry.title}"',
                    )
                )
    return report


def missing_counts(report: Sequence[Diagnostic], languages: Languages) -> dict[str, int]:
    """Language -> how many terms it lacks, from :func:`missing_report`'s output."""
    counts = dict.fromkeys(languages.translated, 0)
    for item in report:
        lang = Path(item.path).parent.name
        if lang in counts:
            counts[lang] += 1
    return counts


def summary_line(translations: Translations, report: Sequence[Diagnostic], total: int) -> str:
    """``check``'s one line about translations: per language, how many terms are done and how
    many are still missing (``--format json`` lists them)."""
    counts = missing_counts(report, translations.languages)
    parts = [
        f"{lang} {total - missing}/{total} translated, {missing} missing"
        for lang, missing in counts.items()
    ]
    return (
        "glossary-gen: translations: "
        + "; ".join(parts)
        + (" (--format json lists the missing terms)" if any(counts.values()) else "")
    )
