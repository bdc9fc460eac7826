"""The same glossary built by each engine: MkDocs (the plugin), ProperDocs (the plugin, on the
MkDocs 1.6 fork) and Zensical (``glossary-gen zensical build``: the pages written as files, then
``zensical build``).

For each N, writes N synthetic entries (benchmarks/build_scale.py's: wiki links, math, a doctest
block, related terms, tags, sources) into one site, then times fresh processes, as a user runs
them: the best of ``--repeat`` runs of

* ``mkdocs build`` and ``properdocs build`` (the plugin reads ``entries/``);
* Zensical cold: ``glossary-gen zensical build --clean`` (check, write the pages, build with an
  empty cache), with the writer's share (``glossary-gen zensical prepare``) measured apart;
* Zensical warm: the same again with nothing changed (Zensical's page cache is used);
* Zensical after editing one entry's body;
* the writer alone (``glossary-gen pages``): without a cache, then with a private cache folder
  cold, warm and after one edit, with the number of files each run wrote.

Doctests are off, as in build_scale.py (their cost is doctest_scale.py's subject).

    python benchmarks/engines_scale.py [--sizes 1000] [--repeat 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_plugin_site


def write_site(root: Path, n: int) -> Path:
    return write_plugin_site(
        root / f"site-{n}",
        n,
        index="# Scale glossary\n\nSee the [glossary](glossary/index.md) and [[Gradient Concept 0]].\n",
    )


def timed(site: Path, *command: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *command],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def best(repeat: int, site: Path, *command: str, before: object = None) -> float:
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        times.append(timed(site, *command))
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the generated sites in DIR")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="engines-scale-"))
    rows = []
    writers: list[tuple[int, float, tuple[float, int], tuple[float, int], tuple[float, int]]] = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            site = write_site(root, n)
            cli = ("-m", "glossary_gen.cli")
            mkdocs = best(args.repeat, site, "-m", "mkdocs", "build", "-q", "-d", "site-mkdocs")
            properdocs = best(
                args.repeat, site, "-m", "properdocs", "build", "-q", "-f", "mkdocs.yml",
                "-d", "site-properdocs",
            )  # fmt: skip

            def clear(site: Path = site) -> None:
                shutil.rmtree(site / "build", ignore_errors=True)
                shutil.rmtree(site / ".cache", ignore_errors=True)

            prepare = best(args.repeat, site, *cli, "zensical", "prepare", before=clear)
            cold = best(args.repeat, site, *cli, "zensical", "build", "--clean", before=clear)
            warm = best(args.repeat, site, *cli, "zensical", "build")
            entry = site / "entries" / "concept-1.md"

            def edit(entry: Path = entry) -> None:
                entry.write_text(entry.read_text() + f"\nEdited at {time.time()}.\n")

            edited = best(args.repeat, site, *cli, "zensical", "build", before=edit)
            pages = len(list((site / "site").rglob("index.html")))
            rows.append((n, mkdocs, properdocs, prepare, cold, warm, edited, pages))
            writers.append((n, *writer_figures(args.repeat, site, cli, edit)))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"{'N':>6} {'mkdocs':>8} {'properdocs':>10} {'zensical':>9} {'(writer)':>9} "
        f"{'warm':>7} {'1 edit':>7} {'pages':>6}"
    )
    for n, mkdocs, properdocs, prepare, cold, warm, edited, pages in rows:
        print(
            f"{n:>6} {mkdocs:>7.2f}s {properdocs:>9.2f}s {cold:>8.2f}s {prepare:>8.2f}s "
            f"{warm:>6.2f}s {edited:>6.2f}s {pages:>6}"
        )
    print(
        "\nglossary-gen pages (the writer alone; target <= 2 s at 1,000 entries, an edit "
        "rewrites only the files it changes):"
    )
    print(f"{'N':>6} {'no cache':>9} {'cold':>14} {'warm':>14} {'1 edit':>14}")
    for n, plain, *cached in writers:
        cells = " ".join(f"{t:>6.2f}s {w:>4} f" for t, w in cached)
        print(f"{n:>6} {plain:>8.2f}s {cells}   (f: files written)")
    return 0


def writer_figures(
    repeat: int, site: Path, cli: tuple[str, ...], edit: object
) -> tuple[float, tuple[float, int], tuple[float, int], tuple[float, int]]:
    """``glossary-gen pages`` without a cache (the site's mkdocs.yml turns it off), then with a
    private one: cold (empty cache and output), warm (nothing changed) and after one edit; each
    with the number of files it wrote."""
    cached = site / "mkdocs-cached.yml"
    cache = site.parent / f"cache-{site.name}"
    text = (site / "mkdocs.yml").read_text(encoding="utf-8")
    cached.write_text(text.replace("cache_dir: ''", f"cache_dir: '{cache}'"), encoding="utf-8")
    out = site / "build" / "pages"
    plain = best(repeat, site, *cli, "pages", "--no-doctest", "--out", str(out))

    def run(before: object = None) -> tuple[float, int]:
        figures = []
        for _ in range(repeat):
            if callable(before):
                before()
            start = time.perf_counter()
            command = [*cli, "pages", "--no-doctest", "--config", str(cached), "--out", str(out)]
            done = subprocess.run(
                [sys.executable, *command], cwd=site, capture_output=True, text=True, check=False
            )
            elapsed = time.perf_counter() - start
            found = re.search(r"(\d+) file\(s\) written", done.stderr)
            if done.returncode != 0 or found is None:
                raise SystemExit(f"pages failed:\n{done.stdout}\n{done.stderr}")
            figures.append((elapsed, int(found.group(1))))
        return min(figures)

    def empty() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    return plain, run(empty), run(), run(edit)


if __name__ == "__main__":
    sys.exit(main())
