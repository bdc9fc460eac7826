"""``glossary-gen import --from hugo DIR``: a Hugo glossary section -> glossary_gen entries.

What is mapped (Hugo keys are case-insensitive, as in Hugo; ``[params]`` keys count too):

* ``title``, ``draft``, ``tags``, ``type: glossary``, ``layout`` -> the same keys;
  ``categories`` -> ``tags``; ``synonyms``/``abbreviation``/``acronym`` -> ``aliases``;
  ``aliases`` -> ``aliases`` when they are names, and ``redirect_from`` when they are Hugo URL
  aliases (``/old/path/``: the old addresses, kept so that redirects can be made); so is the
  page's own old address when the new one differs (a nested section, ``url``, ``slug``);
  ``slug`` -> the file name; ``lastmod``/``date``/``publishDate`` -> ``updated: YYYY-MM-DD``;
  ``related``/``related_terms``/``see_also`` -> ``related``; ``references`` -> ``sources``;
  ``description``/``summary`` -> the Summary section when the body has none.
* Related terms given as titles, aliases, slugs or paths (``glossary/neural-network``,
  ``/glossary/neural-network/``, ``../neural-network.md``, ``{{< ref "neural-network" >}}``) are
  written as the target's title; so is a "Related terms"/"See also" section or a last
  ``Related terms: ...`` line of the body, which is removed from the body (glossary_gen generates it).
* Links in the body (Markdown links, ``<a href>``, ``ref``/``relref`` shortcodes) to imported
  pages become ``[[Title|text]]`` wiki links. Links to the rest of the Hugo site (``/guides/...``,
  ``{{< relref "/tools/x.md" >}}``) and images become plain text, or absolute links to the old
  site with ``--base-url``; each is reported at its line. Hugo resolves a path the way Hugo does:
  a ``ref`` from the page's folder, then from the content root; a link from the page's URL.
* Other shortcodes are reported and left out (never published raw); the text between a paired
  shortcode's tags stays; ``highlight`` becomes a code fence; ``<!--more-->`` is dropped.
* Body headings are matched to the site's sections (mkdocs.yml ``sections``; ``Definition`` ->
  Summary, ``Details`` -> In-depth explanation, ...); without headings the first paragraph is the
  Summary and the rest the main section. A required section that cannot be found is written as
  an empty placeholder, which ``glossary-gen check`` then points at; a missing optional one is left
  out. ``init --from hugo`` instead fits the sections to the source (:func:`fit_model`).

Reporting and writing (the decision the issue asks for):

* Everything that could not be mapped is reported as a :class:`Diagnostic` located in the *source*
  file, in the same formats as ``check``. Warnings (a dropped key, an unresolvable related term or
  link, a shortcode, a placeholder section) do not stop the import.
* Errors (unreadable or unparsable front matter, two pages with one slug or title, a name or a file
  that already exists in the entries folder) stop it: **nothing is written** (all-or-nothing), so a
  failed import never leaves half a glossary behind. Fix the cause (or import into an empty folder)
  and run it again.
* Front matter is untrusted input: YAML goes through the loader's safe front-matter parser (the
  same limits as ``check``: size, depth, no anchors, no duplicate keys), files are size-capped.
* The source folder is only read. Existing entries are never overwritten. Each file is written to a
  temporary name and then hard-linked into place, which fails instead of replacing a file that
  appeared meanwhile; on any failure the files created so far are removed again.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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

from glossary_gen.adopt.scaffold import schema_modeline
from glossary_gen.core.addresses import RESERVED_SLUGS
from glossary_gen.core.config import DEFAULT_MODEL, ConfigError, EntryModel, Settings
from glossary_gen.core.diagnostics import Diagnostic, error, sort_diagnostics, warning
from glossary_gen.core.loader import (
    MAX_ENTRY_BYTES,
    MAX_FRONT_MATTER_CHARS,
    SLUG_RE,
    display_path,
    load_entries,
)
from glossary_gen.core.model import Entry, name_key, normalize_heading, slugify
from glossary_gen.core.untrusted_yaml import parse_mapping

#: Hugo key (lower-case) -> what it becomes.
KEY_MAP = {
    "title": "title",
    "draft": "draft",
    "tags": "tags",
    "categories": "tags",
    "type": "type",
    "layout": "layout",
    "slug": "slug",
    "url": "url",
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
    "lastmod": "date",
    "date": "date",
    "publishdate": "date",
    "params": "params",
}

#: Which date becomes ``updated``: the first of these a page has.
_DATE_KEYS = ("lastmod", "date", "publishdate")

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
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_RELATED_LINE = re.compile(
    r"^[\W_]*(?:related(?: terms)?|see also)[*_ \t]*:[*_ \t]*(?P<items>.*)$", re.I
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SC = r"\{\{[<%].*?[>%]\}\}"  # one shortcode, as a link target
_LINK_BODY = (
    r"\[(?P<text>[^\]\n]*)\]\((?P<href><[^>\n]*>|" + _SC + r"|[^)\s]+)"
    r"(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)"
)
_MD_LINK = re.compile(_LINK_BODY)
#: Everything the body converter rewrites, in one pass (so every match keeps its source offset).
_BODY_TOKEN = re.compile(
    r"(?P<esc>\{\{(?P<ed>[<%])/\*(?P<ebody>.*?)\*/[>%]\}\})"
    r"|(?P<anchor><a\s+href\s*=\s*\"(?P<ahref>" + _SC + r"|[^\"]*)\"\s*>(?P<atext>[^<]*)</a>)"
    r"|(?P<link>(?P<bang>!?)" + _LINK_BODY + r")"
    r"|(?P<sc>\{\{(?P<d>[<%])\s*(?P<close>/)?\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*/?\s*[>%]\}\})"
    r"|(?P<more><!--\s*more\s*-->)",
    re.S | re.I,
)
_REF_SHORTCODE = re.compile(r"^\{\{[<%]\s*(?:rel)?ref\b(?P<args>.*?)\s*[>%]\}\}$", re.S)
_HIGHLIGHT = re.compile(
    r"^\s*\{\{<\s*(?P<close>/)?\s*highlight\b\s*(?P<lang>[\w+#.-]*)[^>]*>\}\}\s*$"
)
_SHORTCODE = re.compile(_SC, re.S)
_WIKI = re.compile(r"\[\[(?P<target>[^\]|\n]+)(?:\|[^\]\n]*)?\]\]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


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
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # lower-case key -> place
    slug: str = ""
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    #: Related terms: (name or href, line, column, "ref" for names and Hugo paths, "link" for
    #: Markdown link targets)
    related: list[tuple[str, int, int, str]] = field(default_factory=list)
    out: dict[str, Any] = field(default_factory=dict)  # the new front matter, without related
    file_dir: str = ""  # the folder of the file in the Hugo site's content, e.g. "glossary/ml"
    url: str = ""  # the page's address in the Hugo site, e.g. "glossary/ml/relu"
    url_override: str = ""  # Hugo's `url:` key
    paths: list[str] = field(default_factory=list)  # every site path that names this page
    found: dict[str, str] = field(default_factory=dict)  # section title -> text from the source
    others: list[tuple[str, str]] = field(default_factory=list)  # other sections: title, text


@dataclass
class ImportResult:
    diagnostics: list[Diagnostic]
    #: Target file -> text, in the order they are written.
    files: dict[Path, str]
    written: list[Path]
    #: The entry model the entries were written for (fitted by ``init --from hugo``).
    model: EntryModel = DEFAULT_MODEL
    #: Section title -> how many pages had it in the source.
    found: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


# --- reading ------------------------------------------------------------------------------------


def find_pages(source: Path) -> list[Path]:
    """Markdown pages under ``source``: ``term.md`` and page bundles ``term/index.md``; hidden
    files and folders *inside* ``source`` are skipped (``source`` itself may be ``../x``)."""
    return sorted(
        p
        for p in source.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(source).parts)
    )


def read_page(path: Path, diagnostics: list[Diagnostic]) -> Page | None:
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError as exc:
        diagnostics.append(
            error(shown, 1, 1, "import-unreadable", f"cannot read file: {exc.strerror or exc}")
        )
        return None
    if len(data) > MAX_ENTRY_BYTES:
        diagnostics.append(
            error(
                shown,
                1,
                1,
                "import-too-large",
                f"page is larger than {MAX_ENTRY_BYTES // 1024} KiB; it is not imported",
            )
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
    positions: dict[str, tuple[int, int]] = {}
    meta: dict[str, Any] | None
    if not source.strip():
        meta = {}
    elif delimiter == "---":
        meta = _parse_yaml(source, shown, diagnostics, positions)
    else:
        meta = _parse_toml(source, shown, diagnostics)
    if meta is None:
        return None
    return Page(
        path, shown, meta, lines[1:close], 2, lines[close + 1 :], close + 2, positions=positions
    )


def _parse_yaml(
    source: str, shown: str, diagnostics: list[Diagnostic], positions: dict[str, tuple[int, int]]
) -> dict[str, Any] | None:
    """The one reader for untrusted YAML: the same limits and messages as ``check``."""
    data, found, problems = parse_mapping(
        source,
        shown,
        2,
        "front matter",
        code_prefix="front-matter",
        max_chars=MAX_FRONT_MATTER_CHARS,
    )
    diagnostics += problems
    if data is None:
        return None
    for path, place in found.items():
        if len(path) == 1:
            positions.setdefault(str(path[0]).lower(), place)
        elif len(path) == 2 and str(path[0]).lower() == "params":
            positions.setdefault(str(path[1]).lower(), place)
    return dict(data)


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
    if len(source) > MAX_FRONT_MATTER_CHARS:
        diagnostics.append(
            error(
                shown,
                2,
                1,
                "front-matter-too-large",
                f"front matter is longer than {MAX_FRONT_MATTER_CHARS // 1024} KiB",
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
    except RecursionError:
        diagnostics.append(
            error(shown, 2, 1, "import-toml", "TOML front matter is nested too deeply")
        )
    return None


def _locate_key(page: Page, key: str) -> tuple[int, int]:
    if key.lower() in page.positions:
        return page.positions[key.lower()]
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


def _date(value: Any) -> _dt.date | None:
    """A Hugo date (YAML/TOML date or datetime, or ISO 8601 text) -> its calendar date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        found = _ISO_DATE.match(value)
        if found:
            try:
                return _dt.date(*map(int, found.groups()))
            except ValueError:
                return None
    return None


