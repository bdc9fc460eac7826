"""The code of a term page: fences through their formatters, doctest blocks as runnable blocks,
and the code island that ``assets/live.js`` runs them from.

Fence formatters
----------------
A fence whose language (or info-string option word) has a formatter in the fence registry
(:mod:`glossary_gen.core.fences`) is rendered by it; the rest are rendered here.

Runnable blocks (for ``assets/live.js``)
----------------------------------------
Every doctest block (``python``/``pycon`` fence with ``>>>``) is wrapped as::

    <div class="glossary-runnable" data-glossary-block="1" data-glossary-entry="relu"
         data-glossary-path="entries/relu.md" data-glossary-line="41" data-glossary-doctest="passed">
      ...highlighted code (Material adds the copy button)...
    </div>

``data-glossary-block`` is the position of the block in the island's ``blocks`` list;
``data-glossary-line`` the file line of its first code line; ``data-glossary-doctest`` is
``passed``, ``failed`` or ``not-run``. Each term page carries one JSON island in its ``<head>``
(with the JSON-LD; :meth:`~glossary_gen.site.render.Renderer.finish_page`), not in the content,
because Material's instant navigation re-creates the content's ``<script>`` elements without
their ``type`` (JSON would run as JavaScript) while it swaps ``<head>`` elements whole, so
``document.querySelector("script[data-glossary-code]")`` always finds the current page's::

    <script type="application/json" class="glossary-data" data-glossary-code
            data-glossary-pyodide="https://cdn.jsdelivr.net/npm/pyodide@.../">{...}</script>

``data-glossary-pyodide`` (and ``pyodide_url`` in the JSON) is the Pyodide folder: absolute when
configured as a URL, otherwise relative to the page (resolve with ``new URL(v, location.href)``).
``data-glossary-packages`` (``packages_url``) is where the packages' wheels are (NumPy...): an
absolute URL, or empty for the Pyodide folder itself. ``data-glossary-pyodide-fallback`` is
where to try Pyodide when that folder cannot be reached (the site's copy, relative to the page;
``pyodide_url: cdn``), or empty. ``data-glossary-editor`` is the code
editor's script relative to the page (loaded on the first Edit click), or empty: a text field.

holding ``{"entry": slug, "title": ..., "path": ..., "pyodide_url": ..., "blocks": [{"index",
"line", "language", "doctest", "code", "source"}, ...]}`` for every Python block of the entry,
in order (``index`` is the position in ``entry.code_blocks``). ``code`` is the fence text;
``source`` is the Python to execute (prompts and expected output removed for doctests);
``shown``, when it differs from ``code``, is the code as the page shows it (doctest directive
comments and ``<BLANKLINE>`` markers trimmed, as Sphinx's ``trim_doctest_flags`` does): the
editor starts from it, and an unedited Run executes ``code``. Blocks
share one namespace top to bottom, so to run block *i* run every earlier block of the list first.
Contributors cannot produce ``data-*`` attributes or ``<script>`` elements (the sanitizer removes
them), so select on ``script[data-glossary-code]`` and ``[data-glossary-block]``: those hooks
cannot be forged by an entry (an ``id`` can: entries may set ids, so never select by id).
The island's JSON escapes ``<``, ``>`` and ``&``, so no string can close the script element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.fences import FenceContext, FenceError, Markdown
from glossary_gen.core.fences import formatter as fence_formatter
from glossary_gen.core.model import PYTHON_LANGUAGES, CodeBlock, Entry
from glossary_gen.site.page import PageDoc, RenderContext
from glossary_gen.site.text import attr, relative_url, script_json

_PROMPT = re.compile(r"^(\s*)(>>>|\.\.\.)( |$)")
#: A doctest directive comment at the end of a prompted line (``# doctest: +ELLIPSIS``), with the
#: spaces before it: shown pages leave it out, as Sphinx's ``trim_doctest_flags`` does.
_FLAGS = re.compile(r"\s*#\s*doctest:\s*[+-]\w+(\s*,\s*[+-]\w+)*\s*$")
_BLANKLINE = re.compile(r"^(\s*)<BLANKLINE>\s*$")


def trim_doctest_flags(line: str) -> str:
    """A doctest block's line as the page shows it: a prompted line without its directive comment
    (``# doctest: +IGNORE_EXCEPTION_DETAIL``), an expected ``<BLANKLINE>`` as the empty line it
    stands for. The code that runs keeps both (the island's ``code``)."""
    if _PROMPT.match(line):
        return _FLAGS.sub("", line)
    blank = _BLANKLINE.match(line)
    return blank.group(1) if blank else line


def shown_code(code: str) -> str:
    """A doctest block's code as the page shows it (see :func:`trim_doctest_flags`)."""
    return "\n".join(trim_doctest_flags(line) for line in code.split("\n"))


def doctest_source(code: str) -> str:
    """The Python a doctest block executes: the prompted lines, prompts removed (expected output
    and blank lines between examples dropped), as ``doctest.DocTestParser`` would run them."""
    lines = []
    for line in code.splitlines():
        match = _PROMPT.match(line)
        if match:
            lines.append(line[match.end() :])
    return "\n".join(lines) + "\n" if lines else ""


def doctest_status(result: object | None, block: CodeBlock | None = None) -> str:
    """``passed``, ``failed`` or ``not-run`` for an entry's doctest result (duck-typed, so the
    renderer does not depend on the doctest runner's classes)."""
    if result is None:
        return "not-run"
    for name in ("ok", "passed", "success"):
        value = getattr(result, name, None)
        if isinstance(value, bool):
            status = "passed" if value else "failed"
            break
    else:
        failures = getattr(result, "failures", None)
        if failures is None and isinstance(result, Mapping):
            failures = result.get("failures")
        if failures is None:
            return "not-run"
        status = "failed" if failures else "passed"
    if status == "failed" and block is not None:
        # Blame only the blocks with a failing line, when the result says where.
        lines = set()
        for item in getattr(result, "failures", None) or getattr(result, "diagnostics", None) or ():
            line = getattr(item, "line", None)
            if isinstance(line, int):
                lines.add(line)
        if lines and not any(block.line <= line <= block.end_line for line in lines):
            return "passed"
    return status


class CodeBlockRenderer:
    """Writes an entry's code blocks into its page, and its code island for the page's head."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context

    def render(
        self, entry: Entry, index: int, block: CodeBlock, raw: list[str], doc: PageDoc
    ) -> list[Diagnostic]:
        """Block ``index`` of ``entry`` (its file lines ``raw``, fences included) into ``doc``:
        through its fence formatter if it has one, as a runnable block if it is a doctest,
        else as it is."""
        context = self.context
        result = context.doctest_results.get(entry.slug)
        ctx = FenceContext(
            entry,
            block,
            index,
            context.glossary,
            result,
            context.linker.page_url,
            say=context.label,
        )
        if self._formatted(ctx, doc):
            return ctx.diagnostics
        if block.is_doctest:
            self._runnable(ctx, raw, doc, context.label)
        else:
            doc.md(*raw)
        return ctx.diagnostics

    @staticmethod
    def _formatted(ctx: FenceContext, doc: PageDoc) -> bool:
        """Whether the block's fence formatter (if it has one) wrote it: Markdown in place, or
        trusted HTML. A formatter that fails leaves the block as code, with a located error."""
        entry, block = ctx.entry, ctx.block
        formatter = fence_formatter(block)
        if formatter is None:
            return False
        try:
            out = formatter(ctx)
        except FenceError as exc:
            ctx.report(
                error(
                    entry.path,
                    exc.line or block.fence_line,
                    exc.column,
                    "fence",
                    exc.message,
                    exc.hint,
                )
            )
            out = None
        except Exception as exc:  # noqa: BLE001 - a formatter bug must not take the build down
            ctx.report(
                error(
                    entry.path,
                    block.fence_line,
                    block.indent + 1,
                    "fence",
                    f"'{block.language}' block could not be rendered: {type(exc).__name__}: {exc}",
                )
            )
            out = None
        if isinstance(out, Markdown):
            doc.md(*str(out).split("\n"))
            return True
        if isinstance(out, str):
            doc.html_block(out, block.indent)
            return True
        return False

    @staticmethod
    def _runnable(
        ctx: FenceContext, raw: list[str], doc: PageDoc, say: Callable[[str], str]
    ) -> None:
        """A doctest block inside its runnable wrapper (see the module docstring), as ``pycon``."""
        entry, block = ctx.entry, ctx.block
        status = doctest_status(ctx.doctest, block)
        position = sum(1 for b in entry.code_blocks[: ctx.index] if b.language in PYTHON_LANGUAGES)
        opening = (
            f'<div class="glossary-runnable" data-glossary-block="{position}" '
            f'data-glossary-entry="{attr(entry.slug)}" data-glossary-path="{attr(entry.path)}" '
            f'data-glossary-line="{block.line}" data-glossary-doctest="{status}">'
        )
        if status == "passed":
            ran = say("This example ran when the site was built and printed exactly this output")
            opening += f'<p class="glossary-verified" title="{ran}">{say("Verified example")}</p>'
        doc.html_block(opening, block.indent)
        fence = raw[0]
        language = block.info.split()[0] if block.info.split() else ""
        if language.lower() in ("python", "py", "python3"):
            fence = fence.replace(language, "pycon", 1)
        body = raw[1:]
        if body:  # the closing fence stays as written; the code lines lose their doctest flags
            body = [trim_doctest_flags(line) for line in body[:-1]] + body[-1:]
        doc.md(fence, *body)
        doc.html_block("</div>", block.indent)

    def island(self, entry: Entry) -> str:
        """The JSON island of the entry's Python blocks, for the page's ``<head>``."""
        blocks = []
        for i, block in enumerate(entry.code_blocks):
            if block.language not in PYTHON_LANGUAGES:
                continue
            item: dict[str, object] = {
                "index": i,
                "line": block.line,
                "language": block.language,
                "doctest": block.is_doctest,
                "code": block.code,
                "source": doctest_source(block.code) if block.is_doctest else block.code,
            }
            shown = shown_code(block.code) if block.is_doctest else block.code
            if shown != block.code:
                item["shown"] = shown
            blocks.append(item)
        page_url = self.context.linker.url_of[entry.slug]
        pyodide = self.pyodide_url(page_url)
        packages = self.context.options.pyodide_packages
        editor = self.context.options.editor_url
        editor = relative_url(editor, page_url) if editor else ""
        fallback = self.context.options.pyodide_fallback
        fallback = relative_url(fallback, page_url) if fallback else ""
        data = {
            "entry": entry.slug,
            "title": entry.title,
            "path": entry.path,
            "pyodide_url": pyodide,
            "packages_url": packages,
            "blocks": blocks,
        }
        return (
            f'<script type="application/json" class="glossary-data" data-glossary-code '
            f'data-glossary-pyodide="{attr(pyodide)}" data-glossary-packages="{attr(packages)}" '
            f'data-glossary-pyodide-fallback="{attr(fallback)}" '
            f'data-glossary-editor="{attr(editor)}">{script_json(data)}</script>'
        )

    def pyodide_url(self, page_url: str) -> str:
        """The Pyodide folder as seen from a page: absolute URLs as configured, a site-relative
        folder (``assets/pyodide/``) relative to the page, like every other link in it. Resolve
        it against the page (``new URL(value, location.href)``), not against a script."""
        value = self.context.options.pyodide_url
        if not value or re.match(r"^[a-z][a-z0-9+.-]*:|^/", value, re.I):
            return value
        return relative_url(value if value.endswith("/") else value + "/", page_url)
