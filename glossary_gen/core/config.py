"""Settings shared by the CLI and the MkDocs plugin, read from the ``glossary`` plugin block of
``mkdocs.yml`` without importing MkDocs (the core stays independent of the site layer).

The site's *entry model* lives here too: which body sections an entry has (their order, which are
required, the heading a page shows) and which extra front-matter keys the site allows. The
schema, ``new``, ``check``, the renderer and the importer all read it from :class:`Settings`::

    plugins:
      - glossary:
          sections:
            - Summary                      # a title alone: required
            - title: ELI5
              required: false
              heading: Explain like I'm five
            - In-depth explanation
          extra_keys:
            difficulty: {enum: [beginner, advanced]}   # a JSON Schema for the value
            reviewed_by: {type: string}
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from glossary_gen.core.languages import (
    LANG_RE,
    ONE_LANGUAGE,
    LanguageConfigError,
    Languages,
    languages_from_options,
)
from glossary_gen.core.model import REQUIRED_SECTIONS, normalize_heading

DEFAULT_ENTRIES_DIR = "entries"


APP = "glossary-gen"
ENV_DIR = "GLOSSARY_CACHE_DIR"


def key_folder() -> Path:
    """The user's cache folder for glossary-gen: holds the cache key (and results by default)."""
    import platformdirs  # here: sandbox workers import this module and never need it

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_cache_dir() -> Path:
    """``GLOSSARY_CACHE_DIR`` if set, else the user's cache folder: never the project (see
    :mod:`glossary_gen.run.cache`)."""
    configured = os.environ.get(ENV_DIR, "").strip()
    return Path(configured).expanduser() if configured else key_folder()


class ConfigError(Exception):
    """A usage or configuration problem (exit code 2), as opposed to a problem in the content."""


# --- the entry model ------------------------------------------------------------------------------

#: What ``new`` writes under each default section (a comment, which ``check`` does not count).
DEFAULT_HINTS = {
    "Summary": "One or two sentences. The first paragraph is the tooltip and the index text.",
    "ELI5": "Explain it to a curious twelve-year-old: an everyday picture, no jargon.",
    "In-depth explanation": (
        "The precise idea. Link other terms with [[Term]] or [[Term|text]]; write math as "
        "$f(x) = \\max(0, x)$.\nA python code fence whose lines start with >>> is a doctest: "
        "`glossary-gen check` runs it and the\npage shows its verified output, for example:\n\n"
        "    >>> max(0.0, -1.5)\n    0.0\n\nReplace every comment like this one with your text, "
        "then run: glossary-gen check"
    ),
}

#: The section that is the page's lead, its tooltip and its index text: always required.
LEAD_SECTION = "Summary"

#: Body sections generated from the front matter: never configurable, never hand-written.
_GENERATED = {"related terms", "referenced by"}
_SECTION_KEYS = {"title", "required", "heading", "hint"}
_KEY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class SectionSpec:
    """One body section of the site's entries."""

    title: str
    """The heading written in entry files (``### ELI5``), matched case-insensitively."""
    required: bool = True
    """A required section must be present and not empty; an optional one may be left out."""
    heading: str = ""
    """What a term page shows as the heading (default: the title)."""
    hint: str = ""
    """The comment ``new`` writes under the heading."""

    @property
    def key(self) -> str:
        return normalize_heading(self.title)

    @property
    def shown(self) -> str:
        return self.heading or self.title


DEFAULT_SECTIONS = tuple(SectionSpec(t, True, "", DEFAULT_HINTS[t]) for t in REQUIRED_SECTIONS)


