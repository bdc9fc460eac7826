"""``glossary-gen import --from hugo DIR``: a Hugo glossary section -> glossary_gen entries.

What is mapped (Hugo keys are case-insensitive, as in Hugo; ``[params]`` keys count too):

* ``title``, ``draft``, ``tags``, ``type: glossary``, ``layout`` -> the same keys;
  ``categories`` -> ``tags``; ``synonyms``/``abbreviation``/``acronym`` -> ``aliases``;
  ``aliases`` -> ``aliases`` when they are names (Hugo URL aliases such as ``/old/path/`` are
  redirects, not names: dropped with a warning); ``slug`` -> the file name;
  ``related``/``related_terms``/``see_also`` -> ``related``; ``references`` -> ``sources``;
  ``description``/``summary`` -> the Summary section when the body has none.
* Related terms given as titles, aliases, slugs or paths (``glossary/neural-network``,
  ``/glossary/neural-network/``, ``../neural-network.md``, ``{{< ref "neural-network" >}}``) are
  written as the target's title; so is a "Related terms"/"See also" section or a last
  ``Related terms: ...`` line of the body, which is removed from the body (glossary_gen generates it).
* Markdown links to other imported pages (relative paths, ``ref``/``relref`` shortcodes) become
  ``[[Title|text]]`` wiki links.
* Body headings are matched to the required sections (``Definition`` -> Summary, ``Details`` ->
  In-depth explanation, ...); without headings the first paragraph is the Summary and the rest
  the In-depth explanation. A required section that cannot be found is written as an empty
  placeholder, which ``glossary-gen check`` then points at.

Reporting and writing (the decision the issue asks for):

* Everything that could not be mapped is reported as a :class:`Diagnostic` located in the *source*
  file, in the same formats as ``check``. Warnings (a dropped key, a URL alias, an unresolvable
  related term, a leftover shortcode, a placeholder section) do not stop the import.
* Errors (unreadable or unparsable front matter, two pages with one slug or title, a name or a file
  that already exists in the entries folder) stop it: **nothing is written** (all-or-nothing), so a
  failed import never leaves half a glossary behind. Fix the cause (or import into an empty folder)
  and run it again.
* The source folder is only read. Existing entries are never overwritten. Each file is written to a
  temporary name and then hard-linked into place, which fails instead of replacing a file that
  appeared meanwhile; on any failure the files created so far are removed again.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml
    except ModuleNotFoundError:
        _toml = None

from .config import ConfigError
from .diagnostics import Diagnostic, error, sort_diagnostics, warning
from .loader import SLUG_RE, display_path, load_entries
from .model import Entry, name_key
from .scaffold import _schema_reference, slugify

#: Hugo key (lower-case) -> what it becomes.
KEY_MAP = {
    "title": "title",
    "draft": "draft",
    "tags": "tags",
    "categories": "tags",
    "type": "type",
    "layout": "layout",
    "slug": "slug",
    "aliases": "aliases",
    "synonyms": "aliases",
    "abbreviation": "aliases",
    "abbreviations": "aliases",
    "acronym": "aliases",
    "related": "related",
    "related_terms": "related",
    "relatedterms": "related",
    "see_also": "related",
    "seealso": "related",
    "sources": "sources",
    "references": "sources",
    "description": "summary",
    "summary": "summary",
    "params": "params",
}

#: Body headings (normalized) that mean one of the required sections.
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

_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_RELATED_LINE = re.compile(
    r"^[\W_]*(?:related(?: terms)?|see also)[*_ \t]*:[*_ \t]*(?P<items>.*)$", re.I
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(
    r"\[(?P<text>[^\]\n]+)\]\((?P<href>[^)\s]+|\{\{[<%][^}]*[>%]\}\})(?:\s+\"[^\"]*\")?\)"
)
_REF_SHORTCODE = re.compile(r"^\{\{[<%]\s*(?:rel)?ref\s+\"?(?P<target>[^\"\s>%]+)\"?\s*[>%]\}\}$")
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}")
_WIKI = re.compile(r"\[\[(?P<target>[^\]|\n]+)(?:\|[^\]\n]*)?\]\]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@dataclass
class Page:
    """One Hugo page, with the file lines its parts came from."""

    file: Path
    shown: str
    meta: dict[str, Any]
    front_lines: list[str]
    front_first: int  # file line of the first front-matter line
    body_lines: list[str]
    body_first: int
    slug: str = ""
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    related: list[tuple[str, int, int]] = field(default_factory=list)  # name, line, column
    out: dict[str, Any] = field(default_factory=dict)  # the new front matter, without related


@dataclass
class ImportResult:
    diagnostics: list[Diagnostic]
    #: Target file -> text, in the order they are written.
    files: dict[Path, str]
    written: list[Path]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


# --- reading ------------------------------------------------------------------------------------


def find_pages(source: Path) -> list[Path]:
    """Markdown pages under ``source``: ``term.md`` and page bundles ``term/index.md``."""
    return sorted(
        p for p in source.rglob("*.md") if not any(part.startswith(".") for part in p.parts)
    )


def read_page(path: Path, diagnostics: list[Diagnostic]) -> Page | None:
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(
            error(shown, 1, 1, "import-unreadable", f"cannot read file: {exc.strerror or exc}")
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        diagnostics.append(error(shown, 1, 1, "import-encoding", "file is not valid UTF-8"))
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    delimiter = lines[0].rstrip()
    if delimiter not in ("---", "+++"):
        hint = "JSON front matter is not supported" if lines[0].startswith("{") else None
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-front-matter",
                "no front matter: expected '---' (YAML) or '+++' (TOML) on the first line",
                hint,
            )
        )
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == delimiter), None)
    if close is None:
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-front-matter",
                f"front matter opened with '{delimiter}' is never closed",
            )
        )
        return None
    source = "\n".join(lines[1:close])
    meta = (
        _parse_yaml(source, shown, diagnostics)
        if delimiter == "---"
        else _parse_toml(source, shown, diagnostics)
    )
    if meta is None:
        return None
    return Page(path, shown, meta, lines[1:close], 2, lines[close + 1 :], close + 2)


def _parse_yaml(source: str, shown: str, diagnostics: list[Diagnostic]) -> dict[str, Any] | None:
    try:
        data = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML front matter: {exc.problem or exc}"
        if exc.context and exc.context_mark and mark is not exc.context_mark:
            message += f" ({exc.context} started on line {exc.context_mark.line + 2})"
        diagnostics.append(error(shown, line, col, "import-yaml", message))
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(error(shown, 1, 1, "import-yaml", f"invalid YAML front matter: {exc}"))
        return None
    if not isinstance(data, dict):
        diagnostics.append(
            error(shown, 2, 1, "import-yaml", "front matter must be a mapping of keys to values")
        )
        return None
    return data


def _parse_toml(source: str, shown: str, diagnostics: list[Diagnostic]) -> dict[str, Any] | None:
    if _toml is None:  # pragma: no cover - Python 3.10 without tomli
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-toml",
                "TOML front matter needs Python 3.11+ or the 'tomli' package",
                "pip install tomli",
            )
        )
        return None
    try:
        return _toml.loads(source)
    except _toml.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, col = (int(found.group(1)) + 1, int(found.group(2))) if found else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        diagnostics.append(
            error(shown, line, col, "import-toml", f"invalid TOML front matter: {message}")
        )
        return None


def _locate_key(page: Page, key: str) -> tuple[int, int]:
    pattern = re.compile(r"^(\s*)[\"']?" + re.escape(key) + r"[\"']?\s*[:=]", re.I)
    for index, line in enumerate(page.front_lines):
        found = pattern.match(line)
        if found:
            return page.front_first + index, len(found.group(1)) + 1
    return 1, 1


def _locate_value(page: Page, value: str, key: str) -> tuple[int, int]:
    start, _ = _locate_key(page, key)
    for index in range(max(start - page.front_first, 0), len(page.front_lines)):
        column = page.front_lines[index].find(value)
        if column >= 0:
            return page.front_first + index, column + 1
    return start, 1


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [
        str(item).strip()
        for item in items
        if not isinstance(item, (dict, list)) and str(item).strip()
    ]


# --- converting ---------------------------------------------------------------------------------


class _Resolver:
    """Names and paths -> the title of an imported page or an existing entry."""

    def __init__(self, pages: list[Page], existing: list[Entry]) -> None:
        self.by_name: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        for page in pages:
            self.by_slug.setdefault(page.slug, page.title)
            for name in (page.title, *page.aliases, page.slug):
                self.by_name.setdefault(name_key(name), page.title)
        for entry in existing:
            self.by_slug.setdefault(entry.slug, entry.title)
            for name in entry.names:
                self.by_name.setdefault(name_key(name), entry.title)

    def __call__(self, reference: str) -> str | None:
        reference = reference.strip()
        shortcode = _REF_SHORTCODE.match(reference)
        if shortcode:
            reference = shortcode.group("target")
        if name_key(reference) in self.by_name:
            return self.by_name[name_key(reference)]
        path = reference.split("#")[0].split("?")[0].strip("/")
        parts = [p for p in path.split("/") if p not in ("", ".", "..")]
        while parts and parts[-1] in ("index.md", "_index.md", "index", "index.html"):
            parts.pop()
        if not parts:
            return None
        last = re.sub(r"\.(md|html)$", "", parts[-1])
        return self.by_slug.get(slugify(last))


def _looks_like_path(href: str) -> bool:
    return bool(_REF_SHORTCODE.match(href)) or (
        not _SCHEME.match(href) and not href.startswith(("#", "mailto:"))
    )


def _split_items(text: str) -> list[tuple[str, str | None, int]]:
    """Items of a related list: (text, href or None, column offset in ``text``)."""
    items: list[tuple[str, str | None, int]] = []
    taken = [" "] * len(text)
    for found in _MD_LINK.finditer(text):
        items.append((found.group("text"), found.group("href"), found.start()))
        taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    for found in _WIKI.finditer(text):
        if taken[found.start()] != "\0":
            items.append((found.group("target"), None, found.start()))
            taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    for found in _SHORTCODE.finditer(text):
        if taken[found.start()] != "\0":
            items.append((found.group(0), found.group(0), found.start()))
            taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    rest = "".join(c if t != "\0" else "," for c, t in zip(text, taken, strict=False))
    for found in re.finditer(r"[^,;|·]+", rest):
        item = found.group(0).strip().strip("*_`").strip()
        item = item.rstrip(".").strip()
        if any(c.isalnum() for c in item) and item.casefold() != "and":
            items.append((item, None, found.start() + found.group(0).find(item[0])))
    return sorted(items, key=lambda i: i[2])


def _fenced_lines(lines: list[str]) -> tuple[list[bool], bool]:
    """Which lines belong to a fenced code block (its fences included), which the importer
    copies untouched, and whether the text ends inside an unclosed fence."""
    flags: list[bool] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            flags.append(True)
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)
        flags.append(opened is not None)
    return flags, fence is not None


def _body_sections(
    page: Page, diagnostics: list[Diagnostic]
) -> tuple[list[str], list[tuple[str, int, int, list[str]]]]:
    """Split the body into preamble lines and (title, level, file line, lines) sections; a
    "Related terms"/"See also" section or last line is moved into ``page.related``."""
    lines = page.body_lines
    sections: list[tuple[str, int, int, list[str]]] = []
    preamble: list[str] = []
    current: list[str] = preamble
    fenced, ends_in_fence = _fenced_lines(lines)
    for index, line in enumerate(lines):
        heading = None if fenced[index] else _HEADING.match(line)
        if heading and len(heading.group("hashes")) in (2, 3, 4):
            current = []
            sections.append(
                (
                    heading.group("title").strip(),
                    len(heading.group("hashes")),
                    page.body_first + index,
                    current,
                )
            )
            continue
        current.append(line)

    def take_related(text: str, line: int, column: int) -> None:
        for item, href, offset in _split_items(text):
            page.related.append((href or item, line, column + offset))

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


def _convert_links(
    text: str, line: int, page: Page, resolve: _Resolver, diagnostics: list[Diagnostic]
) -> str:
    def replace(found: re.Match[str]) -> str:
        href, label = found.group("href"), found.group("text")
        if not _looks_like_path(href):
            return found.group(0)
        title = resolve(href)
        if title is None:
            if _REF_SHORTCODE.match(href):
                diagnostics.append(
                    warning(
                        page.shown,
                        line,
                        found.start() + 1,
                        "import-link",
                        f"link target '{href}' is not an imported page; left as is",
                    )
                )
            return found.group(0)
        return f"[[{title}]]" if name_key(label) == name_key(title) else f"[[{title}|{label}]]"

    converted = _MD_LINK.sub(replace, text)
    for found in _SHORTCODE.finditer(converted):
        diagnostics.append(
            warning(
                page.shown,
                line,
                text.find(found.group(0)) + 1 if found.group(0) in text else 1,
                "import-shortcode",
                f"Hugo shortcode {found.group(0)!r} has no equivalent and is left as text",
                "rewrite it in Markdown",
            )
        )
    return converted


def _render_lines(
    lines: list[str], first: int, page: Page, resolve: _Resolver, diagnostics: list[Diagnostic]
) -> str:
    out = []
    fenced, _ = _fenced_lines(lines)
    for offset, raw in enumerate(lines):
        convert = not fenced[offset] and ("](" in raw or "{{" in raw)
        out.append(
            _convert_links(raw, first + offset, page, resolve, diagnostics) if convert else raw
        )
    return "\n".join(out).strip("\n")


def _paragraphs(text: str) -> tuple[str, str]:
    """(first paragraph, the rest) of a Markdown text."""
    parts = re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def convert_page(page: Page, resolve: _Resolver, diagnostics: list[Diagnostic]) -> str:
    """The entry text for one page (front matter already mapped into ``page``)."""
    meta = page.meta
    preamble, sections = _body_sections(page, diagnostics)
    wanted: dict[str, str | None] = dict.fromkeys(SECTION_NAMES)
    others: list[tuple[str, int, str]] = []
    for title, level, line, content in sections:
        text = _render_lines(content, line + 1, page, resolve, diagnostics)
        key = title.strip().rstrip(":").casefold()
        canonical = next((name for name, names in SECTION_NAMES.items() if key in names), None)
        if canonical and wanted[canonical] is None:
            wanted[canonical] = text
        else:
            others.append((title, level, text))
    intro = _render_lines(preamble, page.body_first, page, resolve, diagnostics)

    summary_meta = next((meta[k] for k in meta if k.lower() in ("description", "summary")), None)
    if wanted["Summary"] is None and isinstance(summary_meta, str) and summary_meta.strip():
        wanted["Summary"] = " ".join(summary_meta.split())
    elif summary_meta is not None:
        key = next(k for k in meta if k.lower() in ("description", "summary"))
        line, col = _locate_key(page, key)
        diagnostics.append(
            warning(
                page.shown,
                line,
                col,
                "import-dropped-key",
                f"'{key}' dropped: the body already has a Summary section",
            )
        )
    if wanted["Summary"] is None and intro:
        wanted["Summary"], intro = _paragraphs(intro)
    if intro:
        wanted["In-depth explanation"] = intro + (
            "\n\n" + wanted["In-depth explanation"] if wanted["In-depth explanation"] else ""
        )
    for name, written in wanted.items():
        if not written:
            diagnostics.append(
                warning(
                    page.shown,
                    page.body_first,
                    1,
                    "import-missing-section",
                    f"no '{name}' section found; an empty one was written for you to fill in",
                )
            )

    parts = []
    for name, written in wanted.items():
        placeholder = (
            f"<!-- TODO: write the {name} (imported from {page.file.name} without one). -->"
        )
        parts.append(f"### {name}\n\n{written or placeholder}\n")
    for title, level, text in others:
        parts.append(f"{'#' * level} {title}\n\n{text}\n" if text else f"{'#' * level} {title}\n")
    return "\n".join(parts)


def _map_front_matter(page: Page, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """Fill ``page.slug/title/aliases/related`` and return the new front matter (without related)."""
    meta = dict(page.meta)
    params = next((meta.pop(k) for k in list(meta) if k.lower() == "params"), None)
    if isinstance(params, dict):
        for key, value in params.items():
            meta.setdefault(key, value)
    out: dict[str, Any] = {"title": None, "aliases": [], "tags": []}
    for key, value in meta.items():
        target = KEY_MAP.get(str(key).lower())
        line, col = _locate_key(page, str(key))
        if target is None or target == "params":
            diagnostics.append(
                warning(
                    page.shown,
                    line,
                    col,
                    "import-dropped-key",
                    f"front-matter key '{key}' has no equivalent in glossary_gen; dropped",
                )
            )
        elif target == "title":
            out["title"] = " ".join(str(value).split()) or None
        elif target == "draft":
            if value is True:
                out["draft"] = True
        elif target == "tags":
            out["tags"] += [
                t
                for t in _strings(value)
                if t.casefold() not in {x.casefold() for x in out["tags"]}
            ]
        elif target == "type":
            if str(value).strip().lower() == "glossary":
                out["type"] = "glossary"
            else:
                diagnostics.append(
                    warning(
                        page.shown,
                        line,
                        col,
                        "import-dropped-key",
                        f"'type: {value}' dropped (glossary_gen only knows 'glossary')",
                    )
                )
        elif target == "layout":
            if isinstance(value, str) and value.strip():
                out["layout"] = value.strip()
        elif target == "slug":
            page.slug = slugify(str(value)) or page.slug
        elif target == "aliases":
            for alias in _strings(value):
                if "/" in alias:
                    a_line, a_col = _locate_value(page, alias, str(key))
                    diagnostics.append(
                        warning(
                            page.shown,
                            a_line,
                            a_col,
                            "import-url-alias",
                            f"URL alias '{alias}' dropped: it is a Hugo redirect, not a name",
                        )
                    )
                else:
                    out["aliases"].append(alias)
        elif target == "related":
            for item in _strings(value):
                r_line, r_col = _locate_value(page, item, str(key))
                page.related.append((item, r_line, r_col))
        elif target == "sources":
            out.setdefault("sources", []).extend(_sources(value, page, str(key), diagnostics))
        # "summary" is read by convert_page
    if out["title"] is None:
        out["title"] = page.slug.replace("-", " ").capitalize()
        diagnostics.append(
            warning(
                page.shown,
                1,
                1,
                "import-missing-title",
                f"no title; using '{out['title']}' from the file name",
            )
        )
    page.title = out["title"]
    page.aliases = out["aliases"]
    return out


def _sources(
    value: Any, page: Page, key: str, diagnostics: list[Diagnostic]
) -> list[dict[str, Any]]:
    found = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and re.match(r"^https?://\S+$", item.strip()):
            found.append({"title": item.strip(), "url": item.strip()})
        elif isinstance(item, str) and item.strip():
            found.append({"title": item.strip()})
        elif isinstance(item, dict) and (item.get("title") or item.get("name")):
            source = {"title": str(item.get("title") or item.get("name"))}
            url = item.get("url") or item.get("link") or item.get("href")
            if isinstance(url, str) and re.match(r"^https?://[^\s<>\"]+$", url):
                source["url"] = url
            found.append(source)
        else:
            line, col = _locate_key(page, key)
            diagnostics.append(
                warning(
                    page.shown, line, col, "import-source", f"source {item!r} has no title; dropped"
                )
            )
    return found


def _dump(meta: dict[str, Any], schema: str) -> str:
    ordered = {
        k: meta[k]
        for k in ("title", "aliases", "related", "tags", "draft", "type", "layout", "sources")
        if k in meta and meta[k] not in ([], None)
    }
    text = yaml.safe_dump(
        ordered, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000
    )
    return f"---\n# yaml-language-server: $schema={schema}\n{text}---\n"


def convert(source: Path, entries_dir: Path) -> ImportResult:
    """Read a Hugo glossary folder and build the entry files (nothing is written here)."""
    diagnostics: list[Diagnostic] = []
    paths = find_pages(source)
    if not paths:
        raise ConfigError(f"no Markdown pages found under '{source}'")
    pages: list[Page] = []
    for path in paths:
        if path.name == "_index.md":
            diagnostics.append(
                warning(
                    display_path(path),
                    1,
                    1,
                    "import-skipped",
                    "section list page (_index.md) skipped: the index page is generated",
                )
            )
            continue
        page = read_page(path, diagnostics)
        if page is None:
            continue
        page.slug = slugify(path.parent.name if path.name == "index.md" else path.stem)
        kind = next((v for k, v in page.meta.items() if k.lower() == "type"), None)
        if kind is not None and str(kind).strip().lower() != "glossary":
            line, col = _locate_key(page, "type")
            diagnostics.append(
                warning(
                    page.shown,
                    line,
                    col,
                    "import-skipped",
                    f"page of type '{kind}' is not a glossary term; skipped",
                )
            )
            continue
        page.out = _map_front_matter(page, diagnostics)
        pages.append(page)

    existing: list[Entry] = load_entries(entries_dir)[0] if entries_dir.is_dir() else []
    existing_names = {name_key(n): e for e in existing for n in e.names}
    seen_slugs: dict[str, Page] = {}
    seen_names: dict[str, Page] = {}
    for page in pages:
        if not SLUG_RE.match(page.slug):
            diagnostics.append(
                error(
                    page.shown,
                    1,
                    1,
                    "import-slug",
                    f"cannot make a file name from '{page.file.name}'",
                )
            )
            continue
        target = entries_dir / f"{page.slug}.md"
        if page.slug in seen_slugs:
            diagnostics.append(
                error(
                    page.shown,
                    1,
                    1,
                    "import-collision",
                    f"{page.slug}.md would also be written from {seen_slugs[page.slug].shown}",
                )
            )
        elif target.exists():
            diagnostics.append(
                error(
                    page.shown,
                    1,
                    1,
                    "import-collision",
                    f"{display_path(target)} already exists and is never overwritten",
                    "import into an empty folder with --entries, or remove that entry first",
                )
            )
        collided = seen_slugs.setdefault(page.slug, page) is not page or target.exists()
        line, col = _locate_key(page, "title")
        key = name_key(page.title)
        if collided:
            pass  # one message per cause: the file collision already says it
        elif key in existing_names:
            diagnostics.append(
                error(
                    page.shown,
                    line,
                    col,
                    "import-collision",
                    f"title '{page.title}' is already defined by {existing_names[key].path}",
                )
            )
        elif key in seen_names and seen_names[key] is not page:
            diagnostics.append(
                error(
                    page.shown,
                    line,
                    col,
                    "import-collision",
                    f"title '{page.title}' is also the title or an alias of {seen_names[key].shown}",
                )
            )
        seen_names.setdefault(key, page)
        kept = []
        for alias in page.aliases:
            a_key = name_key(alias)
            if (
                a_key in existing_names
                or (a_key in seen_names and seen_names[a_key] is not page)
                or a_key == key
            ):
                a_line, a_col = _locate_value(page, alias, "aliases")
                diagnostics.append(
                    warning(
                        page.shown,
                        a_line,
                        a_col,
                        "import-alias",
                        f"alias '{alias}' dropped: it already names another term or this title",
                    )
                )
                continue
            seen_names.setdefault(a_key, page)
            kept.append(alias)
        page.aliases = kept
        page.out["aliases"] = kept

    resolve = _Resolver(pages, existing)
    schema = _schema_reference(entries_dir)
    files: dict[Path, str] = {}
    for page in pages:
        out = page.out
        body = convert_page(page, resolve, diagnostics)  # also collects related terms from the body
        related: list[str] = []
        for name, line, col in page.related:
            title = resolve(name)
            if title is None:
                diagnostics.append(
                    warning(
                        page.shown,
                        line,
                        col,
                        "import-related",
                        f"related term '{name}' matches no imported page or existing entry; dropped",
                    )
                )
            elif name_key(title) == name_key(page.title):
                continue
            elif title not in related:
                related.append(title)
        out["related"] = related
        files.setdefault(entries_dir / f"{page.slug}.md", _dump(out, schema) + body)
    return ImportResult(sort_diagnostics(diagnostics), files, [])


# --- writing ------------------------------------------------------------------------------------


def write_all(files: dict[Path, str]) -> list[Path]:
    """Write every file or none: each goes to a temporary name, then is hard-linked into place
    (which never replaces an existing file); on a failure the files already placed are removed."""
    written: list[Path] = []
    try:
        for target, text in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                    stream.write(text)
                try:
                    os.link(temporary, target)
                except FileExistsError:
                    raise
                except OSError:  # no hard links on this file system: exclusive create instead
                    with open(target, "x", encoding="utf-8", newline="\n") as stream:
                        stream.write(text)
            finally:
                os.unlink(temporary)
            written.append(target)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def import_hugo(source: Path, entries_dir: Path, *, dry_run: bool = False) -> ImportResult:
    """Convert ``source`` and, when there is no error and not ``dry_run``, write the entries."""
    if not source.is_dir():
        raise ConfigError(f"Hugo folder '{source}' does not exist")
    if (
        entries_dir.resolve() == source.resolve()
        or source.resolve() in entries_dir.resolve().parents
    ):
        raise ConfigError(
            "the entries folder must not be inside the Hugo folder (the source is never changed)"
        )
    result = convert(source, entries_dir)
    if result.ok and not dry_run:
        try:
            result.written = write_all(result.files)
        except FileExistsError as exc:
            target = Path(exc.filename2 or exc.filename or entries_dir)
            result.diagnostics.append(
                error(
                    display_path(target),
                    1,
                    1,
                    "import-collision",
                    "this file appeared while importing; nothing was written",
                )
            )
    return result


def summarize(result: ImportResult, entries_dir: Path, dry_run: bool) -> Iterable[str]:
    errors = sum(d.is_error for d in result.diagnostics)
    warnings = len(result.diagnostics) - errors
    if errors:
        yield f"nothing written: {errors} error(s), {warnings} warning(s)"
    elif dry_run:
        where = display_path(entries_dir)
        yield f"dry run: would write {len(result.files)} entries into {where}, {warnings} warning(s)"
    else:
        where = display_path(entries_dir)
        yield (
            f"wrote {len(result.written)} entries into {where}, {warnings} warning(s); "
            "next: glossary-gen check"
        )
