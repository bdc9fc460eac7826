"""The first glossary: ReLU and its related terms, complete and linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary_gen.pipeline import load_and_link

ENTRIES = Path(__file__).parent.parent / "entries"
#: The terms the glossary must keep: the first 21 and the 10 added for issue 24. Deleting or
#: renaming one fails the test; a new entry is picked up from the folder without editing this list.
REQUIRED_TITLES = {
    "ReLU",
    "Activation Function",
    "Neural Network",
    "Backpropagation",
    "Gradient Descent",
    "Sigmoid Function",
    "Tanh Function",
    "Convolutional Neural Network",
    "Deep Learning",
    "Vanishing Gradient Problem",
    "Dying ReLU Problem",
    "Leaky ReLU",
    "GELU",
    "ELU",
    "SiLU",
    "Softplus",
    "He Initialization",
    "Batch Normalization",
    "Exploding Gradient Problem",
    "Residual Connection",
    "Universal Approximation Theorem",
    "Loss Function",
    "Recurrent Neural Network",
    "Transformer",
    "Learning Rate",
    "Cross-Entropy",
    "Stochastic Gradient Descent",
    "Softmax",
    "Layer Normalization",
    "Dropout",
    "Gated Linear Unit",
}


def _titles_in_folder() -> list[str]:
    """Each entry file's title, read from its front matter (the folder is the truth)."""
    titles = []
    for path in sorted(ENTRIES.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.startswith("title:"):
                titles.append(line.removeprefix("title:").strip())
                break
    return titles


TITLES = _titles_in_folder()


@pytest.fixture(scope="module")
def linked():
    return load_and_link(ENTRIES)


def test_every_entry_in_the_folder_is_published_and_the_glossary_has_no_problems(linked):
    glossary, problems = linked
    assert [d.format_text() for d in problems] == []
    assert sorted(e.title for e in glossary.published) == sorted(TITLES)
    assert len(TITLES) == len(list(ENTRIES.glob("*.md")))


def test_the_glossary_keeps_its_required_terms():
    assert set(TITLES) >= REQUIRED_TITLES, sorted(REQUIRED_TITLES - set(TITLES))
    assert len(TITLES) >= 31


@pytest.mark.parametrize("title", TITLES)
def test_each_entry_is_complete(linked, title):
    glossary, _ = linked
    entry = glossary.resolve(title)
    assert entry.summary and len(entry.summary) < 400
    assert "$" not in entry.summary, "the summary is a plain-text tooltip: no LaTeX"
    assert entry.sources and all(s.url and s.url.startswith("https://") for s in entry.sources)
    assert entry.tags
    assert len(glossary.related[entry.slug]) >= 2
    assert glossary.backlinks.get(entry.slug), f"nothing links to {title}"


def test_related_terms_are_listed_both_ways(linked):
    glossary, _ = linked
    one_way = [
        (slug, other)
        for slug, others in glossary.related.items()
        for other in others
        if slug not in glossary.related.get(other, [])
    ]
    assert one_way == []


@pytest.mark.parametrize(
    "title, names",
    [
        ("ReLU", {"relu", "relu_derivative"}),
        ("Sigmoid Function", {"sigmoid", "sigmoid_derivative"}),
        ("Tanh Function", {"tanh", "tanh_derivative"}),
    ],
)
def test_activation_entries_define_the_functions_their_plots_use(linked, title, names):
    glossary, _ = linked
    code = "".join(b.code for b in glossary.resolve(title).code_blocks if b.is_doctest)
    for name in names:
        assert f"def {name}(" in code


def test_relu_example_shows_the_canonical_values(linked):
    glossary, _ = linked
    code = "".join(b.code for b in glossary.resolve("ReLU").code_blocks)
    assert ">>> [relu(x) for x in [-2, -1, 0, 1, 2]]\n[0, 0, 0, 1, 2]\n" in code


def test_relu_shows_the_vectorised_numpy_form_and_declares_numpy(linked):
    glossary, _ = linked
    relu = glossary.resolve("ReLU")
    code = "".join(b.code for b in relu.code_blocks if b.is_doctest)
    assert ">>> np.maximum(0, x)" in code and "array([0, 0, 0, 1, 2])" in code
    assert "np.where(x > 0, 1.0, 0.0)" in code
    assert [r.value for r in relu.requires] == ["numpy"]
