"""The font formulas are drawn in: STIX Two Math (SIL Open Font License 1.1, no reserved font
name), from the npm package ``@fontsource/stix-two-math`` pinned in package.json, copied into the
site next to the glossary's stylesheet. Browsers draw MathML in a serif text font without it: no
stretchy brackets, small sub- and superscripts. glossary.css declares it (``font-display: swap``,
for ``math`` elements only), so a page without formulas never loads it.

The whole font is about 400 KB, most of it for characters a glossary never writes; on a phone
that is seconds before the formulas settle. The site gets a subset instead (:func:`subset`,
with fontTools, cached in the user's cache folder): the characters formulas commonly use
(:data:`CHARACTERS`: Latin, Greek, their italic, double-struck and script forms, the usual
operators, arrows and brackets) with every glyph the font's MATH table builds them from (stretchy
variants and their parts), about 60 KB. A character outside the subset is drawn in the reader's
next math font (the ``font-family`` list), as it would be without the font. The subset keeps the
font's name table (copyright and licence); the licence text goes next to it.

The copy is found as the local Pyodide is: ``node_modules`` next to mkdocs.yml or above it
(``npm ci``; ``GLOSSARY_MATH_FONT`` names the file instead, copied as it is). Without it,
formulas fall back to the reader's installed math fonts (a page with formulas then asks for the
missing file once).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from pathlib import Path

#: The file in the npm package (its "latin" subset is the whole font, MATH table included). WOFF,
#: not WOFF2: fontTools reads and writes it without a Brotli module.
PACKAGE_FILE = Path("@fontsource/stix-two-math/files/stix-two-math-latin-400-normal.woff")
#: The licence in the npm package, copied next to the font.
PACKAGE_LICENSE = Path("@fontsource/stix-two-math/LICENSE")
#: Its name in the site's assets folder (glossary.css refers to it).
SITE_NAME = "stix-two-math.woff"
LICENSE_NAME = "stix-two-math-LICENSE.txt"

#: The code points the subset keeps (inclusive ranges).
CHARACTERS: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00A0),
    (0x00AC, 0x00AC),  # not
    (0x00B0, 0x00B1),  # degree, plus-minus
    (0x00B7, 0x00B7),  # middle dot
    (0x00D7, 0x00D7),  # times
    (0x00F7, 0x00F7),  # divide
    (0x0131, 0x0131),  # dotless i, j
    (0x0237, 0x0237),
    (0x0300, 0x0308),  # combining accents (hat, tilde, bar, dot)
    (0x0391, 0x03A9),  # Greek
    (0x03B1, 0x03C9),
    (0x03D1, 0x03D1),
    (0x03D5, 0x03D6),
    (0x03F0, 0x03F1),
    (0x03F5, 0x03F5),
    (0x2016, 0x2016),  # double bar (norms)
    (0x2020, 0x2021),
    (0x2026, 0x2026),  # ellipsis
    (0x2032, 0x2034),  # primes
    (0x20D7, 0x20D7),  # combining vector arrow
    (0x2102, 0x2102),  # double-struck C, N, P, Q, R, Z; script letters; ell
    (0x210B, 0x2113),
    (0x2115, 0x2115),
    (0x2119, 0x211D),
    (0x2124, 0x2124),
    (0x212C, 0x212D),
    (0x2130, 0x2131),
    (0x2133, 0x2133),
    (0x2190, 0x2199),  # arrows
    (0x21A6, 0x21A6),
    (0x21D0, 0x21D5),
    (0x2200, 0x221E),  # operators: quantifiers, sets, sum, product, minus, roots, infinity
    (0x2223, 0x222E),  # divides, parallel, and, or, cap, cup, integrals
    (0x2234, 0x223C),
    (0x2243, 0x224C),  # approximately
    (0x2260, 0x2265),  # not equal, identical, less and greater or equal
    (0x226A, 0x226B),
    (0x2282, 0x2287),  # subsets
    (0x2295, 0x2299),  # circled operators
    (0x22A4, 0x22A5),  # transpose, perpendicular
    (0x22C0, 0x22C5),  # n-ary and, or; dot
    (0x22EE, 0x22F1),  # dots
    (0x2308, 0x230B),  # ceiling, floor
    (0x27E8, 0x27E9),  # angle brackets
    (0x1D434, 0x1D467),  # italic Latin (what a browser draws a one-letter <mi> in)
    (0x1D49C, 0x1D4CF),  # script Latin
    (0x1D538, 0x1D56B),  # double-struck Latin
    (0x1D6A4, 0x1D6A5),  # italic dotless i, j
    (0x1D6E2, 0x1D71B),  # italic Greek
)

_log = logging.getLogger("mkdocs.plugins.glossary")


def find_package_font(start: Path) -> Path | None:
    """The whole font in ``node_modules`` next to ``start`` or above it, or ``None``."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "node_modules" / PACKAGE_FILE
        if candidate.is_file():
            return candidate
    return None


def find_math_font(start: Path, cache: Path | None = None) -> Path | None:
    """The font file for a site whose mkdocs.yml is in ``start``, or ``None``: the subset, made
    in ``cache`` (default: the user's cache folder) once per font, or the whole font where the
    subset cannot be made. ``GLOSSARY_MATH_FONT`` names a file copied as it is."""
    override = os.environ.get("GLOSSARY_MATH_FONT")
    if override:
        return Path(override) if Path(override).is_file() else None
    font = find_package_font(start)
    if font is None:
        return None
    if cache is None:
        from glossary_gen.core.config import default_cache_dir

        cache = default_cache_dir()
    try:
        return cached_subset(font, cache / "fonts")
    except Exception as error:  # noqa: BLE001 - a broken cache folder or font: the whole font works
        _log.info("glossary: the whole math font is copied (no subset: %s)", error)
        return font


def find_license(font: Path) -> Path | None:
    """The licence text of the npm package ``font`` (the whole font) came from, if there."""
    for folder in font.parents:
        if folder.name == "node_modules" and (folder / PACKAGE_LICENSE).is_file():
            return folder / PACKAGE_LICENSE
    return None


def cached_subset(font: Path, folder: Path) -> Path:
    """The subset of ``font`` in ``folder``, made there when missing (named by a hash of the
    font, :data:`CHARACTERS` and the fontTools version, so that a change of any makes a new
    one). Written to a temporary file and renamed: concurrent builds never see half a file."""
    import fontTools

    key = hashlib.sha256(font.read_bytes())
    key.update(repr((CHARACTERS, fontTools.version)).encode())
    target = folder / f"stix-two-math-{key.hexdigest()[:16]}.woff"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(handle)
    try:
        subset(font, Path(name))
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)
    return target


def subset(font: Path, out: Path) -> None:
    """Write the subset of ``font`` (:data:`CHARACTERS`, all layout features, the MATH table and
    the glyphs it refers to, the whole name table) to ``out``, as WOFF."""
    from fontTools import subset as ft_subset

    options = ft_subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.flavor = "woff"
    loaded = ft_subset.load_font(io.BytesIO(font.read_bytes()), options)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in CHARACTERS for c in range(low, high + 1)])
    subsetter.subset(loaded)
    ft_subset.save_font(loaded, str(out), options)
