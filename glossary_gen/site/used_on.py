"""The "Used on" list of a term page: the hand-written docs pages that link to the term.

MkDocs renders the docs pages and the term pages in one pass, in no order the plugin controls,
and a term page's Markdown is written before any page is rendered. So the docs pages' links
cannot be collected while they render; instead the plugin reads their Markdown once when it
builds the file list and finds their ``[[wiki links]]`` with the loader's own scanner
(:func:`~glossary_gen.core.loader.parse_body`: the same pattern, skipping code blocks, code spans and
HTML comments, exactly as for entries). That costs one read and one line scan per docs page,
is independent of the rendering order, and is redone on every ``mkdocs serve`` rebuild.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from glossary_gen.core.loader import parse_body
from glossary_gen.site.text import relative_url


@dataclass(frozen=True)
class DocsPage:
    """A hand-written page: its source path in ``docs/``, its site-root-relative URL, its title."""

    src: str
    url: str
    title: str


def wikilink_targets(markdown: str) -> list[str]:
    """The targets of the page's ``[[wiki links]]``, in order, code and comments left out."""
    return [link.target for link in parse_body(markdown.split("\n"), 1)[2]]


def page_title(markdown: str, src: str) -> str:
    """The title MkDocs gives a page without a nav or meta title: its first level-1 heading
    (outside code), else the file name (``index.md`` at the root is "Home")."""
    _, blocks, _ = parse_body(markdown.split("\n"), 1)
    in_code = {n for b in blocks for n in range(b.fence_line, b.end_line + 1)}
    for number, line in enumerate(markdown.split("\n"), 1):
        if number not in in_code and line.startswith("# "):
            return line[2:].strip().rstrip("#").strip()
    if src == "index.md":
        return "Home"
    stem = src.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem in ("index", "README") and "/" in src:
        stem = src.rsplit("/", 2)[-2]
    return stem.replace("-", " ").replace("_", " ").capitalize()


def scan(
    pages: Iterable[tuple[DocsPage, str]], resolve: Callable[[str], str | None]
) -> dict[str, list[DocsPage]]:
    """Map each term's slug to the docs pages that link to it, by title. ``pages`` holds each
    page with its Markdown (front matter removed); ``resolve`` turns a link target into a
    published term's slug (``None``: not a term, or a draft; the page renders it as text)."""
    found: dict[str, dict[str, DocsPage]] = {}
    for page, markdown in pages:
        if "[[" not in markdown:
            continue
        for target in wikilink_targets(markdown):
            slug = resolve(target)
            if slug is not None:
                found.setdefault(slug, {})[page.src] = page
    return {
        slug: sorted(by_src.values(), key=lambda p: (p.title.casefold(), p.src))
        for slug, by_src in found.items()
    }


def used_on_html(
    pages: Sequence[DocsPage], page_url: str, *, link: Callable[[DocsPage], str] | None = None
) -> str:
    """The list under the "Used on" heading of the term page at ``page_url``; ``link`` writes the
    href of a page (default: its URL relative to ``page_url``)."""

    def href(page: DocsPage) -> str:
        return link(page) if link is not None else relative_url(page.url, page_url)

    links = ", ".join(f'<a href="{html.escape(href(p))}">{html.escape(p.title)}</a>' for p in pages)
    return f'<p class="glossary-used-on">{links}</p>'


def nav_titles(nav: object) -> dict[str, str]:
    """Titles given to pages in mkdocs.yml's ``nav`` (``- Home: index.md``), by source path."""
    titles: dict[str, str] = {}

    def walk(item: object) -> None:
        if isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, Mapping):
            for title, value in item.items():
                if isinstance(value, str) and isinstance(title, str):
                    titles.setdefault(value, title)
                else:
                    walk(value)

    walk(nav)
    return titles
