"""How does auto-linking scale with the number of terms?

For each N, builds a glossary of N terms (titles like ``Gradient Concept 12``, one alias each,
the 20 first words shared by many terms, as real glossaries share "learning", "network"...), then
times :meth:`glossary_gen.site.linker.Linker.find_mentions` on the same page text, ~1,000 words
mentioning titles, aliases, prefixes of titles and plain words. The text and the mentioned terms
are the same at every N; only the number of terms the linker knows grows. Prints the time per
page (best of ``--repeat``, each over ``--pages`` pages), the one-off index time, and the ratio
of the per-page time at the largest N to the smallest. Target (issue 25): <= 1.3x from 1,000 to
10,000 terms.

    python benchmarks/autolink_scale.py [--sizes 1000,10000] [--pages 50] [--repeat 5]
                                        [--code DIR]   # another glossary_gen checkout to time
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["gradient", "neuron", "layer", "weight", "bias", "loss", "signal", "kernel", "tensor"]
WORDS += ["batch", "epoch", "filter", "pooling", "dropout", "softmax", "logit", "margin"]
WORDS += ["ridge", "lasso", "norm"]


def page_text(seed: int = 7) -> str:
    """About 1,000 words: mentions of terms 0..999 (known at every N) among ordinary words."""
    rng = random.Random(seed)
    parts: list[str] = []
    for _ in range(120):
        i = rng.randrange(1000)
        word = WORDS[i % len(WORDS)]
        parts.append(
            rng.choice(
                [
                    f"the {word} concept {i} is used here",
                    f"see {word} idea {i}, which differs",
                    f"a {word} concept without a number",
                    f"plain {word} and {WORDS[(i + 3) % len(WORDS)]} words",
                ]
            )
        )
    return ". ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--code", type=Path, help="a glossary_gen checkout to time instead")
    args = parser.parse_args()
    sys.path.insert(0, str((args.code or ROOT).resolve()))

    from glossary_gen.core.links import link
    from glossary_gen.core.loader import parse_entry
    from glossary_gen.site.linker import Linker

    def glossary_of(n: int):  # type: ignore[no-untyped-def]
        entries = []
        for i in range(n):
            word = WORDS[i % len(WORDS)]
            data = (
                f"---\ntitle: {word.title()} Concept {i}\naliases: [{word} idea {i}]\n---\n"
                "### Summary\n\nA term.\n"
            ).encode()
            entry, _ = parse_entry(data, Path(f"concept-{i}.md"), f"entries/concept-{i}.md")
            entries.append(entry)
        return link(entries)[0]

    text = page_text()
    linkers = {}
    index_time: dict[int, float] = {}
    found: dict[int, int] = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        glossary = glossary_of(n)
        slugs = {e.slug: f"glossary/{e.slug}.md" for e in glossary.entries}
        linker = Linker(glossary, slugs, {s: f"glossary/{s}/" for s in slugs}, autolink="first")
        start = time.perf_counter()
        linker.begin_page("index.md", "")
        found[n] = len(linker.find_mentions(text))  # builds the index
        index_time[n] = time.perf_counter() - start
        linkers[n] = linker
    gc.collect()
    gc.freeze()  # the glossaries are long-lived: the collector's passes over them are not linking
    per_page = dict.fromkeys(linkers, float("inf"))
    for _ in range(args.repeat):  # the sizes take turns, so a busy moment hits each alike
        for n, linker in linkers.items():
            start = time.perf_counter()
            for _page in range(args.pages):
                linker.begin_page("index.md", "")
                linker.find_mentions(text)
            per_page[n] = min(per_page[n], (time.perf_counter() - start) / args.pages)
    print(f"{'terms':>7} {'index (once)':>13} {'per page':>10} {'links/page':>11}")
    for n, best in per_page.items():
        print(f"{n:>7} {index_time[n]:>12.3f}s {best * 1000:>8.2f}ms {found[n]:>11}")
    low, high = min(per_page), max(per_page)
    print(
        f"per-page time, {high:,} terms / {low:,} terms: {per_page[high] / per_page[low]:.2f}x"
        "   (target <= 1.3x from 1,000 to 10,000)"
    )


if __name__ == "__main__":
    main()
