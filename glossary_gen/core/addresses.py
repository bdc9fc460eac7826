"""Addresses: every page of the site has one, and no term may take another's.

An alias gets a redirect page at ``glossary/<alias-slug>/`` (:mod:`glossary_gen.site.redirects`);
an old address (``redirect_from:``, e.g. a Hugo page's ``aliases``) gets one where it was. These
validation rules make sure neither replaces a term page, the index, another redirect or a folder
of the site's own: such a clash is a located error, since one of the two pages would silently
replace the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from glossary_gen.core.diagnostics import Diagnostic, error
from glossary_gen.core.model import Entry, Located, name_key, slugify
from glossary_gen.core.schema import schema

#: Slugs the site itself uses in the term folder: ``index`` is the A-Z page.
RESERVED_SLUGS = frozenset({"index"})


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


# -- old addresses (``redirect_from:``, e.g. a Hugo page's ``aliases``) -----------------------

#: One path segment of an old address: what a static host serves as a folder or file name.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$")

#: First segments the site's own files use: an old address may not take their place.
RESERVED_ROOTS = frozenset({"assets", "search", "stylesheets", "javascripts", "sitemap.xml"})

#: Files at the root of every glossary site (the theme's pages, the exports, the sitemap).
SITE_FILES = frozenset(
    {"index.html", "404.html", "feed.xml", "glossary.json", "llms.txt", "sitemap.xml.gz"}
)

#: A folder named like a web file: the site has, or may have, a file there (a term page is
#: ``glossary/relu/index.html``), and writing a redirect below it would fail the build.
_FILE_LIKE = re.compile(
    r"\.(?:html?|xml|json|txt|gz|js|mjs|css|map|svg|png|jpe?g|gif|ico|webmanifest|wasm|zip)$", re.I
)


def folder_clash(path: str) -> str | None:
    """The part of an old address that would turn a file of the site into a folder
    (``feed.xml/``, ``glossary/relu/index.html/``), or ``None``."""
    segments = path.strip().strip("/").split("/")
    folders = segments if path.strip().endswith("/") else segments[:-1]
    for index, segment in enumerate(folders):
        if _FILE_LIKE.search(segment) or (index == 0 and segment in SITE_FILES):
            return "/".join(segments[: index + 1])
    return None


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
    if segments[0] in RESERVED_ROOTS or (len(segments) == 1 and segments[0] in SITE_FILES):
        return None
    if folder_clash(trimmed) is not None:
        return None
    if trimmed.endswith("/") or "." not in segments[-1]:
        return "/".join(segments) + "/index.html"
    return "/".join(segments) if segments[-1].endswith(".html") else None


def check_old_addresses(entries: Sequence[Entry]) -> Iterable[Diagnostic]:
    """``redirect_from`` items are plain paths inside the site, each leading to one term.
    (Items the schema refuses, URLs of other sites say, are reported by the schema rule.)"""
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
            clash = folder_clash(value)
            if target is None and clash is not None:
                yield error(
                    entry.path,
                    line,
                    column,
                    "redirect-path",
                    f"old address '{value}' would make a folder of '{clash}', where the site "
                    "has or may have a file",
                    "end the address with the page's folder/ or its file name, e.g. old/relu/ "
                    "or old/relu.html",
                )
                continue
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
