"""Synthetic glossaries for the benchmarks: one generator, so every benchmark measures the same
kind of entry and a change to the entry format is made once.

* :func:`write_entries`: rich entries (summary, ELI5, explanation with wiki links, inline and
  display math, a doctest block, related terms, tags, sources), for the site builds
  (build_scale.py, serve_reload.py, engines_scale.py);
* :func:`write_light_entries`: lighter entries for ``check`` alone (check_scale.py);
* :func:`write_plugin_site`: a MkDocs + Material site around the rich entries (:data:`CONFIG`).

The output is a function of ``n`` and ``seed`` only, so runs of a benchmark compare.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "gradient",
    "neuron",
    "layer",
    "weight",
    "bias",
    "loss",
    "signal",
    "kernel",
    "tensor",
    "batch",
    "epoch",
    "filter",
    "pooling",
    "dropout",
    "softmax",
    "logit",
    "margin",
    "ridge",
    "lasso",
    "norm",
]
TAGS = ("optimisation", "architecture", "activation", "regularisation", "probability", "vision")

#: mkdocs.yml of the sites: Material with search and tags, plus what each site adds.
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
{extra_markdown}plugins:
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
#: The plugin without doctests (their cost is doctest_scale.py's subject) and without a cache.
PLUGIN_NO_DOCTEST = "  - glossary:\n      doctest: false\n      cache_dir: ''\n"
INDEX_PAGE = "# Scale glossary\n\nSee the [glossary](glossary/index.md).\n"


def title_of(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} Concept {i}"


def _links(rng: random.Random, i: int, n: int) -> tuple[list[str], str]:
    """Entry i's related terms and the wiki links of its body (drawn from ``rng``)."""
    related = sorted({title_of(rng.randrange(n)) for _ in range(3)} - {title_of(i)})
    links = [t for t in (title_of(rng.randrange(n)) for _ in range(2)) if t != title_of(i)]
    return related, " and ".join(f"[[{t}]]" for t in links) or "nothing else"


def write_entries(folder: Path, n: int, seed: int = 1) -> None:
    """``n`` rich entries, ``concept-<i>.md``, in a new ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        related, body_links = _links(rng, i, n)
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
            encoding="utf-8",
        )


def write_light_entries(folder: Path, n: int, seed: int = 1) -> None:
    """``n`` lighter entries, ``concept-<i>.md``, in an existing ``folder``."""
    rng = random.Random(seed)
    for i in range(n):
        related, body_links = _links(rng, i, n)
        text = (
            "---\n"
            f"title: {title_of(i)}\n"
            f"aliases: [Alias {i}]\n"
            f"related: [{', '.join(related)}]\n"
            f"tags: [{WORDS[i % 7]}, synthetic]\n"
            "sources:\n"
            f"  - title: Source for concept {i}\n"
            f"    url: https://example.org/{i}\n"
            "---\n"
            "### Summary\n\n"
            f"Concept {i} is a synthetic term used to measure the checker.\n\n"
            "### ELI5\n\n"
            f"It is like {WORDS[i % len(WORDS)]} number {i}; it relates to {body_links}.\n\n"
            "### In-depth explanation\n\n"
            f"A longer paragraph about concept {i}, with inline `code [[not a link]]` and math $x^{i % 9}$.\n\n"
            "```python\n>>> 1 + 1\n2\n```\n"
        )
        (folder / f"concept-{i}.md").write_text(text, encoding="utf-8")


def write_docs(site: Path, index: str = INDEX_PAGE) -> None:
    """A site's own pages: the home page and Material's tags page."""
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text(index, encoding="utf-8")
    (site / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", encoding="utf-8")


def write_plugin_site(
    site: Path, n: int, plugin: str = PLUGIN_NO_DOCTEST, index: str = INDEX_PAGE
) -> Path:
    """A site whose ``entries/`` hold ``n`` rich entries, built by the ``plugin`` block given."""
    write_docs(site, index)
    write_entries(site / "entries", n)
    (site / "mkdocs.yml").write_text(
        CONFIG.format(extra_markdown="", extra_plugin=plugin), encoding="utf-8"
    )
    return site
