"""Parsed and validated entries kept between processes, so that a warm ``check`` costs less than
reading the files with a YAML parser.

One record per entries folder, in the cache folder of :mod:`glossary_gen.run.cache` (never the
repository), holding for each file its shown path, the SHA-256 of its bytes, the parsed
:class:`~glossary_gen.core.model.Entry` (or None) with the loader's diagnostics, and what the
per-entry validation rules found. A run reads every file, as before, and parses and validates
again only the files whose bytes changed.

* **Keyed** by the bytes of each file (its SHA-256), and, for the whole record, by the record
  format, the package version, the Python version, the site's entry model (the settings that
  validation reads), a stamp of the package's own modules (an edited checkout) and of the
  installed packages (``requires:`` is checked against them). A change to any of these
  discards every entry. Today's date (``updated:`` may not be in the future) re-runs the
  validation rules only.
* **Authenticated** with the doctest cache's key and MAC (:meth:`ResultStore.get_bytes`): the
  record (marshal data; a pickle only for what marshal cannot hold) is decoded only after its
  MAC is checked, so a file someone else wrote, or a tampered one, is a miss (DESIGN.md
  section 9). Any problem with the store only costs time.
* **Pruned.** A record holds only the files present at its last run, under one stamp (a new
  stamp replaces the old record). Records of other entries folders (a temporary checkout, a
  renamed folder) are removed when a record is written: those unused for :data:`MAX_AGE`, and
  the oldest beyond :data:`MAX_RECORDS` or :data:`MAX_TOTAL` bytes. Only this namespace's
  folder is pruned (the doctest and page caches keep their own records); a pruned record is
  only a cold run.
* **Correct across entries.** The rules that need the whole glossary (duplicate names, alias
  slugs, old addresses) run on the current entries whenever any file changed (their findings
  are kept for an unchanged folder: the same entries give the same findings), and linking
  (broken ``[[links]]``, related terms) always runs, so an edit to one entry re-checks every
  entry that names it.
"""

from __future__ import annotations

import contextlib
import copyreg
import datetime as _dt
import hashlib
import io
import marshal
import os
import pickle
import re
import site
import stat
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from glossary_gen.core.config import EntryModel
from glossary_gen.core.diagnostics import Diagnostic, Severity
from glossary_gen.core.loader import (
    entry_files,
    parse_entry,
)
from glossary_gen.core.model import CodeBlock, Entry, Located, Section, Source, WikiLink
from glossary_gen.core.validate import ENTRY_RULES, GLOSSARY_RULES, MODEL_RULES
from glossary_gen.run.cache import STALE_RECORD, UNPICKLABLE, open_store

__all__ = [
    "FORMAT",
    "NAMESPACE",
    "Records",
    "code_stamp",
    "environment_stamp",
    "fingerprint",
    "load_validated",
    "prune",
]

#: Bump when the shape of a record (or of the objects in it) changes.
FORMAT = 4
NAMESPACE = "entries"

#: Records of other entries folders kept at most (the one just written is always kept) ...
MAX_RECORDS = 16
#: ... none of them unused for longer than this (seconds) ...
MAX_AGE = 30 * 24 * 3600
#: ... and together no more bytes than this (10,000 entries make a record of about 20 MB).
MAX_TOTAL = 512 * 1024 * 1024
#: A temporary file older than this (seconds) was left by a process that died while writing.
_STALE_TEMPORARY = 3600
_RECORD_NAME = re.compile(r"^[0-9a-f]{40}\.bin$")
_TEMPORARY_NAME = re.compile(r"^\.[0-9a-f]{40}\.[0-9]+\.tmp$")

#: digest of the file's bytes, the entry (None when it does not parse), the loader's
#: diagnostics, the per-entry validation rules' diagnostics (None: not validated yet).
_Record = tuple[str, Entry | None, tuple[Diagnostic, ...], tuple[Diagnostic, ...] | None]
Records = dict[tuple[str, str], _Record]
_Records = Records

_PACKAGE = Path(__file__).resolve().parent.parent


