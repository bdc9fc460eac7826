"""How fast is `glossary-gen check --no-doctest` on a large glossary?

Generates N synthetic entries (related links and wiki links included), then times, in the same
run and on the same files:

* baseline: read every file and parse its front matter with ``yaml.load(..., Loader=CSafeLoader)``;
* check:    ``glossary_gen.pipeline.check`` without doctests (load, validate, link).

Prints both, the ratio and peak memory. Target (issue 2): 10,000 entries in under 2 s on 2 cores,
within 3x of the baseline.

    python benchmarks/check_scale.py [-n 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
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
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_light_entries(folder, args.n)
        settings = Settings(entries_dir=folder, doctest=False, cache_dir=None)
        base_times, check_times = [], []
        result = None
        for _ in range(args.repeat):
            base_times.append(timed(lambda: baseline(folder))[0])
            seconds, result = timed(lambda: check(settings))
            check_times.append(seconds)
        tracemalloc.start()
        check(settings)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert result is not None
    base, ours = min(base_times), min(check_times)
    print(f"entries:              {args.n}")
    print(f"diagnostics:          {len(result.diagnostics)} ({result.errors} errors)")
    print(f"baseline (CSafeLoader front matter): {base:.3f} s")
    print(f"glossary-gen check --no-doctest:     {ours:.3f} s")
    print(f"ratio check/baseline: {ours / base:.2f}x   (target <= 3x, and < 2 s at 10,000)")
    print(f"peak traced memory during check: {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
