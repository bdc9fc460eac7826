"""Settings shared by the CLI and the MkDocs plugin, read from the ``glossary`` plugin block of
``mkdocs.yml`` without importing MkDocs (the core stays independent of the site layer)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DEFAULT_ENTRIES_DIR = "entries"
DEFAULT_CACHE_DIR = ".glossary_cache"


class ConfigError(Exception):
    """A usage or configuration problem (exit code 2), as opposed to a problem in the content."""


@dataclass(frozen=True)
class Settings:
    entries_dir: Path = Path(DEFAULT_ENTRIES_DIR)
    doctest: bool = True
    doctest_timeout: float = 10.0
    doctest_memory_mb: int = 512
    doctest_output_kb: int = 64
    cache_dir: Path | None = Path(DEFAULT_CACHE_DIR)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    plugin: dict[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!ENV`` and ``!!python/name:`` tags; they are irrelevant here."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The options given to the ``glossary`` plugin in an mkdocs.yml (empty if not configured)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read {config_file}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file} must be a mapping")
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "glossary" in plugin:
            return dict(plugin["glossary"] or {})
    return {}


def settings_from_options(options: dict[str, Any], base_dir: Path) -> Settings:
    """Turn plugin options (mkdocs.yml or the plugin's own config) into :class:`Settings`;
    relative folders are taken from ``base_dir`` (the folder of mkdocs.yml)."""

    def folder(value: Any) -> Path:
        path = Path(value)
        return path if path.is_absolute() else base_dir / path

    cache = options.get("cache_dir", DEFAULT_CACHE_DIR)
    settings = Settings().with_overrides(
        entries_dir=folder(options.get("entries_dir") or DEFAULT_ENTRIES_DIR),
        doctest=options.get("doctest"),
        doctest_timeout=options.get("doctest_timeout"),
        doctest_memory_mb=options.get("doctest_memory_mb"),
        doctest_output_kb=options.get("doctest_output_kb"),
        plugin=options,
    )
    return replace(settings, cache_dir=folder(cache) if cache else None)


def load_settings(config: Path | None) -> Settings:
    """Settings for the CLI: from ``--config`` if given, else ``./mkdocs.yml`` if present."""
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"config file {config} does not exist")
        return settings_from_options(plugin_options(config), config.parent)
    default = Path("mkdocs.yml")
    if default.is_file():
        return settings_from_options(plugin_options(default), Path("."))
    return Settings()
