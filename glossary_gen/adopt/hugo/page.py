"""One Hugo page on its way to an entry, and its addresses in the Hugo site.

Every step of the import reads and fills the same :class:`Page`: it keeps the file lines its parts
came from, so that each problem is reported where the author can fix it, and the site paths that
name it, so that links and related terms written in any of Hugo's ways find it.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict


class FrontMatter(TypedDict, total=False):
    """The entry's new front matter (``related`` is filled last, once every page is known)."""

    title: str
    aliases: list[str]
    related: list[str]
    tags: list[str]
    draft: bool
    type: str
    layout: str
    updated: _dt.date
    redirect_from: list[str]
    sources: list[dict[str, str]]


@dataclass
class Page:
    """One Hugo page, with the file lines its parts came from."""

    file: Path
    shown: str
    meta: dict[str, object]
    front_lines: list[str]
    front_first: int  # file line of the first front-matter line
    body_lines: list[str]
    body_first: int
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # lower-case key -> place
    slug: str = ""
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    #: Related terms: (name or href, line, column, "ref" for names and Hugo paths, "link" for
    #: Markdown link targets)
    related: list[tuple[str, int, int, str]] = field(default_factory=list)
    out: FrontMatter = field(default_factory=FrontMatter)  # the new front matter
    file_dir: str = ""  # the folder of the file in the Hugo site's content, e.g. "glossary/ml"
    url: str = ""  # the page's address in the Hugo site, e.g. "glossary/ml/relu"
    url_override: str = ""  # Hugo's `url:` key
    paths: list[str] = field(default_factory=list)  # every site path that names this page
    found: dict[str, str] = field(default_factory=dict)  # section title -> text from the source
    others: list[tuple[str, str]] = field(default_factory=list)  # other sections: title, text

    def locate_key(self, key: str) -> tuple[int, int]:
        """The file line and column of a front-matter key (``1, 1`` when it cannot be found)."""
        if key.lower() in self.positions:
            return self.positions[key.lower()]
        pattern = re.compile(r"^(\s*)[\"']?" + re.escape(key) + r"[\"']?\s*[:=]", re.I)
        for index, line in enumerate(self.front_lines):
            found = pattern.match(line)
            if found:
                return self.front_first + index, len(found.group(1)) + 1
        return 1, 1

    def locate_value(self, value: str, key: str) -> tuple[int, int]:
        """Where ``value`` is written, from the line of ``key`` on."""
        start, _ = self.locate_key(key)
        for index in range(max(start - self.front_first, 0), len(self.front_lines)):
            column = self.front_lines[index].find(value)
            if column >= 0:
                return self.front_first + index, column + 1
        return start, 1


# --- site paths ---------------------------------------------------------------------------------


def section_path(source: Path) -> tuple[str, bool]:
    """Where the imported section lives in the Hugo site: the folders after ``content/``
    (``site/content/glossary`` -> ``glossary``, known), else the folder's own name (a guess)."""
    parts = source.resolve().parts
    if "content" in parts:
        after = parts[len(parts) - parts[::-1].index("content") :]
        if after:
            return "/".join(after).lower(), True
    return source.resolve().name.lower(), False


def page_key(path: str) -> str:
    """A site path as a lookup key: lower-case, no slashes around, no ``.md``/``index``."""
    key = path.strip().strip("/").lower()
    key = re.sub(r"\.(md|markdown|html?)$", "", key)
    key = re.sub(r"(^|/)_?index$", "", key)
    return key.strip("/")


def site_join(folder: str, path: str) -> str:
    """``path`` read from ``folder`` of the site, as a site path without a leading slash."""
    joined = posixpath.normpath(posixpath.join("/", folder, path))
    return joined.lstrip("/")


def site_url(path: str) -> str:
    """The URL path of a site path: pages end with ``/`` (Hugo's pretty URLs), files do not."""
    path = path.strip("/")
    if re.search(r"\.(md|markdown)$", path, re.I):
        path = page_key(path)
        return path + "/" if path else ""
    last = path.rsplit("/", 1)[-1]
    return path + "/" if path and "." not in last else path
