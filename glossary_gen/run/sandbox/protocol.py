"""What crosses the sandbox's boundaries, and the checks it passes on arrival.

Nothing crosses a boundary as code: every message (caller <-> worker <-> task) is a
length-prefixed JSON document with a size limit, checked against a fixed shape when it arrives.
The caller (:mod:`.pool`), the worker (:mod:`.worker`) and the task (:mod:`.child`) all speak
through this module, and only through it: the data types (:class:`Task`, :class:`Limits`,
:class:`Outcome`), the messages' shapes (:func:`matches`) and the frames.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

STATUSES = ("ok", "error", "memory", "timeout", "output", "crash", "exit")

#: A worker's message to the caller is never bigger than this: a task's reply and its records
#: (each at most MAX_TASK_FRAME) and its capped outputs.
MAX_FRAME = 24 * 1024 * 1024
#: A task's own messages (its return value, each progress marker) are never bigger than this.
MAX_TASK_FRAME = 8 * 1024 * 1024

_HEADER = struct.Struct(">I")

#: What a task's ``target`` names: a function of its (JSON) payload, returning JSON data.
TaskFunction = Callable[[object], object]


@dataclass(frozen=True)
class Task:
    """``target`` names a top-level function as ``"module:function"``; it is called with
    ``payload``; its return value must match ``shape`` (None: any JSON value)."""

    target: str
    payload: object = None
    #: See :func:`matches`.
    shape: object = None


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int | None = 512
    output_kb: int = 64
    file_size_mb: int | None = 64
    env: Mapping[str, str] = field(default_factory=dict)
    #: May a task start processes? By default it may not (seccomp): one address space per task.
    fork: bool = False
    #: Processes and threads a task may run at once (isolated sandbox; RLIMIT_NPROC, which the
    #: kernel does not apply to uid 0).
    processes: int = 8

    def message(self) -> TaskLimits:
        """The limits as the worker receives them (JSON)."""
        return {
            "timeout": self.timeout,
            "memory_mb": self.memory_mb,
            "output_kb": self.output_kb,
            "file_size_mb": self.file_size_mb,
            "env": dict(self.env),
            "fork": self.fork,
            "processes": self.processes,
        }


@dataclass(frozen=True)
class Outcome:
    status: str
    value: object = None
    error: str = ""
    error_type: str = ""
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    progress: object = None
    duration: float = 0.0
    exit_code: int | None = None
    signal: int | None = None
    #: What the task committed with :func:`report_record`, in order; None when the outcome was
    #: not watched (a worker that died, a timeout the caller enforced).
    records: list[object] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class WorkerStart(TypedDict):
    """The caller's first message to a worker: where it runs and what it may see."""

    path: list[str]
    preload: list[str]
    root: str
    isolated: bool
    #: Read-only mounts inside the worker's /tmp (never emptied).
    keep: list[str]


class TaskLimits(TypedDict):
    """:class:`Limits` as a worker receives them (the fields of the dataclass, as JSON)."""

    timeout: float
    memory_mb: int | None
    output_kb: int
    file_size_mb: int | None
    env: dict[str, str]
    fork: bool
    processes: int


class TaskMessage(TypedDict):
    """The caller's message for each task: the function to call, its payload, the limits."""

    target: str
    payload: object
    limits: TaskLimits


# --- shapes ---------------------------------------------------------------------------------------


def matches(value: object, shape: object) -> bool:
    """Does the JSON ``value`` have ``shape``?

    A shape is ``str``, ``int``, ``float`` (an int is accepted), ``bool`` or ``None``; a list
    ``[item_shape]``; a dict ``{"key": shape, "other?": shape}`` (exactly these keys, the ones
    ending in ``?`` optional); ``{str: shape}`` (any string keys); or a tuple of alternatives.
    """
    if isinstance(shape, tuple):
        return any(matches(value, option) for option in shape)
    if shape is None:
        return value is None
    if shape is bool:
        return isinstance(value, bool)
    if shape is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if shape is str:
        return isinstance(value, str)
    if isinstance(shape, list):
        return isinstance(value, list) and all(matches(item, shape[0]) for item in value)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        if list(shape) == [str]:
            return all(isinstance(k, str) and matches(v, shape[str]) for k, v in value.items())
        required = {k for k in shape if not k.endswith("?")}
        known = {k.rstrip("?"): s for k, s in shape.items()}
        return (
            required <= value.keys()
            and value.keys() <= known.keys()
            and all(matches(v, known[k]) for k, v in value.items())
        )
    raise TypeError(f"not a shape: {shape!r}")


_OUTCOME_SHAPE = {
    "status": str,
    "value": object,  # checked against the task's own shape
    "error": str,
    "error_type": str,
    "traceback": str,
    "stdout": str,
    "stderr": str,
    "progress": object,
    "duration": float,
    "exit_code": (int, None),
    "signal": (int, None),
    "records": object,  # a list or None, checked below
}


def outcome_from_json(data: object) -> Outcome:
    """The caller's check of a worker's reply: exactly the fields of :class:`Outcome`."""
    if not isinstance(data, dict) or data.keys() != _OUTCOME_SHAPE.keys():
        raise ValueError("a reply must be an object with the fields of an outcome")
    for key, shape in _OUTCOME_SHAPE.items():
        if shape is not object and not matches(data[key], shape):
            raise ValueError(f"field {key!r} of the reply has the wrong type")
    if data["records"] is not None and not isinstance(data["records"], list):
        raise ValueError("field 'records' of the reply has the wrong type")
    if data["status"] not in STATUSES:
        raise ValueError(f"unknown status {data['status']!r}")
    fields = cast("dict[str, Any]", _clean(data))  # every field's type is checked above
    return Outcome(**fields)


def _clean(value: object) -> object:
    """Strings without lone surrogates (they cannot be printed), recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


# --- framing (JSON only) ------------------------------------------------------------------------


def _encode(obj: object) -> bytes:
    data = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    body = data.encode("utf-8", "replace")
    return _HEADER.pack(len(body)) + body


def loads(data: bytes) -> object:
    """Strict JSON: ``NaN`` and ``Infinity`` are not JSON and are refused; too deep is invalid."""
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def write_frame(fd: int, obj: object) -> None:
    view = memoryview(_encode(obj))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, limit: int = MAX_FRAME) -> object:
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        raise ValueError(f"message of {size} bytes is too large")
    data = _read_exactly(fd, size)
    return None if data is None else loads(data)


def split_frames(buffer: bytearray, limit: int) -> list[bytes]:
    """Take every complete frame off the front of ``buffer`` (undecoded)."""
    frames = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if size > limit:
            raise ValueError(f"message of {size} bytes is too large")
        if len(buffer) < _HEADER.size + size:
            break
        frames.append(bytes(buffer[_HEADER.size : _HEADER.size + size]))
        del buffer[: _HEADER.size + size]
    return frames
