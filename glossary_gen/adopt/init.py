"""``glossary-gen init DIR [--from hugo PATH]``: a new glossary project, empty or from a Hugo section.

The project is what this repository has, minus glossary_gen's own development: ``mkdocs.yml`` with
the plugin and its entry model, ``docs/``, ``entries/``, the editors' schema in ``schema/``, a
README with the two commands, ``scripts/`` (setup, serve, test) that install glossary_gen from
``requirements.txt``, ``.gitignore``, the CI and Pages workflows (actions pinned by commit hash as
here), dependabot and a pre-commit hook. The templates live in ``templates/project/``.
``requirements.txt`` names the glossary_gen this one is (:mod:`~glossary_gen.adopt.requirement`),
and the project becomes a git repository with a first commit
(:mod:`~glossary_gen.adopt.repository`), so that its first ``bash scripts/serve`` and the
``check --changed`` that ``new`` suggests work.

All or nothing, like the import: the Hugo section is converted in memory first; the files are
written into a temporary folder next to ``DIR``, which is renamed to ``DIR`` at the end (``DIR``
may exist if it is empty), so a failure leaves nothing behind. A non-empty ``DIR`` is refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from glossary_gen.adopt.hugo.convert import ImportResult, convert, section_report
from glossary_gen.adopt.hugo.site_languages import detect_languages
from glossary_gen.adopt.hugo.source import check_source
from glossary_gen.adopt.repository import make_repository
from glossary_gen.adopt.requirement import Requirement, find_requirement
from glossary_gen.core.config import DEFAULT_MODEL, ConfigError, EntryModel, Settings
from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.loader import display_path
from glossary_gen.core.schema import schema_text

#: Template file names that become dot-files (package data skips hidden files).
_RENAMES = {"gitignore": ".gitignore", "pre-commit-config.yaml": ".pre-commit-config.yaml"}
SCHEMA_FILE = "schema/entry.schema.json"
ENTRIES_DIR = "entries"


@dataclass
class InitResult:
    project: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    imported: ImportResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _templates() -> Traversable:
    return resources.files("glossary_gen.adopt").joinpath("templates/project")


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.startswith((".", "__")):
            continue
        name = prefix + (_RENAMES.get(item.name, item.name) if not prefix else item.name)
        if item.is_dir():
            name = ".github" if name == "github" else name
            found += _walk(item, name + "/")
        else:
            found.append((name, item))
    return found


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class _IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as mkdocs.yml writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def plugin_block(model: EntryModel, repo_url: str | None = None) -> str:
    """The ``glossary`` plugin's options, indented for the template's ``- glossary:`` line."""
    options: dict[str, Any] = {"entries_dir": ENTRIES_DIR, "schema_file": SCHEMA_FILE}
    text = yaml.dump(options, Dumper=_IndentedDumper, sort_keys=False, width=100)
    # "Edit this term" links: the plugin's own repo_url (MkDocs' one makes Material query the
    # GitHub API on every page); the Pages workflow sets GLOSSARY_REPO_URL to the repository.
    text += (
        '# the repository, for "Edit this term" links (the Pages workflow sets GLOSSARY_REPO_URL)\n'
        f"repo_url: !ENV [GLOSSARY_REPO_URL, {_yaml_string(repo_url or '')}]\n"
        "edit_uri: edit/main/\n"
    )
    text += yaml.dump(
        model.to_options(), Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return "".join(f"      {line}\n" for line in text.splitlines())


def _title_from(folder: Path) -> str:
    words = re.split(r"[-_\s]+", folder.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "Glossary"


def project_files(
    *,
    site_name: str,
    description: str,
    repo_url: str | None,
    model: EntryModel,
    requirement: Requirement,
) -> dict[str, str]:
    """Relative path -> text of every project file (entries aside)."""
    values = {
        "__SITE_NAME__": site_name,
        "__SITE_DESCRIPTION__": description,
        "__GLOSSARY_OPTIONS__": plugin_block(model, repo_url),
    }
    files: dict[str, str] = {}
    for name, item in _walk(_templates()):
        text = item.read_text(encoding="utf-8")
        for key, value in values.items():
            if name == "mkdocs.yml" and key in ("__SITE_NAME__", "__SITE_DESCRIPTION__"):
                value = _yaml_string(value)
            if value.endswith("\n"):  # a placeholder that is a whole line
                text = text.replace(key + "\n", value)
            text = text.replace(key, value)
        files[name] = text
    files["requirements.txt"] = requirement.file_text()
    files[SCHEMA_FILE] = schema_text(model)
    return files


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ConfigError(f"'{target}' is a file; init creates a new project folder")
    if target.is_dir() and any(target.iterdir()):
        raise ConfigError(
            f"'{target}' is not empty; init only creates new projects (choose a new folder, "
            "or use `glossary-gen import` inside an existing one)"
        )


def init_project(
    target: Path,
    *,
    hugo: Path | None = None,
    repo_url: str | None = None,
    site_name: str | None = None,
    base_url: str | None = None,
    package: str | None = None,
    git: bool = True,
    versions: Callable[[], set[str] | None] | None = None,
) -> InitResult:
    """Create the project (see the module docstring); nothing is written when there is an error."""
    _check_target(target)
    if repo_url is not None and not re.match(r"^https?://[^\s\"'<>]+$", repo_url):
        raise ConfigError(f"--repo-url must be an http(s) URL, got '{repo_url}'")
    if base_url is not None and not re.match(r"^https?://[^\s\"'<>]+$", base_url):
        raise ConfigError(f"--base-url must be an http(s) URL, got '{base_url}'")
    result = InitResult(target)
    settings = Settings(
        entries_dir=target / ENTRIES_DIR,
        project_dir=target,
        schema_file=target / SCHEMA_FILE,
    )
    model = DEFAULT_MODEL
    if hugo is not None:
        check_source(hugo, settings.entries_dir)
        # Hugo's translations (relu.fr.md, content/fr/) become translations (entries/fr/); the
        # default language is Hugo's (its configuration, or the content folder imported).
        languages, problems = detect_languages(hugo)
        if any(d.is_error for d in problems):
            result.diagnostics = problems
            return result
        settings = replace(settings, languages=languages)
        if target.resolve() == hugo.resolve() or hugo.resolve() in target.resolve().parents:
            raise ConfigError("the new project must not be inside the Hugo folder")
        imported = convert(hugo, settings.entries_dir, settings, base_url=base_url, fit=True)
        result.imported = imported
        result.diagnostics = imported.diagnostics
        if not imported.ok:
            return result
        model = imported.model
    requirement = find_requirement(package, versions=versions)
    if requirement.note:
        result.notes.append(requirement.note)
    files = project_files(
        site_name=site_name or _title_from(target),
        description="A glossary: one page per term, with examples that run.",
        repo_url=repo_url,
        model=model,
        requirement=requirement,
    )
    if settings.languages.codes:  # the plugin option, under the first one init writes
        codes = ", ".join(settings.languages.codes)
        files["mkdocs.yml"] = files["mkdocs.yml"].replace(
            "  - glossary:\n", f"  - glossary:\n      languages: [{codes}]\n", 1
        )
    entries = {
        path.relative_to(target).as_posix(): text
        for path, text in (result.imported.files if result.imported else {}).items()
    }
    if not entries:
        files[f"{ENTRIES_DIR}/.gitkeep"] = ""
    result.written = _write_project(target, {**files, **entries})
    if git:
        result.notes += make_repository(target)
    return result


def _write_project(target: Path, files: dict[str, str]) -> list[Path]:
    """Write into a fresh folder beside ``target``, then rename it into place."""
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=parent))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            if name.startswith("scripts/"):
                path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        staging.chmod(0o777 & ~_umask())
        if target.is_dir():
            _check_target(target)  # still empty?
            target.rmdir()
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / name for name in files]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def report(result: InitResult, program: str = "glossary-gen") -> list[str]:
    """What init did and chose, for the terminal."""
    where = display_path(result.project)
    if not result.ok:
        errors = sum(d.is_error for d in result.diagnostics)
        return [f"nothing created: {errors} error(s) in the Hugo section"]
    lines = []
    imported = result.imported
    if imported is not None:
        lines.append(
            f"imported {len(imported.files)} entries from {imported.pages} Hugo pages; "
            "the sections in mkdocs.yml fit the source:"
        )
        lines += [f"  {line}" for line in section_report(imported)]
        optional = [s.title for s in imported.model.sections if not s.required]
        if optional:
            lines.append(
                f"  optional: {', '.join(optional)} (not every page has it; "
                "set required: true in mkdocs.yml once they do)"
            )
    lines += result.notes
    lines.append(
        f"created {where}: next, cd {where} && bash scripts/serve "
        f"(or: pip install -r requirements.txt, then mkdocs serve / {program} check)"
    )
    return lines
