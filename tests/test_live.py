"""Live examples: plot/playground fences, checked with located errors, evaluated in the sandbox."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from glossary_gen.core import fences
from glossary_gen.core.config import Settings
from glossary_gen.core.loader import load_entries
from glossary_gen.core.validate import validate
from glossary_gen.fences.entry_code import defined_names, python_sources
from glossary_gen.fences.evaluate import evaluate_live, prepare
from glossary_gen.fences.playground import format_playground, render_playground
from glossary_gen.fences.plot import format_plot, render_plot
from glossary_gen.fences.pyodide import (
    EDITOR_PATH,
    PYODIDE_CDN,
    PYODIDE_PACKAGES_CDN,
    PYODIDE_REQUIRED,
    PyodideNotFound,
    choose_pyodide,
    install_pyodide,
    packages_url,
    page_pyodide_fallback,
    page_pyodide_url,
)
from glossary_gen.fences.request import check_live_blocks, live_requests

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

HEAD = """---
title: Thing
---
### Summary
A thing.

### ELI5
Simple.

### In-depth explanation
"""
DEFS = """```pycon
>>> def relu(x):
...     return max(0, x)
>>> def relu_derivative(x):
...     return 1 if x > 0 else 0
```
"""


def entry_with(write_entry, body: str, name: str = "thing.md"):
    entries_dir = write_entry(name, HEAD + body)
    entries, problems = load_entries(entries_dir)
    assert not problems
    return next(e for e in entries if e.file.name == name)


def line_of(entry, needle: str) -> int:
    return entry.file.read_text(encoding="utf-8").split("\n").index(needle) + 1


def problems_of(entry) -> list[str]:
    return [
        f"{d.line}:{d.code}:{d.message}" + (f" ({d.hint})" if d.hint else "")
        for d in check_live_blocks(entry)
    ]


# --- static checks --------------------------------------------------------------------------


def test_valid_fences_parse(write_entry):
    entry = entry_with(
        write_entry,
        DEFS + "```plot\nfunctions: [relu, relu_derivative]\nx: [-4, 4]\n"
        "title: ReLU and its derivative\n```\n\n```playground\nfunction: relu\nx: [-5, 5]\n```\n",
    )
    requests, problems = live_requests(entry)
    assert problems == []
    plot, playground = requests
    assert plot.functions == ("relu", "relu_derivative") and plot.x_range == (-4.0, 4.0)
    assert plot.title == "ReLU and its derivative"
    assert playground.kind == "playground" and playground.value == 0 and playground.step == 0.1
    assert playground.title == playground.y_label == "relu(x)"


def test_a_playground_names_its_axes_after_its_label(write_entry):
    entry = entry_with(
        write_entry, DEFS + "```playground\nfunction: relu\nx: [-5, 5]\nlabel: z\n```\n"
    )
    (playground,), problems = live_requests(entry)
    assert problems == []
    assert playground.x_label == "z"
    assert playground.title == playground.y_label == "relu(z)"


def test_unknown_function_is_located_with_a_hint(write_entry):
    entry = entry_with(
        write_entry, DEFS + "```plot\nfunctions: [relu, relu_derivativ]\nx: [-4, 4]\n```\n"
    )
    [problem] = problems_of(entry)
    assert problem.startswith(
        f"{line_of(entry, 'functions: [relu, relu_derivativ]')}:unknown-function:"
    )
    assert "'relu_derivativ' is not defined by this entry's Python blocks" in problem
    assert "did you mean 'relu_derivative'?" in problem


@pytest.mark.parametrize(
    "x, message",
    [
        ("[4, -4]", "is empty: low must be below high"),
        ("[-4]", "must be a list of two numbers"),
        ("[a, 4]", "must be a number"),
        ("[-.inf, 4]", "finite number"),
        ("5", "must be a list of two numbers"),
    ],
)
def test_bad_ranges_are_located(write_entry, x, message):
    entry = entry_with(write_entry, DEFS + f"```plot\nfunctions: [relu]\nx: {x}\n```\n")
    [problem] = problems_of(entry)
    assert problem.startswith(f"{line_of(entry, f'x: {x}')}:live-range:")
    assert message in problem


def test_unknown_option_missing_option_yaml_errors(write_entry):
    entry = entry_with(
        write_entry,
        DEFS
        + "```plot\nfunctions: [relu]\nx: [-1, 1]\ntitel: T\n```\n\n"
        + "```playground\nx: [-1, 1]\n```\n\n"
        + "```plot\nfunctions: [relu\nx: [-1, 1]\n```\n\n"
        + "```playground\nfunction: relu\nx: [-1, 1]\nvalue: 7\n```\n",
    )
    problems = problems_of(entry)
    text = entry.file.read_text().split("\n")
    fences = [i + 1 for i, line in enumerate(text) if line in ("```plot", "```playground")]
    assert (
        problems[0]
        == f"{text.index('titel: T') + 1}:live-option:unknown option 'titel' in plot block (did you mean 'title'?)"
    )
    assert problems[1].startswith(f"{fences[1]}:live-option:playground block needs 'function:'")
    # Fence options are read like front matter (one YAML reader): the same code, yaml-syntax.
    assert ":yaml-syntax:invalid YAML in the plot block: did not find expected" in problems[2]
    assert fences[2] < int(problems[2].split(":")[0]) <= fences[2] + 3
    assert (
        problems[3]
        == f"{text.index('value: 7') + 1}:live-range:'value' 7 is outside the range [-1, 1]"
    )


def test_the_rule_runs_with_the_other_validation_rules(write_entry):
    entry = entry_with(write_entry, DEFS + "```plot\nfunctions: [nope]\nx: [-1, 1]\n```\n")
    assert any(d.code == "unknown-function" for d in validate([entry]))


def test_names_defined_in_plain_python_blocks_and_imports_count(write_entry):
    entry = entry_with(
        write_entry,
        "```python\nimport math\nsquare = lambda x: x * x\n```\n\n"
        "```plot\nfunctions: [square]\nx: [0, 2]\n```\n",
    )
    assert problems_of(entry) == []
    assert {"math", "square"} <= defined_names(entry)


# --- evaluation (sandbox) -------------------------------------------------------------------


def settings(tmp_path: Path, **changes) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", jobs=2).with_overrides(**changes)


def test_plots_are_evaluated_from_the_entry_code_and_rendered(write_entry, tmp_path):
    entry = entry_with(
        write_entry,
        DEFS + "```plot\nfunctions: [relu, relu_derivative]\nx: [-4, 4]\n"
        "title: ReLU <and> its derivative\n```\n\n```playground\nfunction: relu\nx: [-5, 5]\nvalue: 2.5\n```\n",
    )
    results = evaluate_live([entry], settings(tmp_path))
    assert results.diagnostics == []
    plot, playground = sorted(results.by_key.values(), key=lambda e: e.request.line)
    assert plot.values["relu"][0] == 0 and plot.values["relu"][-1] == 4
    assert plot.values["relu_derivative"][-1] == 1
    html = render_plot(plot)
    assert (
        html.startswith('<figure class="glossary-plot"')
        and "<figcaption>ReLU &lt;and&gt; its derivative." in html
    )
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert (
        ET.fromstring(svg).find("{http://www.w3.org/2000/svg}title").text
        == "ReLU <and> its derivative"
    )
    page = render_playground(playground)
    assert ">relu(2.5) = 2.5</output>" in page
    assert (
        'type="range"' in page
        and 'min="-5"' in page
        and 'max="5"' in page
        and 'value="2.5"' in page
    )
    assert 'data-function="relu"' in page and 'data-initial-y="2.5"' in page


def test_changed_code_changes_the_plot(write_entry, tmp_path):
    fence = "```plot\nfunctions: [relu]\nx: [-4, 4]\n```\n"
    a = entry_with(write_entry, DEFS + fence, "a.md")
    leaky = DEFS.replace("return max(0, x)", "return x if x > 0 else 0.1 * x")
    b = entry_with(write_entry, leaky + fence, "b.md")
    results = evaluate_live([a, b], settings(tmp_path))
    ya = results.get(a.path, a.code_blocks[1].fence_line).values["relu"]
    yb = results.get(b.path, b.code_blocks[1].fence_line).values["relu"]
    assert ya[0] == 0 and yb[0] == pytest.approx(-0.4)


def test_an_example_that_expects_an_exception_does_not_stop_the_plot(write_entry, tmp_path):
    teaching = DEFS.replace(
        "```\n",
        ">>> relu([1, 2])\nTraceback (most recent call last):\nTypeError: '>' not supported\n```\n",
        1,
    ).replace("return max(0, x)", "return x if x > 0 else 0")
    entry = entry_with(write_entry, teaching + "```plot\nfunctions: [relu]\nx: [-4, 4]\n```\n")
    results = evaluate_live([entry], settings(tmp_path))
    assert results.diagnostics == []
    assert [request for request, _ in python_sources(entry)][-1] < line_of(
        entry, ">>> relu([1, 2])"
    )
    (plot,) = results.by_key.values()
    assert plot.values["relu"][-1] == 4


def test_failures_are_located_errors_and_other_entries_still_plot(write_entry, tmp_path):
    raising = entry_with(
        write_entry,
        "```pycon\n>>> def f(x):\n...     return 1 / x\n```\n\n"
        "```plot\nfunctions: [f]\nx: [-1, 1]\nsamples: 3\n```\n",
        "raising.md",
    )
    text = entry_with(
        write_entry,
        "```pycon\n>>> def g(x):\n...     return 'abc'\n```\n\n"
        "```plot\nfunctions: [g]\nx: [-1, 1]\n```\n",
        "text.md",
    )
    broken = entry_with(
        write_entry,
        "```pycon\n>>> def h(x):\n...     return x\n>>> 1 / 0\n```\n\n"
        "```plot\nfunctions: [h]\nx: [-1, 1]\n```\n",
        "broken.md",
    )
    hang = entry_with(
        write_entry,
        "```pycon\n>>> def k(x):\n...     while True: pass\n```\n\n"
        "```plot\nfunctions: [k]\nx: [-1, 1]\n```\n",
        "hang.md",
    )
    good = entry_with(
        write_entry, DEFS + "```plot\nfunctions: [relu]\nx: [-1, 1]\n```\n", "good.md"
    )
    results = evaluate_live(
        [raising, text, broken, hang, good], settings(tmp_path, doctest_timeout=2.0)
    )
    by_path = {Path(d.path).name: d for d in results.diagnostics}
    assert set(by_path) == {"raising.md", "text.md", "broken.md", "hang.md"}
    for name, entry in (
        ("raising.md", raising),
        ("text.md", text),
        ("broken.md", broken),
        ("hang.md", hang),
    ):
        assert by_path[name].code == "plot-failed"
        assert by_path[name].line == entry.code_blocks[-1].fence_line
    assert "f(0.0) raised ZeroDivisionError" in by_path["raising.md"].message
    assert "g(-1.0) returned 'abc', which is not a real number" in by_path["text.md"].message
    assert (
        f"failed at line {broken.code_blocks[0].line + 2}: ZeroDivisionError"
        in by_path["broken.md"].message
    )
    assert "timed out" in by_path["hang.md"].message
    assert results.get(good.path, good.code_blocks[-1].fence_line).error is None
    failed = render_plot(results.get(raising.path, raising.code_blocks[-1].fence_line))
    assert "Plot unavailable" in failed and "ZeroDivisionError" in failed


def test_results_are_cached_and_a_corrupt_cache_is_rebuilt(write_entry, tmp_path):
    entry = entry_with(write_entry, DEFS + "```plot\nfunctions: [relu]\nx: [-1, 1]\n```\n")
    calls = []

    def counting(tasks, limits, jobs):
        from glossary_gen.run.sandbox import run_tasks

        calls.append(len(tasks))
        return run_tasks(tasks, limits, jobs)

    first = evaluate_live([entry], settings(tmp_path), run_tasks=counting)
    second = evaluate_live([entry], settings(tmp_path), run_tasks=counting)
    assert calls == [1]
    assert (
        first.by_key[next(iter(first.by_key))].values
        == second.by_key[next(iter(second.by_key))].values
    )
    for cached in (tmp_path / "cache" / "live").glob("*.json"):
        cached.write_text("{not json")
    evaluate_live([entry], settings(tmp_path), run_tasks=counting)
    assert calls == [1, 1]


def test_formatters_are_registered_and_report_failures(write_entry, tmp_path):

    assert fences.FENCE_FORMATTERS["plot"] is format_plot
    assert fences.FENCE_FORMATTERS["playground"] is format_playground
    entry = entry_with(
        write_entry,
        "```pycon\n>>> def f(x):\n...     raise ValueError('no')\n```\n\n"
        "```plot\nfunctions: [f]\nx: [-1, 1]\n```\n",
    )
    prepare([entry], settings(tmp_path))
    ctx = fences.FenceContext(entry, entry.code_blocks[-1], 1, None, None, "glossary/thing/")  # type: ignore[arg-type]
    html = format_plot(ctx)
    assert "Plot unavailable" in html
    [problem] = ctx.diagnostics
    assert problem.code == "plot-failed" and problem.line == entry.code_blocks[-1].fence_line


# --- the real glossary ----------------------------------------------------------------------


def test_the_real_entries_plot_relu_sigmoid_and_tanh(tmp_path):
    entries, _ = load_entries(ROOT / "entries")
    results = evaluate_live(entries, settings(tmp_path))
    assert results.diagnostics == []
    plotted = {name for e in results.by_key.values() for name in e.request.functions}
    assert {
        "relu",
        "relu_derivative",
        "sigmoid",
        "sigmoid_derivative",
        "tanh",
        "tanh_derivative",
    } <= plotted
    relu = next(
        e
        for e in results.by_key.values()
        if e.request.kind == "playground" and e.request.functions == ("relu",)
    )
    assert max(relu.values["relu"]) == 5 and min(relu.values["relu"]) == 0


# --- where Pyodide comes from ---------------------------------------------------------------


def test_pyodide_pin_is_the_same_everywhere():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = package["dependencies"]["pyodide"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin an exact version (npm install --save-exact)"
    assert lock["packages"]["node_modules/pyodide"]["version"] == pinned
    from glossary_gen.engines.mkdocs import plugin

    assert pinned == plugin.PYODIDE_VERSION and pinned in plugin.PYODIDE_CDN


def test_local_pyodide_is_copied_minimally(tmp_path, monkeypatch):
    source = tmp_path / "node_modules" / "pyodide"
    source.mkdir(parents=True)
    for name in (*PYODIDE_REQUIRED, "pyodide.asm.mjs", "console.html", "pyodide.d.ts"):
        (source / name).write_text(name)
    monkeypatch.delenv("GLOSSARY_PYODIDE_DIR", raising=False)
    site = tmp_path / "site"
    copied = install_pyodide("local", site, tmp_path / "sub" / "dir")
    names = sorted(p.name for p in (site / "assets" / "pyodide").iterdir())
    assert names == sorted([*PYODIDE_REQUIRED, "pyodide.asm.mjs"])
    assert len(copied) == len(names)
    assert install_pyodide("https://cdn.example/pyodide/", site, tmp_path) == []
    assert page_pyodide_url("local") == "assets/pyodide/"
    assert page_pyodide_url("https://cdn.example/p/") == "https://cdn.example/p/"


def test_missing_local_pyodide_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GLOSSARY_PYODIDE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(PyodideNotFound, match="npm ci"):
        install_pyodide("local", tmp_path / "site", tmp_path)


def _fake_pyodide(folder: Path) -> Path:
    source = folder / "node_modules" / "pyodide"
    source.mkdir(parents=True)
    for name in PYODIDE_REQUIRED:
        (source / name).write_text(name)
    return source


def test_auto_takes_the_local_copy_when_there_is_one_else_the_cdn(tmp_path, monkeypatch):
    """The default: offline Run after scripts/setup, the CDN without it; one line says which."""
    monkeypatch.delenv("GLOSSARY_PYODIDE_DIR", raising=False)
    project = tmp_path / "glossary"
    project.mkdir()
    without = choose_pyodide("auto", project)
    assert without.option == PYODIDE_CDN
    assert "no local copy" in without.note and "bash scripts/setup" in without.note
    assert "\n" not in without.note
    source = _fake_pyodide(tmp_path)  # npm ci above the project folder
    found = choose_pyodide("auto", project)
    assert found.option == "local" and str(source) in found.note and "\n" not in found.note
    assert choose_pyodide("", project).option == "local"
    assert choose_pyodide("https://cdn.example/p/", project).option == "https://cdn.example/p/"
    assert choose_pyodide("local", tmp_path / "elsewhere").option == "local"  # fails at install
    # cdn: the CDN first, the local copy deployed as the pages' fallback when there is one.
    cdn = choose_pyodide("cdn", project)
    assert cdn.option == "cdn+local" and "falling back to the local copy" in cdn.note
    assert page_pyodide_url(cdn.option) == PYODIDE_CDN
    assert page_pyodide_fallback(cdn.option) == "assets/pyodide/"
    assert page_pyodide_fallback("local") == page_pyodide_fallback(PYODIDE_CDN) == ""
    site = tmp_path / "site"
    install_pyodide(cdn.option, site, project)
    assert (site / "assets" / "pyodide" / "pyodide.asm.wasm").is_file()
    monkeypatch.setenv("GLOSSARY_PYODIDE_DIR", str(tmp_path / "nowhere"))
    assert choose_pyodide("cdn", project).option == PYODIDE_CDN


def test_packages_come_from_the_full_distribution_when_the_copy_has_none():
    """The npm package (local copy, or the CDN's npm URL) has no wheels: the pages are told the
    CDN's full distribution, and the policy lets them fetch from it; other locations hold theirs."""
    from glossary_gen.site.audit import policy_for

    assert packages_url("local") == PYODIDE_PACKAGES_CDN
    assert packages_url(PYODIDE_CDN) == PYODIDE_PACKAGES_CDN
    assert packages_url("https://mirror.example/pyodide/full/") == ""
    assert policy_for("local").connect == ("https://cdn.jsdelivr.net",)
    assert policy_for("https://mirror.example/p/").connect == ("https://mirror.example",)
    assert policy_for("assets/py/").connect == ()


def test_the_editor_bundle_is_copied_when_setup_made_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GLOSSARY_PYODIDE_DIR", raising=False)
    monkeypatch.delenv("GLOSSARY_EDITOR_BUNDLE", raising=False)
    project = tmp_path / "glossary"
    project.mkdir()
    site = tmp_path / "site"
    assert install_pyodide(PYODIDE_CDN, site, project) == []  # no npm: a plain text field
    bundle = tmp_path / "node_modules" / ".glossary" / "live-editor.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("window.glossaryEditor = {};")
    assert install_pyodide(PYODIDE_CDN, site, project) == [site / EDITOR_PATH]
    assert (site / EDITOR_PATH).read_text() == bundle.read_text()


def test_the_editor_packages_are_pinned_exactly_and_bundled_by_setup():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    wanted = ["@codemirror/view", "@codemirror/state", "@codemirror/lang-python", "esbuild"]
    pins = {**package["dependencies"], **package["devDependencies"]}
    for name in wanted:
        assert re.fullmatch(r"\d+\.\d+\.\d+", pins[name]), f"pin {name} exactly"
        assert lock["packages"][f"node_modules/{name}"]["version"] == pins[name]
    setup = (ROOT / "scripts" / "setup").read_text()
    assert "node_modules/.bin/esbuild scripts/editor/live-editor.mjs" in setup


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (">>> max(0, x)  # doctest: +IGNORE_EXCEPTION_DETAIL", ">>> max(0, x)"),
        (">>> f()   #doctest:+ELLIPSIS, +NORMALIZE_WHITESPACE", ">>> f()"),
        ("...     g()  # doctest: -SKIP", "...     g()"),
        ("    <BLANKLINE>", "    "),
        (">>> x = '# a comment, not a flag'", ">>> x = '# a comment, not a flag'"),
        ("output  # doctest: +ELLIPSIS", "output  # doctest: +ELLIPSIS"),  # not a prompt line
    ],
)
def test_doctest_flags_are_trimmed_from_what_the_page_shows(line, shown):
    from glossary_gen.site.code_blocks import trim_doctest_flags

    assert trim_doctest_flags(line) == shown