@dataclass(frozen=True)
class EntryModel:
    """The sections and extra front-matter keys a site's entries have (hashable: it keys caches)."""

    sections: tuple[SectionSpec, ...] = DEFAULT_SECTIONS
    #: ``(key, JSON Schema of its value as canonical JSON text)``, in the configured order.
    extra_keys: tuple[tuple[str, str], ...] = ()

    def section(self, title: str) -> SectionSpec | None:
        wanted = normalize_heading(title)
        return next((s for s in self.sections if s.key == wanted), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(s.title for s in self.sections if s.required)

    @property
    def headings(self) -> dict[str, str]:
        """Section key -> the heading a page shows, where it differs from the title."""
        return {s.key: s.heading for s in self.sections if s.heading and s.heading != s.title}

    def extra_schemas(self) -> dict[str, Any]:
        return {name: json.loads(text) for name, text in self.extra_keys}

    def schema(self) -> dict[str, Any]:
        """The front-matter JSON Schema of this site: the package's plus the extra keys."""
        return entry_schema(self)

    def to_options(self) -> dict[str, Any]:
        """The plugin options that configure this model (what ``init`` writes into mkdocs.yml)."""
        sections: list[Any] = []
        for s in self.sections:
            default = DEFAULT_HINTS.get(s.title, "")
            if s.required and not s.heading and s.hint in ("", default):
                sections.append(s.title)
                continue
            item: dict[str, Any] = {"title": s.title}
            if not s.required:
                item["required"] = False
            if s.heading:
                item["heading"] = s.heading
            if s.hint and s.hint != default:
                item["hint"] = s.hint
            sections.append(item)
        options: dict[str, Any] = {"sections": sections}
        if self.extra_keys:
            options["extra_keys"] = self.extra_schemas()
        return options


DEFAULT_MODEL = EntryModel()


@lru_cache(maxsize=1)
def package_schema() -> dict[str, Any]:
    """The front-matter JSON Schema shipped in the package (``glossary_gen/schema/``)."""
    text = resources.files("glossary_gen").joinpath("schema/entry.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=8)
def entry_schema(model: EntryModel) -> dict[str, Any]:
    """The package schema extended by the model's extra keys (the package schema itself when
    there are none). Treat the result as read-only: it is cached."""
    base = package_schema()
    if not model.extra_keys:
        return base
    schema = dict(base)
    schema["properties"] = {**base["properties"], **model.extra_schemas()}
    return schema


def _sections(value: object, where: str) -> tuple[SectionSpec, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: 'sections' must be a non-empty list of section titles")
    found: list[SectionSpec] = []
    for index, item in enumerate(value, 1):
        place = f"{where}: sections item {index}"
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict):
            raise ConfigError(f"{place} must be a title or a mapping with 'title:'")
        unknown = sorted(str(k) for k in item if k not in _SECTION_KEYS)
        if unknown:
            raise ConfigError(
                f"{place}: unknown option '{unknown[0]}' "
                f"(allowed: {', '.join(sorted(_SECTION_KEYS))})"
            )
        title, required = item.get("title"), item.get("required", True)
        heading, hint = item.get("heading", ""), item.get("hint")
        if not isinstance(title, str) or not title.strip() or "\n" in title:
            raise ConfigError(f"{place}: 'title' must be a one-line heading text")
        if not isinstance(required, bool):
            raise ConfigError(f"{place}: 'required' must be true or false")
        if not isinstance(heading, str) or "\n" in heading:
            raise ConfigError(f"{place}: 'heading' must be a one-line text")
        if hint is not None and not isinstance(hint, str):
            raise ConfigError(f"{place}: 'hint' must be a text")
        title = " ".join(title.split())
        if "-->" in (hint or ""):
            raise ConfigError(f"{place}: 'hint' must not contain '-->'")
        spec = SectionSpec(
            title, required, " ".join(heading.split()), hint or DEFAULT_HINTS.get(title, "")
        )
        if spec.key in _GENERATED:
            raise ConfigError(f"{place}: a '{title}' section is generated; it cannot be configured")
        if any(s.key == spec.key for s in found):
            raise ConfigError(f"{place}: section '{title}' is listed twice")
        found.append(spec)
    lead = normalize_heading(LEAD_SECTION)
    if found[0].key != lead or not found[0].required:
        raise ConfigError(
            f"{where}: the first section must be '{LEAD_SECTION}', required "
            "(its first paragraph is the tooltip and the index text)"
        )
    return tuple(found)


def _extra_keys(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, list):
        value = dict.fromkeys(value)
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: 'extra_keys' must be a list of key names or a mapping of key -> JSON Schema"
        )
    builtin = set(package_schema()["properties"])
    found: list[tuple[str, str]] = []
    for name, fragment in value.items():
        if not isinstance(name, str) or not _KEY_NAME.match(name):
            raise ConfigError(f"{where}: extra key {name!r} must be a plain word (letters, _, -)")
        if name in builtin:
            raise ConfigError(f"{where}: extra key '{name}' is already a built-in key")
        fragment = {} if fragment is None else fragment
        if not isinstance(fragment, dict):
            raise ConfigError(f"{where}: extra key '{name}' must map to a JSON Schema (a mapping)")
        if fragment:
            import jsonschema  # only for sites that configure extra keys

            try:
                jsonschema.Draft202012Validator.check_schema(fragment)
            except jsonschema.SchemaError as exc:
                raise ConfigError(
                    f"{where}: extra key '{name}' is not a valid JSON Schema: {exc.message}"
                ) from None
        try:
            text = json.dumps(fragment, sort_keys=True)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{where}: extra key '{name}': the schema must hold JSON values only"
            ) from None
        found.append((name, text))
    return tuple(found)


