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

from glossary_gen.core.live_words import LIVE_TEXTS, LIVE_WORDS, placeholders
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
_PAGE_LABELS: Mapping[str, Mapping[str, str]] = {
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
        "▶ Run": "▶ Exécuter",
        "Edit": "Modifier",
        "Reset": "Réinitialiser",
        "■ Stop": "■ Arrêter",
        "Run this example in your browser (Python via Pyodide)": (
            "Exécuter cet exemple dans votre navigateur (Python via Pyodide)"
        ),
        "Edit this example": "Modifier cet exemple",
        "Restore the original example": "Rétablir l'exemple d'origine",
        "Stop the running example (Python is restarted on the next run)": (
            "Arrêter l'exemple en cours (Python redémarre à la prochaine exécution)"
        ),
        "Verified example": "Exemple vérifié",
        "Edited: not verified": "Modifié : non vérifié",
        "This example ran when the site was built and printed exactly this output": (
            "Cet exemple a tourné à la construction du site et a affiché exactement cette sortie"
        ),
        "You changed this example: its output has not been checked": (
            "Vous avez modifié cet exemple : sa sortie n'a pas été vérifiée"
        ),
        "Running…": "Exécution…",
        "Loading Python (first run only)…": "Chargement de Python (première exécution seulement)…",
        "Loading Python (first use only)…": "Chargement de Python (première utilisation seulement)…",
        "Starting a fresh Python (the previous one was stopped)…": (
            "Démarrage d'un nouveau Python (le précédent a été arrêté)…"
        ),
        "Stopped.": "Arrêté.",
        "(no output)": "(aucune sortie)",
        "An earlier example on this page failed, so this one cannot run:": (
            "Un exemple précédent de cette page a échoué, celui-ci ne peut donc pas s'exécuter :"
        ),
        "The examples on this page failed to run:": "Les exemples de cette page n'ont pas pu s'exécuter :",
        "Python could not be loaded:": "Python n'a pas pu être chargé :",
        "Edit this term": "Modifier ce terme",
        "Suggest a new term": "Proposer un nouveau terme",
        # The preview's problems banner (engines/mkdocs/problems_banner.py).
        "This entry has {counts}": "Cette entrée a {counts}",
        "{n} error": "{n} erreur",
        "{n} errors": "{n} erreurs",
        "{n} warning": "{n} avertissement",
        "{n} warnings": "{n} avertissements",
        "… and {n} more (see the terminal)": "… et {n} de plus (voir le terminal)",
        "Shown while previewing; {check} prints the same lines, and a {strict} build (CI) "
        "fails until they are fixed.": (
            "Affiché pendant l'aperçu ; {check} affiche les mêmes lignes, et une construction "
            "{strict} (CI) échoue tant qu'elles ne sont pas corrigées."
        ),
        "Move the slider to run": "Déplacez le curseur pour exécuter",
        "value": "valeur",
        # The playground's note, after the function's name.
        "from this page in your browser (Python is downloaded on first use); the dot on the "
        "plot marks the result.": (
            "depuis cette page dans votre navigateur (Python est téléchargé à la première utilisation) ; "
            "le point sur le graphique marque le résultat."
        ),
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
        "▶ Run": "▶ Ausführen",
        "Edit": "Bearbeiten",
        "Reset": "Zurücksetzen",
        "■ Stop": "■ Stoppen",
        "Run this example in your browser (Python via Pyodide)": (
            "Dieses Beispiel im Browser ausführen (Python über Pyodide)"
        ),
        "Edit this example": "Dieses Beispiel bearbeiten",
        "Restore the original example": "Das ursprüngliche Beispiel wiederherstellen",
        "Stop the running example (Python is restarted on the next run)": (
            "Das laufende Beispiel stoppen (Python startet beim nächsten Lauf neu)"
        ),
        "Verified example": "Geprüftes Beispiel",
        "Edited: not verified": "Geändert: nicht geprüft",
        "This example ran when the site was built and printed exactly this output": (
            "Dieses Beispiel lief beim Bauen der Website und gab genau diese Ausgabe aus"
        ),
        "You changed this example: its output has not been checked": (
            "Sie haben dieses Beispiel geändert: seine Ausgabe wurde nicht geprüft"
        ),
        "Running…": "Läuft…",
        "Loading Python (first run only)…": "Python wird geladen (nur beim ersten Lauf)…",
        "Loading Python (first use only)…": "Python wird geladen (nur bei der ersten Nutzung)…",
        "Starting a fresh Python (the previous one was stopped)…": (
            "Ein neues Python startet (das vorige wurde gestoppt)…"
        ),
        "Stopped.": "Gestoppt.",
        "(no output)": "(keine Ausgabe)",
        "An earlier example on this page failed, so this one cannot run:": (
            "Ein früheres Beispiel dieser Seite ist fehlgeschlagen, daher kann dieses nicht laufen:"
        ),
        "The examples on this page failed to run:": "Die Beispiele dieser Seite konnten nicht laufen:",
        "Python could not be loaded:": "Python konnte nicht geladen werden:",
        "Edit this term": "Diesen Begriff bearbeiten",
        "Suggest a new term": "Einen neuen Begriff vorschlagen",
        # The preview's problems banner (engines/mkdocs/problems_banner.py).
        "This entry has {counts}": "Dieser Eintrag hat {counts}",
        "{n} error": "{n} Fehler",
        "{n} errors": "{n} Fehler",
        "{n} warning": "{n} Warnung",
        "{n} warnings": "{n} Warnungen",
        "… and {n} more (see the terminal)": "… und {n} weitere (siehe Terminal)",
        "Shown while previewing; {check} prints the same lines, and a {strict} build (CI) "
        "fails until they are fixed.": (
            "Nur in der Vorschau sichtbar; {check} gibt dieselben Zeilen aus, und ein "
            "{strict}-Build (CI) schlägt fehl, bis sie behoben sind."
        ),
        "Move the slider to run": "Bewegen Sie den Schieberegler, um",
        "value": "Wert",
        # The playground's note, after the function's name.
        "from this page in your browser (Python is downloaded on first use); the dot on the "
        "plot marks the result.": (
            "auf dieser Seite im Browser auszuführen (Python wird bei der ersten Nutzung geladen); "
            "der Punkt im Diagramm zeigt das Ergebnis."
        ),
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
        "▶ Run": "▶ Ejecutar",
        "Edit": "Editar",
        "Reset": "Restablecer",
        "■ Stop": "■ Detener",
        "Run this example in your browser (Python via Pyodide)": (
            "Ejecutar este ejemplo en el navegador (Python con Pyodide)"
        ),
        "Edit this example": "Editar este ejemplo",
        "Restore the original example": "Restaurar el ejemplo original",
        "Stop the running example (Python is restarted on the next run)": (
            "Detener el ejemplo en curso (Python se reinicia en la próxima ejecución)"
        ),
        "Verified example": "Ejemplo verificado",
        "Edited: not verified": "Editado: sin verificar",
        "This example ran when the site was built and printed exactly this output": (
            "Este ejemplo se ejecutó al generar el sitio e imprimió exactamente esta salida"
        ),
        "You changed this example: its output has not been checked": (
            "Ha cambiado este ejemplo: su salida no se ha comprobado"
        ),
        "Running…": "Ejecutando…",
        "Loading Python (first run only)…": "Cargando Python (solo la primera vez)…",
        "Loading Python (first use only)…": "Cargando Python (solo la primera vez)…",
        "Starting a fresh Python (the previous one was stopped)…": "Iniciando un Python nuevo (el anterior se detuvo)…",
        "Stopped.": "Detenido.",
        "(no output)": "(sin salida)",
        "An earlier example on this page failed, so this one cannot run:": (
            "Un ejemplo anterior de esta página falló, así que este no puede ejecutarse:"
        ),
        "The examples on this page failed to run:": "Los ejemplos de esta página no pudieron ejecutarse:",
        "Python could not be loaded:": "No se pudo cargar Python:",
        "Edit this term": "Editar este término",
        "Suggest a new term": "Sugerir un término nuevo",
        # The preview's problems banner (engines/mkdocs/problems_banner.py).
        "This entry has {counts}": "Esta entrada tiene {counts}",
        "{n} error": "{n} error",
        "{n} errors": "{n} errores",
        "{n} warning": "{n} aviso",
        "{n} warnings": "{n} avisos",
        "… and {n} more (see the terminal)": "… y {n} más (vea la terminal)",
        "Shown while previewing; {check} prints the same lines, and a {strict} build (CI) "
        "fails until they are fixed.": (
            "Visible solo en la vista previa; {check} muestra las mismas líneas, y una "
            "compilación {strict} (CI) falla hasta que se corrijan."
        ),
        "Move the slider to run": "Mueva el control deslizante para ejecutar",
        "value": "valor",
        # The playground's note, after the function's name.
        "from this page in your browser (Python is downloaded on first use); the dot on the "
        "plot marks the result.": (
            "desde esta página en su navegador (Python se descarga la primera vez); "
            "el punto del gráfico marca el resultado."
        ),
    },
}

