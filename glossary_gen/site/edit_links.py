"""Edit links: "Edit this term" opens the entry file in the repository's editor, "Suggest a new
term" leads to the contributing guide.

The repository is the plugin's ``repo_url`` (else MkDocs' own ``repo_url``). The plugin has its
own option because MkDocs' puts a repository badge in Material's header that asks the GitHub API
for star counts on every page load, a request to another site that this project's pages do not
make. The entry's path is taken from the folder of ``mkdocs.yml`` (the repository root in the
usual layout), not from ``docs/``: ``entries/relu.md``.

Where the editor is (``edit_uri``, relative to ``repo_url``):

1. the plugin's ``edit_uri``: the edit view of the folder holding ``mkdocs.yml`` (``edit/main/``);
2. else MkDocs' ``edit_uri``, which points into ``docs/`` (``edit/main/docs/``): the entry path is
   taken relative to ``docs/`` (``../entries/relu.md``) and the URL normalized;
3. else, for github.com and gitlab.com, their edit view of the ``main`` branch;
4. else there is no edit link.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from glossary_gen.core.model import Entry
from glossary_gen.site.text import relative_url

#: The edit view of a branch on hosts whose URL scheme is known.
_HOST_EDIT_URI = {"github.com": "edit/main/", "gitlab.com": "-/edit/main/"}


@dataclass(frozen=True)
class EditLinks:
    """Where the entry files can be edited, and where a new term is suggested."""

    #: Absolute URL of the edit view of ``base_dir`` (ends with ``/``), or ``None``.
    edit_base: str | None
    #: The folder the entry paths are taken from.
    base_dir: Path
    #: "Suggest a new term": an absolute URL or a site-root-relative page URL, or ``None``.
    suggest_url: str | None = None
    #: The docs page's source path (``contributing.md``) when :attr:`suggest_url` is one.
    suggest_src: str | None = None

    def path(self, file: Path) -> str:
        """An entry file's path from the folder of mkdocs.yml: ``entries/relu.md``."""
        return Path(os.path.relpath(file.resolve(), self.base_dir.resolve())).as_posix()

    def edit_url(self, file: Path) -> str | None:
        """The editor URL of an entry file."""
        if self.edit_base is None:
            return None
        return _normalized(urljoin(self.edit_base, quote(self.path(file))))

    def footer(
        self,
        entry: Entry,
        page_url: str,
        *,
        link: Callable[[str, str], str] | None = None,
        say: Callable[[str], str] = str,
    ) -> list[str]:
        """The links of a term page's footer (the page at ``page_url``): "Edit this term" and
        "Suggest a new term", where known. ``link(src, url)`` writes a link to a docs page
        (:meth:`glossary_gen.site.linker.Linker.page_link`; default: the URL relative to ``page_url``)."""
        links = []
        edit = self.edit_url(entry.file)
        if edit is not None:
            links.append(
                f'<a href="{html.escape(edit)}" class="glossary-edit-term" rel="nofollow" '
                f'title="Edit {html.escape(self.path(entry.file))} in the repository">'
                f"{say('Edit this term')}</a>"
            )
        if self.suggest_url:
            suggest = self.suggest_url
            if not re.match(r"^[a-z][a-z0-9+.-]*:|^/", suggest, re.I):
                suggest = (
                    link(self.suggest_src or suggest, suggest)
                    if link is not None
                    else relative_url(suggest, page_url)
                )
            links.append(
                f'<a href="{html.escape(suggest)}" class="glossary-suggest-term">'
                f"{say('Suggest a new term')}</a>"
            )
        return links


def edit_base(
    repo_url: str | None,
    edit_uri: str | None,
    *,
    mkdocs_edit_uri: str | None = None,
    docs_dir: Path | None = None,
    base_dir: Path,
) -> str | None:
    """The edit view of ``base_dir`` as an absolute URL (see the module docstring)."""
    if not repo_url:
        return None
    repo = repo_url if repo_url.endswith("/") else repo_url + "/"
    if edit_uri:
        uri = edit_uri
    elif mkdocs_edit_uri and docs_dir is not None:
        up = Path(os.path.relpath(base_dir.resolve(), docs_dir.resolve())).as_posix()
        uri = mkdocs_edit_uri.rstrip("/") + "/" + ("" if up == "." else up + "/")
    else:
        uri = _HOST_EDIT_URI.get(urlsplit(repo).netloc.lower().removeprefix("www."), "")
        if not uri:
            return None
    base = _normalized(urljoin(repo, uri))
    return base if base.endswith("/") else base + "/"


def _normalized(url: str) -> str:
    """``.../edit/main/docs/../entries/x.md`` -> ``.../edit/main/entries/x.md``."""
    parts = urlsplit(url)
    path = posixpath.normpath(parts.path) if parts.path else parts.path
    if parts.path.endswith("/") and not path.endswith("/"):
        path += "/"
    return urlunsplit(parts._replace(path=path))
