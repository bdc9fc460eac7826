"""What ``live.js`` and its worker say beyond their buttons: the time limit, why Python or a
package could not be loaded, the sandbox frame's title and what a screen reader hears, per
language (English is the text itself).

A text may hold placeholders (``{n}``, ``{host}``, ...): ``live.js`` puts the number or name in
with one pass of string replacement and shows the result as text (``textContent``, attributes),
never as HTML. A site's own word for such a text (the option ``labels``) must keep exactly the
same placeholders (:func:`placeholders`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")


def placeholders(text: str) -> frozenset[str]:
    """The names of the placeholders in ``text`` (``{n}`` -> ``n``)."""
    return frozenset(_PLACEHOLDER.findall(text))


#: The English texts (the keys of :data:`LIVE_WORDS`), in the order live.js says them.
LIVE_TEXTS: tuple[str, ...] = (
    "Python sandbox for the examples (no content)",
    "Stopped: this was still running after {n} s (an endless loop?).",
    "Python was shut down to stop it: the next run starts a fresh Python (a few seconds), "
    "which runs this page's examples again from the top.",
    "this site's copy of Pyodide ({folder}) could not be reached. Reload the page and try again",
    "this page needs a network connection to download Python (Pyodide) from {host}, and it "
    "could not be reached. Try again once online, or build the site with the local Pyodide "
    "('bash scripts/setup' installs it)",
    "this site's copy of Pyodide ({folder}) is incomplete (HTTP 404). If you build this site, "
    "run 'bash scripts/setup' and build it again",
    "Pyodide's server ({host}) answered HTTP {status}. Try again later",
    "{reason} (Pyodide from {where}). Check content blockers and try again",
    "The outputs shown on the page were verified when the site was built.",
    "Loading Python did not finish within {n} s",
    "the Python sandbox ({url}) did not start",
    "the Python worker stopped unexpectedly: {why}",
    "Python failed: {why}",
    "Python is not available",
    "this page does not say where Pyodide is (no pyodide_url)",
    "… (output cut after {n} characters)",
    "this site's copy of Pyodide does not include it",
    "the server answered HTTP {status}",
    "the site's server did not answer",
    "it is downloaded from {host}, which could not be reached (are you offline?)",
    "the file downloaded does not match Pyodide's lock file (SHA-256)",
    "'{name}' is not a package in Pyodide's lock file",
    "more than {n} package files asked for",
    "Loading {names}…",
    "Could not load {names} in your browser: {why}. The output printed on the page was "
    "verified when the site was built.",
    "Pyodide could not install it",
    "the page could not fetch it",
    "Python is not loaded yet",
    "missing Pyodide files: {names}",
    "Example {n}: {text}",
    "Example {n} failed: {text}",
    "Example {n} output: {text}",
    "Python code of example {n} (editable; Ctrl+Enter runs it; Escape, then Tab, leaves the "
    "editor)",
    "{call} raised {error}",
    "{name} is not defined: run the examples above, or reset them",
)

_FR = (
    "Bac à sable Python des exemples (sans contenu)",
    "Arrêté : l'exécution durait encore après {n} s (une boucle infinie ?).",
    "Python a été arrêté pour l'interrompre : la prochaine exécution démarre un nouveau Python "
    "(quelques secondes), qui réexécute les exemples de cette page depuis le début.",
    "la copie de Pyodide de ce site ({folder}) est injoignable. Rechargez la page et réessayez",
    "cette page a besoin d'une connexion réseau pour télécharger Python (Pyodide) depuis "
    "{host}, qui est injoignable. Réessayez une fois en ligne, ou construisez le site avec le "
    "Pyodide local ('bash scripts/setup' l'installe)",
    "la copie de Pyodide de ce site ({folder}) est incomplète (HTTP 404). Si vous construisez "
    "ce site, lancez 'bash scripts/setup' puis reconstruisez-le",
    "le serveur de Pyodide ({host}) a répondu HTTP {status}. Réessayez plus tard",
    "{reason} (Pyodide depuis {where}). Vérifiez les bloqueurs de contenu et réessayez",
    "Les sorties affichées sur la page ont été vérifiées à la construction du site.",
    "le chargement de Python ne s'est pas terminé en {n} s",
    "le bac à sable Python ({url}) n'a pas démarré",
    "le worker Python s'est arrêté de façon inattendue : {why}",
    "Échec de Python : {why}",
    "Python n'est pas disponible",
    "cette page n'indique pas où se trouve Pyodide (pas de pyodide_url)",
    "… (sortie coupée après {n} caractères)",
    "la copie de Pyodide de ce site ne le contient pas",
    "le serveur a répondu HTTP {status}",
    "le serveur du site n'a pas répondu",
    "il se télécharge depuis {host}, qui est injoignable (êtes-vous hors ligne ?)",
    "le fichier téléchargé ne correspond pas au fichier de verrouillage de Pyodide (SHA-256)",
    "'{name}' n'est pas un paquet du fichier de verrouillage de Pyodide",
    "plus de {n} fichiers de paquets demandés",
    "Chargement de {names}…",
    "Impossible de charger {names} dans votre navigateur : {why}. La sortie affichée sur la "
    "page a été vérifiée à la construction du site.",
    "Pyodide n'a pas pu l'installer",
    "la page n'a pas pu le récupérer",
    "Python n'est pas encore chargé",
    "fichiers de Pyodide manquants : {names}",
    "Exemple {n} : {text}",
    "Échec de l'exemple {n} : {text}",
    "Sortie de l'exemple {n} : {text}",
    "Code Python de l'exemple {n} (modifiable ; Ctrl+Entrée l'exécute ; Échap, puis Tab, "
    "quitte l'éditeur)",
    "{call} a levé {error}",
    "{name} n'est pas défini : exécutez les exemples ci-dessus, ou réinitialisez-les",
)

_DE = (
    "Python-Sandbox für die Beispiele (ohne Inhalt)",
    "Gestoppt: lief nach {n} s noch immer (eine Endlosschleife?).",
    "Python wurde beendet, um es anzuhalten: Der nächste Lauf startet ein neues Python (einige "
    "Sekunden), das die Beispiele dieser Seite erneut von oben ausführt.",
    "die Pyodide-Kopie dieser Website ({folder}) war nicht erreichbar. Laden Sie die Seite neu "
    "und versuchen Sie es erneut",
    "diese Seite braucht eine Netzwerkverbindung, um Python (Pyodide) von {host} "
    "herunterzuladen, und der Server war nicht erreichbar. Versuchen Sie es online erneut, oder "
    "bauen Sie die Website mit dem lokalen Pyodide ('bash scripts/setup' installiert es)",
    "die Pyodide-Kopie dieser Website ({folder}) ist unvollständig (HTTP 404). Wenn Sie diese "
    "Website bauen, führen Sie 'bash scripts/setup' aus und bauen Sie sie neu",
    "der Server von Pyodide ({host}) antwortete mit HTTP {status}. Versuchen Sie es später erneut",
    "{reason} (Pyodide von {where}). Prüfen Sie Inhaltsblocker und versuchen Sie es erneut",
    "Die auf der Seite gezeigten Ausgaben wurden beim Bauen der Website geprüft.",
    "das Laden von Python war nach {n} s nicht fertig",
    "die Python-Sandbox ({url}) ist nicht gestartet",
    "der Python-Worker wurde unerwartet beendet: {why}",
    "Python ist fehlgeschlagen: {why}",
    "Python ist nicht verfügbar",
    "diese Seite gibt nicht an, wo Pyodide liegt (kein pyodide_url)",
    "… (Ausgabe nach {n} Zeichen abgeschnitten)",
    "die Pyodide-Kopie dieser Website enthält es nicht",
    "der Server antwortete mit HTTP {status}",
    "der Server der Website antwortete nicht",
    "es wird von {host} geladen, das nicht erreichbar war (sind Sie offline?)",
    "die heruntergeladene Datei passt nicht zur Lock-Datei von Pyodide (SHA-256)",
    "'{name}' ist kein Paket in der Lock-Datei von Pyodide",
    "mehr als {n} Paketdateien angefordert",
    "{names} wird geladen…",
    "{names} konnte nicht im Browser geladen werden: {why}. Die auf der Seite gezeigte Ausgabe "
    "wurde beim Bauen der Website geprüft.",
    "Pyodide konnte es nicht installieren",
    "die Seite konnte es nicht abrufen",
    "Python ist noch nicht geladen",
    "fehlende Pyodide-Dateien: {names}",
    "Beispiel {n}: {text}",
    "Beispiel {n} fehlgeschlagen: {text}",
    "Ausgabe von Beispiel {n}: {text}",
    "Python-Code von Beispiel {n} (bearbeitbar; Strg+Eingabe führt ihn aus; Escape, dann Tab, "
    "verlässt den Editor)",
    "{call} löste {error} aus",
    "{name} ist nicht definiert: Führen Sie die Beispiele oben aus oder setzen Sie sie zurück",
)

_ES = (
    "Entorno aislado de Python para los ejemplos (sin contenido)",
    "Detenido: seguía ejecutándose después de {n} s (¿un bucle infinito?).",
    "Python se cerró para detenerlo: la próxima ejecución inicia un Python nuevo (unos "
    "segundos), que vuelve a ejecutar los ejemplos de esta página desde el principio.",
    "no se pudo acceder a la copia de Pyodide de este sitio ({folder}). Recargue la página e "
    "inténtelo de nuevo",
    "esta página necesita conexión a la red para descargar Python (Pyodide) desde {host}, y no "
    "se pudo acceder. Inténtelo de nuevo con conexión, o genere el sitio con el Pyodide local "
    "('bash scripts/setup' lo instala)",
    "la copia de Pyodide de este sitio ({folder}) está incompleta (HTTP 404). Si genera este "
    "sitio, ejecute 'bash scripts/setup' y vuelva a generarlo",
    "el servidor de Pyodide ({host}) respondió HTTP {status}. Inténtelo más tarde",
    "{reason} (Pyodide desde {where}). Revise los bloqueadores de contenido e inténtelo de nuevo",
    "Las salidas que muestra la página se verificaron al generar el sitio.",
    "la carga de Python no terminó en {n} s",
    "el entorno aislado de Python ({url}) no se inició",
    "el worker de Python se detuvo inesperadamente: {why}",
    "Python falló: {why}",
    "Python no está disponible",
    "esta página no indica dónde está Pyodide (falta pyodide_url)",
    "… (salida cortada tras {n} caracteres)",
    "la copia de Pyodide de este sitio no lo incluye",
    "el servidor respondió HTTP {status}",
    "el servidor del sitio no respondió",
    "se descarga desde {host}, al que no se pudo acceder (¿está sin conexión?)",
    "el archivo descargado no coincide con el archivo de bloqueo de Pyodide (SHA-256)",
    "'{name}' no es un paquete del archivo de bloqueo de Pyodide",
    "se pidieron más de {n} archivos de paquetes",
    "Cargando {names}…",
    "No se pudo cargar {names} en su navegador: {why}. La salida que muestra la página se "
    "verificó al generar el sitio.",
    "Pyodide no pudo instalarlo",
    "la página no pudo obtenerlo",
    "Python aún no está cargado",
    "faltan archivos de Pyodide: {names}",
    "Ejemplo {n}: {text}",
    "El ejemplo {n} falló: {text}",
    "Salida del ejemplo {n}: {text}",
    "Código Python del ejemplo {n} (editable; Ctrl+Intro lo ejecuta; Escape y luego Tab sale "
    "del editor)",
    "{call} lanzó {error}",
    "{name} no está definido: ejecute los ejemplos de arriba o restablézcalos",
)

#: English text -> its word, per built-in language (zip of :data:`LIVE_TEXTS` with each list;
#: tests/test_translation_words.py checks the lengths and the placeholders).
LIVE_WORDS: Mapping[str, Mapping[str, str]] = {
    lang: dict(zip(LIVE_TEXTS, words, strict=True))
    for lang, words in (("fr", _FR), ("de", _DE), ("es", _ES))
}