# --- the browser side ---------------------------------------------------------------------


def test_the_python_worker_is_shipped_but_not_loaded_with_the_page(monkeypatch):
    """live-worker.js is an asset (copied into the site) that live.js starts on the first Run; it
    must not be a page <script>: it would load with every page and run on the main thread."""
    pytest.importorskip("mkdocs")
    from importlib import resources

    from mkdocs.config import load_config

    assets = resources.files("glossary_gen.site").joinpath("assets")
    worker = assets.joinpath("live-worker.js").read_text(encoding="utf-8")
    assert "pyodide.mjs" in worker and "loadPyodide" in worker
    assert "document" not in re.sub(r"/\*.*?\*/", "", worker, flags=re.S)  # nothing page-side in it
    assert 'new URL("live-worker.js"' in assets.joinpath("live.js").read_text(encoding="utf-8")

    monkeypatch.chdir(FIXTURES / "site_basic")
    config = load_config("mkdocs.yml")
    config = config.plugins.on_config(config)
    scripts = [str(s) for s in config.extra_javascript]
    assert "assets/glossary/live.js" in scripts
    assert not [s for s in scripts if "worker" in s]


def test_the_build_says_where_pyodide_comes_from_once(monkeypatch, caplog):
    """One line per build, and not again on mkdocs serve's rebuilds: each reads mkdocs.yml
    again and makes a new plugin (the line used to come back at every save)."""
    pytest.importorskip("mkdocs")
    import logging

    from mkdocs.config import load_config

    from glossary_gen.engines.mkdocs import plugin

    monkeypatch.setattr(plugin, "_PYODIDE_CHOICES", {}, raising=False)  # as in a new process
    monkeypatch.chdir(FIXTURES / "site_basic")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.glossary"):
        first = load_config("mkdocs.yml")
        first.plugins.on_config(first)
        rebuild = load_config("mkdocs.yml")  # what mkdocs serve does for every rebuild
        assert rebuild.plugins["glossary"] is not first.plugins["glossary"]
        rebuild = rebuild.plugins.on_config(rebuild)
    said = [r.getMessage() for r in caplog.records if "Run buttons" in r.getMessage()]
    assert said == ["glossary: Run buttons load Pyodide from assets/pyodide/"], said
    assert rebuild.plugins["glossary"].config.pyodide_url == "assets/pyodide/"
