"""How fast is ``mkdocs build`` with the glossary plugin, against plain MkDocs + Material?

For each N, generates N synthetic entries (summary, ELI5, explanation with wiki links, inline and
display math, a doctest block, related terms, tags, sources), then times, in the same run:

* baseline (the one the issue names): plain MkDocs + Material (search and tags plugins, and
  pymdownx.arithmatex for the formulas, as Material documents) over the same pages written as
  ordinary Markdown files: for each published term, the page the plugin publishes, written by
  hand: other names, summary, the body with its links as Markdown links whose title is the
  target's summary (Material's tooltip), the examples as ``pycon``, "Related terms" with their
  summaries, "Referenced by" (both kept out of search, as the plugin does), sources, last-updated
  line; plus the A-Z index with summaries;
* entry files (a second, lighter reference): the raw entry files copied into ``docs/glossary/``
  (``[[links]]`` and ``$math$`` stay text, no related terms, backlinks or sources lists);
* plugin: the same site with ``glossary`` in ``plugins:`` reading ``entries/`` (load, validate,
  link, render, sanitize, wiki links, MathML, index page, glossary.json, JSON-LD).

Every build runs in a fresh process (``python -m mkdocs build``), as a user runs them; the figure
is the best of ``--repeat`` runs. Doctests are off (their cost is benchmarks/doctest_scale.py's
subject; with a warm cache they add almost nothing). Targets (issue 4): plugin within 1.15x of the
baseline at every N, and time growing linearly with N.

    python benchmarks/build_scale.py [--sizes 300,1000,3000] [--repeat 3] [--keep DIR]

With ``--languages K`` it measures translations instead (issue 26): the same plugin site in one
language and with every entry translated into K-1 more (``entries/<lang>/``, each translation a
copy with its own title, so its links resolve through the default language), and prints the
ratio of the two builds (target: at most 1.1x per language, i.e. 3.3x for 3 languages).

    python benchmarks/build_scale.py --languages 3 --sizes 1000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import CONFIG, write_docs, write_plugin_site


def write_site(root: Path, n: int) -> dict[str, Path]:
    """The plugin site and the two baseline sites, over the same entries."""
    sites = {name: root / name for name in ("plugin", "baseline", "entry-files")}
    write_plugin_site(sites["plugin"], n)
    for name in ("baseline", "entry-files"):
        write_docs(sites[name])
    entries = sites["plugin"] / "entries"
    (sites["baseline"] / "mkdocs.yml").write_text(
        CONFIG.format(
            extra_markdown="  - pymdownx.arithmatex:\n      generic: true\n", extra_plugin=""
        )
    )
    (sites["entry-files"] / "mkdocs.yml").write_text(
        CONFIG.format(extra_markdown="", extra_plugin="")
    )
    write_same_pages(entries, sites["baseline"] / "docs" / "glossary")
    write_entry_files(entries, sites["entry-files"] / "docs" / "glossary")
    return sites


def write_entry_files(entries: Path, out: Path) -> None:
    """The entry files as they are (front matter and all, so the tags plugin makes the same tag
    pages), and an A-Z list of links as the index."""
    out.mkdir(parents=True)
    lines = ["# Glossary", ""]
    for entry in sorted(entries.glob("*.md")):
        text = entry.read_text(encoding="utf-8")
        (out / entry.name).write_text(text, encoding="utf-8")
        title = re.search(r"^title: (.*)$", text, re.M).group(1)
        lines.append(f"- [{title}]({entry.name})")
    (out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_same_pages(entries: Path, out: Path) -> None:
    """What a maintainer would write by hand to publish the plugin's pages with plain MkDocs."""
    from glossary_gen.core.loader import WIKILINK
    from glossary_gen.pipeline import load_and_link
    from glossary_gen.site.text import plain_text

    glossary, _ = load_and_link(entries)
    out.mkdir(parents=True)
    tooltip = {e.slug: plain_text(e.summary).replace('"', "'") for e in glossary.published}
    today = time.strftime("%Y-%m-%d")

    def link(slug: str, text: str | None = None) -> str:
        return f'[{text or glossary.by_slug[slug].title}]({slug}.md "{tooltip[slug]}")'

    def wikilink(match: re.Match[str]) -> str:
        target = glossary.resolve(match.group("target"))
        return link(target.slug, match.group("text")) if target is not None else match.group(0)

    for entry in glossary.published:
        lines = [
            "---",
            f"title: {entry.title}",
            f"description: {tooltip[entry.slug]}",
            f"tags: [{', '.join(t.value for t in entry.tags)}]",
            "---",
            "",
        ]
        if entry.aliases:
            lines += ["Also known as " + ", ".join(f"*{a.value}*" for a in entry.aliases), ""]
        for line in entry.body.split("\n"):
            if line.startswith("### Summary"):
                continue
            if line.startswith("### "):
                line = "## " + line[4:]
            elif line.startswith("```python"):
                line = "```pycon"
            lines.append(WIKILINK.sub(wikilink, line))
        related = glossary.related.get(entry.slug, ())
        if related:
            lines += ["", "## Related terms { data-search-exclude }", ""] + [
                f"- {link(s)} — {tooltip[s]}" for s in related
            ]
        backlinks = glossary.backlinks.get(entry.slug, ())
        if backlinks:
            lines += [
                "",
                "## Referenced by { data-search-exclude }",
                "",
                ", ".join(link(s) for s in backlinks),
            ]
        if entry.sources:
            lines += ["", "## Sources", ""] + [f"1. [{s.title}]({s.url})" for s in entry.sources]
        lines += ["", f"Last updated {today} · [All terms](index.md)", ""]
        (out / f"{entry.slug}.md").write_text("\n".join(lines), encoding="utf-8")

    index = ["# Glossary", ""]
    letter = ""
    for entry in sorted(glossary.published, key=lambda e: e.title.casefold()):
        if entry.title[0].upper() != letter:
            letter = entry.title[0].upper()
            index += ["", f"## {letter}", ""]
        aliases = f" ({', '.join(a.value for a in entry.aliases)})" if entry.aliases else ""
        index.append(f"- {link(entry.slug)}{aliases}: {entry.summary}")
    (out / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build_once(site: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``mkdocs build`` (CPU time is less disturbed by other
    processes on a busy machine; both are printed)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    shutil.rmtree(site / "site", ignore_errors=True)
    cpu = _cpu_of_children()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    cpu = _cpu_of_children() - cpu
    if result.returncode != 0:
        raise SystemExit(f"build failed in {site}:\n{result.stdout}\n{result.stderr}")
    warnings = [line for line in result.stderr.splitlines() if re.match(r"^(WARNING|ERROR)", line)]
    if warnings:
        print(
            f"  note: {len(warnings)} warning(s) in {site.name}, first: {warnings[0]}",
            file=sys.stderr,
        )
    return elapsed, cpu


EXTRA_LANGUAGES = ("fr", "de", "es", "it", "nl", "pt")


def write_language_sites(root: Path, n: int, languages: int) -> dict[str, Path]:
    """The plugin site in one language, and the same site with every entry translated into
    ``languages - 1`` more (front matter and headings as a translation has them)."""
    one = write_plugin_site(root / "one-language", n)
    many = write_plugin_site(root / f"{languages}-languages", n)
    codes = ["en", *EXTRA_LANGUAGES[: languages - 1]]
    config = many / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "  - glossary:\n", f"  - glossary:\n      languages: [{', '.join(codes)}]\n", 1
        ),
        "utf-8",
    )
    for code in codes[1:]:
        folder = many / "entries" / code
        folder.mkdir()
        for entry in sorted((many / "entries").glob("*.md")):
            text = entry.read_text("utf-8")
            text = re.sub(r"(?m)^title: (.*)$", rf"title: \1 ({code})", text, count=1)
            (folder / entry.name).write_text(text, "utf-8")
    return {"one-language": one, f"{languages}-languages": many}


