"""The GitHub workflows and the pre-commit hook: valid YAML, safe for fork pull requests, and
calling only the commands the README documents (with options the CLI really has)."""

from __future__ import annotations

import re
import shlex
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from glossary_gen.cli import build_parser

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` key as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def documented() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "CONTRIBUTING.md").read_text(
        encoding="utf-8"
    )
    return " ".join(text.replace("`", " ").split())


@pytest.fixture(scope="module")
def ci() -> dict:
    return load(WORKFLOWS / "ci.yml")


@pytest.fixture(scope="module")
def pages() -> dict:
    return load(WORKFLOWS / "pages.yml")


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_every_run_step_is_a_documented_command(name: str) -> None:
    readme = documented()
    parser = build_parser()
    for step in steps(load(WORKFLOWS / name)):
        if "run" not in step:
            continue
        for line in step["run"].strip().splitlines():
            words = shlex.split(line.replace("$BASE_REF", "main"))
            if words[0] == "bash":
                assert (ROOT / words[1]).is_file(), line
                assert f"bash {words[1]}" in readme, f"README/CONTRIBUTING do not document: {line}"
            elif words[0] == ".venv/bin/glossary-gen":
                parser.parse_args(words[1:])  # raises SystemExit on an unknown option
                assert f"glossary-gen {words[1]}" in readme, line
                for option in (w for w in words[2:] if w.startswith("--")):
                    assert option in readme, f"{option} is not documented"
            elif words[0] == ".venv/bin/mkdocs":
                assert " ".join(words) in readme, f"README does not document: {line}"
            else:
                pytest.fail(f"{name}: undocumented command {line!r}")


def test_ci_runs_on_pull_requests_with_a_read_only_token(ci: dict) -> None:
    code = "\n".join(
        line.split("#")[0]
        for line in (WORKFLOWS / "ci.yml").read_text(encoding="utf-8").splitlines()
    )
    assert "pull_request" in ci["on"] and "pull_request_target" not in ci["on"]
    assert "pull_request_target" not in code and "secrets." not in code
    assert ci["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in ci["jobs"].values())
    checkout = next(s for s in steps(ci) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # --changed needs the merge base


def test_ci_checks_with_annotations_tests_builds_and_uploads_the_site(ci: dict) -> None:
    runs = " ".join(s.get("run", "") for s in steps(ci))
    assert "glossary-gen check --changed" in runs and "--format github" in runs
    assert "bash scripts/test" in runs
    assert ".venv/bin/mkdocs build --strict" in runs
    upload = next(s for s in steps(ci) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"


def test_pages_deploys_from_main_with_write_access_only_in_the_deploy_job(pages: dict) -> None:
    assert pages["on"]["push"]["branches"] == ["main"]
    assert pages["permissions"] == {"contents": "read"}
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert any(
        s.get("uses", "").startswith("actions/upload-pages-artifact@") for s in build["steps"]
    )
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert ".venv/bin/mkdocs build --strict" in " ".join(s.get("run", "") for s in build["steps"])


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml", "release.yml"])
def test_actions_are_pinned_to_a_commit_with_its_release_named(name: str) -> None:
    """A tag can be moved; a commit hash cannot. The comment tells Dependabot and readers which
    release the hash is (each was checked against the action's own repository)."""
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses and len(uses) == sum("uses" in step for step in steps(load(WORKFLOWS / name)))
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), (action, comment)


def test_pre_commit_hook_runs_the_installed_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "glossary-gen-check")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.match(hook["files"], "entries/relu.md") and not re.match(
        hook["files"], "docs/index.md"
    )
    program, *args = hook["entry"].split()
    assert program in {script.name for script in entry_points(group="console_scripts")}
    build_parser().parse_args(args)


def test_pull_request_template_and_contributing_guide_name_the_check() -> None:
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "glossary-gen check" in template
    assert "CONTRIBUTING.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "contributing.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert (ROOT / "docs" / "contributing.md").is_file()


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml"])
def test_entry_code_must_run_isolated(name: str) -> None:
    workflow = load(WORKFLOWS / name)
    for job in workflow["jobs"].values():
        if any("glossary-gen check" in s.get("run", "") for s in job.get("steps", [])):
            assert job["env"]["GLOSSARY_REQUIRE_SANDBOX"] == "1"
    assert "GLOSSARY_REQUIRE_SANDBOX=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_pull_requests_only_restore_the_result_cache(ci: dict, pages: dict) -> None:
    """A pull request can read main's cache but never save one that main would restore."""
    caches = [s for s in steps(ci) + steps(pages) if s.get("uses", "").startswith("actions/cache")]
    assert caches
    for step in caches:
        assert step["with"]["path"] == "~/.cache/glossary-gen"  # not a folder of the checkout
        saves = not step["uses"].startswith("actions/cache/restore@")
        if saves:  # only on pushes (CI's if, or the Pages workflow, which runs on main only)
            assert step.get("if") == "github.event_name != 'pull_request'" or step in steps(pages)
            assert "${{ github.ref }}" in step["with"]["key"]
            assert "${{ github.ref }}" in step["with"]["restore-keys"]
        else:
            assert step["if"] == "github.event_name == 'pull_request'"
            assert "refs/heads/${{ github.base_ref }}" in step["with"]["restore-keys"]


def test_release_builds_checks_and_publishes_tags_with_trusted_publishing() -> None:
    """release.yml: every run builds the sdist and the wheel and checks them; only a version tag
    publishes, from its own job, which alone may ask for an OIDC token (no stored secret)."""
    release = load(WORKFLOWS / "release.yml")
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert release["on"]["push"] == {"tags": ["v*"]} and "pull_request" not in release["on"]
    assert release["permissions"] == {"contents": "read"} and "secrets." not in text
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    commands = " ".join(s.get("run", "") for s in build["steps"])
    assert "python -m build" in commands and "twine check --strict dist/*" in commands
    assert re.search(r"pip install build==[\d.]+ twine==[\d.]+", commands)  # exact versions
    assert "permissions" not in build
    assert publish["needs"] == "build" and publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [s["uses"].split("@")[0] for s in publish["steps"]]
    assert uses == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert all("with" not in s or "password" not in s["with"] for s in publish["steps"])
