"""The site's languages: ``languages: [en, fr]`` (plugin option; the first is the default).

A translation is ``entries/<lang>/<slug>.md``: the slug is the term's identity in every
language. A translation writes its section headings in its own language ("Résumé") or with the
default names ("Summary"); both are accepted, and the page shows what the file says. The names
per language come with defaults for a few languages and can be set in mkdocs.yml::

    plugins:
      - glossary:
          languages: [en, fr]
          section_names:
            fr: {ELI5: "Pour les curieux"}    # over the defaults below

Without ``languages:`` a site has one language, as before, and a folder of entries under
``entries/`` is a located error (it would otherwise be ignored without a word).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from glossary_gen.core.model import normalize_heading

#: A language code as it appears in a URL, a folder name and ``<html lang>``: lower-case BCP 47
#: subtags (``en``, ``fr``, ``pt-br``, ``zh-hant``). Nothing else can reach a path or a page.
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}$")

#: Section names by language, for the default sections (a site may override any of them).
DEFAULT_SECTION_NAMES: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "Summary": "Résumé",
        "ELI5": "En bref",
        "In-depth explanation": "Explication détaillée",
    },
    "de": {
        "Summary": "Zusammenfassung",
        "ELI5": "Einfach erklärt",
        "In-depth explanation": "Ausführliche Erklärung",
    },
    "es": {
        "Summary": "Resumen",
        "ELI5": "En pocas palabras",
        "In-depth explanation": "Explicación detallada",
    },
}

#: What a page says in each language where it says something itself (a few short labels).
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
}


#: The words a term page writes itself, per language (English is the text itself).
LABELS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "Also known as": "Aussi appelé",
        "Related terms": "Termes liés",
        "Referenced by": "Cité par",
        "Used on": "Utilisé dans",
        "Sources": "Sources",
        "Last updated": "Mis à jour le",
        "All terms": "Tous les termes",
        "Jump to letter": "Aller à la lettre",
        "Tags": "Étiquettes",
        "Tag:": "Étiquette :",
        "All tags": "Toutes les étiquettes",
        "Terms tagged": "Termes avec l'étiquette",
        "Every tag of the glossary.": "Toutes les étiquettes du glossaire.",
    },
    "de": {
        "Also known as": "Auch bekannt als",
        "Related terms": "Verwandte Begriffe",
        "Referenced by": "Erwähnt in",
        "Used on": "Verwendet auf",
        "Sources": "Quellen",
        "Last updated": "Zuletzt geändert",
        "All terms": "Alle Begriffe",
        "Jump to letter": "Zum Buchstaben",
        "Tags": "Schlagwörter",
        "Tag:": "Schlagwort:",
        "All tags": "Alle Schlagwörter",
        "Terms tagged": "Begriffe mit dem Schlagwort",
        "Every tag of the glossary.": "Alle Schlagwörter des Glossars.",
    },
    "es": {
        "Also known as": "También llamado",
        "Related terms": "Términos relacionados",
        "Referenced by": "Citado en",
        "Used on": "Usado en",
        "Sources": "Fuentes",
        "Last updated": "Actualizado el",
        "All terms": "Todos los términos",
        "Jump to letter": "Ir a la letra",
        "Tags": "Etiquetas",
        "Tag:": "Etiqueta:",
        "All tags": "Todas las etiquetas",
        "Terms tagged": "Términos con la etiqueta",
        "Every tag of the glossary.": "Todas las etiquetas del glosario.",
    },
}


def label(lang: str | None, text: str) -> str:
    """``text`` (a page's own English words) in ``lang`` where known, else as it is."""
    return LABELS.get(lang or "", {}).get(text, text)


class LanguageConfigError(ValueError):
    """A bad ``languages`` or ``section_names`` option (the config module makes it a usage error)."""


@dataclass(frozen=True)
class Languages:
    """The languages of a site (hashable). ``codes`` is empty for a one-language site."""

    codes: tuple[str, ...] = ()
    #: ``(lang, ((section title, name in that language), ...))`` for each translated language.
    section_names: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def default(self) -> str | None:
        return self.codes[0] if self.codes else None

    @property
    def translated(self) -> tuple[str, ...]:
        """The languages translations are written in (all but the default)."""
        return self.codes[1:]

    def names(self, lang: str) -> dict[str, str]:
        """Section title (as the site configures it) -> its name in ``lang``."""
        return dict(dict(self.section_names).get(lang, ()))

    def canonical(self, lang: str) -> dict[str, str]:
        """Normalized heading key in ``lang`` -> the section title it stands for."""
        return {normalize_heading(local): title for title, local in self.names(lang).items()}

    def label(self, lang: str) -> str:
        return LANGUAGE_NAMES.get(lang, lang)


ONE_LANGUAGE = Languages()


def languages_from_options(
    options: Mapping[str, object], section_titles: tuple[str, ...], where: str
) -> Languages:
    """Read ``languages`` and ``section_names``; raise :class:`LanguageConfigError` naming the
    option on anything but lower-case language codes and one-line section names."""
    value = options.get("languages")
    names_option = options.get("section_names")
    if value is None:
        if names_option is not None:
            raise LanguageConfigError(f"{where}: 'section_names' needs 'languages: [...]'")
        return ONE_LANGUAGE
    if not isinstance(value, list) or not value:
        raise LanguageConfigError(
            f"{where}: 'languages' must be a list of language codes, the default first "
            "(e.g. [en, fr])"
        )
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str) or not LANG_RE.match(item):
            raise LanguageConfigError(
                f"{where}: language {item!r} is not a lower-case language code "
                "such as 'en', 'fr' or 'pt-br'"
            )
        if item in codes:
            raise LanguageConfigError(f"{where}: language '{item}' is listed twice")
        codes.append(item)
    configured: Mapping[object, object] = {}
    if names_option is not None:
        if not isinstance(names_option, dict):
            raise LanguageConfigError(
                f"{where}: 'section_names' must map a language to {{section title: name}}"
            )
        configured = names_option
    for lang in configured:
        if lang not in codes[1:]:
            raise LanguageConfigError(
                f"{where}: section_names: {lang!r} is not a translated language "
                f"(translated: {', '.join(codes[1:]) or 'none'})"
            )
    per_language: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for lang in codes[1:]:
        names = {
            t: n for t, n in DEFAULT_SECTION_NAMES.get(lang, {}).items() if t in section_titles
        }
        given = configured.get(lang) or {}
        if not isinstance(given, dict):
            raise LanguageConfigError(f"{where}: section_names: {lang}: must be a mapping")
        for title, name in given.items():
            if title not in section_titles:
                raise LanguageConfigError(
                    f"{where}: section_names: {lang}: {title!r} is not one of the site's "
                    f"sections ({', '.join(section_titles)})"
                )
            if not isinstance(name, str) or not name.strip() or "\n" in name or "#" in name:
                raise LanguageConfigError(
                    f"{where}: section_names: {lang}: the name of '{title}' must be "
                    "a one-line heading text"
                )
            names[title] = " ".join(name.split())
        keys = {normalize_heading(t): t for t in section_titles}
        for title, name in names.items():
            other = keys.get(normalize_heading(name))
            if other is not None and other != title:
                raise LanguageConfigError(
                    f"{where}: section_names: {lang}: '{name}' is already the name of '{other}'"
                )
            keys[normalize_heading(name)] = title
        per_language.append((lang, tuple(sorted(names.items()))))
    return Languages(tuple(codes), tuple(per_language))
