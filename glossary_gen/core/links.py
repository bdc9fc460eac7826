"""Link: resolve ``related:`` and ``[[wiki links]]`` into one :class:`~glossary_gen.core.model.Glossary`.

Names resolve by title, alias or slug, case-insensitively. Unknown targets are errors with a
did-you-mean hint; self-links, repeats and links from published pages to drafts are reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from glossary_gen.core.diagnostics import Diagnostic, did_you_mean, error, warning
from glossary_gen.core.model import Entry, Glossary, name_key


def build_index(entries: Sequence[Entry]) -> dict[str, str]:
    """Map every name key to a slug. On a clash the first entry (sorted by path) keeps the name;
    validation reports the clash."""
    index: dict[str, str] = {}
    for entry in entries:
        for name in entry.names:
            index.setdefault(name_key(name), entry.slug)
    return index


def link(
    entries: Sequence[Entry], fallback: Glossary | None = None
) -> tuple[Glossary, list[Diagnostic]]:
    """Link a glossary. ``fallback`` (a translation's default-language glossary): names not
    found among ``entries`` resolve there, and the links point to its slugs."""
    title_keys = {id(e): name_key(e.title) for e in entries}
    ordered = sorted(entries, key=lambda e: (title_keys[id(e)], e.slug))
    by_slug: dict[str, Entry] = {}
    by_path = sorted(entries, key=lambda e: e.path)
    for entry in by_path:
        by_slug.setdefault(entry.slug, entry)
    index = build_index(by_path)
    keys: dict[str, str] = {}  # name -> name_key(name): the same targets are named many times
    all_names: list[str] | None = None
    diagnostics: list[Diagnostic] = []

    def resolve(entry: Entry, name: str, line: int, column: int, what: str) -> str | None:
        """The slug ``name`` links to, or None (reported) when it is unknown, the entry itself
        or an unpublished draft."""
        nonlocal all_names
        key = keys.get(name)
        if key is None:
            key = keys[name] = name_key(name)
        slug = index.get(key)
        if slug is None and fallback is not None:
            slug = fallback.index.get(key)
        if slug is None:
            if all_names is None:
                known = [*entries, *(fallback.entries if fallback is not None else ())]
                all_names = sorted(
                    {n for e in known for n in (e.title, *(a.value for a in e.aliases))}
                )
            diagnostics.append(
                error(
                    entry.path,
                    line,
                    column,
                    "unknown-term",
                    f"{what} '{name}' is not defined",
                    did_you_mean(name, all_names, cutoff=0.75),
                )
            )
            return None
        target = by_slug.get(slug) or (fallback.by_slug[slug] if fallback else by_slug[slug])
        if target.slug == entry.slug:
            diagnostics.append(
                warning(
                    entry.path,
                    line,
                    column,
                    "self-link",
                    f"{what} '{name}' points to this entry itself",
                )
            )
            return None
        if target.draft and not entry.draft:
            diagnostics.append(
                error(
                    entry.path,
                    line,
                    column,
                    "draft-link",
                    f"{what} '{name}' is a draft and will not be published",
                    f"publish {target.path} or remove the link",
                )
            )
            return None
        return slug

    related: dict[str, tuple[str, ...]] = {}
    links: dict[str, tuple[str, ...]] = {}
    backlinks: dict[str, set[str]] = defaultdict(set)
    tags: dict[str, list[str]] = defaultdict(list)
    for entry in ordered:
        resolved: list[str] = []
        for item in entry.related:
            slug = resolve(entry, item.value, item.line, item.column, "related term")
            if slug in resolved:
                diagnostics.append(
                    warning(
                        entry.path,
                        item.line,
                        item.column,
                        "duplicate-related",
                        f"related term '{item.value}' is listed twice (as '{by_slug[slug].title}')",
                    )
                )
            elif slug is not None:
                resolved.append(slug)
        related[entry.slug] = tuple(resolved)

        linked: list[str] = []
        for wiki in entry.wikilinks:
            slug = resolve(entry, wiki.target, wiki.line, wiki.column, "wiki link target")
            if slug is not None and slug not in linked:
                linked.append(slug)
        links[entry.slug] = tuple(linked)

        if not entry.draft:
            for slug in {*resolved, *linked}:
                backlinks[slug].add(entry.slug)
            for tag in entry.tags:
                tags[tag.value].append(entry.slug)

    title_of = {e.slug: title_keys[id(e)] for e in entries}
    glossary = Glossary(
        entries=tuple(ordered),
        by_slug=by_slug,
        index=index,
        related=related,
        links=links,
        backlinks={
            slug: tuple(sorted(found, key=title_of.__getitem__))
            for slug, found in backlinks.items()
        },
        tags={
            tag: tuple(slugs) for tag, slugs in sorted(tags.items(), key=lambda t: t[0].casefold())
        },
    )
    return glossary, diagnostics