# --- site paths ---------------------------------------------------------------------------------


def section_path(source: Path) -> tuple[str, bool]:
    """Where the imported section lives in the Hugo site: the folders after ``content/``
    (``site/content/glossary`` -> ``glossary``, known), else the folder's own name (a guess)."""
    parts = source.resolve().parts
    if "content" in parts:
        after = parts[len(parts) - parts[::-1].index("content") :]
        if after:
            return "/".join(after).lower(), True
    return source.resolve().name.lower(), False


def _page_key(path: str) -> str:
    """A site path as a lookup key: lower-case, no slashes around, no ``.md``/``index``."""
    key = path.strip().strip("/").lower()
    key = re.sub(r"\.(md|markdown|html?)$", "", key)
    key = re.sub(r"(^|/)_?index$", "", key)
    return key.strip("/")


def _join(folder: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join("/", folder, path))
    return joined.lstrip("/")


def _site_url(path: str) -> str:
    """The URL path of a site path: pages end with ``/`` (Hugo's pretty URLs), files do not."""
    path = path.strip("/")
    if re.search(r"\.(md|markdown)$", path, re.I):
        path = _page_key(path)
        return path + "/" if path else ""
    last = path.rsplit("/", 1)[-1]
    return path + "/" if path and "." not in last else path


