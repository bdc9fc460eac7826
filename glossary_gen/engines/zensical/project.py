"""A glossary project as the Zensical writer reads it: ``mkdocs.yml`` loaded as MkDocs and
Zensical load it (``!ENV`` resolved, ``INHERIT`` merged), the ``glossary`` plugin's options
parsed by :mod:`glossary_gen.core.config` (the same :class:`~glossary_gen.core.config.Settings`
as the CLI and the MkDocs plugin), and the hand-written pages of ``docs_dir``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict, cast

import yaml

from glossary_gen.core.config import (
    ConfigError,
    Settings,
    plugin_block,
    read_yaml_mapping,
    settings_from_options,
)
from glossary_gen.fences.pyodide import choose_pyodide
from glossary_gen.site.pages import DocsFile, PageOptions, Site, dest_path, page_url

#: An item of ``markdown_extensions`` or ``plugins``: a name, or a name with its options.
Configured = str | dict[str, dict[str, object] | None]


class MkDocsYaml(TypedDict, total=False):
    """The keys of mkdocs.yml the writer reads (as YAML gives them: unchecked, as before MkDocs
    validates them)."""

    site_name: str
    site_url: str
    site_description: str
    site_author: str
    use_directory_urls: bool
    docs_dir: str
    repo_url: str
    edit_uri: str
    nav: list[object]
    theme: str | dict[str, object]
    plugins: list[Configured]
    markdown_extensions: list[Configured] | dict[str, dict[str, object] | None]


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs and Zensical read it: ``!ENV`` resolved, ``!!python/name:`` imported
    (the configuration is trusted, DESIGN.md section 9), ``!relative`` kept as its path."""


def _env(loader: _Loader, node: yaml.Node) -> object:
    default = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
        if len(children) > 1:
            default = loader.construct_object(children[-1])
            children = children[:-1]
        names = [loader.construct_scalar(c) for c in children]
    else:
        raise yaml.constructor.ConstructorError(None, None, "!ENV needs a name", node.start_mark)
    for name in names:
        if str(name) in os.environ:
            value = os.environ[str(name)]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


def _python_name(loader: _Loader, suffix: str, node: yaml.Node) -> object:
    import importlib

    module, _, attr = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot import '{suffix}': {exc}", node.start_mark
        ) from None


_Loader.add_constructor("!ENV", _env)


def _relative(loader: _Loader, node: yaml.Node) -> object:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("!relative", _relative)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)


def load_config(path: Path) -> MkDocsYaml:
    """mkdocs.yml (with its ``INHERIT`` parents) as a dict."""
    mapping = read_yaml_mapping(path, _Loader)
    parent = mapping.pop("INHERIT", None)
    data: object = mapping
    if isinstance(parent, str):
        data = _merge(load_config(path.parent / parent), data)
    return cast(MkDocsYaml, data)  # a mapping from YAML: MkDocs' own validation is not run


def _merge(base: object, extra: object) -> object:
    """Deep merge as MkDocs and Zensical do for ``INHERIT`` (mappings merged, lists appended)."""
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return base + extra
    return extra


def markdown_extensions(
    config: MkDocsYaml,
) -> tuple[list[str], dict[str, dict[str, object]]]:
    """The site's Markdown extensions as Zensical runs them: ``toc`` and ``tables`` first, the
    configured ones in order, SuperFences if missing; with their configurations."""
    names = ["toc", "tables"]
    configs: dict[str, dict[str, object]] = {"toc": {}, "tables": {}}
    items = config.get("markdown_extensions") or []
    if isinstance(items, dict):
        items = [{k: v} for k, v in items.items()]
    for item in items:
        options: dict[str, object] | None
        if isinstance(item, str):
            name, options = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
        else:
            raise ConfigError(f"markdown_extensions: cannot read {item!r}")
        if name.startswith("glossary_gen"):
            continue  # the writer adds its own, with this build's glossary
        if name not in names:
            names.append(name)
        configs[name] = dict(options or {})
    for name in ("pymdownx.superfences", "attr_list"):
        if name not in names:
            names.append(name)
            configs[name] = {}
    return names, configs


@dataclass(frozen=True)
class Project:
    """A glossary project: its mkdocs.yml, read once."""

    config_file: Path
    config: MkDocsYaml
    options: PageOptions
    settings: Settings
    #: What the build says of where the Run buttons' Pyodide comes from (one line).
    pyodide_note: str = ""

    @property
    def base_dir(self) -> Path:
        return self.config_file.parent

    @property
    def docs_dir(self) -> Path:
        return self.base_dir / str(self.config.get("docs_dir") or "docs")

    @classmethod
    def load(cls, config_file: Path | None) -> Project:
        path = (config_file or Path("mkdocs.yml")).resolve()
        if not path.is_file():
            raise ConfigError(f"config file {config_file or 'mkdocs.yml'} does not exist")
        config = load_config(path)
        options = plugin_block(config, path.name)
        page_options = PageOptions.from_mapping(options)
        choice = choose_pyodide(page_options.pyodide_url, path.parent)  # auto: local or CDN
        return cls(
            path,
            config,
            replace(page_options, pyodide_url=choice.option),
            settings_from_options(options, path.parent, path.name),
            choice.note,
        )

    def site(self, links: str = "source") -> Site:
        config = self.config
        toc = next(
            (
                dict(item["toc"] or {})
                for item in config.get("markdown_extensions") or []
                if isinstance(item, dict) and "toc" in item
            ),
            {},
        )
        return Site(
            site_name=str(config.get("site_name") or "Glossary"),
            site_url=config.get("site_url") or None,
            site_description=config.get("site_description"),
            site_author=config.get("site_author"),
            directory_urls=bool(config.get("use_directory_urls", True)),
            base_dir=self.base_dir,
            docs_dir=self.docs_dir,
            repo_url=config.get("repo_url"),
            edit_uri=config.get("edit_uri"),
            toc=toc,
            links=links,
        )


def docs_files(project: Project, *, directory_urls: bool = True) -> list[DocsFile]:
    """The hand-written files of ``docs_dir``, with each page's title and Markdown."""
    from glossary_gen.site.used_on import nav_titles, page_title

    folder = project.docs_dir
    if not folder.is_dir():
        return []
    titles = nav_titles(project.config.get("nav"))
    found = []
    for path in sorted(walk(folder)):
        src = path.relative_to(folder).as_posix()
        dest = dest_path(src, directory_urls=directory_urls)
        if path.suffix != ".md":
            found.append(DocsFile(src, dest))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            found.append(DocsFile(src, dest))
            continue
        meta, body = split_front_matter(text)
        title = titles.get(src) or meta.get("title") or page_title(body, src)
        url = page_url(src, directory_urls=directory_urls)
        found.append(DocsFile(src, dest, url, str(title), body))
    return found


def walk(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``, hidden ones (``.name``) left out as MkDocs does."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if not name.startswith("."):
                yield Path(root) / name


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """``(meta, body)`` of a Markdown page (YAML front matter, as MkDocs reads it)."""
    match = _FRONT.match(text)
    if match is None:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]
