"""The output audit as the last gate of a MkDocs build (see :mod:`glossary_gen.site.audit`).

Each page is audited and given its Content-Security-Policy as MkDocs writes it, after every other
plugin has changed it (``on_post_page`` at the lowest priority; ``404.html`` through
``on_post_template``); the HTML files MkDocs copies as they are (hand-written ones in ``docs/``)
are audited at the end of a full build. Every problem is logged with its page and entry, then the
build fails: a page that could run or load something from an entry is never published. Under
``mkdocs serve --dirty`` pages that were not rebuilt keep what they were given before.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from mkdocs.exceptions import PluginError

from glossary_gen.site.audit import Policy, Problem, html_files, policy_for, secure_page

log = logging.getLogger("mkdocs.plugins.glossary")


class AuditGate:
    """What one build's audit found, and the pages it has secured."""

    def __init__(self) -> None:
        self.enabled = True
        self.policy = Policy()
        self.site_url: str | None = None
        self.problems: list[Problem] = []
        self.seen: set[str] = set()

    def start(self, pyodide_url: str, site_url: str | None, theme: str | None) -> None:
        # The theme's own scripts are known for Material (and Zensical's theme): another theme's
        # pages are neither audited nor given a policy, and the build says so once.
        self.enabled = theme == "material"
        if not self.enabled:
            log.info(
                "glossary: the output audit and the Content-Security-Policy cover the Material "
                "theme only; theme %r is not audited",
                theme,
            )
        self.policy = policy_for(pyodide_url)
        self.site_url = site_url or None
        self.problems = []
        self.seen = set()

    def page(self, output: str, dest: str, entry: str | None = None) -> str:
        """A page as MkDocs is about to write it, audited and with its policy."""
        if not self.enabled:
            return output
        secured, problems = secure_page(output, dest, self.policy, site_url=self.site_url)
        self.seen.add(dest)
        for problem in problems:
            self._report(replace(problem, entry=entry))
        return secured

    def finish(self, site_dir: Path, *, every_file: bool) -> None:
        """After the build: audit the HTML files no page event saw (``every_file``: a full build),
        then fail the build if anything was found."""
        if not self.enabled:
            return
        if every_file:
            for path in html_files(site_dir):
                dest = path.relative_to(site_dir).as_posix()
                if dest in self.seen:
                    continue
                text = path.read_text("utf-8", errors="replace")
                secured, problems = secure_page(text, dest, self.policy, site_url=self.site_url)
                for problem in problems:
                    self._report(problem)
                if secured != text:
                    path.write_text(secured, "utf-8")
        if self.problems:
            count = len(self.problems)
            raise PluginError(
                f"glossary: the output audit refused {count} problem(s), listed above: nothing "
                "an entry writes may run or load anything in a reader's browser"
            )

    def _report(self, problem: Problem) -> None:
        self.problems.append(problem)
        log.error(problem.format_text())
