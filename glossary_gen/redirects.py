"""Redirect pages: every alias keeps a URL, ``glossary/<alias-slug>/``, that leads to its term.

So a term renamed with its old title kept as an alias never breaks a link to the old page. Like
mkdocs-redirects, each redirect is a small HTML file written as is (a canonical link, a meta
refresh and a plain link), not a page rendered through the theme: cheap at any size, and the
same under ``mkdocs serve``.

The alias slug is :func:`~glossary_gen.model.slugify` of the alias (the file name ``new`` would
give it). :func:`check_alias_slugs` is a validation rule: an alias slug that is another entry's
slug, another entry's alias slug, or a reserved name (the index page) is a located error, since
one of the two pages would silently replace the other.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diagnostics import Diagnostic, error
from .model import Entry, Located, name_key, slugify

#: Slugs the site itself uses in the term folder: ``index`` is the A-Z page.
RESERVED_SLUGS = frozenset({"index"})


@dataclass(frozen=True)
class Redirect:
    """The page at ``slug`` (under the term folder) leads to ``entry``; ``alias`` wrote it."""

    slug: str
    alias: Located
    entry: Entry


def alias_slugs(entry: Entry) -> list[tuple[Located, str]]:
    """Each alias of an entry with its slug, in order; one per slug, leaving out the aliases whose
    slug is empty (nothing to slugify) or the entry's own (its page is already there)."""
    seen = {entry.slug}
    found = []
    for alias in entry.aliases:
        slug = slugify(alias.value)
        if slug and slug not in seen:
            seen.add(slug)
            found.append((alias, slug))
    return found


def _claims(entries: Sequence[Entry]) -> tuple[dict[str, Entry], list[tuple[Entry, Located, str]]]:
    by_slug: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        by_slug.setdefault(entry.slug, entry)
    aliases = [
        (entry, alias, slug)
        for entry in sorted(entries, key=lambda e: e.path)
        for alias, slug in alias_slugs(entry)
    ]
    return by_slug, aliases


def check_alias_slugs(entries: Sequence[Entry]) -> Iterable[Diagnostic]:
    """An alias's redirect page may not take the place of a term page, of another alias's
    redirect or of the index. Clashes of the names themselves (``ReLU`` and ``relu``) are
    ``duplicate-alias`` errors already; this finds the ones only the slug reveals
    (``Rectified linear unit`` and ``rectified-linear unit``)."""
    by_slug, aliases = _claims(entries)
    owners: dict[str, tuple[Entry, Located]] = {}
    for entry, alias, slug in aliases:
        key = name_key(alias.value)
        term = by_slug.get(slug)
        if slug in RESERVED_SLUGS:
            yield error(
                entry.path,
                alias.line,
                alias.column,
                "alias-slug",
                f"alias '{alias.value}' would have the address '{slug}/', "
                f"which is the glossary's own {slug} page",
                "reword the alias",
            )
        elif term is not None and term is not entry:
            if key not in {name_key(n) for n in term.names}:  # else: duplicate-alias already
                yield error(
                    entry.path,
                    alias.line,
                    alias.column,
                    "alias-slug",
                    f"alias '{alias.value}' would have the address '{slug}/', "
                    f"which is the page of {term.path}",
                    "remove the alias or reword it; a redirect cannot replace a term page",
                )
        elif slug in owners:
            other, first = owners[slug]
            if other is not entry and name_key(first.value) != key:
                yield error(
                    entry.path,
                    alias.line,
                    alias.column,
                    "alias-slug",
                    f"alias '{alias.value}' would have the address '{slug}/', as has alias "
                    f"'{first.value}' of {other.path}:{first.line}",
                    "an old address can lead to one term only: keep the alias on one entry",
                )
        else:
            owners[slug] = (entry, alias)


def redirects(published: Sequence[Entry]) -> list[Redirect]:
    """The redirect pages of the published entries. Where slugs clash (reported by
    :func:`check_alias_slugs`), term pages win, then the first alias by file path, so a
    non-strict build never replaces a page."""
    by_slug, aliases = _claims(published)
    taken = set(by_slug) | RESERVED_SLUGS
    found = []
    for entry, alias, slug in aliases:
        if slug not in taken:
            taken.add(slug)
            found.append(Redirect(slug, alias, entry))
    return found