@dataclass(frozen=True)
class _Target:
    kind: str  # "term", "outside" (elsewhere in the site), "missing" (no such term), "external"
    title: str = ""
    path: str = ""  # for outside/missing: the site path


def _ref_target(args: str) -> str:
    named = re.search(r"\bpath\s*=\s*\"([^\"]*)\"", args)
    if named:
        return named.group(1)
    found = re.match(r"\s*(?:\"([^\"]*)\"|`([^`]*)`|([^\s\"]+))", args)
    return next((g for g in found.groups() if g is not None), "") if found else ""


class _Resolver:
    """Names and Hugo paths -> the title of an imported page or an existing entry."""

    def __init__(self, pages: list[Page], existing: list[Entry], section: str) -> None:
        self.section = section
        self.by_name: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        self.by_path: dict[str, str] = {}
        self.slug_of: dict[str, str] = {}
        for page in pages:
            self.slug_of.setdefault(page.title, page.slug)
            self.by_slug.setdefault(page.slug, page.title)
            for name in (page.title, *page.aliases, page.slug):
                self.by_name.setdefault(name_key(name), page.title)
            for path in page.paths:
                self.by_path.setdefault(_page_key(path), page.title)
        for entry in existing:
            self.slug_of.setdefault(entry.title, entry.slug)
            self.by_slug.setdefault(entry.slug, entry.title)
            for name in entry.names:
                self.by_name.setdefault(name_key(name), entry.title)

    def name(self, reference: str, page: Page | None, kind: str = "ref") -> str | None:
        """A related term: a name (title, alias, slug), else a Hugo path, a link target or a
        ``ref`` shortcode."""
        reference = reference.strip()
        if kind == "ref" and name_key(reference) in self.by_name:
            return self.by_name[name_key(reference)]
        found = self.target(reference, page, kind)
        return found.title if found.kind == "term" else None

    def inside(self, key: str) -> bool:
        return key == self.section or key.startswith(self.section + "/")

    def target(self, href: str, page: Page | None, kind: str) -> _Target:
        """Where ``href`` points: ``kind`` is ``link`` (a Markdown/HTML link: relative to the
        page's URL) or ``ref`` (a Hugo content path: the page's folder, then the content root)."""
        href = href.strip()
        if href.startswith("<") and href.endswith(">"):
            href = href[1:-1].strip()
        shortcode = _REF_SHORTCODE.match(href)
        if shortcode:
            href, kind = _ref_target(shortcode.group("args")), "ref"
        elif _SCHEME.match(href) or href.startswith(("#", "//")):
            return _Target("external")
        path = href.split("#")[0].split("?")[0].strip()
        if not path:
            return _Target("external")
        folder, url = (page.file_dir, page.url) if page is not None else (self.section, "")
        if path.startswith("/"):
            candidates = [path.lstrip("/")]
        elif kind == "ref":
            candidates = [_join(folder, path), _join("", path)]
        elif re.search(r"\.(md|markdown)$", path, re.I):
            candidates = [_join(folder, path)]
        else:  # from the page's address; then from its file's, which authors often meant
            candidates = [_join(url, path)]
            if page is not None and page.paths:
                candidates.append(_join(_page_key(page.paths[0]), path))
        for candidate in candidates:
            title = self.by_path.get(_page_key(candidate))
            if title is not None:
                return _Target("term", title)
        bare = _page_key(path)
        if "/" not in bare and bare:
            title = self.by_name.get(name_key(bare)) or self.by_slug.get(slugify(bare))
            if title is not None:
                return _Target("term", title)
        for candidate in candidates:
            key = _page_key(candidate)
            if self.inside(key):
                last = key.rsplit("/", 1)[-1]
                title = self.by_slug.get(slugify(last)) if key != self.section else None
                if title is not None:
                    return _Target("term", title)
                return _Target("missing", path=candidate)
        return _Target("outside", path=candidates[0])


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


