"""A Hugo page's body -> the site's sections (mkdocs.yml ``sections``), in their order.

Hugo pages are free-form Markdown; an entry has named sections. Body headings are matched to the
configured sections by name or by a common synonym (``Definition`` -> Summary, ``Details`` ->
In-depth explanation, ...); a page without headings gives its first paragraph to the Summary and
the rest to the main section; a "Related terms"/"See also" section or last line becomes related
terms. A missing required section is written as a placeholder that ``check`` points at, and
:func:`fit_model` fits the sections to the source instead (``init --from hugo``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from glossary_gen.adopt.hugo.links import split_items
from glossary_gen.adopt.hugo.page import Page
from glossary_gen.adopt.hugo.shortcodes import BodyConverter, fenced_lines, highlight_fences
from glossary_gen.core.config import EntryModel
from glossary_gen.core.diagnostics import Diagnostic, warning
from glossary_gen.core.model import normalize_heading

#: Body headings (normalized) that mean one of the default sections.
SECTION_NAMES = {
    "Summary": {
        "summary",
        "definition",
        "short definition",
        "overview",
        "tl;dr",
        "tldr",
        "in short",
    },
    "ELI5": {
        "eli5",
        "explain like i'm five",
        "explain like im five",
        "in simple terms",
        "simple explanation",
        "in plain english",
        "plain english",
        "intuition",
        "the intuition",
    },
    "In-depth explanation": {
        "in-depth explanation",
        "in depth explanation",
        "in-depth",
        "in depth",
        "details",
        "detailed explanation",
        "explanation",
        "how it works",
        "description",
    },
}
_RELATED_HEADINGS = {"related", "related terms", "related entries", "related concepts", "see also"}
#: The section the text after the Summary goes to when the page has no headings.
_MAIN_SECTION = "In-depth explanation"

_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")
_RELATED_LINE = re.compile(
    r"^[\W_]*(?:related(?: terms)?|see also)[*_ \t]*:[*_ \t]*(?P<items>.*)$", re.I
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _body_sections(
    page: Page, lines: list[str]
) -> tuple[list[str], list[tuple[str, int, int, list[str]]]]:
    """Split the body into preamble lines and (title, level, file line, lines) sections at the
    body's top heading level (deeper headings stay inside their section); a "Related terms" /
    "See also" section or last line is moved into ``page.related``."""
    sections: list[tuple[str, int, int, list[str]]] = []
    preamble: list[str] = []
    current: list[str] = preamble
    fenced, ends_in_fence = fenced_lines(lines)
    headings = {}
    for index, line in enumerate(lines):
        heading = None if fenced[index] else _HEADING.match(line)
        if heading and len(heading.group("hashes")) <= 4:
            headings[index] = heading
    top = min((len(h.group("hashes")) for h in headings.values()), default=2)
    for index, line in enumerate(lines):
        heading = headings.get(index)
        level = len(heading.group("hashes")) if heading else 0
        if heading and (
            level == top
            or heading.group("title").strip().rstrip(":").casefold() in _RELATED_HEADINGS
        ):
            current = []
            sections.append(
                (heading.group("title").strip(), level, page.body_first + index, current)
            )
            continue
        if heading and level > top:  # a subsection: below the level-3 sections it lands in
            line = "#" * min(6, 3 + level - top) + line[level:]
        current.append(line)

    def take_related(text: str, line: int, column: int) -> None:
        for item, href, offset in split_items(text):
            page.related.append((href or item, line, column + offset, "link" if href else "ref"))

    kept = []
    for title, level, heading_line, content in sections:
        if title.strip().rstrip(":").casefold() in _RELATED_HEADINGS:
            for offset, raw in enumerate(content):
                bullet = _BULLET.match(raw)
                start = bullet.end() if bullet else 0
                if raw[start:].strip():
                    take_related(raw[start:], heading_line + 1 + offset, start + 1)
            continue
        kept.append((title, level, heading_line, content))
    sections = kept

    # A last "Related terms: a, b" line (outside any fence) at the end of the body.
    last = sections[-1][3] if sections else preamble
    first_line = sections[-1][2] + 1 if sections else page.body_first
    non_blank = [i for i, raw in enumerate(last) if raw.strip()]
    if non_blank:
        index = non_blank[-1]
        found = _RELATED_LINE.match(last[index])
        if found and not ends_in_fence:
            take_related(found.group("items"), first_line + index, found.start("items") + 1)
            del last[index]
    return preamble, sections


def _paragraphs(text: str) -> tuple[str, str]:
    """(first paragraph, the rest) of a Markdown text."""
    parts = re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _section_names(model: EntryModel) -> dict[str, str]:
    """Normalized heading -> the configured section it means."""
    names: dict[str, str] = {}
    for spec in model.sections:
        names.setdefault(spec.key, spec.title)
    for spec in model.sections:
        for synonym in SECTION_NAMES.get(spec.title, ()):
            names.setdefault(synonym, spec.title)
    return names


def _main_section(model: EntryModel) -> str:
    """Where a page's text after its first paragraph goes when it has no headings."""
    spec = model.section(_MAIN_SECTION)
    return spec.title if spec is not None else model.sections[-1].title