#: Every word pages and ``live.js`` say themselves, per language: the page's and live.js's
#: messages (:data:`glossary_gen.core.live_words.LIVE_WORDS`).
LABELS: Mapping[str, Mapping[str, str]] = {
    lang: {**words, **LIVE_WORDS.get(lang, {})} for lang, words in _PAGE_LABELS.items()
}


#: The words ``live.js`` says (its buttons, badge and messages): a translated page hands them
#: to it in its language (a ``data-glossary-words`` attribute, :func:`widget_words`).
WIDGET_TEXTS: tuple[str, ...] = (
    "▶ Run",
    "Edit",
    "Reset",
    "■ Stop",
    "Run this example in your browser (Python via Pyodide)",
    "Edit this example",
    "Restore the original example",
    "Stop the running example (Python is restarted on the next run)",
    "Verified example",
    "Edited: not verified",
    "This example ran when the site was built and printed exactly this output",
    "You changed this example: its output has not been checked",
    "Running…",
    "Loading Python (first run only)…",
    "Loading Python (first use only)…",
    "Starting a fresh Python (the previous one was stopped)…",
    "Stopped.",
    "(no output)",
    "An earlier example on this page failed, so this one cannot run:",
    "The examples on this page failed to run:",
    "Python could not be loaded:",
    "Edit this term",
    "Suggest a new term",
    *LIVE_TEXTS,
)

