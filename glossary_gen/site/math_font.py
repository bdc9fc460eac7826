"""The font formulas are drawn in: STIX Two Math (SIL Open Font License 1.1), from the npm package
``@fontsource/stix-two-math`` pinned in package.json, copied into the site next to the glossary's
stylesheet. Browsers draw MathML in a serif text font without it: no stretchy brackets, small
sub- and superscripts. glossary.css declares it (``font-display: swap``, for ``math`` elements
only), so a page without formulas never loads it.

The copy is found as the local Pyodide is: ``node_modules`` next to mkdocs.yml or above it
(``npm ci``; ``GLOSSARY_MATH_FONT`` names the file instead). Without it, formulas fall back to the
reader's installed math fonts (a page with formulas then asks for the missing file once).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The file in the npm package (its "latin" subset is the whole font, MATH table included).
PACKAGE_FILE = Path("@fontsource/stix-two-math/files/stix-two-math-latin-400-normal.woff2")
#: Its name in the site's assets folder (glossary.css refers to it).
SITE_NAME = "stix-two-math.woff2"


def find_math_font(start: Path) -> Path | None:
    """The font file for a site whose mkdocs.yml is in ``start``, or ``None``."""
    override = os.environ.get("GLOSSARY_MATH_FONT")
    if override:
        return Path(override) if Path(override).is_file() else None
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "node_modules" / PACKAGE_FILE
        if candidate.is_file():
            return candidate
    return None
