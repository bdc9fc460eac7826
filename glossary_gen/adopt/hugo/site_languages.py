"""The languages of a Hugo site, for ``init --from hugo`` (which has no mkdocs.yml yet).

Three things say which languages a Hugo glossary has and which is the default:

* the site's configuration (``hugo.toml``, ``hugo.yaml``, ``config.toml``, ... in the folder
  above ``content/``, or ``config/_default/``): ``defaultContentLanguage``, and the
  ``languages`` table whose ``weight`` orders them (the lightest first, when no default is set);
* the content folders per language: the section imported is ``content/en/glossary`` and
  ``content/fr/glossary`` is beside it;
* the file names: ``relu.fr.md`` beside ``relu.md``.

Everything here is read from untrusted files: a language that is not a lower-case language code
(:data:`~glossary_gen.core.languages.LANG_RE`), a ``defaultContentLanguage`` that is not one, a
configuration that cannot be read, or a default that contradicts the folder imported, is a
located error; nothing reaches a path or a page unchecked.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.languages import LANG_RE, Languages, languages_from_options
from glossary_gen.core.loader import display_path
from glossary_gen.core.model import REQUIRED_SECTIONS
from glossary_gen.core.untrusted_yaml import parse_mapping

#: Hugo's configuration files, in the order Hugo looks for them.
CONFIG_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
MAX_CONFIG_CHARS = 512 * 1024

#: A language suffix recognized in file names: two letters, a region.
_SUFFIX = re.compile(r"^[a-z]{2}(?:-[a-z0-9]{2,8})?$")


def find_config(source: Path) -> Path | None:
    """The Hugo configuration of the site ``source`` belongs to: in the folder above its
    ``content/`` folder (or, with no ``content/`` above, the nearest of its three parents that
    has one). Linked files are not read."""
    resolved = source.resolve()
    parents = list(resolved.parents)
    roots = [p.parent for p in parents if p.name == "content"][:1] or parents[:3]
    for root in roots:
        for folder in (root, root / "config" / "_default"):
            for name in CONFIG_NAMES:
                path = folder / name
                if path.is_file() and not path.is_symlink():
                    return path
    return None


def _read_config(path: Path, diagnostics: list[Diagnostic]) -> tuple[dict[str, object], str]:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(error(shown, 1, 1, "import-hugo-config", f"cannot read: {exc}"))
        return {}, ""
    if len(text) > MAX_CONFIG_CHARS:
        message = f"Hugo's configuration is longer than {MAX_CONFIG_CHARS // 1024} KiB"
        diagnostics.append(error(shown, 1, 1, "import-hugo-config", message))
        return {}, ""
    data: object = None
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            found, _, problems = parse_mapping(
                text, shown, 1, "Hugo configuration", code_prefix="import-hugo-config"
            )
            diagnostics += problems
            data = found or {}
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, JSONDecodeError
        where = re.search(r"line (\d+),? column (\d+)", str(exc))
        line, col = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
        message = f"Hugo's configuration cannot be read: {str(exc)[:200]}"
        diagnostics.append(error(shown, line, col, "import-hugo-config", message))
        return {}, ""
    if not isinstance(data, dict):
        diagnostics.append(error(shown, 1, 1, "import-hugo-config", "not a mapping"))
        return {}, ""
    return data, text


def _where(text: str, needle: str) -> tuple[int, int]:
    """Line and column of the first ``needle`` in ``text`` (1:1 when absent)."""
    at = text.find(needle)
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _key(data: dict[str, object], name: str) -> tuple[str, object] | None:
    """Hugo's keys are case-insensitive: ``defaultContentLanguage`` or ``defaultcontentlanguage``."""
    for key, value in data.items():
        if isinstance(key, str) and key.lower() == name:
            return key, value
    return None


def _not_a_code(shown: str, text: str, key: str, what: str) -> Diagnostic:
    """The located error for a value of the Hugo configuration that is not a language code."""
    line, col = _where(text, key)
    message = f"{what} is not a language code such as 'en', 'fr' or 'pt-br'"
    return error(shown, line, col, "import-language", message)


