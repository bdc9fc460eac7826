"""What partial builds keep whole of Material's site-wide plugins: the tags plugin's mappings
and listings (kept pages are put back in, with the tags they had) and the search plugin's index
(kept pages' entries are put back, in page order). Everything here knows these plugins by their
module, and reads them with ``getattr``: Material is untyped.

Tags per language: Material's tags plugin lists the default language's pages only. A
translation's page carries its tags as ``glossary_tag_links`` too (the term page renderer writes
them, in its language, with the address of its language's tag page, which the glossary makes:
``<lang>/glossary/tags/<tag>/``); :func:`own_tags` takes its ``tags`` away from Material before
the tags plugin reads them, and :func:`own_tag_links` shows the links in the page's header
where Material shows its tags."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from glossary_gen.incremental import text_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext

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


def tag_exports(config: MkDocsConfig) -> dict[str, Any]:
    """The tags plugins that write their mappings to a file (``tags.json``), by its path."""
    found: dict[str, Any] = {}
    for plugin in config.plugins.values():
        tags = type(plugin).__module__ == "material.plugins.tags.plugin"
        if tags and plugin.config.enabled and plugin.config.export:
            path = os.path.join(config.site_dir, plugin.config.export_file)
            found[os.path.abspath(os.path.normpath(path))] = plugin
    return found


#: A written file's size and modification time (``records.output_stat``); None: no file.
Stat = tuple[int, int] | None


class TagExports:
    """The tags plugins' exported mappings (``tags.json``) across partial builds: not written
    again while the listings are the same and the file on disk is the one written before."""

    def __init__(self) -> None:
        self._skipped: list[Any] = []  # tags plugins whose export this build does not write

    def skip_unchanged(self, config: MkDocsConfig, written: Mapping[str, Stat]) -> None:
        """The listings are those of the build that wrote ``written`` (path: output stat)."""
        from glossary_gen.engines.mkdocs.records import output_stat

        for path, plugin in tag_exports(config).items():
            before = written.get(path)
            if before is not None and output_stat(path) == before:
                plugin.config.export = False
                self._skipped.append(plugin)

    def restore(self) -> None:
        """The plugins export again (after a build, also a failed one)."""
        for plugin in self._skipped:
            plugin.config.export = True
        self._skipped.clear()

    def written(self, config: MkDocsConfig) -> dict[str, Stat]:
        """Restore, then the exported files as they are now, for the next build."""
        from glossary_gen.engines.mkdocs.records import output_stat

        self.restore()
        return {path: output_stat(path) for path in tag_exports(config)}


@dataclass(frozen=True)
class TagLink:
    """A tag as Material's ``partials/tags.html`` shows it (``name`` is escaped already)."""

    name: str
    url: str
    hidden: bool = False


def own_tags(page: Page) -> None:
    """A translation's page (it has ``glossary_tag_links``): no ``tags`` for Material's tags
    plugin, whose listings are the default language's."""
    meta = page.meta
    if isinstance(meta, dict) and "glossary_tag_links" in meta:
        meta.pop("tags", None)


def searchable_tags(page: Page) -> None:
    """A translation's tag names back in its ``tags`` while Material's search indexes it
    (``on_page_context``, before search's): its tags stay searchable in its language, while the
    tags plugin, which read the tags earlier (``on_page_markdown``), still lists the default
    language only. :func:`own_tags` takes them out again once the page is indexed."""
    meta = page.meta
    links = meta.get("glossary_tag_links") if isinstance(meta, dict) else None
    if isinstance(links, list) and "tags" not in meta:
        meta["tags"] = [
            str(link["name"]) for link in links if isinstance(link, dict) and "name" in link
        ]


def own_tag_links(page: Page, context: TemplateContext) -> None:
    """A translation's tags in its header: links to its language's tag pages."""
    meta = page.meta
    links = meta.get("glossary_tag_links") if isinstance(meta, dict) else None
    if not isinstance(links, list):
        return
    cast("dict[str, Any]", context)["tags"] = [
        TagLink(str(link["name"]), str(link["url"]))
        for link in links
        if isinstance(link, dict) and "name" in link and "url" in link
    ]


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
