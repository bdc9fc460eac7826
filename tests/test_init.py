"""``glossary-gen init DIR [--from hugo PATH]``: a new project that checks clean and builds
straight away, empty or from a Hugo section, and never touches a folder that has files in it."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from glossary_gen.adopt import requirement
from glossary_gen.cli import build_parser, main

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

#: Each Hugo fixture: its glossary section, and every related link that resolves in it.
HUGO = {
    "hugo_glossary": (
        "content/glossary",
        {
            "activation-function": ["ReLU", "Sigmoid Function", "Neural Network"],
            "backpropagation": [],
            "neural-network": ["ReLU"],
            "relu": [
                "Neural Network",
                "Sigmoid Function",
                "Backpropagation",
                "Activation Function",
            ],
            "sigmoid-function": ["ReLU"],
        },
    ),
    "hugo_site_yaml": (
        "content/glossary",
        {
            "activation-function": ["ReLU", "Adam"],
            "adam": [],
            "cross-entropy": ["ReLU", "Adam"],
            "relu": ["Cross-Entropy", "Activation Function"],
            "sgd": ["Adam"],
        },
    ),
    "hugo_site_toml": (
        "content/terms",
        {
            "gradient-descent": ["Learning Rate", "Loss Function"],
            "loss-function": [],
            "step-size": [],
            "variance": [],
        },
    ),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def mkdocs_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def index_without_glossary_gen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package index does not have glossary_gen (as today): no test asks the network; the
    lookup itself is tested against a local index (test_init_requirements.py)."""
    monkeypatch.setattr(requirement, "index_versions", lambda: set())


def project_files(project: Path) -> list[str]:
    return sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts
    )


def test_an_empty_project_checks_clean_and_builds(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "my-glossary", "--repo-url", "https://github.com/me/g")
    assert code == 0, err
    project = workdir / "my-glossary"
    files = project_files(project)
    assert files == [
        ".github/dependabot.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/pages.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "README.md",
        "docs/index.md",
        "docs/tags.md",
        "entries/.gitkeep",
        "mkdocs.yml",
        "requirements.txt",
        "schema/entry.schema.json",
        "scripts/pip-progress",
        "scripts/serve",
        "scripts/setup",
        "scripts/test",
    ]
    for script in ("setup", "serve", "test", "pip-progress"):
        assert (project / "scripts" / script).stat().st_mode & stat.S_IXUSR
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert 'site_name: "My Glossary"' in config
    # the plugin's repo_url ("Edit this term"), which the Pages workflow can override
    assert 'repo_url: !ENV [GLOSSARY_REPO_URL, "https://github.com/me/g"]' in config
    readme = (project / "README.md").read_text(encoding="utf-8")
    for command in ("bash scripts/serve", "bash scripts/test", "pip install", "mkdocs serve"):
        assert command in readme
    assert "glossary-gen check" in readme
    assert "--package" in readme  # where glossary_gen comes from, and how to choose
    lines = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    wanted = [line for line in lines if not line.startswith("#")]
    # this glossary_gen is an editable install of ROOT, and the index has no 0.1.0: the folder,
    # with a note that it only works on this machine
    assert wanted == [f"-e {ROOT}"]
    assert any("works on that machine only" in line for line in lines)
    assert f"requirements.txt installs glossary_gen from {ROOT}" in err
    others = [f for f in files if f != "requirements.txt"]
    assert str(ROOT) not in "".join((project / f).read_text(encoding="utf-8") for f in others)

    os.chdir(project)
    assert run(capsys, "check")[0] == 0  # no doctest to run, no schema to update
    assert run(capsys, "new", "Leaky ReLU")[0] == 0
    text = (project / "entries" / "leaky-relu.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=../schema/entry.schema.json\n" in text
    (project / "entries" / "leaky-relu.md").unlink()
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "glossary" / "index.html").is_file()


