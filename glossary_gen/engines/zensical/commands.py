"""The file writer's commands: ``glossary-gen pages`` (the glossary as files, for any
Python-Markdown engine) and ``glossary-gen zensical build|serve|prepare`` (the workspace, then
Zensical with this Python, which imports this package for the Markdown extension). ``serve``
writes the workspace again whenever an entry, a docs page or mkdocs.yml changes."""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from glossary_gen.core.config import ConfigError
from glossary_gen.core.diagnostics import Diagnostic, format_diagnostics
from glossary_gen.engines.zensical.pages import Written, write_pages
from glossary_gen.engines.zensical.project import Project, walk
from glossary_gen.engines.zensical.workspace import Prepared, prepare
from glossary_gen.site.audit import html_files, policy_for, secure_site


def zensical_command(*args: str) -> list[str]:
    """Zensical with this Python (which imports this package for the Markdown extension),
    isolated (``-I``): the project folder is not on its import path, so no module of a pull
    request there (a ``zensical.py``, say) runs in its place."""
    return [sys.executable, "-I", "-m", "zensical", *args]


def report(diagnostics: Sequence[Diagnostic], fmt: str = "text") -> None:
    output = format_diagnostics(list(diagnostics), fmt)
    if output:
        print(output, flush=True)


def _summary(written: Written, project: Project) -> str:
    """The check's summary line, as ``glossary-gen check`` prints it (its problems and the
    pages' ones, both printed above it)."""
    from glossary_gen.pipeline import summary_line

    check = written.check
    checked = len(check.glossary.entries) if check is not None else 0
    isolation = check.isolation if check is not None else None
    return summary_line(checked, project.settings.entries_dir, written.diagnostics, isolation)


def _prepared(project: Project, doctest: bool | None, refusal: str) -> Prepared | None:
    """The workspace written, its problems and the check's summary line printed; ``None`` (and
    ``refusal`` said) when the glossary has errors."""
    prepared = prepare(project, doctest=doctest)
    report(prepared.written.diagnostics)
    if project.pyodide_note:
        print(project.pyodide_note.replace("glossary:", "glossary-gen:", 1), file=sys.stderr)
    check = prepared.written.check
    if check is not None and check.isolation is not None and check.isolation.warning:
        print(check.isolation.warning, file=sys.stderr)
    summary = _summary(prepared.written, project)
    if not prepared.written.ok:
        print(summary + ": " + refusal, file=sys.stderr, flush=True)
        return None
    print(summary, file=sys.stderr, flush=True)
    return prepared


def build(project: Project, *, doctest: bool | None = None, clean: bool = False) -> int:
    """Check, write the workspace, run ``zensical build``. 0, 1 (content) or Zensical's code."""
    prepared = _prepared(project, doctest, "not built")
    if prepared is None:
        return 1
    command = zensical_command("build", "-f", str(prepared.config_file))
    if clean:
        command.append("--clean")
    code = subprocess.run(command, cwd=project.base_dir, check=False).returncode
    return code if code else audit_built_site(project, prepared.written)


def audit_built_site(project: Project, written: Written) -> int:
    """The last gate (:mod:`glossary_gen.site.audit`): every page Zensical wrote is audited and
    given its Content-Security-Policy; 1 if anything could run or load in a reader's browser."""
    site_dir = project.base_dir / str(project.config.get("site_dir") or "site")
    entry_of: dict[str, str] = {}
    if written.assembly is not None:
        for entry in written.assembly.renderer.glossary.published:
            entry_of[f"{project.options.prefix}{entry.slug}/index.html"] = entry.path
    problems = secure_site(
        site_dir,
        policy_for(project.options.pyodide_url),
        site_url=project.site().site_url,
        entry_of=entry_of,
    )
    for problem in problems:
        print(problem.format_text(), flush=True)
    pages = sum(1 for _ in html_files(site_dir))
    if problems:
        print(
            f"glossary-gen: the output audit refused {len(problems)} problem(s) in {site_dir}: "
            "nothing an entry writes may run or load anything in a reader's browser",
            file=sys.stderr,
        )
        return 1
    print(
        f"glossary-gen: output audit: {pages} pages, no problem; a Content-Security-Policy on each"
    )
    return 0


def _snapshot(folders: Iterable[Path], files: Iterable[Path]) -> dict[Path, float]:
    """Modification time of every file watched (a change, a new or a deleted file differs)."""
    paths = [p for folder in folders if folder.is_dir() for p in walk(folder)] + list(files)
    seen = {}
    for path in paths:
        with contextlib.suppress(OSError):
            seen[path] = path.stat().st_mtime
    return seen