# --- the body -----------------------------------------------------------------------------------


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


def _highlight_fences(lines: list[str]) -> list[str]:
    """``{{< highlight go >}}`` ... ``{{< /highlight >}}`` on lines of their own -> a fence."""
    if not any("highlight" in line for line in lines):
        return lines
    out = []
    for line in lines:
        found = _HIGHLIGHT.match(line)
        out.append(
            ("```" + found.group("lang") if not found.group("close") else "```") if found else line
        )
    return out


def _body_sections(
    page: Page, lines: list[str]
) -> tuple[list[str], list[tuple[str, int, int, list[str]]]]:
    """Split the body into preamble lines and (title, level, file line, lines) sections at the
    body's top heading level (deeper headings stay inside their section); a "Related terms" /
    "See also" section or last line is moved into ``page.related``."""
    sections: list[tuple[str, int, int, list[str]]] = []
    preamble: list[str] = []
    current: list[str] = preamble
    fenced, ends_in_fence = _fenced_lines(lines)
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
        for item, href, offset in _split_items(text):
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


class _BodyConverter:
    """Rewrites links and shortcodes in the body text of one page, reporting each at its line."""

    def __init__(
        self,
        page: Page,
        resolver: _Resolver,
        base_url: str | None,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.page = page
        self.resolver = resolver
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.diagnostics = diagnostics

    def lines(self, lines: list[str], first: int) -> str:
        """Convert a run of body lines starting at file line ``first`` (code fences untouched)."""
        out: list[str] = []
        fenced, _ = _fenced_lines(lines)
        start = 0
        while start < len(lines):
            end = start
            while end < len(lines) and fenced[end] == fenced[start]:
                end += 1
            chunk = "\n".join(lines[start:end])
            if fenced[start] or ("{{" not in chunk and "](" not in chunk and "<" not in chunk):
                out.append(chunk)
            else:
                out.append(self.text(chunk, first + start))
            start = end
        return "\n".join(out).strip("\n")

    def text(self, text: str, first: int) -> str:
        def where(offset: int) -> tuple[int, int]:
            return first + text.count("\n", 0, offset), offset - text.rfind("\n", 0, offset)

        def replace(found: re.Match[str]) -> str:
            line, col = where(found.start())
            if found.group("esc") is not None:  # {{</* x */>}}: Hugo shows the shortcode itself
                d = found.group("ed")
                return "{{" + d + found.group("ebody") + ("%" if d == "%" else ">") + "}}"
            if found.group("more") is not None:
                return ""
            if found.group("anchor") is not None:
                return self.link(found.group("atext"), found.group("ahref"), False, line, col)
            if found.group("link") is not None:
                return self.link(
                    found.group("text"),
                    found.group("href"),
                    bool(found.group("bang")),
                    line,
                    col,
                    found.group(0),
                )
            return self.shortcode(found, line, col)

        return _BODY_TOKEN.sub(replace, text)

    def report(self, line: int, col: int, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(warning(self.page.shown, line, col, code, message, hint))

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{_site_url(path)}"

    def link(
        self, text: str, href: str, image: bool, line: int, col: int, raw: str | None = None
    ) -> str:
        kind = "ref" if _REF_SHORTCODE.match(href.strip()) else "link"
        target = self.resolver.target(href, self.page, kind)
        shown = " ".join(href.split())
        if target.kind == "external":
            return raw if raw is not None else f"[{text}]({href})"
        if image:
            if self.base_url:
                self.report(
                    line,
                    col,
                    "import-image",
                    f"image '{shown}' is not imported; it now "
                    f"points at the old site: {self.absolute(target.path)}",
                )
                return f"![{text}]({self.absolute(target.path)})"
            self.report(
                line,
                col,
                "import-image",
                f"image '{shown}' is not imported; "
                f"{'its alt text was kept' if text.strip() else 'it was left out'}",
                "use --base-url to point at the old site's copy",
            )
            return text
        if target.kind == "term" and target.title == self.page.title:
            return text  # a page's link to itself: just its text
        if target.kind == "term":
            title = target.title
            if any(c in title for c in "|[]"):  # would end the wiki link: name it by its slug
                title = self.resolver.slug_of.get(title, title)
            return f"[[{title}]]" if name_key(text) == name_key(title) else f"[[{title}|{text}]]"
        what = "the rest of the Hugo site" if target.kind == "outside" else "no imported page"
        if self.base_url and target.kind == "outside":
            url = self.absolute(target.path) + (
                "#" + href.split("#", 1)[1] if "#" in href and kind == "link" else ""
            )
            self.report(line, col, "import-link", f"link to '{shown}' ({what}) now points at {url}")
            return f"[{text}]({url})"
        self.report(
            line,
            col,
            "import-link",
            f"link to '{shown}' ({what}) became plain text",
            "use --base-url to link to the old site instead" if target.kind == "outside" else None,
        )
        return text

    def shortcode(self, found: re.Match[str], line: int, col: int) -> str:
        name = found.group("name")
        if found.group("close"):
            return ""  # the opening tag was reported
        if name.lower() in ("ref", "relref"):
            raw = found.group("sc")
            target = self.resolver.target(raw, self.page, "ref")
            shown = " ".join(raw.split())
            if target.kind == "term":
                return target.title if target.title == self.page.title else f"[[{target.title}]]"
            if self.base_url and target.kind == "outside":
                url = self.absolute(target.path)
                self.report(line, col, "import-link", f"{shown} now points at {url}")
                return url
            self.report(line, col, "import-link", f"{shown} points at no imported page; left out")
            return ""
        shown = " ".join(found.group("sc").split())
        if len(shown) > 80:
            shown = shown[:77] + "..."
        self.report(
            line,
            col,
            "import-shortcode",
            f"Hugo shortcode '{name}' has no equivalent and was left out: {shown}",
            "rewrite it in Markdown if the page needs it",
        )
        return ""


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
    page: Page, model: EntryModel, convert: _BodyConverter, diagnostics: list[Diagnostic]
) -> None:
    """Fill ``page.found`` (configured section -> text) and ``page.others`` from the body."""
    meta = page.meta
    lines = _highlight_fences(page.body_lines)
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
        line, col = _locate_key(page, summary_key)
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


# --- the front matter ---------------------------------------------------------------------------


def _map_front_matter(page: Page, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """Fill ``page.slug/title/aliases/related`` and return the new front matter (without related)."""
    meta = dict(page.meta)
    params = next((meta.pop(k) for k in list(meta) if k.lower() == "params"), None)
    if isinstance(params, dict):
        for key, value in params.items():
            meta.setdefault(str(key), value)
    out: dict[str, Any] = {"title": None, "aliases": [], "tags": [], "redirect_from": []}
    dates: dict[str, tuple[str, Any]] = {}
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
        elif target == "url":
            if isinstance(value, str) and value.strip():
                page.url_override = value.strip()
        elif target == "date":
            dates[str(key).lower()] = (str(key), value)
        elif target == "aliases":
            for alias in _strings(value):
                if "/" in alias or alias.lower().endswith((".html", ".htm")):
                    if not alias.startswith("/"):  # Hugo: relative to the page's folder
                        alias = (
                            "/" + _join(page.file_dir, alias) + ("/" if alias.endswith("/") else "")
                        )
                    out["redirect_from"].append(alias)
                else:
                    out["aliases"].append(alias)
        elif target == "related":
            for item in _strings(value):
                r_line, r_col = _locate_value(page, item, str(key))
                page.related.append((item, r_line, r_col, "ref"))
        elif target == "sources":
            out.setdefault("sources", []).extend(_sources(value, page, str(key), diagnostics))
        # "summary" is read by read_body
    for name in _DATE_KEYS:
        if name in dates:
            key, value = dates[name]
            day = _date(value)
            if day is not None:
                out["updated"] = day
                break
            line, col = _locate_key(page, key)
            diagnostics.append(
                warning(
                    page.shown,
                    line,
                    col,
                    "import-date",
                    f"'{key}: {value}' is not a date (YYYY-MM-DD...); not used for 'updated'",
                )
            )
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


#: libyaml's emitter where available: the pure-Python one took half of a 431-page import.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_KEY_ORDER = (
    "title",
    "aliases",
    "related",
    "tags",
    "draft",
    "type",
    "layout",
    "updated",
    "redirect_from",
    "sources",
)


def _dump(meta: dict[str, Any], modeline: str) -> str:
    ordered = {k: meta[k] for k in _KEY_ORDER if k in meta and meta[k] not in ([], None)}
    text = yaml.dump(
        ordered,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )
    return f"---\n{modeline}{text}---\n"


_REDIRECT = re.compile(r"^(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)[^\s<>\"'\\]+$")


def _redirects(page: Page, url_prefix: str, own: bool, diagnostics: list[Diagnostic]) -> list[str]:
    """The page's old addresses that differ from its new one, as ``redirect_from`` (its own
    address only when the section's place in the site is known)."""
    new = "/" + _site_url(f"{url_prefix.strip('/')}/{page.slug}")
    found: list[str] = []
    old = ["/" + _site_url(page.url)] if own else []
    for path in [*old, *page.out.get("redirect_from", [])]:
        if path in found or path.rstrip("/") == new.rstrip("/"):
            continue
        if not _REDIRECT.match(path):
            line, col = _locate_value(page, path.lstrip("/"), "aliases")
            diagnostics.append(
                warning(
                    page.shown,
                    line,
                    col,
                    "import-url-alias",
                    f"URL alias '{path}' dropped: not a path on the site",
                )
            )
            continue
        found.append(path)
    return found


# --- converting ---------------------------------------------------------------------------------


def convert(
    source: Path,
    entries_dir: Path,
    settings: Settings | None = None,
    *,
    base_url: str | None = None,
    fit: bool = False,
) -> ImportResult:
    """Read a Hugo glossary folder and build the entry files (nothing is written here). With
    ``fit``, the sections are fitted to the source (``init --from hugo``)."""
    settings = settings or Settings()
    model = settings.entry_model
    diagnostics: list[Diagnostic] = []
    paths = find_pages(source)
    if not paths:
        raise ConfigError(f"no Markdown pages found under '{source}'")
    section, known = section_path(source)
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
        relative = path.relative_to(source).as_posix()
        bundle = path.name == "index.md"
        page.slug = slugify(path.parent.name if bundle else path.stem)
        page.file_dir = _join(section, posixpath.dirname(relative))
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
        file_slug = page.slug
        page.out = _map_front_matter(page, diagnostics)
        # The page's address in the Hugo site: its folder and name, or its own `slug`/`url`.
        name = page.slug if page.slug != file_slug else (path.parent if bundle else path).stem
        folder = posixpath.dirname(page.file_dir) if bundle else page.file_dir
        page.url = _page_key(page.url_override) or _join(folder, name.lower())
        page.paths = [_join(section, relative), page.url]
        pages.append(page)

    existing: list[Entry] = load_entries(entries_dir)[0] if entries_dir.is_dir() else []
    # One listing instead of a stat per page (slow on some file systems).
    taken = {e.name for e in os.scandir(entries_dir)} if entries_dir.is_dir() else set()
    existing_names = {name_key(n): e for e in existing for n in e.names}
    seen_slugs: dict[str, Page] = {}
    # Titles, aliases and file names share one namespace (as in `check`): file names and titles
    # first, so that an alias that names another page is dropped, whichever page comes first.
    owners: dict[str, Page] = {}
    collided: set[int] = set()
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
            collided.add(id(page))
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
                    "pages in different folders get one flat file name each; "
                    "give one of them a 'slug:'",
                )
            )
            collided.add(id(page))
        elif target.name in taken:
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
            collided.add(id(page))
        seen_slugs.setdefault(page.slug, page)
        owners.setdefault(page.slug, page)
    for page in pages:
        line, col = _locate_key(page, "title")
        key = name_key(page.title)
        if id(page) in collided:
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
        elif key in owners and owners[key] is not page:
            diagnostics.append(
                error(
                    page.shown,
                    line,
                    col,
                    "import-collision",
                    f"title '{page.title}' is also the title or file name of {owners[key].shown}",
                )
            )
        owners.setdefault(key, page)
    # Every alias also gets a redirect page at its slug (redirects.py): it may not take the
    # address of another term or of another term's alias.
    addresses: dict[str, object] = dict(seen_slugs)
    for entry in existing:
        addresses.setdefault(entry.slug, entry)
        for located in entry.aliases:
            addresses.setdefault(slugify(located.value), entry)
    for page in pages:
        key = name_key(page.title)
        kept: list[str] = []
        for alias in page.aliases:
            a_key = name_key(alias)
            if a_key in {name_key(k) for k in kept}:
                continue  # the same alias twice on one page
            a_slug = slugify(alias)
            if (
                a_key in existing_names
                or owners.get(a_key, page) is not page
                or a_key == key
                or a_slug in RESERVED_SLUGS
                or addresses.get(a_slug, page) is not page
            ):
                a_line, a_col = _locate_value(page, alias, "aliases")
                diagnostics.append(
                    warning(
                        page.shown,
                        a_line,
                        a_col,
                        "import-alias",
                        f"alias '{alias}' dropped: it already names another term or this title, "
                        "or its address is another term's",
                    )
                )
                continue
            owners.setdefault(a_key, page)
            addresses.setdefault(a_slug, page)
            kept.append(alias)
        page.aliases = kept
        page.out["aliases"] = kept

    resolve = _Resolver(pages, existing, section)
    url_prefix = str(settings.plugin.get("url_prefix", "glossary/"))
    found: dict[str, int] = {}
    for page in pages:
        converter = _BodyConverter(page, resolve, base_url, diagnostics)
        read_body(page, model, converter, diagnostics)  # also collects related terms
        for heading in page.found:
            found[heading] = found.get(heading, 0) + 1
        related: list[str] = []
        for name, line, col, kind in page.related:
            title = resolve.name(name, page, kind)
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
        page.out["related"] = related
        page.out["redirect_from"] = _redirects(page, url_prefix, known, diagnostics)
    if fit:
        model = fit_model(model, found, len(pages))
    modeline = schema_modeline(entries_dir, settings)
    files: dict[Path, str] = {}
    for page in pages:
        body = page_text(page, model, diagnostics)
        files.setdefault(entries_dir / f"{page.slug}.md", _dump(page.out, modeline) + body)
    return ImportResult(sort_diagnostics(diagnostics), files, [], model, found, len(pages))