def code_stamp(
    folders: tuple[str, ...] = ("core", "schema"),
) -> tuple[tuple[str, int, int], ...]:
    """The package's modules in ``folders`` (default: those that decide what an entry parses
    and validates to), as they are now: an edited checkout is another version."""
    found = []
    for folder in folders:
        with os.scandir(_PACKAGE / folder) as files:
            for item in files:
                if item.name.endswith((".py", ".json")):
                    info = item.stat()
                    found.append((f"{folder}/{item.name}", info.st_mtime_ns, info.st_size))
    info = os.stat(__file__)
    found.append(("run/entry_cache.py", info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


def environment_stamp() -> tuple[tuple[str, int], ...]:
    """The folders packages are installed in, as they are now: installing or removing one
    changes them (``check_requires`` asks what is installed)."""
    paths = sysconfig.get_paths()
    found = []
    for folder in sorted({paths["purelib"], paths["platlib"], site.getusersitepackages()}):
        try:
            found.append((folder, os.stat(folder).st_mtime_ns))
        except OSError:
            continue
    return tuple(found)


def fingerprint(model: EntryModel) -> str:
    """What every record depends on, apart from the files themselves and today's date."""
    import glossary_gen  # read now, so that an upgrade in a long-lived process is seen

    return repr(
        (
            FORMAT,
            glossary_gen.__version__,
            sys.version,
            model,
            code_stamp(),
            environment_stamp(),
        )
    )


def _record_name(entries_dir: Path) -> str:
    where = os.path.abspath(entries_dir)
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:40]


# --- the record's encoding -----------------------------------------------------------------------
# An entry is a hundred small objects; pickling each costs more than everything else a cold run
# writes. The whole record is plain data encoded with marshal in one call (b"M"): per file its
# path, digest, the entry's fields (its parts as their fields' dicts, its file as text) and the
# diagnostics as tuples. The parts are rebuilt from their fields without running their __init__
# (what pickle does for them too). Something marshal cannot encode (a part of another class, a
# value that is not YAML data) makes the record a pickle instead (b"P"). Either is decoded only
# after the record's MAC is checked.

#: The entry's fields that hold parts, and the class of their parts.
_PARTS: dict[str, type] = {
    "aliases": Located,
    "related": Located,
    "tags": Located,
    "requires": Located,
    "sources": Source,
    "sections": Section,
    "code_blocks": CodeBlock,
    "hidden_code": CodeBlock,
    "wikilinks": WikiLink,
}
_new = object.__new__
_PATH = type(Path())
_MARSHAL, _PICKLE = b"M", b"P"
#: A diagnostic as plain data: (path, line, column, severity, code, message, hint).
_DiagnosticRow = tuple[str, int, int, str, str, str, str | None]


class _NotPlain(Exception):
    """A record holds something marshal's plain data cannot stand for."""


def _part_rows(entry: Entry) -> dict[str, list[dict[str, object]]]:
    """The entry's parts as their fields' dicts, by field (:data:`_PARTS`)."""
    rows = {}
    for name, cls in _PARTS.items():
        items: tuple[object, ...] = getattr(entry, name)
        fields = [vars(item) for item in items if type(item) is cls]
        if len(fields) != len(items):
            raise _NotPlain(name)  # a part of another class
        rows[name] = fields
    return rows


def _parts_from_rows(rows: dict[str, list[dict[str, object]]]) -> dict[str, tuple[object, ...]]:
    """The parts again, from :func:`_part_rows`, without running their ``__init__``."""
    parts = {}
    for name, fields in rows.items():
        cls = _PARTS[name]
        built = []
        for row in fields:
            part: object = _new(cls)
            part.__dict__.update(row)
            built.append(part)
        parts[name] = tuple(built)
    return parts


def _entry_row(entry: Entry) -> dict[str, object]:
    if type(entry) is not Entry or type(entry.file) is not _PATH:
        raise _NotPlain
    state: dict[str, object] = dict(vars(entry))
    state.update(_part_rows(entry))
    state["file"] = str(entry.file)
    return state


def _entry_from_row(state: dict[str, object]) -> Entry:
    rows = {name: cast("list[dict[str, object]]", state[name]) for name in _PARTS}
    state.update(_parts_from_rows(rows))
    state["file"] = _PATH(cast(str, state["file"]))
    return _unpack_plain(state)


def _diagnostic_rows(found: tuple[Diagnostic, ...] | None) -> tuple[_DiagnosticRow, ...] | None:
    if found is None:
        return None
    rows = []
    for d in found:
        if type(d) is not Diagnostic:
            raise _NotPlain
        rows.append((d.path, d.line, d.column, d.severity.value, d.code, d.message, d.hint))
    return tuple(rows)


def _diagnostics_from_rows(rows: tuple[_DiagnosticRow, ...]) -> tuple[Diagnostic, ...]:
    return tuple(
        Diagnostic(path, line, column, Severity(severity), code, message, hint)
        for path, line, column, severity, code, message, hint in rows
    )


def _encode(stored: tuple[str, str, _Records, tuple[Diagnostic, ...]]) -> bytes:
    """The bytes of a record ``(stamp, day, records, glossary findings)``."""
    stamp, day, records, found = stored
    try:
        rows = [
            (
                path,
                shown,
                digest,
                None if entry is None else _entry_row(entry),
                _diagnostic_rows(loaded),
                _diagnostic_rows(checked),
            )
            for (path, shown), (digest, entry, loaded, checked) in records.items()
        ]
        return _MARSHAL + marshal.dumps((stamp, day, rows, _diagnostic_rows(found)))
    except (_NotPlain, ValueError, TypeError, KeyError):
        return _PICKLE + _dumps(stored)


def _decode(data: bytes) -> object:
    """What :func:`_encode` was given (authenticated bytes only: a pickle may run code)."""
    if data[:1] == _PICKLE:
        return pickle.loads(data[1:])
    if data[:1] != _MARSHAL:
        raise ValueError("not a record")
    stamp, day, rows, found = marshal.loads(data[1:])
    records: _Records = {}
    for path, shown, digest, state, loaded, checked in rows:
        entry = None if state is None else _entry_from_row(state)
        records[(path, shown)] = (
            digest,
            entry,
            _diagnostics_from_rows(loaded),
            None if checked is None else _diagnostics_from_rows(checked),
        )
    return stamp, day, records, _diagnostics_from_rows(found)


def _pack_entry(entry: Entry) -> tuple[Callable[..., Entry], tuple[object, ...]]:
    """How pickle (a record marshal cannot encode) stores an entry: its plain data in one
    marshal call where it can."""
    state = dict(vars(entry))
    try:  # a part of another class, or something marshal does not encode: as pickle keeps it
        parts = _part_rows(entry)
        for name in parts:
            del state[name]
        packed = marshal.dumps((state.pop("meta"), state.pop("positions"), parts))
    except (_NotPlain, ValueError, KeyError, TypeError):
        return _unpack_plain, (dict(vars(entry)),)
    return _unpack_entry, (state, packed)


def _unpack_entry(state: dict[str, object], packed: bytes) -> Entry:
    meta, positions, parts = marshal.loads(packed)
    state.update(_parts_from_rows(parts))
    state["meta"], state["positions"] = meta, positions
    return _unpack_plain(state)


def _unpack_plain(state: dict[str, object]) -> Entry:
    entry: Entry = _new(Entry)
    entry.__dict__.update(state)
    return entry


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Entry: _pack_entry}
    pickler.dump(value)
    return buffer.getvalue()


