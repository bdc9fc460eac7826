"""``on_files``: the checked glossary handed to MkDocs in memory. One
:func:`~glossary_gen.pipeline.check` (the same as ``glossary-gen check``), its diagnostics
logged with exactly the line the CLI prints, then what :func:`~glossary_gen.site.pages.assemble`
made added as generated files: the term pages (rendered only where the partial build says so),
the index page, the alias redirects, ``glossary.json``, ``feed.xml``, ``llms.txt`` and the
assets. Nothing is written into ``docs/`` or ``entries/``; term pages are left out of the
navigation (``NOT_IN_NAV``: a nav listing thousands of pages makes MkDocs quadratic)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from glossary_gen.core.config import ConfigError, Settings
from glossary_gen.core.diagnostics import Diagnostic, Severity
from glossary_gen.core.model import Glossary
from glossary_gen.engines.mkdocs.partial_build import PartialBuild
from glossary_gen.incremental import (
    LinkFacts,
    Memo,
    RecordingLinker,
    RenderKeys,
    page_text,
    site_render_key,
)
from glossary_gen.pipeline import CheckResult, check, entries_of_files
from glossary_gen.site import exports
from glossary_gen.site.linker import Linker
from glossary_gen.site.markdown_ext import MATH_CACHE, DeferredMath, GlossaryExtension, formula_keys
from glossary_gen.site.page import RenderedPage
from glossary_gen.site.pages import Assembly, DocsFile, Output, PageOptions, Site, assemble
from glossary_gen.site.render import Renderer
from glossary_gen.site.used_on import nav_titles, page_title
from glossary_gen.site.versions import Alternates

#: Not ``get_plugin_logger``: its prefix would change the line; the CLI's exact line is the contract.
log = logging.getLogger("mkdocs.plugins.glossary")


@dataclass
class Handover:
    """What ``on_files`` made, for the page events."""

    renderer: Renderer
    #: The generated pages by source path (term pages, index, tag pages).
    pages: dict[str, RenderedPage]
    #: The linker the Markdown extension asks, noting what each page looks up.
    recorder: RecordingLinker
    #: Formulas as markers with their LaTeX until the search index has read the page.
    math: DeferredMath | None
    #: The feed's ``<link rel="alternate">`` for a page URL (``None``: no feed).
    feed_link: Callable[[str], str] | None
    doctest_results: dict[str, object]
    #: Every problem this build reported (the check's, the pages'), for the pages' banners.
    diagnostics: list[Diagnostic]
    #: The linker of each translated language's page, by source path (the default language's
    #: pages and the docs pages use :attr:`recorder`).
    page_linkers: dict[str, Linker] = field(default_factory=dict)
    #: Page URL -> its hreflang alternates, for the theme's ``sitemap.xml``.
    alternates: dict[str, Alternates] = field(default_factory=dict)


def report(diagnostics: list[Diagnostic]) -> None:
    """Log diagnostics with the CLI's exact text line: errors as errors, the rest as warnings
    (both fail ``mkdocs build --strict``)."""
    for diagnostic in diagnostics:
        level = logging.ERROR if diagnostic.severity is Severity.ERROR else logging.WARNING
        log.log(level, diagnostic.format_text())


def hand_over(
    files: Files,
    config: MkDocsConfig,
    *,
    settings: Settings,
    options: PageOptions,
    partial: PartialBuild,
    extension: GlossaryExtension,
) -> Handover:
    """Check the glossary, add its files to ``files`` and make the term pages this build makes
    (all of them, unless a ``mkdocs serve --dirty`` build before has made the others from the
    same inputs: see :mod:`~glossary_gen.engines.mkdocs.partial_build`)."""
    result, assembly = _checked_assembly(
        files, config, settings, options, partial.session.memo, report=report
    )
    renderer = assembly.renderer
    # The Markdown extension asks the linker about other terms; what it asks is noted per
    # page, so that the next `mkdocs serve` build knows which pages an edit changes.
    recorder, math = _for_pages(renderer, extension, options)
    generated = _add_files(files, config, assembly.files)
    already = set(result.diagnostics)  # check() evaluated the plots too: log each problem once

    def render(src: str) -> list[Diagnostic]:
        page, diagnostics = assembly.render(src)
        generated[src].content_string = page.markdown
        partial.rendered(src, diagnostics)
        return [d for d in diagnostics if d not in already]

    deferred = {o.src: o.entry for o in assembly.files if o.entry is not None}
    # A translation's page links through its language's linker, which notes nothing: it is
    # rebuilt whenever any term's name, address or tooltip in that language changes.
    language_inputs = {
        page.src: language.fingerprint for language in assembly.languages for page in language.pages
    }
    site = site_render_key(renderer, options.prefix, config.use_directory_urls, options.math)
    keys = RenderKeys(renderer, site)
    # A term page shows its entry's problems (problems_banner), which other entries can change
    # (a title taken twice): they are part of what the page is rendered from.
    problems_of: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        problems_of.setdefault(diagnostic.path, []).append(diagnostic.format_text())
    todo = partial.plan(
        files,
        facts=LinkFacts(renderer.linker),
        terms={
            src: (
                (keys(entry), tuple(sorted(problems_of.get(entry.path, ())))),
                entry.body,
            )
            for src, entry in deferred.items()
        },
        generated={
            o.src: (page_text(o.page, renderer.nonce) if o.page is not None else o.content or "")
            + language_inputs.get(o.src, "")
            for o in assembly.files
            if o.entry is None and o.source is None
        },
        render=lambda src: report(render(src)),
    )
    problems = list(assembly.diagnostics)
    for src in deferred:
        problems += render(src) if src in todo else partial.kept_diagnostics(src)
    if options.math:  # new formulas: converted by a second process while MkDocs works
        formulas = {src: frozenset(formula_keys(p.markdown)) for src, p in assembly.pages.items()}
        partial.formulas.update(formulas)
        MATH_CACHE.prefetch(k for keys in formulas.values() for k in keys)
    report([d for d in problems if d not in already])
    return _handover(assembly, recorder, math, result, [*result.diagnostics, *problems])


def preview_handover(
    files: Files,
    config: MkDocsConfig,
    *,
    settings: Settings,
    options: PageOptions,
    extension: GlossaryExtension,
    memo: Memo,
    changed: Collection[Path],
) -> tuple[Handover, dict[str, RenderedPage]]:
    """What :func:`hand_over` would hand over, for the pages of the entry files ``changed`` only
    (:mod:`~glossary_gen.engines.mkdocs.preview`): the glossary checked again (the doctests of
    those entries only), their term pages rendered (with their problems, as a build shows
    them), nothing logged and nothing added to ``files``. Returns the handover and the pages
    made, by source path (none when the changed files have no page in ``files``)."""
    result, assembly = _checked_assembly(
        files, config, settings, options, memo, report=lambda _: None, only=changed, terms=True
    )
    recorder, math = _for_pages(assembly.renderer, extension, options)
    outputs = {}
    for output in assembly.files:
        entry = output.entry or (output.page.entry if output.page is not None else None)
        if entry is not None:
            outputs[entry] = output
    made: dict[str, RenderedPage] = {}
    problems: list[Diagnostic] = []
    for entry in entries_of_files(outputs, changed):
        output = outputs[entry]
        if output.entry is not None:
            page, found = assembly.render(output.src)
            problems += found
        elif output.page is not None:
            page = output.page
        made[output.src] = page
    diagnostics = [*result.diagnostics, *assembly.diagnostics, *problems]
    return _handover(assembly, recorder, math, result, diagnostics), made


def _checked_assembly(
    files: Files,
    config: MkDocsConfig,
    settings: Settings,
    options: PageOptions,
    memo: Memo,
    *,
    report: Callable[[list[Diagnostic]], None],
    only: Collection[Path] | None = None,
    terms: bool = False,
) -> tuple[CheckResult, Assembly]:
    """The glossary checked (its diagnostics to ``report``) and assembled, term pages deferred
    (``terms``: the term pages only)."""
    try:
        result = check(settings, memo=memo, only=only, saved=only)
    except ConfigError as exc:
        raise PluginError(f"glossary: {exc}") from None
    report(result.diagnostics)
    for output in [] if terms else _outputs_before_rendering(result.glossary, options):
        _refuse_to_replace(files, output)  # (a preview's files are the last build's: checked)
    # Term pages are rendered by the caller, once it is known which it makes.
    assembly = assemble(
        result,
        options,
        mkdocs_site(config),
        docs_files(files, config),
        settings=settings,
        defer_terms=True,
        terms_only=terms,
    )
    return result, assembly


def _for_pages(
    renderer: Renderer, extension: GlossaryExtension, options: PageOptions
) -> tuple[RecordingLinker, DeferredMath | None]:
    """The linker the Markdown extension asks (noting what each page looks up) and the
    formulas' deferred MathML, both given to the extension."""
    recorder = RecordingLinker(renderer.linker)
    extension.linker = cast(Linker, recorder)
    math = extension.deferred = DeferredMath(renderer.nonce) if options.math else None
    return recorder, math


