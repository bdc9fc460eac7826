"""The math font the site ships: a subset of STIX Two Math (glossary_gen.site.math_font), made once
and cached, with its MATH table, and the whole font when no subset can be made."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from glossary_gen.site import math_font

ROOT = Path(__file__).resolve().parent.parent
WHOLE = ROOT / "node_modules" / math_font.PACKAGE_FILE

pytestmark = pytest.mark.skipif(not WHOLE.is_file(), reason="npm ci has not been run")


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return math_font.cached_subset(WHOLE, tmp_path_factory.mktemp("fonts"))


def test_the_subset_is_small_and_keeps_what_math_layout_needs(subset: Path) -> None:
    assert subset.stat().st_size < WHOLE.stat().st_size / 4
    font = TTFont(io.BytesIO(subset.read_bytes()))
    assert font.flavor == "woff"
    assert "MATH" in font, "no MATH table: no stretchy brackets, no script sizes"
    cmap = font.getBestCmap()
    # The characters of the glossary's own formulas, and the italic a one-letter <mi> is drawn in.
    wanted = [*map(ord, "x=()"), 0x03C3, *range(0x2211, 0x2213), 0x2202, 0x2207, 0x2208, 0x221E]
    wanted += [0x2248, 0x2264, 0x2265, 0x2299, 0x22A4, 0x211D, 0x2113, 0x2016, 0x222B, 0x221A]
    for code in [*wanted, 0x1D465, 0x1D70E]:
        assert code in cmap, f"U+{code:04X} is not in the subset"
    # The stretchy parenthesis: its size variants came along through the MATH table.
    variants = font["MATH"].table.MathVariants
    vertical = dict(
        zip(variants.VertGlyphCoverage.glyphs, variants.VertGlyphConstruction, strict=True)
    )
    parenthesis = vertical[cmap[ord("(")]]
    assert parenthesis.VariantCount > 1
    glyphs = set(font.getGlyphOrder())
    assert all(v.VariantGlyph in glyphs for v in parenthesis.MathGlyphVariantRecord)
    # The licence and the copyright stay in the name table.
    names = {record.nameID for record in font["name"].names}
    assert {0, 14} <= names  # copyright, licence URL


def test_the_subset_is_made_once(subset: Path) -> None:
    made = subset.stat().st_mtime_ns
    assert math_font.cached_subset(WHOLE, subset.parent) == subset
    assert subset.stat().st_mtime_ns == made
    assert [p.name for p in subset.parent.iterdir()] == [subset.name], "a temporary file stayed"


def test_without_a_usable_cache_folder_the_whole_font_is_copied(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("GLOSSARY_MATH_FONT", raising=False)
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    assert math_font.find_math_font(ROOT, cache=blocked) == WHOLE


def test_a_broken_font_falls_back_to_itself(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "project" / "node_modules" / math_font.PACKAGE_FILE
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"wOFF not really a font")
    monkeypatch.delenv("GLOSSARY_MATH_FONT", raising=False)
    cache = tmp_path / "cache"
    assert math_font.find_math_font(tmp_path / "project", cache=cache) == broken
    assert not list((cache / "fonts").iterdir()), "half a subset was left in the cache"


def test_the_override_is_copied_as_it_is(tmp_path: Path, monkeypatch) -> None:
    mine = tmp_path / "mine.woff"
    mine.write_bytes(WHOLE.read_bytes())
    monkeypatch.setenv("GLOSSARY_MATH_FONT", str(mine))
    assert math_font.find_math_font(ROOT, cache=tmp_path / "cache") == mine
    monkeypatch.setenv("GLOSSARY_MATH_FONT", str(tmp_path / "missing.woff"))
    assert math_font.find_math_font(ROOT, cache=tmp_path / "cache") is None


def test_the_licence_is_found_next_to_the_package() -> None:
    found = math_font.find_license(WHOLE)
    assert found is not None and "SIL OPEN FONT LICENSE" in found.read_text(encoding="utf-8")