@pytest.mark.parametrize("fixture", sorted(HUGO))
def test_init_from_hugo_checks_clean_builds_and_keeps_every_related_link(
    fixture: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    section, related = HUGO[fixture]
    shutil.copytree(FIXTURES / fixture, workdir / "hugo")
    code, _, err = run(capsys, "init", "project", "--from", "hugo", f"hugo/{section}")
    assert code == 0, err
    assert "check --no-doctest in the new project: " in err and ", 0 error(s), 0 warning(s)" in err
    project = workdir / "project"
    entries = project / "entries"
    assert {p.stem: front_matter(p).get("related", []) for p in entries.glob("*.md")} == related
    os.chdir(project)
    code, out, err = run(capsys, "check")  # the examples run too
    assert (code, out) == (0, ""), err
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    for slug in related:
        assert (project / "site" / "glossary" / slug / "index.html").is_file()


def test_init_fits_the_sections_to_the_source_and_says_so(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "hugo_site_toml", workdir / "hugo")
    code, _, err = run(capsys, "init", "project", "--from", "hugo", "hugo/content/terms")
    assert code == 0
    assert "section 'ELI5' (optional): found in 0 of 4 pages" in err
    assert "section 'In-depth explanation' (optional): found in 2 of 4 pages" in err
    options = yaml.safe_load(
        (workdir / "project" / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", "")
    )["plugins"][2]["glossary"]
    assert options["sections"] == [
        "Summary",
        {"title": "ELI5", "required": False},
        {"title": "In-depth explanation", "required": False},
    ]
    assert options["schema_file"] == "schema/entry.schema.json"
    assert not any(
        "### ELI5" in p.read_text(encoding="utf-8") for p in (workdir / "project/entries").iterdir()
    )


def test_a_folder_with_files_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "taken").mkdir()
    (workdir / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "init", "taken")
    assert code == 2
    assert "'taken' is not empty; init only creates new projects" in err
    assert [p.name for p in (workdir / "taken").iterdir()] == ["notes.txt"]
    (workdir / "file").write_text("x", encoding="utf-8")
    assert run(capsys, "init", "file")[0] == 2
    (workdir / "empty").mkdir()
    assert run(capsys, "init", "empty")[0] == 0  # an empty folder is fine
    assert (workdir / "empty" / "mkdocs.yml").is_file()


def test_a_broken_hugo_section_creates_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "hugo_broken", workdir / "hugo")
    code, out, err = run(capsys, "init", "project", "--from", "hugo", "hugo")
    assert code == 1
    assert "hugo/bad-toml.md:3:" in out and "nothing created" in err
    assert sorted(p.name for p in workdir.iterdir()) == ["hugo"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "jekyll", "x"], "unknown format 'jekyll'"),
        (["--base-url", "https://old.example"], "--base-url needs --from hugo PATH"),
        (["--repo-url", "github.com/me/g"], "--repo-url must be an http(s) URL"),
        (["--from", "hugo", "nowhere"], "Hugo folder 'nowhere' does not exist"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", "project", *args)
    assert code == 2 and message in err, err
    assert not (workdir / "project").exists()


def test_package_option_goes_into_requirements(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = "glossary_gen @ git+https://github.com/me/glossary_gen@v0.1.0"
    assert run(capsys, "init", "p", "--package", spec)[0] == 0
    assert spec in (workdir / "p" / "requirements.txt").read_text(encoding="utf-8").splitlines()


def _pins(folder: Path) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for path in folder.glob("*.yml"):
        for found in re.finditer(r"uses: ([\w./-]+)@(\S+)\s+#\s*(v\S+)", path.read_text()):
            pins.setdefault(found.group(1), set()).add(f"{found.group(2)} {found.group(3)}")
    return pins


def test_the_workflows_pin_actions_as_this_repository_does(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "p")[0] == 0
    workflows = workdir / "p" / ".github" / "workflows"
    ours = _pins(ROOT / ".github" / "workflows")
    theirs = _pins(workflows)
    assert theirs and all(re.fullmatch(r"[0-9a-f]{40} v\S+", p) for s in theirs.values() for p in s)
    for action, pins in theirs.items():
        assert pins == ours[action], action  # same commit and release as this repository's
    parser = build_parser()
    scripts = {p.name for p in (workdir / "p" / "scripts").iterdir()}
    for path in workflows.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["permissions"] == {"contents": "read"}
        for job in data["jobs"].values():
            for step in job["steps"]:
                for line in step.get("run", "").strip().splitlines():
                    words = line.replace('"origin/$BASE_REF"', "origin/main").split()
                    if words[0] == "bash":
                        assert words[1].removeprefix("scripts/") in scripts, line
                    elif words[0] == ".venv/bin/glossary-gen":
                        parser.parse_args(words[1:])  # a real command with real options
                    else:
                        assert words[:3] == [".venv/bin/mkdocs", "build", "--strict"], line
    zizmor = Path(sys.executable).with_name("zizmor")
    if zizmor.exists():  # the same audit as this repository's workflows (scripts/test)
        audit = subprocess.run(
            [str(zizmor), "--offline", "--quiet", str(workflows)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert audit.returncode == 0, audit.stdout + audit.stderr


def test_the_schema_file_is_the_sites_schema(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "p")[0] == 0
    schema = json.loads((workdir / "p" / "schema" / "entry.schema.json").read_text())
    assert {"title", "updated", "redirect_from"} <= set(schema["properties"])
    os.chdir(workdir / "p")
    code, out, _ = run(capsys, "schema", "--output", "-")
    assert code == 0 and json.loads(out) == schema
