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
* the writer alone (``glossary-gen pages``): without a cache (the baseline), then with a private
  cache folder cold, warm and after one edit, each with its wall and CPU seconds (the machine
  may be shared: CPU is what the run itself cost) and the number of files it wrote. After the
  edit, the files whose bytes changed are counted too: the target is that the writer writes
  those and no other.

``--writer-only`` measures the writer alone (the MkDocs, ProperDocs and Zensical builds take
minutes at 1,000 entries). Doctests are off, as in build_scale.py (their cost is
doctest_scale.py's subject). The processes write and reuse bytecode as a user's Python does
(``PYTHONDONTWRITEBYTECODE`` is dropped from their environment). The target (issue 25): the
warm writer at most 2 s at 1,000 entries, and an edit to one entry rewrites only the files that
change.

    python benchmarks/engines_scale.py [--sizes 1000] [--repeat 1] [--keep DIR] [--writer-only]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
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


#: The children's environment: bytecode written and reused as a user's Python does (an
#: environment with PYTHONDONTWRITEBYTECODE compiles the package's modules on every run).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "NO_MKDOCS_2_WARNING": "1",
}


def run_python(site: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """``python COMMAND`` in ``site``; a failure ends the benchmark with its output."""
    result = subprocess.run(
        [sys.executable, *command],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def timed(site: Path, *command: str) -> float:
    start = time.perf_counter()
    run_python(site, *command)
    return time.perf_counter() - start


def best(repeat: int, site: Path, *command: str, before: object = None) -> float:
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        times.append(timed(site, *command))
    return min(times)


#: The target of issue 25 for the warm writer, in seconds, at 1,000 entries.
WRITER_TARGET = 2.0

#: A writer run: wall seconds, CPU seconds, files it wrote.
Run = tuple[float, float, int]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the generated sites in DIR")
    parser.add_argument(
        "--writer-only",
        action="store_true",
        help="measure only the writer (glossary-gen pages), not the MkDocs, ProperDocs and "
        "Zensical builds",
    )
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="engines-scale-"))
    rows = []
    writers: list[tuple[int, Run, Run, Run, Run, int]] = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            site = write_site(root, n)
            cli = ("-m", "glossary_gen.cli")
            entry = site / "entries" / "concept-1.md"

            def edit(entry: Path = entry) -> None:
                entry.write_text(entry.read_text() + f"\nEdited at {time.time()}.\n")

            if not args.writer_only:
                rows.append((n, *engine_figures(args.repeat, site, cli, edit)))
            writers.append((n, *writer_figures(args.repeat, site, cli, edit)))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    if rows:
        print(
            f"{'N':>6} {'mkdocs':>8} {'properdocs':>10} {'zensical':>9} {'(writer)':>9} "
            f"{'warm':>7} {'1 edit':>7} {'pages':>6}"
        )
        for n, mkdocs, properdocs, prepare, cold, warm, edited, pages in rows:
            print(
                f"{n:>6} {mkdocs:>7.2f}s {properdocs:>9.2f}s {cold:>8.2f}s {prepare:>8.2f}s "
                f"{warm:>6.2f}s {edited:>6.2f}s {pages:>6}"
            )
        print()
    print(
        "glossary-gen pages, the writer alone: wall s / CPU s / files written. Baseline: no "
        f"cache. Target: warm <= {WRITER_TARGET:.0f} s at 1,000 entries; after 1 edit, the files "
        "written = the files whose bytes changed."
    )
    print(
        f"{'N':>6} {'no cache':>18} {'cold':>18} {'warm':>18} {'1 edit':>18} "
        f"{'changed':>8} {'warm target':>12} {'edit target':>12}"
    )
    for n, plain, cold, warm, edited, changed in writers:
        cells = " ".join(f"{w:>6.2f}/{c:>5.2f}/{f:>4}" for w, c, f in (plain, cold, warm, edited))
        warm_ok = (
            "met"
            if warm[0] <= WRITER_TARGET
            else f"CPU {'met' if warm[1] <= WRITER_TARGET else 'missed'}"
        )
        edit_ok = "met" if edited[2] == changed else "missed"
        print(f"{n:>6} {cells} {changed:>8} {warm_ok:>12} {edit_ok:>12}")
    return 0


def engine_figures(
    repeat: int, site: Path, cli: tuple[str, ...], edit: object
) -> tuple[float, float, float, float, float, float, int]:
    """MkDocs, ProperDocs, the Zensical writer's share, Zensical cold, warm and after an edit;
    the number of pages Zensical built."""
    mkdocs = best(repeat, site, "-m", "mkdocs", "build", "-q", "-d", "site-mkdocs")
    properdocs = best(
        repeat, site, "-m", "properdocs", "build", "-q", "-f", "mkdocs.yml", "-d", "site-properdocs"
    )

    def clear(site: Path = site) -> None:
        shutil.rmtree(site / "build", ignore_errors=True)
        shutil.rmtree(site / ".cache", ignore_errors=True)

    prepare = best(repeat, site, *cli, "zensical", "prepare", before=clear)
    cold = best(repeat, site, *cli, "zensical", "build", "--clean", before=clear)
    warm = best(repeat, site, *cli, "zensical", "build")
    edited = best(repeat, site, *cli, "zensical", "build", before=edit)
    pages = len(list((site / "site").rglob("index.html")))
    return mkdocs, properdocs, prepare, cold, warm, edited, pages


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def writer_figures(
    repeat: int, site: Path, cli: tuple[str, ...], edit: object
) -> tuple[Run, Run, Run, Run, int]:
    """``glossary-gen pages`` without a cache (the site's mkdocs.yml turns it off), then with a
    private one: cold (empty cache and output), warm (nothing changed) and after one edit; the
    best of ``repeat`` runs of each (by wall time), and the number of files whose bytes the last
    edit changed (new files included; files removed are not written)."""
    cached = site / "mkdocs-cached.yml"
    cache = site.parent / f"cache-{site.name}"
    text = (site / "mkdocs.yml").read_text(encoding="utf-8")
    cached.write_text(text.replace("cache_dir: ''", f"cache_dir: '{cache}'"), encoding="utf-8")
    out = site / "build" / "pages"
    changed = 0

    def run(config: str = "mkdocs.yml", before: object = None) -> Run:
        nonlocal changed
        figures = []
        for _ in range(repeat):
            if callable(before):
                before()
            old = _digests(out) if before is edit and out.is_dir() else None
            cpu = _cpu_of_children()
            start = time.perf_counter()
            command = [*cli, "pages", "--no-doctest", "--config", config, "--out", str(out)]
            done = run_python(site, *command)
            elapsed, cpu = time.perf_counter() - start, _cpu_of_children() - cpu
            found = re.search(r"(\d+) file\(s\) written", done.stderr)
            if found is None:
                raise SystemExit(f"pages failed:\n{done.stdout}\n{done.stderr}")
            if old is not None:
                new = _digests(out)
                changed = sum(1 for k, digest in new.items() if old.get(k) != digest)
            figures.append((elapsed, cpu, int(found.group(1))))
        return min(figures)

    def empty() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    plain = run(before=empty)
    return plain, run(str(cached), empty), run(str(cached)), run(str(cached), edit), changed


if __name__ == "__main__":
    sys.exit(main())
