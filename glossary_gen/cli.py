"""``glossary-gen``: a thin command line over :mod:`glossary_gen.pipeline`.

Exit codes: 0 clean (warnings allowed), 1 problems in the content, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from glossary_gen import __version__
from glossary_gen.core.config import ConfigError, load_settings
from glossary_gen.core.diagnostics import FORMATS, Diagnostic, format_diagnostics

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-gen",
        description="Check, scaffold and import glossary entries (one Markdown file per term).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="validate, cross-link and doctest every entry",
        description="Validate, cross-link and doctest every entry.",
    )
    _add_settings_options(
        check,
        "entries folder (default: the glossary plugin's entries_dir in mkdocs.yml, else entries/)",
    )
    check.add_argument("--no-doctest", action="store_true", help="do not run the Python examples")
    check.add_argument(
        "--no-cache", action="store_true", help="run every example even if its result is cached"
    )
    check.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="wall-clock limit per entry's examples"
    )
    check.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes for the examples"
    )
    check.add_argument(
        "--changed",
        nargs="?",
        const="",
        metavar="REF",
        help="report and doctest only entries changed since REF (default origin/main, "
        "or main where there is no origin/main)",
    )
    _add_format_option(check)
    check.set_defaults(handler=run_check)

    new = commands.add_parser(
        "new",
        help="scaffold a new entry from the template",
        description="Write entries/<slug>.md from a template with every required section.",
    )
    new.add_argument("title", help='the term, e.g. "Leaky ReLU"')
    new.add_argument(
        "--lang",
        help="scaffold the translation into this language of the entry named by TITLE "
        "(entries/<lang>/<slug>.md; see 'languages' in mkdocs.yml)",
    )
    _add_settings_options(new, "entries folder (default as for check)")
    new.set_defaults(handler=run_new)

    imp = commands.add_parser(
        "import",
        help="convert another glossary (Hugo) into entries",
        description="Convert a Hugo glossary section into entries. The source is only read; existing entries "
        "are never overwritten; if any error is found nothing is written.",
    )
    imp.add_argument(
        "--from",
        dest="source_format",
        choices=("hugo",),
        required=True,
        help="the format of the source glossary",
    )
    imp.add_argument(
        "source", type=Path, metavar="DIR", help="the Hugo glossary folder, e.g. content/glossary"
    )
    _add_settings_options(imp, "where to write the entries (default as for check)", metavar="OUT")
    imp.add_argument(
        "--dry-run", action="store_true", help="report what would be written, write nothing"
    )
    imp.add_argument(
        "--base-url",
        metavar="URL",
        help="the old Hugo site's address: links to its other pages (and images) point there "
        "instead of becoming plain text",
    )
    _add_format_option(imp)
    imp.set_defaults(handler=run_import)

    init = commands.add_parser(
        "init",
        help="create a new glossary project, empty or from a Hugo section",
        description="Create a new glossary project in DIR (which must not exist or be empty): "
        "mkdocs.yml with the plugin, docs/, entries/, the editors' schema, a README, scripts, "
        "the CI and Pages workflows and a pre-commit hook. With --from hugo, the entries come "
        "from a Hugo section and the sections in mkdocs.yml are fitted to it.",
    )
    init.add_argument("directory", type=Path, metavar="DIR", help="the new project's folder")
    init.add_argument(
        "--from",
        dest="source",
        nargs=2,
        metavar=("hugo", "PATH"),
        help="fill the project from a Hugo glossary folder, e.g. --from hugo ../site/content/glossary",
    )
    init.add_argument("--repo-url", metavar="URL", help="the repository's URL (repo_url)")
    init.add_argument("--site-name", metavar="NAME", help="the site's name (default: from DIR)")
    init.add_argument(
        "--base-url",
        metavar="URL",
        help="with --from hugo: the old site's address, for links to its other pages",
    )
    init.add_argument(
        "--package",
        metavar="SPEC",
        help="what requirements.txt installs (default: this glossary_gen's version or git URL)",
    )
    _add_format_option(init)
    init.set_defaults(handler=run_init)

    schema = commands.add_parser(
        "schema",
        help="write the front-matter schema for editors (schema_file in mkdocs.yml)",
        description="Write the entries' front-matter JSON Schema, with the site's extra_keys, to "
        "the plugin's schema_file (or --output; '-' prints it).",
    )
    _add_settings_options(schema)
    schema.add_argument("--output", metavar="FILE", help="where to write it ('-': standard output)")
    schema.set_defaults(handler=run_schema)

    audit = commands.add_parser(
        "audit",
        help="audit a built site before it is published (exit 1 on any problem)",
        description="Parse every HTML page of a built site as a browser does and report any "
        "event handler, javascript:/data: URL, script that is neither the theme's nor ours, "
        "frame, third-party load, or page without a Content-Security-Policy.",
    )
    audit.add_argument("site_dir", metavar="SITE_DIR", type=Path, help="the built site (site/)")
    audit.add_argument("--site-url", help="the site's own URL (loads from it are not third-party)")
    audit.set_defaults(handler=run_audit)

    from glossary_gen.engines.zensical.commands import (
        add_commands,
    )  # pages, zensical: the file writer's commands

    add_commands(commands)
    return parser


def _add_settings_options(
    parser: argparse.ArgumentParser, entries: str | None = None, *, metavar: str = "DIR"
) -> None:
    """``--entries`` (when ``entries`` gives its help) and ``--config``: where a command's
    settings come from, the same in every command that reads them."""
    if entries is not None:
        parser.add_argument("--entries", type=Path, metavar=metavar, help=entries)
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="mkdocs.yml to read settings from"
    )


def _add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format``: how a command that reports diagnostics prints them."""
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )


def _print_diagnostics(diagnostics: Sequence[Diagnostic], output_format: str) -> None:
    output = format_diagnostics(diagnostics, output_format)
    if output:
        print(output)


def run_check(args: argparse.Namespace) -> int:
    from glossary_gen.pipeline import check, summary_line

    settings = load_settings(args.config).with_overrides(
        entries_dir=args.entries, doctest_timeout=args.timeout, jobs=args.jobs
    )
    if args.no_doctest:
        settings = settings.with_overrides(doctest=False)
    if args.no_cache:  # with_overrides() skips None values, so replace() it is
        settings = dataclasses.replace(settings, cache_dir=None)
    only = None
    if args.changed is not None:
        from glossary_gen.adopt.changes import changed_entries, default_ref

        args.changed = args.changed or default_ref(settings.entries_dir)
        only = changed_entries(settings.entries_dir, args.changed)
    result = check(settings, only=only)
    report = result.missing if args.format == "json" and only is None else []
    _print_diagnostics([*result.diagnostics, *report], args.format)
    checked = len(result.glossary.entries) if only is None else len(only)
    translated = len(result.translations.entries) if result.translations and only is None else 0
    scope = "" if only is None else f" changed since {args.changed}"
    where = result.isolation
    if where is not None and where.warning:
        print(where.warning, file=sys.stderr)
    print(
        summary_line(
            checked, settings.entries_dir, result.diagnostics, where, scope, translated=translated
        ),
        file=sys.stderr,
    )
    if result.translations is not None and result.translations.by_lang and only is None:
        from glossary_gen.core.translations import summary_line as translations_line

        total = len(result.glossary.published)
        print(translations_line(result.translations, result.missing, total), file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def run_new(args: argparse.Namespace) -> int:
    from glossary_gen.adopt.new import ScaffoldError, new_entry

    settings = load_settings(args.config).with_overrides(entries_dir=args.entries)
    try:
        if args.lang is not None:
            from glossary_gen.adopt.translate import new_translation

            path = new_translation(args.title, args.lang, settings)
        else:
            path = new_entry(args.title, settings.entries_dir, settings)
    except ScaffoldError as exc:
        print(f"glossary-gen: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"created {path}; fill in each section (replace the <!-- comments -->), then run: "
        f"{_program()} check --changed"
    )
    return EXIT_OK


def _program() -> str:
    """How to call glossary-gen again: by name when it is on PATH, else by its path in the
    virtualenv (``.venv/bin/glossary-gen``), which is what a fresh clone has."""
    import shutil

    if shutil.which("glossary-gen"):
        return "glossary-gen"
    from glossary_gen.core.loader import display_path

    candidate = Path(sys.executable).with_name("glossary-gen")
    return display_path(candidate) if candidate.exists() else "glossary-gen"


def run_import(args: argparse.Namespace) -> int:
    from glossary_gen.adopt.hugo.convert import import_hugo, summarize

    settings = load_settings(args.config).with_overrides(entries_dir=args.entries)
    result = import_hugo(
        args.source,
        settings.entries_dir,
        dry_run=args.dry_run,
        settings=settings,
        base_url=_url(args.base_url, "--base-url"),
    )
    _print_diagnostics(result.diagnostics, args.format)
    for line in summarize(result, settings.entries_dir, args.dry_run):
        print(f"glossary-gen: {line}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _url(value: str | None, option: str) -> str | None:
    import re

    if value is not None and not re.match(r"^https?://[^\s\"'<>]+$", value):
        raise ConfigError(f"{option} must be an http(s) URL, got '{value}'")
    return value


def run_init(args: argparse.Namespace) -> int:
    from glossary_gen.adopt.init import init_project, report
    from glossary_gen.pipeline import load_and_link

    hugo = None
    if args.source is not None:
        kind, path = args.source
        if kind != "hugo":
            raise ConfigError(f"--from: unknown format '{kind}' (known: hugo)")
        hugo = Path(path)
    if args.base_url is not None and hugo is None:
        raise ConfigError("--base-url needs --from hugo PATH")
    result = init_project(
        args.directory,
        hugo=hugo,
        repo_url=args.repo_url,
        site_name=args.site_name,
        base_url=args.base_url,
        package=args.package,
    )
    _print_diagnostics(result.diagnostics, args.format)
    for line in report(result):
        print(f"glossary-gen: {line}", file=sys.stderr)
    if not result.ok:
        return EXIT_PROBLEMS
    if result.imported is not None:  # what `check --no-doctest` would say in the new project
        from glossary_gen.core.config import plugin_options, settings_from_options

        mkdocs = args.directory / "mkdocs.yml"
        settings = settings_from_options(plugin_options(mkdocs), args.directory, str(mkdocs))
        glossary, problems = load_and_link(settings.entries_dir, settings.entry_model)
        errors = sum(d.is_error for d in problems)
        print(
            f"glossary-gen: check --no-doctest in the new project: {len(glossary.entries)} "
            f"entries, {errors} error(s), {len(problems) - errors} warning(s)",
            file=sys.stderr,
        )
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    from glossary_gen.adopt.new import write_schema
    from glossary_gen.core.schema import schema_text

    settings = load_settings(args.config)
    if args.output == "-" or (args.output is None and settings.schema_file is None):
        sys.stdout.write(schema_text(settings.entry_model))
        return EXIT_OK
    path = write_schema(settings, Path(args.output) if args.output else None)
    print(f"glossary-gen: wrote {path}", file=sys.stderr)
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    from glossary_gen.site.audit import check_site, html_files

    site_dir: Path = args.site_dir
    if not site_dir.is_dir():
        raise ConfigError(f"{site_dir} is not a folder (build the site first)")
    problems = check_site(site_dir, site_url=args.site_url)
    for problem in problems:
        print(problem.format_text())
    pages = sum(1 for _ in html_files(site_dir))
    print(
        f"glossary-gen: audited {pages} pages in {site_dir}: {len(problems)} problem(s)",
        file=sys.stderr,
    )
    return EXIT_PROBLEMS if problems else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except ConfigError as exc:
        print(f"glossary-gen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("glossary-gen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