def time_builds(sites: dict[str, Path], repeat: int) -> dict[str, tuple[float, float]]:
    """Best of ``repeat`` builds of each site (wall and CPU), taking the sites in turn so that
    load from other processes on the machine hits all of them alike."""
    best = {name: (float("inf"), float("inf")) for name in sites}
    for _ in range(repeat):
        for name, site in sites.items():
            wall, cpu = _build_once(site)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300,1000,3000", help="comma-separated entry counts")
    parser.add_argument(
        "--repeat", type=int, default=3, help="builds per site and size (best is kept)"
    )
    parser.add_argument("--keep", type=Path, help="write the sites here and keep them")
    parser.add_argument(
        "--languages", type=int, default=0, help="measure K languages against one (K >= 2)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.languages:
        return languages_main(sizes, args.languages, args.repeat, args.keep)

    root = args.keep or Path(tempfile.mkdtemp(prefix="glossary-build-scale-"))
    rows = []
    try:
        for n in sizes:
            times = time_builds(write_site(root / f"n{n}", n), args.repeat)
            rows.append((n, times))
            print(
                f"  N={n}: "
                + ", ".join(
                    f"{name} {wall:.2f} s (CPU {cpu:.2f} s)" for name, (wall, cpu) in times.items()
                ),
                file=sys.stderr,
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    print(
        f"{'N':>6}  {'baseline s':>10}  {'plugin s':>9}  {'ratio':>6}  {'CPU ratio':>9}  {'plugin ms/page':>14}  "
        f"{'growth':>6}  {'entry files s':>13}  {'ratio':>6}"
    )
    n0, first = rows[0]
    for n, times in rows:
        baseline, baseline_cpu = times["baseline"]
        plugin, plugin_cpu = times["plugin"]
        entry_files = times["entry-files"][0]
        growth = (plugin / first["plugin"][0]) / (n / n0)
        print(
            f"{n:>6}  {baseline:>10.2f}  {plugin:>9.2f}  {plugin / baseline:>5.2f}x  "
            f"{plugin_cpu / baseline_cpu:>8.2f}x  "
            f"{1000 * plugin / n:>14.2f}  {growth:>5.2f}x  {entry_files:>13.2f}  {plugin / entry_files:>5.2f}x"
        )
    print(
        "ratio = plugin / baseline wall-clock (target <= 1.15); CPU ratio = the same with CPU seconds "
        "(steadier on a busy machine; the plugin's math worker counts); growth = (time/N) relative to the "
        "first N (1.00 = linear); entry files = the lighter reference (raw entry files as pages) and the "
        "plugin's ratio to it"
    )
    return 0


def languages_main(sizes: list[int], languages: int, repeat: int, keep: Path | None) -> int:
    if not 2 <= languages <= len(EXTRA_LANGUAGES) + 1:
        raise SystemExit(f"--languages must be 2 to {len(EXTRA_LANGUAGES) + 1}")
    root = keep or Path(tempfile.mkdtemp(prefix="glossary-build-languages-"))
    print(
        f"{'N':>6}  {'1 language s':>12}  {f'{languages} languages s':>14}  {'ratio':>6}  {'target':>6}"
    )
    try:
        for n in sizes:
            times = time_builds(write_language_sites(root / f"n{n}", n, languages), repeat)
            one, many = times["one-language"][0], times[f"{languages}-languages"][0]
            target = 1.1 * languages
            print(f"{n:>6}  {one:>12.2f}  {many:>14.2f}  {many / one:>5.2f}x  {target:>5.2f}x")
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print("ratio = wall-clock of the translated site / the one-language site (best of --repeat)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
