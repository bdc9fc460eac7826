"""What partial builds keep whole of Material's site-wide plugins: the tags plugin's mappings
and listings (kept pages are put back in, with the tags they had) and the search plugin's index
(kept pages' entries are put back, in page order). Everything here knows these plugins by their
module, and reads them with ``getattr``: Material is untyped."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from glossary_gen.incremental import text_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    from glossary_gen.engines.mkdocs.records import PageRecord

#: A search entry of Material's index (``location``, ``title``, ``text``, ...).
SearchEntry = dict[str, Any]


class SearchIndex(Protocol):
    """Material's search index: the part partial builds read and write."""

    entries: list[SearchEntry]


def search_index(config: MkDocsConfig) -> SearchIndex | None:
    """Material's search index of this build (``None`` without Material's search plugin)."""
    for plugin in config.plugins.values():
        if type(plugin).__module__ == "material.plugins.search.plugin" and plugin.config.enabled:
            index: SearchIndex | None = getattr(plugin, "search_index", None)
            return index
    return None


def restore_search(config: MkDocsConfig, entries: list[SearchEntry], *, kept: bool) -> None:
    """Give the search index every page's entries (with ``kept``, a build after an earlier one:
    the kept pages' from their records), and stop the search plugin merging the last build's
    itself (which would list pages twice)."""
    index = search_index(config)
    if index is not None and kept:
        index.entries = entries
    for plugin in config.plugins.values():  # its own dirty-build merging would duplicate
        if hasattr(plugin, "search_index_prev"):
            plugin.search_index_prev = None


def tags_of(page: Page, config: MkDocsConfig) -> dict[str, frozenset[object]]:
    """The tags each of Material's tags plugins made of a page (none: no mapping)."""
    found: dict[str, frozenset[object]] = {}
    for name, plugin in config.plugins.items():
        mappings = getattr(plugin, "mappings", None)
        if type(plugin).__module__ == "material.plugins.tags.plugin" and mappings is not None:
            mapping = mappings.data.get(page.url)
            if mapping is not None:
                found[name] = frozenset(mapping.tags)
    return found


def listing_pages(config: MkDocsConfig) -> set[str]:
    """The pages that hold tag listings (Material's tags plugin found them while reading)."""
    found: set[str] = set()
    for plugin in config.plugins.values():
        listings = getattr(plugin, "listings", None)
        if type(plugin).__module__ == "material.plugins.tags.plugin" and listings is not None:
            found.update(listing.page.file.src_uri for listing in listings)
    return found


def complete_tags(
    config: MkDocsConfig,
    files: Files,
    records: Mapping[str, PageRecord],
    modified: Callable[[str], bool],
) -> str:
    """Material's tags plugin collects tags while pages are read, so pages kept from the last
    build (``modified`` is false; ``records`` of the last build) are missing from its mappings:
    put them in, in page order. Returns what the tag listings show of the pages (their address,
    title and tags)."""
    try:
        from material.plugins.tags.plugin import TagsPlugin  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - Material is a dependency
        return ""
    pages = [f.page for f in files.documentation_pages(inclusion=lambda _l: True) if f.page]
    # A theme that overrides the tag fragments may show more of a page than its title.
    custom = config.theme.custom_dir
    whole = bool(custom) and any(
        os.path.isdir(os.path.join(str(custom), d, "tags")) for d in ("fragments", "partials")
    )
    shown: list[object] = []
    from material.plugins.tags.structure.mapping import (  # type: ignore[import-untyped]
        Mapping as TagMapping,
    )

    for name, plugin in config.plugins.items():
        if not isinstance(plugin, TagsPlugin) or not plugin.config.enabled:
            continue
        mappings = plugin.mappings
        fresh = dict(mappings.data)
        mappings.data = {}
        for page in pages:
            src = page.file.src_uri
            if page.url in fresh:
                mappings.data[page.url] = fresh[page.url]
            elif not modified(src) and plugin.filter(page.file):
                tags = records[src].tags.get(name) if src in records else None
                if tags is not None:  # the tags the plugin made of the page last time
                    mappings.data[page.url] = TagMapping(page, tags=tags)
                else:
                    mappings.add(page, "")
        for mapping in mappings:
            item = mapping.item
            shown.append(
                (
                    item.url,
                    item.title,
                    sorted((t.name, bool(t.hidden)) for t in mapping.tags),
                    json.dumps(item.meta, sort_keys=True, default=str) if whole else "",
                )
            )
    return text_key(repr(shown))