def _read(data: bytes | None, stamp: str) -> tuple[str, _Records, tuple[Diagnostic, ...] | None]:
    """(the day the records were validated, the records, what the glossary rules found for
    exactly these records), or nothing if they do not apply."""
    if data is None:
        return "", {}, None
    try:  # authenticated bytes that this package wrote; a stale layout is still only a miss
        loaded = _decode(data)
    except STALE_RECORD:
        return "", {}, None
    if (
        isinstance(loaded, tuple)
        and len(loaded) == 4
        and loaded[0] == stamp
        and isinstance(loaded[1], str)
        and isinstance(loaded[2], dict)
        and isinstance(loaded[3], tuple)
    ):
        return loaded[1], loaded[2], loaded[3]
    return "", {}, None


def _validate_one(entry: Entry, model: EntryModel) -> tuple[Diagnostic, ...]:
    found = [d for rule in MODEL_RULES for d in rule(entry, model)]
    found += [d for rule in ENTRY_RULES for d in rule(entry)]
    return tuple(found)


def load_validated(
    entries_dir: Path,
    model: EntryModel,
    cache_dir: Path | None,
    records_out: _Records | None = None,
) -> tuple[list[Entry], list[Diagnostic]]:
    """What :func:`~glossary_gen.core.loader.load_entries` followed by
    :func:`~glossary_gen.core.validate.validate` return, with unchanged files taken from the
    cache in ``cache_dir`` (no cache: everything is parsed and validated). ``records_out``
    receives each file's record: ``(str(path), shown) -> (digest, entry, loader diagnostics,
    validation diagnostics)`` (an in-memory cache starts from them)."""
    store = open_store(cache_dir, NAMESPACE, entries_dir)
    name = _record_name(entries_dir)
    stamp = fingerprint(model)
    today = _dt.date.today().isoformat()
    day, old, old_glossary = _read(store.get_bytes(name) if store is not None else None, stamp)
    same_day = day == today

    entries: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    checks: list[Diagnostic] = []
    records: _Records = {}
    changed = False
    for path, shown, data in entry_files(entries_dir):
        if isinstance(data, Diagnostic):
            diagnostics.append(data)
            continue
        assert data is not None  # entry_files leaves a file unread only when asked to
        key = (str(path), shown)
        digest = hashlib.sha256(data).hexdigest()
        record = old.get(key)
        if record is None or record[0] != digest:
            entry, problems = parse_entry(data, path, shown, digest)
            record = (digest, entry, tuple(problems), None)
            changed = True
        entry = record[1]
        if entry is not None and (record[3] is None or not same_day):
            record = (*record[:3], _validate_one(entry, model))
            changed = True
        records[key] = record
        diagnostics.extend(record[2])
        if entry is not None:
            entries.append(entry)
            checks.extend(record[3] or ())
    diagnostics += checks
    if records_out is not None:
        records_out.update(records)
    unchanged = not changed and records.keys() == old.keys()
    if unchanged and old_glossary is not None:  # the same entries, in the same order
        glossary_found = old_glossary
    else:
        glossary_found = tuple(d for rule in GLOSSARY_RULES for d in rule(entries))
    diagnostics.extend(glossary_found)
    if store is None:
        return entries, diagnostics
    if unchanged:
        with contextlib.suppress(OSError):  # used today: the newest record, last to be pruned
            os.utime(store.folder / f"{name}.bin")
        return entries, diagnostics
    try:
        stored = (stamp, today, records, glossary_found)
        blob = _encode(stored)
    except UNPICKLABLE:  # no record
        return entries, diagnostics
    store.put_bytes(name, blob)
    prune(store.folder, keep=f"{name}.bin")
    return entries, diagnostics


