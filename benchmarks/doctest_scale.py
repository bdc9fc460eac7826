"""How fast are the sandboxed, cached doctests on a large glossary?

Generates N synthetic entries with 3 doctest examples each, then times ``glossary_gen.pipeline.check``
(what ``glossary-gen check`` does: load, validate, link, doctest) in three states:

* cold:   empty cache, every entry runs in the sandbox workers;
* warm:   nothing changed, every result comes from the cache;
* edited: one entry's example changed, only that entry runs;

next to the floor: the same examples run in this process by plain ``doctest`` (no isolation, no
limits, no cache), and the ratio of each figure to it. Targets (issue 3) on 2 cores: cold < 30 s,
warm < 1 s, edited < 2 s.

    python benchmarks/doctest_scale.py [-n 1000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glossary_gen.config import Settings
from glossary_gen.doctests import run_in_process
from glossary_gen.loader import load_entries
from glossary_gen.pipeline import check

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


def write_entry(folder: Path, i: int, value: float = 2.0) -> None:
    (folder / f"term-{i:05d}.md").write_text(ENTRY.format(i=i, value=value), encoding="utf-8")


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of entries (default 1000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="doctest-scale-") as tmp:
        entries_dir = Path(tmp) / "entries"
        entries_dir.mkdir()
        for i in range(args.n):
            write_entry(entries_dir, i)
        settings = dataclasses.replace(
            Settings(), entries_dir=entries_dir, cache_dir=Path(tmp) / "cache", jobs=args.jobs
        )

        entries, _ = load_entries(entries_dir)
        floor, floor_results = timed(lambda: run_in_process(entries))
        assert sum(r.attempted for r in floor_results) == 3 * args.n

        cold, result = timed(lambda: check(settings))
        assert result.ok and len(result.doctest_results) == args.n, result.diagnostics[:3]
        assert not any(r.cached for r in result.doctest_results.values())
        warm, result = timed(lambda: check(settings))
        assert result.ok and all(r.cached for r in result.doctest_results.values())
        write_entry(entries_dir, args.n // 2, value=3.0)
        edited, result = timed(lambda: check(settings))
        ran = [slug for slug, r in result.doctest_results.items() if not r.cached]
        assert result.ok and ran == [f"term-{args.n // 2:05d}"], ran

    print(
        f"doctest_scale: {args.n} entries x 3 examples, {args.jobs} job(s), Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} core(s)"
    )
    print(f"  floor  (plain doctest, in-process, doctest step only): {floor:7.3f} s")
    rows = [("cold", cold, 30.0), ("warm", warm, 1.0), ("edited", edited, 2.0)]
    for name, seconds, target in rows:
        verdict = "ok" if seconds < target else "OVER TARGET"
        print(
            f"  {name:<6} (glossary-gen check, whole pipeline):        {seconds:7.3f} s"
            f"  = {seconds / floor:6.1f}x floor   target < {target:g} s: {verdict}"
        )
    return 0 if all(seconds < target for _, seconds, target in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