def serve(
    project: Project,
    *,
    address: str | None = None,
    doctest: bool | None = None,
    interval: float = 0.5,
) -> int:
    """Write the workspace, run ``zensical serve`` and, while it runs, write it again whenever an
    entry, a docs page or mkdocs.yml changes (only changed files are rewritten, so Zensical
    rebuilds what they affect). Problems are printed as ``check`` prints them; the preview keeps
    the last good pages until they are fixed."""
    prepared = _prepared(project, doctest, "fix them to serve")
    if prepared is None:
        return 1
    command = zensical_command("serve", "-f", str(prepared.config_file))
    if address:
        command += ["--dev-addr", address]
    watched = [project.settings.entries_dir, project.docs_dir]
    state = _snapshot(watched, [project.config_file])
    process = subprocess.Popen(command, cwd=project.base_dir)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a terminated preview ends its server too

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while process.poll() is None:
            time.sleep(interval)
            now = _snapshot(watched, [project.config_file])
            if now == state:
                continue
            state = now
            try:
                project = Project.load(project.config_file)
                prepared = prepare(project, doctest=doctest)
            except ConfigError as exc:
                print(f"glossary-gen: error: {exc}", file=sys.stderr, flush=True)
                continue
            report(prepared.written.diagnostics)
            changed = len(prepared.written.written) + len(prepared.written.removed)
            print(
                f"{_summary(prepared.written, project)}; {changed} file(s) updated",
                file=sys.stderr,
                flush=True,
            )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


# --- command line ---------------------------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``glossary-gen pages`` and ``glossary-gen zensical`` (the CLI's subcommands)."""
    pages = commands.add_parser(
        "pages",
        help="write the glossary as files for any Python-Markdown engine",
        description="Check the glossary, then write its pages (Markdown files with front "
        "matter), tag pages, redirects, glossary.json, feed.xml, llms.txt and assets into OUT.",
    )
    pages.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder")
    pages.add_argument("--config", type=Path, metavar="FILE", help="mkdocs.yml to read")
    pages.add_argument("--no-doctest", action="store_true", help="do not run the examples")
    pages.add_argument(
        "--links",
        choices=("source", "url"),
        default="source",
        help="links in the generated HTML: source paths (Zensical resolves them; default) or "
        "final URLs (engines that leave raw HTML alone)",
    )
    pages.add_argument("--no-tag-pages", action="store_true", help="no glossary/tags/ pages")
    pages.set_defaults(handler=run_pages)

    zensical = commands.add_parser(
        "zensical",
        help="build or serve the site with Zensical",
        description="Check the glossary, write the workspace Zensical builds from "
        "(build/zensical/, zensical.yml) and run Zensical: build into site_dir, or serve a live "
        "preview that regenerates the pages when an entry changes.",
    )
    zensical.add_argument(
        "action", choices=("build", "serve", "prepare"), nargs="?", default="build"
    )
    zensical.add_argument("--config", type=Path, metavar="FILE", help="mkdocs.yml to read")
    zensical.add_argument("--no-doctest", action="store_true", help="do not run the examples")
    zensical.add_argument("--clean", action="store_true", help="build without Zensical's cache")
    zensical.add_argument("--dev-addr", metavar="IP:PORT", help="address of the preview server")
    zensical.set_defaults(handler=run_zensical)


def run_pages(args: argparse.Namespace) -> int:
    project = Project.load(args.config)
    written = write_pages(
        project,
        args.out,
        doctest=False if args.no_doctest else None,
        tag_pages=not args.no_tag_pages,
        links=args.links,
    )
    report(written.diagnostics)
    print(
        _summary(written, project)
        + (f"; {len(written.written)} file(s) written to {args.out}" if written.ok else ""),
        file=sys.stderr,
    )
    return 0 if written.ok else 1


def run_zensical(args: argparse.Namespace) -> int:
    project = Project.load(args.config)
    if args.action == "serve":
        return serve(project, address=args.dev_addr, doctest=False if args.no_doctest else None)
    if args.action == "prepare":
        prepared = prepare(project, doctest=False if args.no_doctest else None)
        report(prepared.written.diagnostics)
        return 0 if prepared.written.ok else 1
    return build(project, doctest=False if args.no_doctest else None, clean=args.clean)
