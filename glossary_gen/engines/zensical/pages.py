"""The glossary's pages as ordinary files, for Zensical and other Python-Markdown engines
(``glossary-gen pages --out DIR``; :mod:`~glossary_gen.engines.zensical.workspace` writes
Zensical's docs folder with it). :func:`write_pages` checks the glossary (doctests and plots
included; errors stop it with the CLI's located messages), then writes into ``DIR`` what
:func:`glossary_gen.site.pages.assemble` makes, as the MkDocs plugin hands it over in memory:
the term pages, the A-Z index, the tag pages, the alias redirects, ``glossary.json``,
``feed.xml``, ``llms.txt`` and the assets.

Each page's finished HTML is rendered here with the site's Markdown extensions, sanitized
exactly as in the plugin, the trusted fragments spliced in. Sanitize last: that HTML is never
Markdown again. It goes into ``DIR/.glossary-html/<sha256>.html``
(:data:`~glossary_gen.site.headings.PAGE_HTML_DIR`), and the page's Markdown file holds only its
front matter (the title, description and tags, and ``glossary_head``: the page's ``<head>`` data,
JSON-LD and the code island) and a placeholder line naming that file, which the glossary's
Markdown extension (:mod:`glossary_gen.engines.markdown`, option ``html``) replaces after the
engine's Markdown is done. Only changed files are rewritten; files of an earlier run that are
gone are removed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from glossary_gen.core.config import Settings
from glossary_gen.core.diagnostics import Diagnostic, has_errors, sort_diagnostics
from glossary_gen.engines.zensical.page_cache import PageCache, page_digest, site_key, term_digest
from glossary_gen.engines.zensical.project import (
    Project,
    docs_files,
    markdown_extensions,
    split_front_matter,
)
from glossary_gen.engines.zensical.sync import sync
from glossary_gen.site.headings import PAGE_HTML_DIR, page_html_file, placeholder
from glossary_gen.site.linker import Linker
from glossary_gen.site.page import RenderedPage
from glossary_gen.site.pages import Assembly, Output, assemble, math_diagnostic
from glossary_gen.site.sanitize import TOKEN_PREFIX
from glossary_gen.site.versions import Alternates

if TYPE_CHECKING:
    from glossary_gen.pipeline import CheckResult


@dataclass
class Written:
    """What :func:`write_pages` did."""

    diagnostics: list[Diagnostic]
    assembly: Assembly | None = None
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    #: A hash of every published term's names and summary (the tooltips of wiki links).
    version: str = ""
    #: The folder of the pages' finished HTML (the Markdown extension's ``html`` option).
    html_dir: Path | None = None
    #: Pages whose finished HTML came from the page cache (:mod:`.page_cache`), not Markdown.
    reused: list[str] = field(default_factory=list)
    #: The check's result (its summary line names the entries and the isolation).
    check: CheckResult | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def links_version(assembly: Assembly) -> str:
    """A hash of what the docs pages' wiki links show: every published term's slug, names and
    tooltip, and where the term pages are."""
    linker = assembly.renderer.linker
    data = [
        (e.slug, e.title, [a.value for a in e.aliases], linker.tooltips.get(e.slug, ""))
        for e in assembly.renderer.glossary.published
    ]
    text = json.dumps([assembly.renderer.options.url_prefix, data], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_pages(
    project: Project,
    out: Path,
    *,
    doctest: bool | None = None,
    tag_pages: bool = True,
    links: str = "source",
    copy_docs: bool = False,
    settings: Settings | None = None,
) -> Written:
    """Check the glossary, then write its files into ``out`` (see the module docstring). With
    ``copy_docs``, the hand-written ``docs/`` is copied in too (the folder an engine builds)."""
    from glossary_gen.pipeline import check

    settings = settings or project.settings
    if doctest is not None:
        settings = replace(settings, doctest=doctest)
    result = check(settings)
    diagnostics = list(result.diagnostics)
    if has_errors(diagnostics):
        return Written(sort_diagnostics(diagnostics), check=result)
    site = project.site(links)
    docs = docs_files(project, directory_urls=site.directory_urls)
    # The term pages are rendered by render_files, only the ones the page cache does not hold.
    assembly = assemble(
        result,
        project.options,
        site,
        docs,
        settings=settings,
        tag_pages=tag_pages,
        defer_terms=True,
    )
    already = set(diagnostics)
    diagnostics += [d for d in assembly.diagnostics if d not in already]
    files: dict[str, bytes | Path] = {}
    if copy_docs:
        for doc in docs:
            files[doc.src] = project.docs_dir / doc.src
    problems_of: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        problems_of.setdefault(diagnostic.path, []).append(diagnostic.format_text())
    problems, rendered, finished, reused = render_files(project, assembly, out, problems_of)
    already.update(diagnostics)
    diagnostics += [d for d in problems if d not in already]
    for name, text in finished.items():
        files[f"{PAGE_HTML_DIR}/{name}"] = text.encode("utf-8")
    for output in assembly.files:
        if output.src in files:
            diagnostics.append(_replaces_docs(output))
            continue
        if output.src in rendered:
            files[output.src] = rendered[output.src].encode("utf-8")
        elif output.source is not None:
            files[output.src] = output.source
        else:
            files[output.src] = (output.content or "").encode("utf-8")
    diagnostics = sort_diagnostics(diagnostics)
    if has_errors(diagnostics):
        return Written(diagnostics, assembly, check=result)
    written, removed = sync(out, files)
    from glossary_gen.fences import pyodide

    written += pyodide.install_pyodide(project.options.pyodide_url, out, project.base_dir)
    version = links_version(assembly)
    return Written(
        diagnostics, assembly, written, removed, version, out / PAGE_HTML_DIR, reused, result
    )


def _replaces_docs(output: Output) -> Diagnostic:
    from glossary_gen.core.diagnostics import error

    return error(
        f"docs/{output.src}",
        1,
        1,
        "generated-page",
        f"docs/{output.src} would be overwritten by a generated page",
        "rename it or change the plugin's url_prefix",
    )


def render_files(
    project: Project,
    assembly: Assembly,
    out: Path | None = None,
    problems_of: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[Diagnostic], dict[str, str], dict[str, str], list[str]]:
    """Each page's file (front matter and the placeholder of its finished HTML), the finished
    HTML by file name (rendered with the site's Markdown extensions and the glossary's,
    sanitized, trusted fragments spliced in), and the pages taken from the page cache of the
    output folder ``out`` (:mod:`.page_cache`; none without ``out``; a translated language's
    pages are always converted). A deferred term page (``assemble(defer_terms=True)``) is
    rendered only when the cache does not hold it (its problems are returned with the math
    ones); ``problems_of`` maps an entry's path to the check's problems in it (the page's key)."""
    import markdown  # type: ignore[import-untyped, unused-ignore]

    from glossary_gen.incremental import LinkFacts, RecordingLinker, page_text, site_render_key
    from glossary_gen.site.markdown_ext import MATH_CACHE, DeferredMath, GlossaryExtension

    renderer = assembly.renderer
    names, configs = markdown_extensions(project.config)
    # Formulas as markers, spliced in after the sanitizer with their text for the search index.
    math = DeferredMath(renderer.nonce)
    # A translated language's pages link in their language: one Markdown engine per linker.
    linkers = {p.src: lang.renderer.linker for lang in assembly.languages for p in lang.pages}
    recording = RecordingLinker(renderer.linker)
    engines: dict[int, markdown.Markdown] = {}

    def engine(linker: Linker) -> markdown.Markdown:
        if not engines:  # the first page converted: the formula cache is needed
            MATH_CACHE.open(project.settings.cache_dir, project.base_dir)
        if id(linker) not in engines:
            asked = recording if linker is renderer.linker else linker
            # RecordingLinker stands in for a Linker (same methods, records what is asked).
            engines[id(linker)] = markdown.Markdown(
                extensions=[
                    *names,
                    GlossaryExtension(asked, math=project.options.math, deferred=math),  # type: ignore[arg-type]
                ],
                extension_configs=configs,
            )
        return engines[id(linker)]

    cache = None
    if out is not None:
        site = site_key(site_render_key(renderer), names, configs, project.options)
        facts = LinkFacts(renderer.linker)
        cache = PageCache.open(
            project.settings.cache_dir, out, project.settings.entries_dir, site, facts
        )
    problems: list[Diagnostic] = []
    files: dict[str, str] = {}
    finished: dict[str, str] = {}
    try:
        for output in assembly.files:
            src, page, entry = output.src, output.page, output.entry
            if page is None and entry is None:
                continue
            linker = linkers.get(src, renderer.linker)
            cached = cache if linker is renderer.linker else None
            if page is None:
                assert entry is not None
                problems_in = (problems_of or {}).get(entry.path, ())
                digest = term_digest(renderer, entry, problems_in)
                url = linker.url_of[entry.slug]
            else:
                digest = page_digest(src + "\0" + page_text(page, page.fragments.nonce))
                url = page.url
            # The page's hreflang alternates go in its front matter, for the sitemap override.
            alternates = assembly.alternates.get(url, ())
            if alternates:
                digest += ":" + page_digest(repr(alternates))
            done = cached.get(src, digest) if cached is not None else None
            if done is None:
                rendering: list[Diagnostic] = []
                if page is None:
                    page, rendering = assembly.render(src)
                    problems += rendering
                meta, body = split_front_matter(page.markdown)
                slug = page.entry.slug if page.entry is not None else None
                if linker is renderer.linker:
                    recording.begin_page(page.src, page.url, slug)
                else:
                    linker.begin_page(page.src, page.url, slug)
                content = engine(linker).reset().convert(body)
                finished_html = math.splice(renderer.finish_html(content, page), text_twin=True)
                text, html = page_file(finished_html, page, meta, alternates)
                done = (text, html, list(linker.math_errors))
                if cached is not None and not rendering:  # a page with problems: always again
                    cached.put(src, digest, done, recording.reads)
            text, html, math_errors = done
            if math_errors:
                body = split_front_matter(page.markdown)[1] if page is not None else ""
                for tex, message in math_errors:
                    problems.append(
                        math_diagnostic(page.entry if page else entry, src, body, tex, message)
                    )
            token, name = page_html_file(html)
            files[src] = text + placeholder(token)
            finished[name] = html
    finally:
        if engines:
            if cache is not None and cache.reused:
                # The reused pages' formulas were not looked up: kept, not forgotten as unused.
                MATH_CACHE.used.update(MATH_CACHE.data)
            MATH_CACHE.save()
    if cache is not None:
        cache.save()
    return problems, files, finished, cache.reused if cache is not None else []


def page_file(
    content: str, page: RenderedPage, meta: dict[str, object], alternates: Alternates = ()
) -> tuple[str, str]:
    """A page's Markdown file without its body (the front matter, with the ``<head>`` fragments
    for the theme override to place and the hreflang ``alternates`` for the sitemap's) and its
    finished HTML: the navigation fragments (related terms, backlinks, footer) in place and left
    out of the search index, as in the plugin."""
    fragments = page.fragments
    if fragments.unindexed:
        items = fragments.items
        content = re.sub(
            rf"<!--({TOKEN_PREFIX}{re.escape(fragments.nonce)}x\d+)-->",
            lambda m: _unindexed(items.get(m.group(1), "")),
            content,
        )
    meta = dict(meta)
    if fragments.head:
        meta["glossary_head"] = "\n".join(fragments.head)
    if alternates:
        meta["glossary_alternates"] = [list(pair) for pair in alternates]
    front = json.dumps(meta, ensure_ascii=False)
    # A translation's page: its content is in its language (a code, LANG_RE); the engine's
    # theme writes the site's language on <html>.
    lang = f' lang="{page.lang}"' if page.lang else ""
    return f"---\n{front}\n---\n", (
        f'<div class="glossary-page"{lang} data-glossary-page>\n{content}\n</div>\n'
    )


def _unindexed(fragment: str) -> str:
    """A fragment shown but not indexed: Zensical's search skips ``data-search-exclude``. A
    section's heading stays indexed (its own entry), its list does not."""
    match = re.match(r"(<h2\b[^>]*>.*?</h2>)(.*)\Z", fragment, re.S)
    if match is None:
        return f"<div data-search-exclude>{fragment}</div>"
    return f"{match.group(1)}<div data-search-exclude>{match.group(2)}</div>"
