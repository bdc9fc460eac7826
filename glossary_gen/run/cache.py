"""Where results of entry code are kept, so that nobody but this user's glossary-gen can write them.

Entry code is untrusted (DESIGN section 9), so a stored "passed" must not be forgeable, neither by
a doctest nor by a file committed to the repository:

* **Outside the project.** Results live in the user's cache folder (``platformdirs``, e.g.
  ``~/.cache/glossary-gen``), or in ``GLOSSARY_CACHE_DIR``, or in the ``cache_dir`` of mkdocs.yml.
  A folder inside the glossary's git work tree is never used (a committed cache is ignored, with
  a warning), and the sandbox never binds any of them.
* **Authenticated.** Every record carries an HMAC-SHA256 over its namespace, its name and its
  canonical JSON, with a 32-byte key from ``<user cache folder>/cache.key``: created on first use
  with mode 0600 in a 0700 folder, refused (and replaced) if anyone else could read it, never
  visible inside the sandbox.  A record without the right MAC is a miss: the code runs again.

Any problem with the store (no key, read-only disk, a corrupt file) only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import pickle
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from glossary_gen.core.config import key_folder

KEY_FILE = "cache.key"
#: Bump when the shape of stored records changes.
RECORD_VERSION = 2
#: A record bigger than this is not read.
MAX_RECORD = 16 * 1024 * 1024
#: An opaque record (:meth:`ResultStore.get_bytes`) bigger than this is not read.
MAX_BLOB = 1024 * 1024 * 1024

#: What decoding an authenticated record (:meth:`ResultStore.get_bytes`) can raise when this
#: package's layout changed since the record was written (a class renamed, a field gone): such a
#: record is a miss, never an error.
STALE_RECORD = (
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    EOFError,
    TypeError,
    ValueError,
    KeyError,
    IndexError,
)
#: What pickling a record can raise (an object pickle cannot store): no record is written.
UNPICKLABLE = (pickle.PicklingError, TypeError, AttributeError, RecursionError)

log = logging.getLogger("glossary_gen")
_keys: dict[Path, bytes] = {}
_warned: set[Path] = set()


def load_key(folder: Path | None = None) -> bytes | None:
    """The secret key (created on first use); None if it cannot be kept safely."""
    path = (folder or key_folder()) / KEY_FILE
    if path in _keys:
        return _keys[path]
    for _attempt in range(3):
        key = _read_key(path)
        if key is None:
            _create_key(path)
            continue
        _keys[path] = key
        return key
    return None


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        private = (
            stat.S_ISREG(info.st_mode)
            and info.st_uid == os.geteuid()
            and not info.st_mode & 0o077
            and 32 <= info.st_size <= 1024
        )
        data = os.read(fd, 1024) if private else b""
    finally:
        os.close(fd)
    if len(data) >= 32:
        return data
    with contextlib.suppress(OSError):  # readable by others, or not ours: never trust it
        path.unlink()
    return None


def _create_key(path: Path) -> None:
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def inside_repository(folder: Path, entries_dir: Path | None) -> bool:
    """Is ``folder`` inside the git work tree that holds ``entries_dir``?"""
    if entries_dir is None:
        return False
    start = entries_dir.resolve()
    top = next((p for p in (start, *start.parents) if (p / ".git").exists()), None)
    if top is None:
        return False
    resolved = folder.resolve()
    return resolved == top or top in resolved.parents


class ResultStore:
    """``<folder>/<name>.json``: ``{"version":2,"mac":"<hex>","result":<canonical JSON>}``, written
    byte for byte so that the MAC is checked over the stored bytes (nothing is parsed before).
    Anything else, or a wrong MAC, is a miss."""

    _PREFIX = b'{"version":%d,"mac":"' % RECORD_VERSION
    _MIDDLE = b'","result":'

    def __init__(self, folder: Path, namespace: str, key: bytes) -> None:
        self.folder = Path(folder)
        self.namespace = namespace
        self._key = key
        self._where = str(self.folder)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def _mac(self, name: str, body: bytes | memoryview) -> bytes:
        mac = hmac.new(self._key, f"{self.namespace}\0{name}\0".encode(), hashlib.sha256)
        mac.update(body)
        return mac.hexdigest().encode()

    # Opaque records (``<name>.bin``): the same key and MAC, over bytes the caller encodes. The
    # caller decodes them only after :meth:`get_bytes` checked the MAC (the bytes may be a pickle).

    _BLOB = b"glossary-gen blob %d\n" % RECORD_VERSION

    def get_bytes(self, name: str, max_size: int = MAX_BLOB) -> bytes | None:
        """The bytes stored under ``name`` if their MAC is right; None otherwise (a miss)."""
        raw = self._read(name, ".bin", max_size)
        if raw is None:
            return None
        start = len(self._BLOB)
        if not raw.startswith(self._BLOB) or len(raw) < start + 64:
            return None
        body = memoryview(raw)[start + 64 :]
        if not hmac.compare_digest(self._mac(name, body), raw[start : start + 64]):
            return None
        return bytes(body)

    def put_bytes(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` with its MAC (atomically; a failure only costs speed)."""
        self._write(name, ".bin", (self._BLOB, self._mac(name, data), data))

    def _write(self, name: str, suffix: str, parts: tuple[bytes, ...]) -> None:
        target = self.folder / f"{name}{suffix}"
        temporary = target.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                for part in parts:
                    handle.write(part)
            os.replace(temporary, target)
        except OSError:  # a read-only or full disk only costs speed
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _read(self, name: str, suffix: str, max_size: int) -> bytes | None:
        """A record file's bytes; None when it is missing, unreadable or over ``max_size``."""
        try:
            with open(os.path.join(self._where, f"{name}{suffix}"), "rb") as handle:
                if os.fstat(handle.fileno()).st_size > max_size:
                    return None
                return handle.read()
        except OSError:
            return None

    def get(self, name: str) -> dict[str, object] | None:
        raw = self._read(name, ".json", MAX_RECORD)
        if raw is None:
            return None
        start = len(self._PREFIX)
        body_start = start + 64 + len(self._MIDDLE)
        if not (
            raw.startswith(self._PREFIX)
            and raw[start + 64 : body_start] == self._MIDDLE
            and raw.endswith(b"}")
        ):
            return None
        if not hmac.compare_digest(self._mac(name, raw[body_start:-1]), raw[start : start + 64]):
            return None
        try:
            result = json.loads(raw[body_start:-1])
        except (ValueError, RecursionError):
            return None
        return result if isinstance(result, dict) else None

    def put(self, name: str, result: Mapping[str, object]) -> None:
        try:
            body = json.dumps(result, sort_keys=True, separators=(",", ":"), allow_nan=False)
        except ValueError:
            return
        data = body.encode()
        self._write(name, ".json", (self._PREFIX, self._mac(name, data), self._MIDDLE, data, b"}"))


def open_store(
    cache_dir: Path | None, namespace: str, entries_dir: Path | None = None
) -> ResultStore | None:
    """The store for ``namespace`` under ``cache_dir``, or None (no cache: everything runs).

    None when caching is off, when ``cache_dir`` lies inside the glossary's repository (a
    committed cache is never trusted; warned once) or when no private key can be kept.
    """
    if cache_dir is None:
        return None
    folder = Path(cache_dir)
    if inside_repository(folder, entries_dir):
        if folder not in _warned:
            _warned.add(folder)
            log.warning(
                "glossary-gen: warning: ignoring the cache folder %s: it is inside the "
                "repository, where results could be committed (default: %s)",
                folder,
                key_folder(),
            )
        return None
    key = load_key()
    if key is None:
        return None
    return ResultStore(folder / namespace, namespace, key)