def _handover(
    assembly: Assembly,
    recorder: RecordingLinker,
    math: DeferredMath | None,
    result: CheckResult,
    diagnostics: list[Diagnostic],
) -> Handover:
    renderer = assembly.renderer
    feed_link = functools.partial(exports.feed_link, renderer) if assembly.feed else None
    page_linkers = {
        page.src: language.renderer.linker
        for language in assembly.languages
        for page in language.pages
    }
    return Handover(
        renderer,
        assembly.pages,
        recorder,
        math,
        feed_link,
        result.doctest_results,
        diagnostics,
        page_linkers,
        assembly.alternates,
    )


def _add_files(files: Files, config: MkDocsConfig, outputs: list[Output]) -> dict[str, File]:
    """The generated files as MkDocs files (a term page's content comes when it is rendered)."""
    generated: dict[str, File] = {}
    by_src = files.src_uris  # sources are POSIX paths already: no parsing per file
    for output in outputs:
        existing = by_src.get(output.src)
        if existing is not None:
            _refuse_to_replace(files, output)
            files.remove(existing)
        if output.page is not None or output.entry is not None:
            file = File.generated(
                config,
                output.src,
                content=output.page.markdown if output.page is not None else "",
                inclusion=InclusionLevel.NOT_IN_NAV
                if not output.in_nav
                else InclusionLevel.UNDEFINED,
            )
        elif output.source is not None:
            file = File.generated(config, output.src, abs_src_path=str(output.source))
        else:
            file = File.generated(config, output.src, content=output.content or "")
        files.append(file)
        generated[output.src] = file
    return generated


