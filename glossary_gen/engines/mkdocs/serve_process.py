"""What one ``mkdocs serve`` process keeps warm between its builds besides the record of the
last build (:mod:`~glossary_gen.engines.mkdocs.records`): Material's compiled templates, and
when the cycle collector runs (after a build, not in the middle of the next one)."""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


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
