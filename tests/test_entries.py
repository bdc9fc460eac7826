"""The first glossary: ReLU and its related terms, complete and linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary_gen.pipeline import load_and_link

ENTRIES = Path(__file__).parent.parent / "entries"
TITLES = [
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
]


@pytest.fixture(scope="module")
def linked():
    return load_and_link(ENTRIES)


def test_the_glossary_has_the_twenty_one_terms_and_no_problems(linked):
    glossary, problems = linked
    assert [d.format_text() for d in problems] == []
    assert sorted(e.title for e in glossary.published) == sorted(TITLES)


@pytest.mark.parametrize("title", TITLES)
def test_each_entry_is_complete(linked, title):
    glossary, _ = linked
    entry = glossary.resolve(title)
    assert entry.summary and len(entry.summary) < 400
    assert entry.sources and all(s.url and s.url.startswith("https://") for s in entry.sources)
    assert entry.tags
    assert len(glossary.related[entry.slug]) >= 2
    assert glossary.backlinks.get(entry.slug), f"nothing links to {title}"


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