def redirect_src(prefix: str, slug: str, *, directory_urls: bool = True) -> str:
    """Where a redirect file goes in the site: ``glossary/rectifier/index.html`` (or
    ``glossary/rectifier.html`` without directory URLs)."""
    return f"{prefix}{slug}/index.html" if directory_urls else f"{prefix}{slug}.html"


@functools.lru_cache(maxsize=16384)  # the same pages, build after build (mkdocs serve)
def redirect_html(
    title: str, target_url: str, page_url: str, *, site_url: str | None = None
) -> str:
    """The redirect page at ``page_url`` to the term ``title`` at ``target_url`` (both
    site-root-relative). The link is relative, so the site works wherever it is served; the
    canonical link is absolute when the site's URL is known. The one script keeps a ``#anchor``
    (a meta refresh drops it); without JavaScript the refresh and the link still lead there."""
    from .render import relative_url, script_json  # not at import: ``check`` needs only the rule

    href = relative_url(target_url, page_url)
    canonical = site_url.rstrip("/") + "/" + target_url if site_url else href
    text = html.escape(title)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text}</title>\n"
        f'<link rel="canonical" href="{html.escape(canonical)}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={html.escape(href)}">\n'
        f"<script>location.replace({script_json(href)} + location.hash)</script>\n"
        "</head>\n<body>\n"
        f'<p>This term is now at <a href="{html.escape(href)}">{text}</a>.</p>\n'
        "</body>\n</html>\n"
    )


# -- old addresses (``redirect_from:``, e.g. a Hugo page's ``aliases``) -----------------------

#: One path segment of an old address: what a static host serves as a folder or file name.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$")

#: First segments the site's own files use: an old address may not take their place.
RESERVED_ROOTS = frozenset({"assets", "search", "stylesheets", "javascripts", "sitemap.xml"})


def old_addresses(entry: Entry) -> list[tuple[Located, str]]:
    """Each ``redirect_from`` item of an entry with the site file it becomes
    (``old/name/`` -> ``old/name/index.html``; ``old.html`` stays ``old.html``); items that are not
    a plain site path are left out here and reported by :func:`check_old_addresses`."""
    values = entry.meta.get("redirect_from")
    if not isinstance(values, list):
        return []
    found = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        line, column = entry.position("redirect_from", index)
        target = redirect_file(value)
        if target is not None:
            found.append((Located(value, line, column), target))
    return found


def redirect_file(path: str) -> str | None:
    """The site file an old address is served from, or ``None`` if it is not a plain path inside
    the site (``..``, empty or odd segments, a query, a reserved folder)."""
    trimmed = path.strip().lstrip("/")
    if not trimmed or len(trimmed) > 300:
        return None
    segments = trimmed.rstrip("/").split("/")
    if any(not _SEGMENT.match(s) or set(s) <= {"."} for s in segments):
        return None
    if segments[0] in RESERVED_ROOTS or segments == ["index.html"] or segments == ["404.html"]:
        return None
    if trimmed.endswith("/") or "." not in segments[-1]:
        return "/".join(segments) + "/index.html"
    return "/".join(segments) if segments[-1].endswith(".html") else None


def check_old_addresses(entries: Sequence[Entry]) -> Iterable[Diagnostic]:
    """``redirect_from`` items are plain paths inside the site, each leading to one term.
    (Items the schema refuses, URLs of other sites say, are reported by the schema rule.)"""
    from .validate import schema

    allowed = re.compile(schema()["properties"]["redirect_from"]["items"]["pattern"])
    owners: dict[str, tuple[Entry, Located]] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        values = entry.meta.get("redirect_from")
        if not isinstance(values, list):
            continue
        for index, value in enumerate(values):
            if not isinstance(value, str) or not allowed.match(value):
                continue  # the schema reports it
            line, column = entry.position("redirect_from", index)
            target = redirect_file(value)
            if target is None:
                yield error(
                    entry.path,
                    line,
                    column,
                    "redirect-path",
                    f"old address '{value}' is not a plain path inside the site",
                    "write it as folder/name/ (letters, digits, '-', '_', '.'; no '..'; not "
                    "under assets/ or search/)",
                )
                continue
            if target in owners and owners[target][0] is not entry:
                other, first = owners[target]
                yield error(
                    entry.path,
                    line,
                    column,
                    "redirect-path",
                    f"old address '{value}' already leads to {other.path} (line {first.line})",
                    "an old address can lead to one term only",
                )
                continue
            owners.setdefault(target, (entry, Located(value, line, column)))