def entry_model_from_options(
    options: Mapping[str, object], where: str = "mkdocs.yml"
) -> EntryModel:
    """The entry model configured by the plugin options ``sections`` and ``extra_keys``."""
    model = DEFAULT_MODEL
    if options.get("sections") is not None:
        model = replace(model, sections=_sections(options["sections"], where))
    if options.get("extra_keys") is not None:
        model = replace(model, extra_keys=_extra_keys(options["extra_keys"], where))
    return model


# --- settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    entries_dir: Path = Path(DEFAULT_ENTRIES_DIR)
    doctest: bool = True
    doctest_timeout: float = 10.0
    doctest_memory_mb: int = 512
    doctest_output_kb: int = 64
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    plugin: Mapping[str, object] = field(default_factory=dict)
    #: Sections and extra front-matter keys (plugin options ``sections``, ``extra_keys``).
    entry_model: EntryModel = DEFAULT_MODEL
    #: The folder of mkdocs.yml (the project), for paths written into files.
    project_dir: Path = Path(".")
    #: The schema file editors read (plugin option ``schema_file``), kept in step by ``check``.
    schema_file: Path | None = None
    #: The site's languages (plugin options ``languages``, ``section_names``); see
    #: :mod:`glossary_gen.core.languages`.
    languages: Languages = ONE_LANGUAGE

    def with_overrides(
        self,
        *,
        entries_dir: Path | None = None,
        doctest: bool | None = None,
        doctest_timeout: float | None = None,
        doctest_memory_mb: int | None = None,
        doctest_output_kb: int | None = None,
        jobs: int | None = None,
    ) -> Settings:
        """These settings with the given values; ``None`` keeps a value as it is."""
        changes = {
            "entries_dir": entries_dir,
            "doctest": doctest,
            "doctest_timeout": doctest_timeout,
            "doctest_memory_mb": doctest_memory_mb,
            "doctest_output_kb": doctest_output_kb,
            "jobs": jobs,
        }
        kept = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **kept)  # type: ignore[arg-type]  # each value has its field's type


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!ENV`` and ``!!python/name:`` tags; they are irrelevant here."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def read_yaml_mapping(path: Path, loader: type[yaml.SafeLoader]) -> dict[str, object]:
    """A configuration file that must hold a YAML mapping; any problem is a :class:`ConfigError`
    naming the file (an empty file is an empty mapping)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must be a mapping")
    return data


def plugin_options(config_file: Path) -> dict[str, object]:
    """The options given to the ``glossary`` plugin in an mkdocs.yml (empty if not configured)."""
    return plugin_block(read_yaml_mapping(config_file, _TolerantLoader), config_file)


def plugin_block(data: Mapping[str, object], where: str | Path) -> dict[str, object]:
    """The ``glossary`` plugin's options in a loaded mkdocs.yml (empty if not configured), for
    readers that load it themselves (the Zensical writer resolves ``!ENV`` and ``INHERIT``)."""
    plugins = data.get("plugins") or []
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and "glossary" in plugin:
            options = plugin["glossary"] or {}
            if not isinstance(options, dict):
                raise ConfigError(f"{where}: the glossary plugin's options must be a mapping")
            return dict(options)
    return {}


_T = TypeVar("_T", bool, int, float)


def _option(options: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T | None:
    """A plugin option of a simple type (``None`` when absent); a number may be an int for a
    float. Anything else is a configuration error naming the option."""
    value = options.get(key)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # type: ignore[return-value]  # kind is float here
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise ConfigError(f"{where}: glossary option '{key}' must be a {kind.__name__}, not {value!r}")


#: The longest tag title, and the most tags ``tag_titles`` names.
TAG_TITLE_MAX = 80
TAG_TITLES_MAX = 500


def tag_titles(value: object, where: str = "mkdocs.yml") -> tuple[tuple[str, str], ...]:
    """The plugin option ``tag_titles``: each tag as the entries write it (``activation-functions``)
    -> the title pages show for it (``Activation functions``). One line of text each; the pages
    escape it. A mapping as the value names a translated language's titles
    (``fr: {activation-functions: Fonctions d'activation}``, see :func:`language_tag_titles`) and
    is left out here."""
    return _tag_titles(value, where, "tag_titles", nested=True)


def language_tag_titles(
    value: object, where: str = "mkdocs.yml", translated: tuple[str, ...] | None = None
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The translated languages' tag titles of the option ``tag_titles`` (its values that are
    mappings, keyed by language code): ``((lang, ((tag, title), ...)), ...)``. With
    ``translated``, a language not in it is an error."""
    _tag_titles(value, where, "tag_titles", nested=True)
    if not isinstance(value, dict):
        return ()
    found = []
    for lang, titles in value.items():
        if not isinstance(titles, dict):
            continue
        if translated is not None and lang not in translated:
            raise ConfigError(
                f"{where}: 'tag_titles': {str(lang)[:40]!r} maps tags to titles but is not a "
                f"translated language (translated: {', '.join(translated) or 'none'})"
            )
        found.append((str(lang), _tag_titles(titles, where, f"tag_titles: {lang}", nested=False)))
    return tuple(found)


def _tag_titles(
    value: object, where: str, option: str, *, nested: bool
) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: '{option}' must be a mapping of tag -> title "
            f"(activation-functions: Activation functions), not {type(value).__name__}"
        )
    if len(value) > TAG_TITLES_MAX:
        raise ConfigError(f"{where}: '{option}' names {len(value)} tags; at most {TAG_TITLES_MAX}")
    titles = []
    for tag, title in value.items():
        if not isinstance(tag, str) or not tag.strip():
            raise ConfigError(f"{where}: '{option}': a tag must be a non-empty string, not {tag!r}")
        if nested and isinstance(title, dict):  # a language's titles
            if not LANG_RE.match(tag):
                raise ConfigError(
                    f"{where}: '{option}': {tag[:40]!r} maps tags to titles but is not a "
                    "lower-case language code such as 'fr'"
                )
            _tag_titles(title, where, f"{option}: {tag}", nested=False)
            continue
        if (
            not isinstance(title, str)
            or not title.strip()
            or len(title) > TAG_TITLE_MAX
            or any(c < " " or c == "\x7f" for c in title)
        ):
            raise ConfigError(
                f"{where}: '{option}': the title of tag {tag[:40]!r} must be one line of text "
                f"of 1 to {TAG_TITLE_MAX} characters, not {str(title)[:40]!r}"
            )
        titles.append((tag.strip(), title.strip()))
    return tuple(titles)


def settings_from_options(
    options: Mapping[str, object], base_dir: Path, where: str = "mkdocs.yml"
) -> Settings:
    """Turn plugin options (mkdocs.yml or the plugin's own config) into :class:`Settings`;
    relative folders are taken from ``base_dir`` (the folder of mkdocs.yml). ``where`` names the
    configuration file in error messages."""

    def folder(value: object) -> Path:
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"{where}: a folder must be a path, not {value!r}")
        path = Path(value)
        return path if path.is_absolute() else base_dir / path

    cache = options.get("cache_dir")
    schema_file = options.get("schema_file")
    tag_titles(options.get("tag_titles"), where)  # checked with the rest, used by the pages
    if schema_file is not None and (not isinstance(schema_file, str) or not schema_file.strip()):
        raise ConfigError(f"{where}: 'schema_file' must be a path relative to mkdocs.yml")
    settings = Settings().with_overrides(
        entries_dir=folder(options.get("entries_dir") or DEFAULT_ENTRIES_DIR),
        doctest=_option(options, "doctest", bool, where),
        doctest_timeout=_option(options, "doctest_timeout", float, where),
        doctest_memory_mb=_option(options, "doctest_memory_mb", int, where),
        doctest_output_kb=_option(options, "doctest_output_kb", int, where),
    )
    model = entry_model_from_options(options, where)
    try:
        languages = languages_from_options(options, tuple(s.title for s in model.sections), where)
    except LanguageConfigError as exc:
        raise ConfigError(str(exc)) from None
    language_tag_titles(options.get("tag_titles"), where, languages.translated)
    settings = replace(
        settings,
        plugin=dict(options),
        entry_model=model,
        project_dir=base_dir,
        schema_file=folder(schema_file) if schema_file else None,
        languages=languages,
    )
    if cache is None:  # not configured: the user's cache folder
        return settings
    return replace(settings, cache_dir=folder(cache) if cache else None)


def load_settings(config: Path | None) -> Settings:
    """Settings for the CLI: from ``--config`` if given, else ``./mkdocs.yml`` if present."""
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"config file {config} does not exist")
        return settings_from_options(plugin_options(config), config.parent, str(config))
    default = Path("mkdocs.yml")
    if default.is_file():
        return settings_from_options(plugin_options(default), Path("."), str(default))
    return Settings()
