"""Redirect pages: every alias keeps a URL, ``glossary/<alias-slug>/``, that leads to its term.

So a term renamed with its old title kept as an alias never breaks a link to the old page. Like
mkdocs-redirects, each redirect is a small HTML file written as is (a canonical link, a meta
refresh and a plain link), not a page rendered through the theme: cheap at any size, and the
same under ``mkdocs serve``.

The alias slug is :func:`~glossary_gen.core.model.slugify` of the alias (the file name ``new`` would
give it). The rules that keep every address to one page (alias slugs, ``redirect_from``) are
:mod:`glossary_gen.core.addresses`, run by ``check``.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from dataclasses import dataclass

from glossary_gen.core.addresses import RESERVED_SLUGS, _claims
from glossary_gen.core.model import Entry, Located


@dataclass(frozen=True)
class Redirect:
    """The page at ``slug`` (under the term folder) leads to ``entry``; ``alias`` wrote it."""

    slug: str
    alias: Located
    entry: Entry


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
    from glossary_gen.site.audit import script_hash
    from glossary_gen.site.text import relative_url, script_json

    href = relative_url(target_url, page_url)
    canonical = site_url.rstrip("/") + "/" + target_url if site_url else href
    text = html.escape(title)
    script = f"location.replace({script_json(href)} + location.hash)"
    # Its own policy: this page runs its one script and loads nothing.
    policy = f"default-src 'none'; script-src {script_hash(script)}; base-uri 'none'"
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        f"<title>{text}</title>\n"
        f'<link rel="canonical" href="{html.escape(canonical)}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={html.escape(href)}">\n'
        f"<script>{script}</script>\n"
        "</head>\n<body>\n"
        f'<p>This term is now at <a href="{html.escape(href)}">{text}</a>.</p>\n'
        "</body>\n</html>\n"
    )