def docs_files(files: Files, config: MkDocsConfig) -> list[DocsFile]:
    """The hand-written files, with the Markdown and title of each page (for "Used on")."""
    from mkdocs.utils.meta import get_data

    titles = nav_titles(config.nav)
    docs = []
    for file in files:
        if file.generated_by is not None:
            continue
        if not file.is_documentation_page():
            docs.append(DocsFile(file.src_uri, file.dest_uri))
            continue
        try:
            body, meta = get_data(file.content_string)
        except (OSError, ValueError):
            docs.append(DocsFile(file.src_uri, file.dest_uri))
            continue  # MkDocs reports an unreadable page itself
        title = titles.get(file.src_uri) or meta.get("title") or page_title(body, file.src_uri)
        url = "" if file.url == "./" else file.url  # the root page: "" like the site root
        docs.append(DocsFile(file.src_uri, file.dest_uri, url, str(title), body))
    return docs


def mkdocs_site(config: MkDocsConfig) -> Site:
    """What the page assembly needs to know about the MkDocs site."""
    return Site(
        site_name=config.site_name,
        site_url=config.site_url or None,
        site_description=config.site_description,
        site_author=config.site_author,
        directory_urls=config.use_directory_urls,
        base_dir=Path(config.config_file_path or ".").resolve().parent,
        docs_dir=Path(config.docs_dir),
        repo_url=config.repo_url,
        edit_uri=config.edit_uri,
        toc=config.mdx_configs.get("toc") or {},
        links="url",  # MkDocs leaves raw HTML as it is: links are final URLs
    )


def _outputs_before_rendering(glossary: Glossary, options: PageOptions) -> list[Output]:
    """The term pages and the index, to refuse a clash with docs/ before anything is rendered."""
    prefix = options.prefix
    return [Output(f"{prefix}{e.slug}.md") for e in glossary.published] + [
        Output(f"{prefix}index.md")
    ]


def _refuse_to_replace(files: Files, output: Output) -> None:
    existing = files.get_file_from_path(output.src)
    if existing is not None and existing.generated_by is None:
        raise PluginError(
            f"glossary: docs/{output.src} would be overwritten by a generated page; "
            f"rename it or change the plugin's url_prefix"
        )