#: Characters a configured label may not hold: labels are written into the pages' HTML as they
#: are (text and double-quoted attributes).
_LABEL_FORBIDDEN = re.compile(r'[<>&"\x00-\x1f\x7f]')
LABEL_MAX = 200


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
    #: ``(lang, ((English text, its word in lang), ...))``: the option ``labels``, over
    #: :data:`LABELS`.
    labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

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

    def words(self, lang: str) -> dict[str, str]:
        """English text -> what pages in ``lang`` say: the built-in words and the site's."""
        return {**LABELS.get(lang, {}), **dict(dict(self.labels).get(lang, ()))}


def widget_words(words: Mapping[str, str]) -> dict[str, str]:
    """The words of ``live.js`` among a language's words (:meth:`Languages.words`)."""
    return {text: words[text] for text in WIDGET_TEXTS if text in words}


def _labels_option(
    value: object, translated: tuple[str, ...], where: str
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The option ``labels: {fr: {"Edit this term": "Corriger ce terme"}}``: a translated
    language's words for the texts pages say (the keys of :data:`LABELS`)."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise LanguageConfigError(
            f"{where}: 'labels' must map a language to {{English text: its word}}"
        )
    known = {text for words in LABELS.values() for text in words}
    found = []
    for lang, words in value.items():
        if lang not in translated:
            raise LanguageConfigError(
                f"{where}: labels: {str(lang)[:40]!r} is not a translated language "
                f"(translated: {', '.join(translated) or 'none'})"
            )
        if not isinstance(words, dict):
            raise LanguageConfigError(f"{where}: labels: {lang}: must be a mapping")
        pairs = []
        for text, word in words.items():
            if text not in known:
                raise LanguageConfigError(
                    f"{where}: labels: {lang}: {str(text)[:60]!r} is not a text the pages say "
                    "(see LABELS in glossary_gen/core/languages.py)"
                )
            if (
                not isinstance(word, str)
                or not word.strip()
                or len(word) > LABEL_MAX
                or _LABEL_FORBIDDEN.search(word)
            ):
                raise LanguageConfigError(
                    f"{where}: labels: {lang}: the word for {text!r} must be one line of 1 to "
                    f'{LABEL_MAX} characters without < > & or ", not {str(word)[:40]!r}'
                )
            if placeholders(word) != placeholders(text):
                kept = ", ".join(sorted("{" + name + "}" for name in placeholders(text)))
                raise LanguageConfigError(
                    f"{where}: labels: {lang}: the word for {text!r} must keep exactly its "
                    f"placeholders ({kept or 'none'}), not {str(word)[:60]!r}"
                )
            pairs.append((text, word.strip()))
        found.append((str(lang), tuple(pairs)))
    return tuple(found)


ONE_LANGUAGE = Languages()


def languages_from_options(
    options: Mapping[str, object], section_titles: tuple[str, ...], where: str
) -> Languages:
    """Read ``languages`` and ``section_names``; raise :class:`LanguageConfigError` naming the
    option on anything but lower-case language codes and one-line section names."""
    value = options.get("languages")
    names_option = options.get("section_names")
    if value is None:
        for option in ("section_names", "labels"):
            if options.get(option) is not None:
                raise LanguageConfigError(f"{where}: '{option}' needs 'languages: [...]'")
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
    labels = _labels_option(options.get("labels"), tuple(codes[1:]), where)
    return Languages(tuple(codes), tuple(per_language), labels)