def config_languages(path: Path, diagnostics: list[Diagnostic]) -> tuple[str | None, list[str]]:
    """``(defaultContentLanguage, the languages of the 'languages' table by weight)``."""
    data, text = _read_config(path, diagnostics)
    shown = display_path(path)
    default = None
    found = _key(data, "defaultcontentlanguage")
    if found is not None:
        key, value = found
        code = value.lower() if isinstance(value, str) else None
        if code is None or not LANG_RE.match(code):
            bad = f"defaultContentLanguage {str(value)[:40]!r}"
            diagnostics.append(_not_a_code(shown, text, key, bad))
        else:
            default = code
    weighted: list[tuple[float, int, str]] = []
    table = _key(data, "languages")
    if table is not None and isinstance(table[1], dict):
        for order, (name, options) in enumerate(table[1].items()):
            code = name.lower() if isinstance(name, str) else ""
            if not LANG_RE.match(code):
                bad = f"language {str(name)[:40]!r} of 'languages'"
                diagnostics.append(_not_a_code(shown, text, str(name), bad))
                continue
            weight = options.get("weight") if isinstance(options, dict) else None
            ok = isinstance(weight, (int, float)) and not isinstance(weight, bool)
            weighted.append((float(weight) if ok else float("inf"), order, code))  # type: ignore[arg-type]
    return default, [code for _, _, code in sorted(weighted)]


def language_folder_codes(source: Path, diagnostics: list[Diagnostic]) -> list[str]:
    """The languages of ``content/<lang>/<section>`` folders beside the one imported (which is
    in a folder named by a language code); a folder beside it with the same section but a name
    that is no language code is a located error."""
    resolved = source.resolve()
    folder = resolved.parent
    if not LANG_RE.match(folder.name):
        return []
    codes = []
    for sibling in sorted(folder.parent.iterdir()):
        section = sibling / resolved.name
        if sibling == folder or sibling.is_symlink() or not section.is_dir():
            continue
        if not LANG_RE.match(sibling.name):
            diagnostics.append(
                error(
                    display_path(section),
                    1,
                    1,
                    "import-language",
                    f"this folder holds the section '{resolved.name}' beside "
                    f"{display_path(resolved)}, but {sibling.name[:40]!r} is not a lower-case "
                    "language code such as 'fr'",
                    "rename it after its language, or move it out of the content folder",
                )
            )
            continue
        codes.append(sibling.name)
    return codes


def suffix_codes(source: Path, default: str) -> set[str]:
    """``relu.fr.md`` beside ``relu.md`` (or ``relu/index.fr.md`` beside ``relu/index.md``)
    makes ``fr`` a language. The walk follows no linked folder."""
    codes: set[str] = set()
    for _folder, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        names = set(files)
        for name in files:
            if not name.endswith(".md"):
                continue
            base, dot, code = name[: -len(".md")].rpartition(".")
            if dot and code != default and _SUFFIX.match(code) and f"{base}.md" in names:
                codes.add(code)
    return codes


def detect_languages(source: Path) -> tuple[Languages, list[Diagnostic]]:
    """The languages of the Hugo section ``source`` (the default first), and the problems found
    (see the module docstring)."""
    diagnostics: list[Diagnostic] = []
    config = find_config(source)
    configured, weighted = config_languages(config, diagnostics) if config else (None, [])
    folders = language_folder_codes(source, diagnostics)
    folder_lang = source.resolve().parent.name if folders else None
    default = configured or folder_lang or (weighted[0] if weighted else "en")
    if folder_lang is not None and default != folder_lang:
        assert config is not None
        diagnostics.append(
            error(
                display_path(source),
                1,
                1,
                "import-language",
                f"this section is in the folder of '{folder_lang}', but Hugo's default language "
                f"is '{default}' ({display_path(config)})",
                f"import the default language's folder: {folder_lang} -> {default}",
            )
        )
    if any(d.is_error for d in diagnostics):
        return Languages(), diagnostics
    found = set(folders) | suffix_codes(source, default)
    found.discard(default)
    if not found:
        return Languages(), diagnostics
    rank = {code: i for i, code in enumerate(weighted)}
    ordered = (default, *sorted(found, key=lambda c: (rank.get(c, len(rank)), c)))
    options = {"languages": list(ordered)}
    return languages_from_options(options, REQUIRED_SECTIONS, "Hugo folder"), diagnostics
