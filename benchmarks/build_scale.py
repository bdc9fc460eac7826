"""How fast is ``mkdocs build`` with the glossary plugin, against plain MkDocs + Material?

For each N, generates N synthetic entries (summary, ELI5, explanation with wiki links, inline and
display math, a doctest block, related terms, tags, sources), then times, in the same run:

* baseline: plain MkDocs + Material (search and tags plugins) over the same pages written as
  ordinary Markdown files: the entry files copied into ``docs/glossary/`` (``[[links]]`` and
  ``$math$`` stay text there) plus an index page listing them;
* plugin:   the same site with ``glossary`` in ``plugins:`` reading ``entries/`` (load, validate,
  link, render, sanitize, wiki links, MathML, index page, glossary.json, JSON-LD).

Both builds run in a fresh process (``python -m mkdocs build``), as a user runs them; the figure
is the best of ``--repeat`` runs. Doctests are off (their cost is benchmarks/doctest_scale.py's
subject; with a warm cache they add almost nothing). Targets (issue 4): plugin within 1.15x of the
baseline at every N, and time growing linearly with N.

    python benchmarks/build_scale.py [--sizes 300,1000,3000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


WORDS = ("gradient neuron layer weight bias loss signal kernel tensor batch epoch filter pooling "
         "dropout softmax logit margin ridge lasso norm").split()
TAGS = ("optimisation", "architecture", "activation", "regularisation", "probability", "vision")

CONFIG = """site_name: Scale Glossary
theme:
  name: material
  font: false
  features: [content.code.copy, content.tooltips, navigation.instant]
markdown_extensions:
  - attr_list
  - admonition
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
plugins:
  - search
  - tags
{extra_plugin}
not_in_nav: |
  /glossary/
nav:
  - Home: index.md
  - Glossary: glossary/index.md
  - Tags: tags.md
