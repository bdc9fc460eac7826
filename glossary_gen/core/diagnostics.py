"""Diagnostics: the one way a step reports a problem in the content.

A step never raises on bad content; it returns :class:`Diagnostic` objects, which the CLI prints
in the ``path:line:col: severity[code]: message`` form that editors and CI annotate.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Characters that could start a new line or take over a terminal or a CI log when printed: C0
#: controls (newlines included), DEL, C1 controls, the Unicode line and paragraph separators and
#: the bidirectional overrides. Text from an entry (a front-matter key, a title) reaches messages.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


#: The ones ``json.dumps`` leaves raw (it escapes C0 controls itself; its own layout has newlines).
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` on one line, with every control character written as an escape (``\\n``,
    ``\\x1b``, ``\\u2028``): nothing we print can start a CI workflow command (``::notice``)
    on a line of its own or move the terminal's cursor."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
        if named:
            return named
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNPRINTABLE.sub(escape, text)


def _json_safe(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw when not ASCII-only (DEL, C1
    controls, line separators, bidi overrides) written as ``\\uXXXX`` escapes."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    #: A report, not a problem (e.g. a term not yet translated): never counted as a warning.
    INFO = "info"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass(frozen=True, order=False)
class Diagnostic:
    """One problem, located in a file (line and column are 1-based; 0 means unknown)."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def format_text(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity.value}[{self.code}]: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    def format_github(self) -> str:
        # Workflow commands: properties escape ',' and ':'; the message escapes newlines.
        def prop(value: str) -> str:
            return printable(
                value.replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
                .replace(":", "%3A")
                .replace(",", "%2C")
            )

        def data(value: str) -> str:
            return printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))

        message = self.message + (f" ({self.hint})" if self.hint else "")
        kind = "notice" if self.severity is Severity.INFO else self.severity.value
        return (
            f"::{kind} file={prop(self.path)},line={self.line},col={self.column},"
            f"title={prop(self.code)}::{data(message)}"
        )


def error(
    path: str, line: int, column: int, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path, line, column, Severity.ERROR, code, message, hint)


def warning(
    path: str, line: int, column: int, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path, line, column, Severity.WARNING, code, message, hint)


def info(
    path: str, line: int, column: int, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path, line, column, Severity.INFO, code, message, hint)


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """Return a ``did you mean 'x'?`` hint for the closest candidate, if any is close enough."""
    pool = list(candidates)
    lowered = {c.casefold(): c for c in pool}
    matches = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=cutoff)
    return f"did you mean '{lowered[matches[0]]}'?" if matches else None


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


FORMATS = ("text", "json", "github")


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """Render diagnostics in one of :data:`FORMATS`; the result ends without a newline."""
    if fmt == "json":
        return _json_safe(
            json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)
        )
    if fmt == "github":
        return "\n".join(d.format_github() for d in diagnostics)
    return "\n".join(d.format_text() for d in diagnostics)
