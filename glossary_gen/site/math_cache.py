"""The formula cache of :mod:`glossary_gen.site.markdown_ext`: LaTeX -> MathML, once per formula,
kept across builds in ``<cache_dir>/math.json`` (never inside the repository: see
:func:`in_repository`), and converted in an isolated helper interpreter when a build has many new
formulas (:meth:`MathCache.prefetch`)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: ``$...$`` inline: the opening ``$`` followed, the closing one preceded, by a non-space; the
#: closing one not followed by a digit (``$5 and $10`` is no formula).
INLINE_MATH_RE = r"(?<![\\$\w])\$(?=[^\s$])(?P<tex>(?:\\.|[^$\\\n])+?)(?<=[^\s\\])\$(?![\w$])"

_WARNED: set[Path] = set()


def _work_tree(folder: Path) -> Path | None:
    """The top of the git work tree ``folder`` is in (``None``: none)."""
    return next((p for p in (folder, *folder.parents) if (p / ".git").exists()), None)


def in_repository(folder: Path, project: Path | None = None) -> bool:
    """Whether a cache ``folder`` lies where a pull request could have put files: inside the
    ``project`` folder, or inside the git work tree of the project (without ``project``: of the
    folder itself). The default cache (the user's cache folder) is never inside."""
    resolved = folder.resolve()
    if project is None:
        from glossary_gen.core.config import default_cache_dir

        default = default_cache_dir().resolve()
        if resolved == default or default in resolved.parents:
            return False
        tops = [_work_tree(resolved)]
    else:
        base = project.resolve()
        tops = [base, _work_tree(base)]
    return any(top is not None and (resolved == top or top in resolved.parents) for top in tops)


class MathCache:
    """LaTeX -> MathML, converted once per formula: kept for the whole process (every page of a
    build, and every rebuild of ``mkdocs serve``) and, with a folder, across builds in
    ``<cache_dir>/math.json`` (only the formulas the last build used are written back).
    Formulas that fail to convert are never cached, so their error is reported every build.

    :meth:`prefetch` converts a build's new formulas in a second process while the build goes
    on (the same latex2mathml, so the same MathML); :meth:`convert` takes its results once it
    has finished and converts whatever it has not (yet) got itself."""

    FILE = "math.json"
    #: Fewer new formulas than this are converted in the build's own process.
    PREFETCH_MIN = 200

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.used: set[str] = set()
        self.path: Path | None = None
        self.dirty = False
        self._worker: tuple[subprocess.Popen[bytes], Path] | None = None
        #: The worker's MathML sanitized as :func:`~glossary_gen.site.sanitize.sanitize` does (there,
        #: with the same code), for :class:`DeferredMath`; this process only.
        self.clean: dict[str, str] = {}

    @staticmethod
    def _version() -> str:
        from importlib.metadata import version

        return f"1:{version('latex2mathml')}"

    def open(self, folder: Path | None, project: Path | None = None) -> None:
        """Use ``folder`` (``None``: memory only) and start counting the formulas used. A folder
        inside the repository (:func:`in_repository`: the ``project`` folder, the folder of
        mkdocs.yml, or a git work tree) is neither read nor written, with one warning: a
        committed ``math.json`` would put its MathML (links included) on any page."""
        if folder is not None and in_repository(Path(folder), project):
            if Path(folder) not in _WARNED:
                _WARNED.add(Path(folder))
                logging.getLogger("glossary_gen").warning(
                    "glossary-gen: warning: ignoring the math cache in %s: it is inside the "
                    "repository, where a cache could be committed",
                    folder,
                )
            folder = None
        if self.used:  # forget formulas the previous build no longer used (serve)
            self.data = {k: v for k, v in self.data.items() if k in self.used}
            self.clean = {k: v for k, v in self.clean.items() if k in self.used}
        self.used = set()
        path = Path(folder) / self.FILE if folder else None
        if path != self.path:
            self.path, self.dirty = path, False
            if path is not None and path.is_file():
                try:
                    stored = json.loads(path.read_text(encoding="utf-8"))
                    if stored.get("version") == self._version() and isinstance(
                        stored.get("math"), dict
                    ):
                        self.data.update(stored["math"])
                except (OSError, ValueError, AttributeError):
                    pass  # a broken cache is only a miss

    def prefetch(self, keys: Iterable[str]) -> None:
        """Start converting the formulas ``keys`` (``"I"``/``"B"`` + LaTeX, as from
        :func:`formula_keys`) that are not cached yet in a worker process, when there are many."""
        self.stop()
        missing = [k for k in dict.fromkeys(keys) if k not in self.data]
        if len(missing) < self.PREFETCH_MIN:
            return
        folder = Path(tempfile.mkdtemp(prefix="glossary-math-"))
        try:
            (folder / "in.json").write_text(
                json.dumps(missing, ensure_ascii=False), encoding="utf-8"
            )
            proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _MATH_WORKER, str(folder), str(_PACKAGE_PARENT)],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return
        self._worker = (proc, folder)

    def _collect(self) -> None:
        """Take the worker's formulas if it has finished (never waits for it)."""
        proc, folder = self._worker  # type: ignore[misc]
        if proc.poll() is None:
            return
        self._worker = None
        try:
            results = (
                json.loads((folder / "out.json").read_text(encoding="utf-8"))
                if proc.returncode == 0
                else {}
            )
        except (OSError, ValueError):
            results = {}
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(results, dict):
            for key, value in results.items():
                if isinstance(value, list) and len(value) == 2 and key not in self.data:
                    self.data[key] = value[0]
                    self.clean[key] = value[1]
                    self.dirty = True

    def stop(self) -> None:
        """End an unfinished worker (the build is over, or a new one starts)."""
        if self._worker is not None:
            proc, folder = self._worker
            self._worker = None
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            shutil.rmtree(folder, ignore_errors=True)

    def convert(self, tex: str, display: bool) -> str:
        key = ("B" if display else "I") + tex.strip()
        mathml = self.data.get(key)
        if mathml is None and self._worker is not None:
            self._collect()
            mathml = self.data.get(key)
        if mathml is None:
            from latex2mathml.converter import convert

            mathml = self.data[key] = convert(tex.strip(), display="block" if display else "inline")
            self.dirty = True
        self.used.add(key)
        return mathml

    def save(self) -> None:
        """Write the formulas of this build back, if anything changed."""
        self.stop()
        if self.path is None or not (self.dirty or len(self.used) < len(self.data)):
            return
        data = {"version": self._version(), "math": {k: self.data[k] for k in sorted(self.used)}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.FILE}.{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
            )
            os.replace(tmp, self.path)
            self.dirty = False
        except OSError:
            pass  # a cache that cannot be written costs time, never the build


