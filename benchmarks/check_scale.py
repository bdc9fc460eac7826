"""How fast is `glossary-gen check --no-doctest` on a large glossary?

Generates N synthetic entries (related links and wiki links included), then times, in the same
run and on the same files:

* baseline: read every file and parse its front matter with ``yaml.load(..., Loader=CSafeLoader)``;
* no cache: ``glossary_gen.pipeline.check`` without doctests and without a cache folder;
* cold:     the same with an empty private cache folder (parse, validate, link, store entries);
* warm:     the same again, nothing changed (entries come from the authenticated entry cache).

Prints a table: each run's wall and CPU seconds, its ratio to the baseline, its target and
whether it is met; then peak memory. Targets (issue 25): at 10,000
entries warm <= 1.0x the baseline, cold <= 2.5x.

    python benchmarks/check_scale.py [-n 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import write_light_entries

from glossary_gen.core.config import Settings
from glossary_gen.pipeline import check


def baseline(folder: Path) -> int:
    count = 0
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        end = text.index("\n---\n", 4)
        yaml.load(text[4:end], Loader=yaml.CSafeLoader)
        count += 1
    return count


def timed(fn):
    """(wall seconds, CPU seconds of this process, value): on a busy machine the CPU time is the
    steadier figure (everything here runs in this process)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - start, time.process_time() - cpu), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(root / "key")  # a private cache key, not the user's
        folder = root / "entries"
        folder.mkdir()
        write_light_entries(folder, args.n)
        plain = Settings(entries_dir=folder, doctest=False, cache_dir=None)
        times: dict[str, list[tuple[float, float]]] = {
            k: [] for k in ("base", "plain", "cold", "warm")
        }
        result = None
        for run in range(args.repeat):
            cached = replace(plain, cache_dir=root / f"cache-{run}")
            times["base"].append(timed(lambda: baseline(folder))[0])
            times["plain"].append(timed(lambda: check(plain))[0])
            times["cold"].append(timed(lambda: check(cached))[0])  # noqa: B023
            seconds, result = timed(lambda: check(cached))  # noqa: B023
            times["warm"].append(seconds)
        tracemalloc.start()
        check(cached)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert result is not None
    best = {k: (min(t[0] for t in v), min(t[1] for t in v)) for k, v in times.items()}
    base_wall, base_cpu = best["base"]
    print(f"entries:     {args.n}   (best of {args.repeat}; load average {os.getloadavg()[0]:.1f})")
    print(f"diagnostics: {len(result.diagnostics)} ({result.errors} errors)")
    print(
        f"{'run':<42} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'ratio':>7}"
        f"  {'target (CPU)':<13} met"
    )
    print(
        f"{'baseline: read + CSafeLoader front matter':<42} {base_wall:8.3f} {'1.00x':>7} "
        f"{base_cpu:8.3f} {'1.00x':>7}"
    )
    for name, label, target in (
        ("plain", "check --no-doctest, no cache", None),
        ("cold", "check --no-doctest, cold cache", 2.5),
        ("warm", "check --no-doctest, warm cache", 1.0),
    ):
        wall, cpu = best[name]
        ratio = cpu / base_cpu
        goal, met = ("-", "") if target is None else (f"<= {target:.1f}x", _met(ratio, target))
        print(
            f"{label:<42} {wall:8.3f} {wall / base_wall:6.2f}x {cpu:8.3f} {ratio:6.2f}x"
            f"  {goal:<13} {met}"
        )
    print("ratio: against the baseline of the same run; targets (issue 25) are on CPU seconds,")
    print("the steadier figure on a shared machine (everything runs in this process)")
    print(f"peak traced memory during a warm check: {peak / 2**20:.1f} MiB")


def _met(ratio: float, target: float) -> str:
    return "yes" if ratio <= target else "NO"


if __name__ == "__main__":
    main()