"""


def title_of(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} Concept {i}"


def write_entries(folder: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        related = sorted({title_of(rng.randrange(n)) for _ in range(3)} - {title_of(i)})
        links = [t for t in (title_of(rng.randrange(n)) for _ in range(2)) if t != title_of(i)]
        body_links = " and ".join(f"[[{t}]]" for t in links) or "nothing else"
        tags = sorted({rng.choice(TAGS) for _ in range(2)})
        word = WORDS[i % len(WORDS)]
        (folder / f"concept-{i}.md").write_text(
            "---\n"
            f"title: {title_of(i)}\n"
            f"aliases: [{word} idea {i}]\n"
            f"related: [{', '.join(related)}]\n"
            f"tags: [{', '.join(tags)}]\n"
            "sources:\n"
            f"  - title: Notes on {word} {i}\n"
            f"    url: https://example.org/{i}\n"
            "---\n"
            "### Summary\n\n"
            f"The {word} concept number {i} is a made-up term used to measure how the site scales; "
            f"it relates the {word} to the loss of a network.\n\n"
            "### ELI5\n\n"
            f"Think of {word} {i} as a knob. Turning it changes what the model sees, a little.\n\n"
            "### In-depth explanation\n\n"
            f"Formally, with weights $w_{{{i}}}$ and inputs $x$, the concept computes\n\n"
            "$$\n"
            f"y = \\max(0, w x + {i})\n"
            "$$\n\n"
            f"It works together with {body_links}, and is usually tuned **by hand** or by search.\n\n"
            "```python\n"
            f">>> def concept_{i}(x):\n"
            f"...     return max(0, x + {i % 7})\n"
            f">>> concept_{i}(-{i % 7 + 1}), concept_{i}(1)\n"
            f"(0, {1 + i % 7})\n"
            "```\n\n"
            "#### Notes\n\n"
            f"- first remark about {word}\n- second remark, with `inline code`\n",
            encoding="utf-8")


def write_site(root: Path, n: int) -> tuple[Path, Path]:
    """The plugin site and the baseline site, over the same entries."""
    plugin_site, baseline_site = root / "plugin", root / "baseline"
    for site in (plugin_site, baseline_site):
        (site / "docs").mkdir(parents=True)
        (site / "docs" / "index.md").write_text("# Scale glossary\n\nSee the [glossary](glossary/index.md).\n")
        (site / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    write_entries(plugin_site / "entries", n)
    (plugin_site / "mkdocs.yml").write_text(CONFIG.format(
        extra_plugin="  - glossary:\n      doctest: false\n      cache_dir: ''\n"))
    (baseline_site / "mkdocs.yml").write_text(CONFIG.format(extra_plugin=""))

    # The baseline pages: the same entry files as ordinary Markdown pages (front matter and all,
    # so the tags plugin makes the same tag pages), and an A-Z list of links as the index.
    out = baseline_site / "docs" / "glossary"
    out.mkdir(parents=True)
    lines = ["# Glossary", ""]
    for entry in sorted((plugin_site / "entries").glob("*.md")):
        text = entry.read_text(encoding="utf-8")
        (out / entry.name).write_text(text, encoding="utf-8")
        title = re.search(r"^title: (.*)$", text, re.M).group(1)
        lines.append(f"- [{title}]({entry.name})")
    (out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plugin_site, baseline_site


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
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=site, env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = _cpu_of_children() - cpu
    if result.returncode != 0:
        raise SystemExit(f"build failed in {site}:\n{result.stdout}\n{result.stderr}")
    warnings = [line for line in result.stderr.splitlines() if re.match(r"^(WARNING|ERROR)", line)]
    if warnings:
        print(f"  note: {len(warnings)} warning(s) in {site.name}, first: {warnings[0]}", file=sys.stderr)
    return elapsed, cpu


def time_builds(baseline_site: Path, plugin_site: Path, repeat: int) -> tuple[float, float, float, float]:
    """Best of ``repeat`` builds each (wall and CPU), alternating baseline and plugin so that
    load from other processes on the machine hits both alike."""
    baseline = plugin = baseline_cpu = plugin_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = _build_once(baseline_site)
        baseline, baseline_cpu = min(baseline, wall), min(baseline_cpu, cpu)
        wall, cpu = _build_once(plugin_site)
        plugin, plugin_cpu = min(plugin, wall), min(plugin_cpu, cpu)
    return baseline, plugin, baseline_cpu, plugin_cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300,1000,3000", help="comma-separated entry counts")
    parser.add_argument("--repeat", type=int, default=3, help="builds per site and size (best is kept)")
    parser.add_argument("--keep", type=Path, help="write the sites here and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    root = args.keep or Path(tempfile.mkdtemp(prefix="glossary-build-scale-"))
    rows = []
    try:
        for n in sizes:
            plugin_site, baseline_site = write_site(root / f"n{n}", n)
            baseline, plugin, baseline_cpu, plugin_cpu = time_builds(baseline_site, plugin_site, args.repeat)
            rows.append((n, baseline, plugin, baseline_cpu, plugin_cpu))
            print(f"  N={n}: baseline {baseline:.2f} s, plugin {plugin:.2f} s (CPU {baseline_cpu:.2f} / "
                  f"{plugin_cpu:.2f} s)", file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    print(f"{'N':>6}  {'baseline s':>10}  {'plugin s':>9}  {'ratio':>6}  {'plugin ms/page':>14}  "
          f"{'growth vs first N':>17}  {'CPU ratio':>9}")
    n0, _, p0, _, _ = rows[0]
    for n, baseline, plugin, baseline_cpu, plugin_cpu in rows:
        growth = (plugin / p0) / (n / n0)
        print(f"{n:>6}  {baseline:>10.2f}  {plugin:>9.2f}  {plugin / baseline:>5.2f}x  {1000 * plugin / n:>14.2f}  "
              f"{growth:>16.2f}x  {plugin_cpu / baseline_cpu:>8.2f}x")
    print("ratio = plugin / baseline wall-clock (target <= 1.15); growth = (time/N) relative to the first N "
          "(1.00 = linear); CPU ratio = the same with CPU seconds (steadier on a busy machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
