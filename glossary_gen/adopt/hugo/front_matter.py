"""Hugo front matter -> the entry's front matter.

Hugo pages carry YAML (``---``) or TOML (``+++``) front matter with Hugo's own keys, in any case
and partly under ``[params]``. This module parses it as untrusted input (the loader's limits for
YAML, a size cap for TOML), maps each key to what glossary_gen knows (:data:`KEY_MAP`), reports
what it drops at the key's line, and writes the new front matter in a fixed key order.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from collections.abc import Mapping

import yaml

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml
    except ModuleNotFoundError:
        _toml = None

from glossary_gen.adopt.hugo.page import FrontMatter, Page, site_join, site_url
from glossary_gen.core.diagnostics import Diagnostic, error, warning
from glossary_gen.core.loader import MAX_FRONT_MATTER_CHARS
from glossary_gen.core.model import slugify
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

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def parse_front_matter(
    delimiter: str, source: str, shown: str, diagnostics: list[Diagnostic]
) -> tuple[dict[str, object], dict[str, tuple[int, int]]] | None:
    """The front matter between the ``delimiter`` lines (``---`` YAML, ``+++`` TOML) and where
    each top-level (or ``[params]``) key is, by lower-case key; ``None`` after an error."""
    positions: dict[str, tuple[int, int]] = {}
    meta: dict[str, object] | None
    if not source.strip():
        meta = {}
    elif delimiter == "---":
        meta = _parse_yaml(source, shown, diagnostics, positions)
    else:
        meta = _parse_toml(source, shown, diagnostics)
    return None if meta is None else (meta, positions)


def _parse_yaml(
    source: str, shown: str, diagnostics: list[Diagnostic], positions: dict[str, tuple[int, int]]
) -> dict[str, object] | None:
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


def _parse_toml(source: str, shown: str, diagnostics: list[Diagnostic]) -> dict[str, object] | None:
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


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [
        str(item).strip()
        for item in items
        if not isinstance(item, (dict, list)) and str(item).strip()
    ]


def _date(value: object) -> _dt.date | None:
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


def map_front_matter(page: Page, diagnostics: list[Diagnostic]) -> FrontMatter:
    """Fill ``page.slug/title/aliases/related`` and return the new front matter (without related)."""
    meta = dict(page.meta)
    params = next((meta.pop(k) for k in list(meta) if k.lower() == "params"), None)
    if isinstance(params, dict):
        for key, value in params.items():
            meta.setdefault(str(key), value)
    title: str | None = None
    aliases: list[str] = []
    tags: list[str] = []
    redirect_from: list[str] = []
    out: FrontMatter = {"aliases": aliases, "tags": tags, "redirect_from": redirect_from}
    dates: dict[str, tuple[str, object]] = {}
    for key, value in meta.items():
        target = KEY_MAP.get(str(key).lower())
        line, col = page.locate_key(str(key))
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
            title = " ".join(str(value).split()) or None
        elif target == "draft":
            if value is True:
                out["draft"] = True
        elif target == "tags":
            tags += [t for t in _strings(value) if t.casefold() not in {x.casefold() for x in tags}]
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
                            "/"
                            + site_join(page.file_dir, alias)
                            + ("/" if alias.endswith("/") else "")
                        )
                    redirect_from.append(alias)
                else:
                    aliases.append(alias)
        elif target == "related":
            for item in _strings(value):
                r_line, r_col = page.locate_value(item, str(key))
                page.related.append((item, r_line, r_col, "ref"))
        elif target == "sources":
            out["sources"] = out.get("sources", []) + _sources(value, page, str(key), diagnostics)
        # "summary" is read by read_body
    for name in _DATE_KEYS:
        if name in dates:
            key, value = dates[name]
            day = _date(value)
            if day is not None:
                out["updated"] = day
                break
            line, col = page.locate_key(key)
            diagnostics.append(
                warning(
                    page.shown,
                    line,
                    col,
                    "import-date",
                    f"'{key}: {value}' is not a date (YYYY-MM-DD...); not used for 'updated'",
                )
            )
    if title is None:
        title = page.slug.replace("-", " ").capitalize()
        diagnostics.append(
            warning(
                page.shown,
                1,
                1,
                "import-missing-title",
                f"no title; using '{title}' from the file name",
            )
        )
    out["title"] = page.title = title
    page.aliases = aliases
    return out


def _sources(
    value: object, page: Page, key: str, diagnostics: list[Diagnostic]
) -> list[dict[str, str]]:
    """``references``/``sources``: URLs, titles or ``{title, url}`` tables -> entry sources."""
    found: list[dict[str, str]] = []
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
            line, col = page.locate_key(key)
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


def dump_front_matter(meta: Mapping[str, object], modeline: str) -> str:
    """The front matter as YAML, keys in a fixed order, with the editors' schema modeline."""
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


def redirects(page: Page, url_prefix: str, own: bool, diagnostics: list[Diagnostic]) -> list[str]:
    """The page's old addresses that differ from its new one, as ``redirect_from`` (its own
    address only when the section's place in the site is known)."""
    new = "/" + site_url(f"{url_prefix.strip('/')}/{page.slug}")
    found: list[str] = []
    old = ["/" + site_url(page.url)] if own else []
    for path in [*old, *page.out.get("redirect_from", [])]:
        if path in found or path.rstrip("/") == new.rstrip("/"):
            continue
        if not _REDIRECT.match(path):
            line, col = page.locate_value(path.lstrip("/"), "aliases")
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
