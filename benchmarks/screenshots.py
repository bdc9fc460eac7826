"""Screenshots of what readers see, for a human to look at: the home page, the A-Z index, the ReLU
page and a tag page, at desktop size in the light and the dark scheme and at phone size, built
with MkDocs and with Zensical. Written to tests/artifacts/<engine>-<page>-<variant>.png as
256-colour PNGs (small enough to commit).

    python benchmarks/screenshots.py [--mkdocs-site DIR] [--zensical-site DIR] [--out DIR]

Without ``--mkdocs-site`` the glossary is built with ``mkdocs build``; without
``--zensical-site`` with ``glossary-gen zensical build`` (into mkdocs.yml's site_dir, as
scripts/build-zensical does). Chromium is /usr/bin/chromium (``GLOSSARY_CHROMIUM``).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from local_site import serving  # benchmarks/, the script's folder

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "",
    "a-z": "glossary/",
    "relu": "glossary/relu/",
}
#: The tags page (docs/tags.md, listed by the engine's tags plugin), at one tag.
TAG_PAGE = {
    "mkdocs": "tags/#tag:activation-functions",
    "zensical": "tags/#tag:activation-functions",
}
VARIANTS = {
    "desktop-light": ({"width": 1280, "height": 800}, "light"),
    "desktop-dark": ({"width": 1280, "height": 800}, "dark"),
    "mobile": ({"width": 390, "height": 844}, "light"),
}


def _small_png(data: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def shoot(engine: str, folder: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    pages = {**PAGES, "tag": TAG_PAGE[engine]}
    with serving(folder) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("GLOSSARY_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        for name, path in pages.items():
            for variant, (viewport, scheme) in VARIANTS.items():
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                # The page a reader sees once Material has started (MkDocs: at the first
                # interaction or 10 s after load, theme-loader.js), search button included.
                page.evaluate("() => window.glossaryTheme && window.glossaryTheme.start()")
                page.wait_for_function(
                    "() => !window.glossaryTheme || window.glossaryTheme.started()"
                )
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                target = out / f"{engine}-{name}-{variant}.png"
                target.write_bytes(_small_png(page.screenshot()))
                written.append(target)
                context.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mkdocs-site", type=Path)
    parser.add_argument("--zensical-site", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "artifacts")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        mkdocs_site = args.mkdocs_site
        if mkdocs_site is None:
            mkdocs_site = Path(tmp) / "mkdocs"
            subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(mkdocs_site)],
                cwd=ROOT,
                env=env,
                check=True,
            )
        zensical_site = args.zensical_site
        if zensical_site is None:
            subprocess.run(
                [sys.executable, "-m", "glossary_gen.cli", "zensical", "build"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            zensical_site = ROOT / "site"
        for engine, folder in (("mkdocs", mkdocs_site), ("zensical", zensical_site)):
            for path in shoot(engine, folder, args.out):
                print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