def read_body(
    page: Page, model: EntryModel, convert: BodyConverter, diagnostics: list[Diagnostic]
) -> None:
    """Fill ``page.found`` (configured section -> text) and ``page.others`` from the body."""
    meta = page.meta
    lines = highlight_fences(page.body_lines)
    preamble, sections = _body_sections(page, lines)
    names = _section_names(model)
    for title, _level, line, content in sections:
        text = convert.lines(content, line + 1)
        canonical = names.get(normalize_heading(title))
        if canonical and canonical not in page.found:
            if text:
                page.found[canonical] = text
        else:
            page.others.append((title, text))
    intro = convert.lines(preamble, page.body_first)

    lead = model.sections[0].title
    summary_key = next((k for k in meta if k.lower() in ("description", "summary")), None)
    summary_meta = meta.get(summary_key) if summary_key else None
    if lead not in page.found and isinstance(summary_meta, str) and summary_meta.strip():
        page.found[lead] = " ".join(summary_meta.split())
    elif summary_key is not None:
        line, col = page.locate_key(summary_key)
        diagnostics.append(
            warning(
                page.shown,
                line,
                col,
                "import-dropped-key",
                f"'{summary_key}' dropped: the body already has a Summary section",
            )
        )
    if lead not in page.found and intro:
        page.found[lead], intro = _paragraphs(intro)
    if intro:
        main = _main_section(model)
        if main == lead or main not in page.found:
            page.found[main] = intro + ("\n\n" + page.found[main] if main in page.found else "")
        else:
            page.found[main] = intro + "\n\n" + page.found[main]


def fit_model(model: EntryModel, found: dict[str, int], pages: int) -> EntryModel:
    """The sections fitted to a source: a section every page has stays required, the others
    become optional (the Summary, the tooltip, stays required)."""
    sections = tuple(
        replace(s, required=i == 0 or (pages > 0 and found.get(s.title, 0) == pages))
        for i, s in enumerate(model.sections)
    )
    return replace(model, sections=sections)


def page_text(page: Page, model: EntryModel, diagnostics: list[Diagnostic]) -> str:
    """The entry body for the site's sections: configured order, placeholders for missing
    required sections, other sections after them."""
    parts = []
    for spec in model.sections:
        written = page.found.get(spec.title)
        if not written and not spec.required:
            continue
        if not written:
            diagnostics.append(
                warning(
                    page.shown,
                    page.body_first,
                    1,
                    "import-missing-section",
                    f"no '{spec.title}' section found; an empty one was written for you to fill in",
                )
            )
            written = f"<!-- TODO: write the {spec.title} (imported from {page.file.name} without one). -->"
        parts.append(f"### {spec.title}\n\n{written}\n")
    for title, text in page.others:
        parts.append(f"### {title}\n\n{text}\n" if text else f"### {title}\n")
    return "\n".join(parts)