#: The worker of :meth:`MathCache.prefetch`, run as ``python -I`` in its own temporary folder:
#: reads ``<folder>/in.json`` (formula keys), writes ``<folder>/out.json`` (key -> [MathML,
#: sanitized MathML]; formulas that fail are left out, the build reports them). argv: the folder,
#: then the folder holding this package, *appended* to ``sys.path`` only when the environment
#: does not have the package (``-I``: no current folder, no ``PYTHONPATH``, no user site), so no
#: ``json.py`` or ``latex2mathml/`` of the project can shadow the standard library or a dependency.
_MATH_WORKER = """
import sys
try:
    import glossary_gen
except ImportError:
    sys.path.append(sys.argv[2])
import json, os
from latex2mathml.converter import convert
from glossary_gen.site.sanitize import sanitize
folder = sys.argv[1]
with open(os.path.join(folder, "in.json"), encoding="utf-8") as f:
    keys = json.load(f)
out = {}
for key in keys:
    try:
        mathml = convert(key[1:], display="block" if key[0] == "B" else "inline")
    except Exception:
        continue
    out[key] = [mathml, sanitize(mathml)]
with open(os.path.join(folder, "out.tmp"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False)
os.replace(os.path.join(folder, "out.tmp"), os.path.join(folder, "out.json"))
"""

#: The folder holding this package (for :data:`_MATH_WORKER`).
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]

#: The process-wide formula cache (the plugin points it at ``cache_dir``).
MATH_CACHE = MathCache()


_DISPLAY_MATH_RE = re.compile(r"^[ \t]*\$\$(.+?)\$\$[ \t]*$", re.M | re.S)
_INLINE_MATH = re.compile(INLINE_MATH_RE)


def formula_keys(markdown_text: str) -> Iterable[str]:
    """Cache keys of the formulas a Markdown text probably holds (for :meth:`MathCache.prefetch`:
    a formula missed here is converted when the page is rendered; one found in code is wasted)."""
    if "$" not in markdown_text:
        return
    for m in _DISPLAY_MATH_RE.finditer(markdown_text):
        yield "B" + m.group(1).strip()
    for m in _INLINE_MATH.finditer(markdown_text):
        yield "I" + m.group("tex").strip()
