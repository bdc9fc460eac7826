"""Where a Hugo link points, and what it becomes in the glossary.

Hugo names a page in many ways: a title, an alias or a slug in ``related``, a content path in a
``ref``/``relref`` shortcode (from the page's folder, then from the content root), a URL in a
Markdown link (from the page's address). :class:`Resolver` resolves them all to the title of an
imported page or an existing entry, the way Hugo would; :class:`LinkWriter` then writes a link
as a wiki link, plain text or an address on the old site, and reports what it could not keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glossary_gen.adopt.hugo.page import Page, page_key, site_join, site_url
from glossary_gen.core.diagnostics import Diagnostic, warning
from glossary_gen.core.model import Entry, name_key, slugify

#: One shortcode, as a link target (pattern text, combined with others by the body converter).
SHORTCODE_PATTERN = r"\{\{[<%].*?[>%]\}\}"
#: A Markdown link's ``[text](href "title")`` (pattern text).
LINK_PATTERN = (
    r"\[(?P<text>[^\]\n]*)\]\((?P<href><[^>\n]*>|" + SHORTCODE_PATTERN + r"|[^)\s]+)"
    r"(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)"
)
_MD_LINK = re.compile(LINK_PATTERN)
REF_SHORTCODE = re.compile(r"^\{\{[<%]\s*(?:rel)?ref\b(?P<args>.*?)\s*[>%]\}\}$", re.S)
_SHORTCODE = re.compile(SHORTCODE_PATTERN, re.S)
_WIKI = re.compile(r"\[\[(?P<target>[^\]|\n]+)(?:\|[^\]\n]*)?\]\]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@dataclass(frozen=True)
class Target:
    kind: str  # "term", "outside" (elsewhere in the site), "missing" (no such term), "external"
    title: str = ""
    path: str = ""  # for outside/missing: the site path


def _ref_target(args: str) -> str:
    named = re.search(r"\bpath\s*=\s*\"([^\"]*)\"", args)
    if named:
        return named.group(1)
    found = re.match(r"\s*(?:\"([^\"]*)\"|`([^`]*)`|([^\s\"]+))", args)
    return next((g for g in found.groups() if g is not None), "") if found else ""


class Resolver:
    """Names and Hugo paths -> the title of an imported page or an existing entry."""

    def __init__(self, pages: list[Page], existing: list[Entry], section: str) -> None:
        self.section = section
        self.by_name: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        self.by_path: dict[str, str] = {}
        self.slug_of: dict[str, str] = {}
        for page in pages:
            self.slug_of.setdefault(page.title, page.slug)
            self.by_slug.setdefault(page.slug, page.title)
            for name in (page.title, *page.aliases, page.slug):
                self.by_name.setdefault(name_key(name), page.title)
            for path in page.paths:
                self.by_path.setdefault(page_key(path), page.title)
        for entry in existing:
            self.slug_of.setdefault(entry.title, entry.slug)
            self.by_slug.setdefault(entry.slug, entry.title)
            for name in entry.names:
                self.by_name.setdefault(name_key(name), entry.title)

    def name(self, reference: str, page: Page | None, kind: str = "ref") -> str | None:
        """A related term: a name (title, alias, slug), else a Hugo path, a link target or a
        ``ref`` shortcode."""
        reference = reference.strip()
        if kind == "ref" and name_key(reference) in self.by_name:
            return self.by_name[name_key(reference)]
        found = self.target(reference, page, kind)
        return found.title if found.kind == "term" else None

    def inside(self, key: str) -> bool:
        return key == self.section or key.startswith(self.section + "/")

    def target(self, href: str, page: Page | None, kind: str) -> Target:
        """Where ``href`` points: ``kind`` is ``link`` (a Markdown/HTML link: relative to the
        page's URL) or ``ref`` (a Hugo content path: the page's folder, then the content root)."""
        href = href.strip()
        if href.startswith("<") and href.endswith(">"):
            href = href[1:-1].strip()
        shortcode = REF_SHORTCODE.match(href)
        if shortcode:
            href, kind = _ref_target(shortcode.group("args")), "ref"
        elif _SCHEME.match(href) or href.startswith(("#", "//")):
            return Target("external")
        path = href.split("#")[0].split("?")[0].strip()
        if not path:
            return Target("external")
        folder, url = (page.file_dir, page.url) if page is not None else (self.section, "")
        if path.startswith("/"):
            candidates = [path.lstrip("/")]
        elif kind == "ref":
            candidates = [site_join(folder, path), site_join("", path)]
        elif re.search(r"\.(md|markdown)$", path, re.I):
            candidates = [site_join(folder, path)]
        else:  # from the page's address; then from its file's, which authors often meant
            candidates = [site_join(url, path)]
            if page is not None and page.paths:
                candidates.append(site_join(page_key(page.paths[0]), path))
        for candidate in candidates:
            title = self.by_path.get(page_key(candidate))
            if title is not None:
                return Target("term", title)
        bare = page_key(path)
        if "/" not in bare and bare:
            title = self.by_name.get(name_key(bare)) or self.by_slug.get(slugify(bare))
            if title is not None:
                return Target("term", title)
        for candidate in candidates:
            key = page_key(candidate)
            if self.inside(key):
                last = key.rsplit("/", 1)[-1]
                title = self.by_slug.get(slugify(last)) if key != self.section else None
                if title is not None:
                    return Target("term", title)
                return Target("missing", path=candidate)
        return Target("outside", path=candidates[0])


def split_items(text: str) -> list[tuple[str, str | None, int]]:
    """Items of a related list: (text, href or None, column offset in ``text``)."""
    items: list[tuple[str, str | None, int]] = []
    taken = [" "] * len(text)
    for found in _MD_LINK.finditer(text):
        items.append((found.group("text"), found.group("href"), found.start()))
        taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    for found in _WIKI.finditer(text):
        if taken[found.start()] != "\0":
            items.append((found.group("target"), None, found.start()))
            taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    for found in _SHORTCODE.finditer(text):
        if taken[found.start()] != "\0":
            items.append((found.group(0), found.group(0), found.start()))
            taken[found.start() : found.end()] = "\0" * (found.end() - found.start())
    rest = "".join(c if t != "\0" else "," for c, t in zip(text, taken, strict=False))
    for found in re.finditer(r"[^,;|·]+", rest):
        item = found.group(0).strip().strip("*_`").strip()
        item = item.rstrip(".").strip()
        if any(c.isalnum() for c in item) and item.casefold() != "and":
            items.append((item, None, found.start() + found.group(0).find(item[0])))
    return sorted(items, key=lambda i: i[2])


class LinkWriter:
    """The links of one page's body -> wiki links to imported terms, plain text, or addresses on
    the old site (``--base-url``); each link that cannot stay a link is reported at its line."""

    def __init__(
        self,
        page: Page,
        resolver: Resolver,
        base_url: str | None,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.page = page
        self.resolver = resolver
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.diagnostics = diagnostics

    def report(self, line: int, col: int, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(warning(self.page.shown, line, col, code, message, hint))

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{site_url(path)}"

    def link(
        self, text: str, href: str, image: bool, line: int, col: int, raw: str | None = None
    ) -> str:
        """A Markdown link, image or ``<a href>`` (``raw``: its source, kept when external)."""
        kind = "ref" if REF_SHORTCODE.match(href.strip()) else "link"
        target = self.resolver.target(href, self.page, kind)
        shown = " ".join(href.split())
        if target.kind == "external":
            return raw if raw is not None else f"[{text}]({href})"
        if image:
            if self.base_url:
                self.report(
                    line,
                    col,
                    "import-image",
                    f"image '{shown}' is not imported; it now "
                    f"points at the old site: {self.absolute(target.path)}",
                )
                return f"![{text}]({self.absolute(target.path)})"
            self.report(
                line,
                col,
                "import-image",
                f"image '{shown}' is not imported; "
                f"{'its alt text was kept' if text.strip() else 'it was left out'}",
                "use --base-url to point at the old site's copy",
            )
            return text
        if target.kind == "term" and target.title == self.page.title:
            return text  # a page's link to itself: just its text
        if target.kind == "term":
            title = target.title
            if any(c in title for c in "|[]"):  # would end the wiki link: name it by its slug
                title = self.resolver.slug_of.get(title, title)
            return f"[[{title}]]" if name_key(text) == name_key(title) else f"[[{title}|{text}]]"
        what = "the rest of the Hugo site" if target.kind == "outside" else "no imported page"
        if self.base_url and target.kind == "outside":
            url = self.absolute(target.path) + (
                "#" + href.split("#", 1)[1] if "#" in href and kind == "link" else ""
            )
            self.report(line, col, "import-link", f"link to '{shown}' ({what}) now points at {url}")
            return f"[{text}]({url})"
        self.report(
            line,
            col,
            "import-link",
            f"link to '{shown}' ({what}) became plain text",
            "use --base-url to link to the old site instead" if target.kind == "outside" else None,
        )
        return text

    def ref(self, raw: str, line: int, col: int) -> str:
        """A ``ref``/``relref`` shortcode standing on its own (not as a link's target)."""
        target = self.resolver.target(raw, self.page, "ref")
        shown = " ".join(raw.split())
        if target.kind == "term":
            return target.title if target.title == self.page.title else f"[[{target.title}]]"
        if self.base_url and target.kind == "outside":
            url = self.absolute(target.path)
            self.report(line, col, "import-link", f"{shown} now points at {url}")
            return url
        self.report(line, col, "import-link", f"{shown} points at no imported page; left out")
        return ""
