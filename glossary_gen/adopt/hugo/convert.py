"""The whole Hugo section -> entry files, all or nothing, and the report of what happened.

:func:`convert` reads every page, checks that the names and files they would take are free (one
namespace with the existing entries, as in ``check``), resolves related terms and links across
the section and builds each entry's text, without writing anything. :func:`import_hugo` writes
the files only when no error was found, each one so that it never replaces an existing file and
a failure removes what was written; :func:`summarize` tells the user the outcome.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from glossary_gen.adopt.hugo.front_matter import dump_front_matter, map_front_matter, redirects
from glossary_gen.adopt.hugo.links import LinkWriter, Resolver
from glossary_gen.adopt.hugo.page import Page, page_key, section_path, site_join
from glossary_gen.adopt.hugo.sections import fit_model, page_text, read_body
from glossary_gen.adopt.hugo.shortcodes import BodyConverter
from glossary_gen.adopt.hugo.source import check_source, find_pages, read_page, source_boundary
from glossary_gen.adopt.hugo.translations import (
    language_folders,
    language_suffix,
    localized_model,
    original_slug,
    split_languages,
)
from glossary_gen.adopt.new import schema_modeline
from glossary_gen.core.addresses import RESERVED_SLUGS
from glossary_gen.core.config import DEFAULT_MODEL, ConfigError, EntryModel, Settings
from glossary_gen.core.diagnostics import Diagnostic, error, sort_diagnostics, warning
from glossary_gen.core.loader import SLUG_RE, Boundary, display_path, load_entries
from glossary_gen.core.model import Entry, name_key, slugify


@dataclass
class ImportResult:
    """What an import found and built: every diagnostic, the entry files and what was written."""

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
    boundary = source_boundary(source)
    paths = find_pages(source, boundary, diagnostics)
    if not paths and not any(d.is_error for d in diagnostics):
        raise ConfigError(f"no Markdown pages found under '{source}'")
    section, known = section_path(source)
    languages = settings.languages
    paths, translated = split_languages(paths, languages)
    pages = _read_section(source, paths, section, diagnostics, boundary)
    for page in pages:
        if language_suffix(page.file, languages) and page.slug == slugify(page.file.stem):
            page.slug = original_slug(page.file)
    existing: list[Entry] = load_entries(entries_dir)[0] if entries_dir.is_dir() else []
    _claim_names(pages, existing, entries_dir, diagnostics)

    resolve = Resolver(pages, existing, section)
    url_prefix = str(settings.plugin.get("url_prefix", "glossary/"))
    found: dict[str, int] = {}
    for page in pages:
        converter = BodyConverter(LinkWriter(page, resolve, base_url, diagnostics))
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
        page.out["redirect_from"] = redirects(page, url_prefix, known, diagnostics)
    if fit:
        model = fit_model(model, found, len(pages))
    modeline = schema_modeline(entries_dir, settings)
    files: dict[Path, str] = {}
    for page in pages:
        body = page_text(page, model, diagnostics)
        files.setdefault(
            entries_dir / f"{page.slug}.md", dump_front_matter(page.out, modeline) + body
        )
    originals = {page.slug for page in pages} | {e.slug for e in existing}
    sources = {lang: [(source, lang_paths, boundary)] for lang, lang_paths in translated.items()}
    for lang, folder in language_folders(source, languages).items():
        folder_boundary = source_boundary(folder)
        folder_paths = find_pages(folder, folder_boundary, diagnostics)
        sources.setdefault(lang, []).append((folder, folder_paths, folder_boundary))
    for lang, roots in sources.items():
        lang_pages = [
            page
            for root, root_paths, root_boundary in roots
            for page in _read_section(root, root_paths, section, diagnostics, root_boundary)
        ]
        lang_model = localized_model(model, languages, lang)
        target_dir = entries_dir / lang
        seen: set[str] = set()
        for page in lang_pages:
            page.slug = original_slug(page.file)
            target = target_dir / f"{page.slug}.md"
            if page.slug not in originals:
                diagnostics.append(
                    error(
                        page.shown,
                        1,
                        1,
                        "import-translation-without-original",
                        f"'{page.file.name}' translates no page: there is no '{page.slug}' "
                        "in the default language",
                    )
                )
                continue
            if page.slug in seen or target.exists():
                diagnostics.append(
                    error(page.shown, 1, 1, "import-collision", f"{display_path(target)} is taken")
                )
                continue
            seen.add(page.slug)
            converter = BodyConverter(LinkWriter(page, resolve, base_url, diagnostics))
            read_body(page, lang_model, converter, diagnostics)
            titles = [resolve.name(name, page, kind) for name, _, _, kind in page.related]
            page.out["related"] = list(dict.fromkeys(t for t in titles if t))
            page.out["redirect_from"] = []  # old addresses stay the default language's
            body = page_text(page, lang_model, diagnostics)
            files[target] = dump_front_matter(page.out, "") + body
    return ImportResult(sort_diagnostics(diagnostics), files, [], model, found, len(pages))


def _read_section(
    source: Path, paths: list[Path], section: str, diagnostics: list[Diagnostic], boundary: Boundary
) -> list[Page]:
    """The section's glossary pages, each with its front matter mapped and its site paths."""
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
        page = read_page(path, diagnostics, boundary)
        if page is None:
            continue
        relative = path.relative_to(source).as_posix()
        bundle = path.name == "index.md"
        page.slug = slugify(path.parent.name if bundle else path.stem)
        page.file_dir = site_join(section, posixpath.dirname(relative))
        kind = next((v for k, v in page.meta.items() if k.lower() == "type"), None)
        if kind is not None and str(kind).strip().lower() != "glossary":
            line, col = page.locate_key("type")
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
        page.out = map_front_matter(page, diagnostics)
        # The page's address in the Hugo site: its folder and name, or its own `slug`/`url`.
        name = page.slug if page.slug != file_slug else (path.parent if bundle else path).stem
        folder = posixpath.dirname(page.file_dir) if bundle else page.file_dir
        page.url = page_key(page.url_override) or site_join(folder, name.lower())
        page.paths = [site_join(section, relative), page.url]
        pages.append(page)
    return pages


def _claim_names(
    pages: list[Page], existing: list[Entry], entries_dir: Path, diagnostics: list[Diagnostic]
) -> None:
    """Give each page its file, title and aliases unless another page or an existing entry has
    them: a taken file or title is an error, a taken alias is dropped with a warning."""
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
        line, col = page.locate_key("title")
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
                a_line, a_col = page.locate_value(alias, "aliases")
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