# --- writing ------------------------------------------------------------------------------------


def write_all(files: dict[Path, str]) -> list[Path]:
    """Write every file or none: each goes to a temporary name, then is hard-linked into place
    (which never replaces an existing file); on a failure the files already placed are removed."""
    written: list[Path] = []
    try:
        for folder in {target.parent for target in files}:
            folder.mkdir(parents=True, exist_ok=True)
        for target, text in files.items():
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


def check_source(source: Path, entries_dir: Path) -> None:
    if not source.is_dir():
        raise ConfigError(f"Hugo folder '{source}' does not exist")
    if (
        entries_dir.resolve() == source.resolve()
        or source.resolve() in entries_dir.resolve().parents
    ):
        raise ConfigError(
            "the entries folder must not be inside the Hugo folder (the source is never changed)"
        )


def import_hugo(
    source: Path,
    entries_dir: Path,
    *,
    dry_run: bool = False,
    settings: Settings | None = None,
    base_url: str | None = None,
) -> ImportResult:
    """Convert ``source`` and, when there is no error and not ``dry_run``, write the entries."""
    check_source(source, entries_dir)
    result = convert(source, entries_dir, settings, base_url=base_url)
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


def section_report(result: ImportResult) -> Iterable[str]:
    """One line per section: how many source pages had it, and what that means."""
    for spec in result.model.sections:
        have = result.found.get(spec.title, 0)
        state = "required" if spec.required else "optional"
        line = f"section '{spec.title}' ({state}): found in {have} of {result.pages} pages"
        if spec.required and have < result.pages:
            line += (
                f"; {result.pages - have} placeholder(s) to fill in, or make it optional in "
                f"mkdocs.yml (sections: - title: {spec.title}, required: false)"
            )
        yield line


def summarize(result: ImportResult, entries_dir: Path, dry_run: bool) -> Iterable[str]:
    errors = sum(d.is_error for d in result.diagnostics)
    warnings = len(result.diagnostics) - errors
    if errors:
        yield f"nothing written: {errors} error(s), {warnings} warning(s)"
        return
    yield from section_report(result)
    where = display_path(entries_dir)
    if dry_run:
        yield f"dry run: would write {len(result.files)} entries into {where}, {warnings} warning(s)"
    else:
        yield (
            f"wrote {len(result.written)} entries into {where}, {warnings} warning(s); "
            "next: glossary-gen check"
        )
