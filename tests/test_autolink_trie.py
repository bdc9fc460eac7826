"""Auto-linking in one pass (glossary_gen/site/linker.py): the trie of names finds what the
rule says (first mention, longest name, first entry, words apart by white space only), checked
against a direct reading of the rule on random texts."""

from __future__ import annotations

import random
from pathlib import Path

from glossary_gen.core.links import link
from glossary_gen.core.loader import parse_entry
from glossary_gen.core.model import Entry
from glossary_gen.site.linker import _WORD, Linker

NAMES = {
    "neural-network": ("Neural Network", ["NN"]),
    "network": ("Network", []),
    "deep-neural-network": ("Deep Neural Network", ["DNN"]),
    "neural": ("Neural", []),
    "gradient-descent": ("Gradient Descent", ["GD", "gradient-descent method"]),
    "descent": ("Descent", []),
    "bias": ("Bias", ["offset"]),
    "o-reilly": ("O'Reilly Rule", []),
}


def make_linker(draft: str | None = None) -> Linker:
    entries: list[Entry] = []
    for slug, (title, aliases) in NAMES.items():
        data = f"---\ntitle: {title}\naliases: [{', '.join(aliases)}]\n---\n### Summary\n\nx\n"
        entry, problems = parse_entry(data.encode(), Path(f"{slug}.md"), f"entries/{slug}.md")
        assert entry is not None, problems
        entries.append(entry)
    glossary = link(entries)[0]
    published = {e.slug: f"glossary/{e.slug}.md" for e in entries if e.slug != draft}
    urls = {s: f"glossary/{s}/" for s in published}
    return Linker(glossary, published, urls, autolink="first")


def reference(linker: Linker, text: str) -> list[tuple[int, int, str]]:
    """The rule read directly: at each word, the longest name (then the first entry) that starts
    there, is not linked yet and is not the page's own term."""
    names: list[tuple[tuple[str, ...], str]] = []
    for entry in linker.glossary.entries:
        if entry.slug in linker.src_of:
            for name in (entry.title, *(a.value for a in entry.aliases)):
                names.append((tuple(w.casefold() for w in _WORD.findall(name)), entry.slug))
    names.sort(key=lambda c: -len(c[0]))
    words = [(m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text)]
    linked = set(linker.linked)
    found = []
    i = 0
    while i < len(words):
        step = 1
        for name, slug in names:
            k = len(name)
            span = words[i : i + k]
            if slug in linked or slug == linker.page_slug or len(span) < k:
                continue
            if tuple(w[2] for w in span) != name:
                continue
            if any(text[span[j][1] : span[j + 1][0]].strip() for j in range(k - 1)):
                continue
            found.append((span[0][0], span[-1][1], slug))
            linked.add(slug)
            step = k
            break
        i += step
    return found


def mentions(linker: Linker, text: str, slug: str | None = None) -> list[str]:
    linker.begin_page("glossary/x.md", "glossary/x/", slug)
    return [text[a:b] + "=" + s for a, b, s in linker.find_mentions(text)]


def test_the_longest_name_wins_and_each_term_is_linked_once() -> None:
    linker = make_linker()
    text = "A deep neural network is a neural network; the network and a deep neural network."
    assert mentions(linker, text) == [
        "deep neural network=deep-neural-network",
        "neural network=neural-network",
        "network=network",
        "neural=neural",  # the last "deep neural network": only "Neural" is left to link
    ]


def test_a_linked_or_own_term_gives_way_to_a_shorter_name() -> None:
    linker = make_linker()
    assert mentions(linker, "neural network, neural network", slug="neural-network") == [
        "neural=neural",
        "network=network",
    ]


def test_words_of_a_name_are_apart_by_white_space_only() -> None:
    linker = make_linker()
    assert mentions(linker, "gradient, descent; gradient\n descent") == [
        "descent=descent",
        "gradient\n descent=gradient-descent",
    ]
    assert mentions(linker, "the gradient-descent method, O'Reilly rule") == [
        "gradient-descent method=gradient-descent",
        "O'Reilly rule=o-reilly",
    ]


def test_drafts_are_never_linked() -> None:
    assert mentions(make_linker(draft="bias"), "bias and offset") == []


def test_the_trie_agrees_with_the_rule_on_random_texts() -> None:
    rng = random.Random(25)
    vocabulary = ["deep", "neural", "network", "gradient", "descent", "bias", "offset", "NN"]
    vocabulary += ["DNN", "GD", "method", "the", "O'Reilly", "rule", "and"]
    separators = [" ", " ", " ", ", ", "\n", "-", ". "]
    for _ in range(400):
        text = "".join(rng.choice(vocabulary) + rng.choice(separators) for _ in range(12))
        slug = rng.choice([None, *NAMES])
        linker = make_linker()
        linker.begin_page("glossary/x.md", "glossary/x/", slug)
        expected = reference(linker, text)
        assert linker.find_mentions(text) == expected, text
