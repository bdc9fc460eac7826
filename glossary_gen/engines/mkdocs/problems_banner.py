"""A term page built despite its entry's problems says so at its top: a banner with each located
message, as ``glossary-gen check`` prints it (``entries/x.md:9:1: error[empty-section]: ...``).

That happens in builds that go on despite problems: ``mkdocs serve`` (``scripts/serve``) and
``mkdocs build`` without ``--strict``. A ``--strict`` build (``scripts/test``, CI, Pages) fails on
the first problem instead, so a published site never shows one. The messages quote the entry
(titles, link targets), which is untrusted: every one is escaped, and the banner is plain markup
(Material's admonition styles, no script, no inline style) that the output audit checks after it
is put in, like the rest of the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence

from glossary_gen.core.diagnostics import Diagnostic
from glossary_gen.core.languages import Languages

#: The banner's class (besides Material's admonition ones), for tests and custom CSS.
BANNER_CLASS = "glossary-problems"
_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
#: At most this many messages are listed; the terminal has them all.
LIMIT = 50


def entry_problems(diagnostics: Iterable[Diagnostic], entry_path: str) -> list[Diagnostic]:
    """The problems located in one entry file, each once, in file order."""
    found = {d for d in diagnostics if d.path == entry_path}
    return sorted(found, key=Diagnostic.sort_key)


def banner(problems: Sequence[Diagnostic], say: Callable[[str], str] = str) -> str:
    """The banner's HTML (empty without problems), in the page's words (``say``: English text ->
    its word, :meth:`glossary_gen.core.languages.Languages.words`). The words are escaped, then
    their placeholders filled with numbers and the banner's own markup."""
    if not problems:
        return ""

    def words(text: str, **values: str) -> str:
        return _PLACEHOLDER.sub(
            lambda m: values.get(m.group(1), m.group(0)), html.escape(say(text), quote=False)
        )

    errors = sum(d.is_error for d in problems)
    warnings = len(problems) - errors
    counts = ", ".join(
        words(one if n == 1 else many, n=str(n))
        for n, one, many in (
            (errors, "{n} error", "{n} errors"),
            (warnings, "{n} warning", "{n} warnings"),
        )
        if n
    )
    kind = "failure" if errors else "warning"
    items = "".join(
        f"<li><code>{html.escape(d.format_text())}</code></li>" for d in problems[:LIMIT]
    )
    more = (
        f"<li>{words('… and {n} more (see the terminal)', n=str(len(problems) - LIMIT))}</li>"
        if len(problems) > LIMIT
        else ""
    )
    note = words(
        "Shown while previewing; {check} prints the same lines, and a {strict} build (CI) "
        "fails until they are fixed.",
        check="<code>glossary-gen check</code>",
        strict="<code>--strict</code>",
    )
    return (
        f'<div class="admonition {kind} {BANNER_CLASS}">'
        f'<p class="admonition-title">{words("This entry has {counts}", counts=counts)}</p>'
        f"<ul>{items}{more}</ul>"
        f"<p>{note}</p>"
        "</div>"
    )


def insert_banner(page: str, banner_html: str) -> str:
    """The page with the banner at the top of its article (or of its body)."""
    if not banner_html:
        return page
    for opening in ("<article", "<body"):
        start = page.find(opening)
        if start != -1:
            end = page.find(">", start)
            if end != -1:
                return page[: end + 1] + banner_html + page[end + 1 :]
    return page


def page_with_banner(
    page: str,
    diagnostics: Iterable[Diagnostic],
    entry_path: str,
    url: str,
    languages: Languages | None,
) -> str:
    """``page`` with the banner of its entry's problems, in the page's language (its address's
    first folder, when that is a translated language)."""
    lang = url.split("/", 1)[0]
    words = languages.words(lang) if languages and lang in languages.translated else {}
    found = banner(entry_problems(diagnostics, entry_path), lambda text: words.get(text, text))
    return insert_banner(page, found)
