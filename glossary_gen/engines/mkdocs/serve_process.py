"""What one ``mkdocs serve`` process keeps warm between its builds besides the record of the
last build (:mod:`~glossary_gen.engines.mkdocs.records`): Material's compiled templates, the
list of the theme's files, and when the cycle collector runs (after a build, not in the middle
of the next one)."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2
    from mkdocs.theme import Theme


class MemoryBytecodeCache:
    """Compiled theme templates for the whole process: every build makes a new Jinja
    environment, which would compile Material's templates again (keyed by template source, so a
    changed override is compiled anew)."""

    def __init__(self) -> None:
        import jinja2

        class _Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                code = self.store.get(bucket.key)
                if code is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                self.store[bucket.key] = bucket.bytecode_to_string()

        self.cache = _Cache()

    def attach(self, env: jinja2.Environment) -> None:
        if env.bytecode_cache is None:
            env.bytecode_cache = self.cache


_BYTECODE: MemoryBytecodeCache | None = None


def compiled_templates(env: jinja2.Environment) -> None:
    """Let ``env`` reuse the templates compiled by earlier builds of this process."""
    global _BYTECODE
    if _BYTECODE is None:
        _BYTECODE = MemoryBytecodeCache()
    _BYTECODE.attach(env)


#: The template names in each theme folder that is not the site's ``custom_dir`` (Material's, the
#: glossary's: installed files, fixed for the process).
_LISTINGS: dict[str, list[str]] = {}
#: MkDocs' verdict on each theme file name (is it copied into the site?), by what decides it.
_VERDICTS: dict[tuple[str, tuple[str, ...]], dict[str, bool]] = {}
#: The filter of ``Files.add_files_from_theme``: its verdict depends on the name and on the
#: theme's ``static_templates`` only (and MkDocs' list of Markdown suffixes, a constant).
_THEME_FILTER = "Files.add_files_from_theme.<locals>.filter"


def warm_theme(theme: Theme) -> None:
    """Make every Jinja environment of ``theme`` (MkDocs makes several per build: one for the
    pages, one for each plugin that renders a template) reuse the templates compiled by earlier
    builds of this process, and list the theme's files once per process instead of walking its
    folders (thousands of icons) at every build. The ``custom_dir`` is listed at every build."""
    if getattr(theme, "_glossary_warm", False):
        return
    make_env = theme.get_env
    custom = str(theme.custom_dir) if theme.custom_dir else None
    static = tuple(theme.static_templates)

    def get_env() -> jinja2.Environment:
        env = make_env()
        compiled_templates(env)
        env.list_templates = functools.partial(_list_templates, env, custom, static)  # type: ignore[method-assign]
        return env

    theme.get_env = get_env  # type: ignore[method-assign]
    theme._glossary_warm = True  # type: ignore[attr-defined]


def _list_templates(
    env: jinja2.Environment,
    custom: str | None,
    static: tuple[str, ...],
    extensions: Collection[str] | None = None,
    filter_func: Callable[[str], bool] | None = None,
) -> list[str]:
    """``jinja2.Environment.list_templates`` with the listings and verdicts above."""
    import jinja2

    loader = env.loader
    if extensions is not None or type(loader) is not jinja2.FileSystemLoader:
        return jinja2.Environment.list_templates(env, extensions, filter_func)
    names: set[str] = set()
    for folder in loader.searchpath:
        listed = _LISTINGS.get(folder) if folder != custom else None
        if listed is None:
            listed = jinja2.FileSystemLoader(
                folder, encoding=loader.encoding, followlinks=loader.followlinks
            ).list_templates()
            if folder != custom:
                _LISTINGS[folder] = listed
        names.update(listed)
    found = sorted(names)
    if filter_func is None:
        return found
    if getattr(filter_func, "__qualname__", "") != _THEME_FILTER:
        return [name for name in found if filter_func(name)]
    verdicts = _VERDICTS.setdefault((_THEME_FILTER, static), {})
    kept = []
    for name in found:
        verdict = verdicts.get(name)
        if verdict is None:
            verdict = verdicts[name] = filter_func(name)
        if verdict:
            kept.append(name)
    return kept


#: Seconds after a build at which the cycle collector runs (see :func:`collect_idle`).
IDLE_COLLECT_DELAY = 2.0
_collector: threading.Timer | None = None


def collect_idle() -> None:
    """Collect the garbage of a finished build a little later, while the server waits for the
    next edit, instead of in the middle of the next build (where it cost half a rebuild at
    3,000 entries: the collector walks everything that lives on, parsed entries included)."""
    global _collector
    if _collector is not None:
        _collector.cancel()
    _collector = threading.Timer(IDLE_COLLECT_DELAY, gc.collect)
    _collector.daemon = True
    _collector.start()