def prune(folder: Path, keep: str = "", now: float | None = None) -> list[str]:
    """Remove the records in ``folder`` (this cache's namespace) that are no longer worth their
    space, never ``keep``: those unused for :data:`MAX_AGE`, then the least recently used
    beyond :data:`MAX_RECORDS` or :data:`MAX_TOTAL` bytes; and temporary files a dead process
    left. Returns the names removed. Anything it cannot list or remove is left alone."""
    now = time.time() if now is None else now
    found: list[tuple[float, int, str]] = []  # (last used, size, name), records only
    doomed: list[str] = []
    try:
        with os.scandir(folder) as items:
            for item in items:
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode) or item.name == keep:
                    continue
                if _RECORD_NAME.match(item.name):
                    found.append((info.st_mtime, info.st_size, item.name))
                elif _TEMPORARY_NAME.match(item.name) and now - info.st_mtime > _STALE_TEMPORARY:
                    doomed.append(item.name)
    except OSError:
        return []
    found.sort(reverse=True)  # the most recently used first
    try:
        total = os.stat(folder / keep).st_size if keep else 0
    except OSError:
        total = 0
    for count, (used, size, record) in enumerate(found, start=1):
        total += size
        if now - used > MAX_AGE or count > MAX_RECORDS or total > MAX_TOTAL:
            doomed.append(record)
    removed = []
    for record in doomed:
        with contextlib.suppress(OSError):
            os.unlink(folder / record)
            removed.append(record)
    return removed
