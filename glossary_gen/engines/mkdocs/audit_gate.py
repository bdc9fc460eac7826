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
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import cast

from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

from glossary_gen.site.audit import (
    Policy,
    Problem,
    policy_for,
    script_hash,
    secure_page,
    secure_site,
)

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
            unseen = secure_site(site_dir, self.policy, site_url=self.site_url, skip=self.seen)
            for problem in unseen:
                self._report(problem)
        if self.problems:
            count = len(self.problems)
            raise PluginError(
                f"glossary: the output audit refused {count} problem(s), listed above: nothing "
                "an entry writes may run or load anything in a reader's browser"
            )

    def _report(self, problem: Problem) -> None:
        self.problems.append(problem)
        log.error(problem.format_text())


_POLICY = b'http-equiv="Content-Security-Policy"'
_POLICY_SCRIPTS = re.compile(
    rb'(http-equiv="Content-Security-Policy" content="[^"]*?script-src \'self\')'
)


def allow_live_reload(server: LiveReloadServer) -> None:
    """``mkdocs serve`` adds its live-reload script to every page it serves, after the build, with
    a new id each time: let each served page's policy allow that one script, by its hash, so the
    preview reloads on a save. A page whose policy allows no script of the site's own (the
    examples' sandbox frame) gets no live-reload script. Nothing else changes; the built files
    keep their policy."""
    # MkDocs' own step (the server has no public hook), untyped there; if a later MkDocs has no
    # such step, the preview keeps the built policy (and reloads by hand).
    found = getattr(server, "_inject_js_into_html", None)
    if found is None:
        return
    inject = cast(Callable[[bytes, int], bytes], found)

    def inject_allowed(content: bytes, epoch: int) -> bytes:
        if _POLICY in content and not _POLICY_SCRIPTS.search(content):
            # A policy that allows no script of the site's own (the examples' sandbox frame):
            # no live reload inside it, the page around it reloads.
            return content
        served = inject(content, epoch)
        added = len(served) - len(content)
        start = content.rfind(b"</body>")  # where MkDocs puts it
        start = len(content) if start < 0 else start
        inserted = served[start : start + added].decode("utf-8", errors="replace")
        if not (inserted.startswith("<script>") and inserted.endswith("</script>")):
            return served
        source = script_hash(inserted[len("<script>") : -len("</script>")]).encode()
        return _POLICY_SCRIPTS.sub(lambda m: m.group(1) + b" " + source, served, count=1)

    server._inject_js_into_html = inject_allowed  # type: ignore[method-assign]
