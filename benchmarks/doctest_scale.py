"""How fast are the sandboxed, cached doctests on a large glossary, isolated or not?

Generates N synthetic entries with 3 doctest examples each, then times ``glossary_gen.pipeline.check``
(what ``glossary-gen check`` does: load, validate, link, doctest) in three states:

* cold:   empty cache, every entry runs in the sandbox workers;
* warm:   nothing changed, every result comes from the cache;
* edited: one entry's example changed, only that entry runs;

in each sandbox (``GLOSSARY_SANDBOX``): ``bubblewrap`` (namespaces, issue 11) and ``process``
(plain worker processes, the fallback), with the ratio of the two, next to the floor: the same
examples run in this process by plain ``doctest`` (no isolation, no limits, no cache).  Each figure
is the best of ``--repeat`` runs, the sandboxes taking turns.  Targets (issue 3) on 2 cores:
cold < 30 s, warm < 1 s, edited < 2 s; issue 11: bubblewrap cold <= 1.5x process, warm the same.

    python benchmarks/doctest_scale.py [-n 1000] [--jobs 2] [--repeat 3] [--sandbox both]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glossary_gen.core.config import Settings
from glossary_gen.core.loader import load_entries
from glossary_gen.pipeline import check
from glossary_gen.run.doctests import run_in_process

ENTRY = """---
title: Synthetic Term {i}
tags: [benchmark]
---
### Summary

Synthetic term number {i}, generated for the doctest benchmark.

### ELI5

A tiny function and three checks of it.

### In-depth explanation

```python
>>> def relu_{i}(x):
...     return max(0.0, x)
>>> relu_{i}({i}.0)
{i}.0
>>> [relu_{i}(v) for v in (-1.0, {value})]
[0.0, {value}]
```
"""


NUMPY_ENTRY = """---
title: Synthetic Term {i}
tags: [benchmark]
requires: [numpy]
---
### Summary

Synthetic term number {i}, generated for the doctest benchmark (NumPy form).

### ELI5

A tiny vectorised function and three checks of it.

### In-depth explanation

```python
>>> import numpy as np
>>> def relu_{i}(x):
...     return np.maximum(0.0, x)
>>> relu_{i}(np.array([{i}.0])).tolist()
[{i}.0]
>>> relu_{i}(np.array([-1.0, {value}])).tolist()
[0.0, {value}]
```
"""

#: --numpy: entries whose examples import NumPy (issue 18), to measure the import cost per entry.
TEMPLATE = [ENTRY]


def write_entry(folder: Path, i: int, value: float = 2.0) -> None:
    text = TEMPLATE[0].format(i=i, value=value)
    (folder / f"term-{i:05d}.md").write_text(text, encoding="utf-8")


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers, through bubblewrap
    too): unlike wall time, hardly affected by other load on the machine."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


SANDBOXES = ("bubblewrap", "process")
TARGETS = {"cold": 30.0, "warm": 1.0, "edited": 2.0}


def measure(entries_dir: Path, cache: Path, jobs: int, n: int) -> dict[str, float]:
    """Cold, warm and edited ``check`` of the glossary in ``entries_dir``, with a fresh cache."""
    settings = dataclasses.replace(Settings(), entries_dir=entries_dir, cache_dir=cache, jobs=jobs)
    for i in range(n):  # every run starts from the same entries
        write_entry(entries_dir, i)
    before = cpu_seconds()
    cold, result = timed(lambda: check(settings))
    cold_cpu = cpu_seconds() - before
    assert result.ok and len(result.doctest_results) == n, result.diagnostics[:3]
    assert not any(r.cached for r in result.doctest_results.values())
    warm, result = timed(lambda: check(settings))
    assert result.ok and all(r.cached for r in result.doctest_results.values())
    write_entry(entries_dir, n // 2, value=3.0)
    edited, result = timed(lambda: check(settings))
    ran = [slug for slug, r in result.doctest_results.items() if not r.cached]
    assert result.ok and ran == [f"term-{n // 2:05d}"], ran
    return {"cold": cold, "warm": warm, "edited": edited, "cold cpu": cold_cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of entries (default 1000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--repeat", type=int, default=1, help="best of R runs (default 1)")
    parser.add_argument(
        "--sandbox", choices=(*SANDBOXES, "both"), default="both", help="which sandbox(es)"
    )
    parser.add_argument(
        "--numpy", action="store_true", help="entries import NumPy (requires: [numpy])"
    )
    args = parser.parse_args()
    if args.numpy:
        TEMPLATE[0] = NUMPY_ENTRY
    sandboxes = SANDBOXES if args.sandbox == "both" else (args.sandbox,)

    best: dict[str, dict[str, float]] = {name: {} for name in sandboxes}
    with tempfile.TemporaryDirectory(prefix="doctest-scale-") as tmp:
        entries_dir = Path(tmp) / "entries"
        entries_dir.mkdir()
        for i in range(args.n):
            write_entry(entries_dir, i)
        entries, _ = load_entries(entries_dir)
        floor, floor_results = timed(lambda: run_in_process(entries))
        assert sum(r.attempted for r in floor_results) == (4 if args.numpy else 3) * args.n
        for attempt in range(args.repeat):
            for name in sandboxes:
                os.environ["GLOSSARY_SANDBOX"] = name
                cache = Path(tmp) / f"cache-{name}-{attempt}"
                for state, seconds in measure(entries_dir, cache, args.jobs, args.n).items():
                    best[name][state] = min(seconds, best[name].get(state, seconds))

    print(
        f"doctest_scale: {args.n} entries{' (NumPy)' if args.numpy else ''}, {args.jobs} job(s), "
        f"best of {args.repeat}, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} core(s)"
    )
    print(f"  floor  (plain doctest, in-process, doctest step only): {floor:7.3f} s")
    ok = True
    for name in sandboxes:
        for state, target in TARGETS.items():
            seconds = best[name][state]
            verdict = "ok" if seconds < target else "OVER TARGET"
            ok = ok and seconds < target
            print(
                f"  {name:<10} {state:<6} (glossary-gen check, whole pipeline): {seconds:7.3f} s"
                f"  = {seconds / floor:6.1f}x floor   target < {target:g} s: {verdict}"
            )
    for name in sandboxes:
        print(
            f"  {name:<10} cold, CPU seconds (this process and the workers):  {best[name]['cold cpu']:7.3f} s"
        )
    if len(sandboxes) == 2:
        for state in (*TARGETS, "cold cpu"):
            ratio = best["bubblewrap"][state] / best["process"][state]
            print(f"  bubblewrap / process, {state:<8}: {ratio:5.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
