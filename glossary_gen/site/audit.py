"""The output audit: the last gate before a built page is published, and its Content-Security-Policy.

Every HTML file of a built site is parsed as a browser parses it (the HTML5 algorithm, by the
Lexbor engine through selectolax: entities decoded, attributes lower-cased, duplicates dropped,
foreign SVG and MathML content included) and refused, with the page and the entry it came from
named, if it holds any of:

* an event-handler attribute (``onload=``, ``onfocus=``, ...), on any element;
* a ``javascript:``, ``vbscript:`` or ``data:`` URL in a link or a source (``data:`` images are
  allowed as ``<img src>``: they cannot run anything);
* a ``<script>`` that is neither the theme's nor ours: an inline script is accepted only if it is
  one of the theme's own template scripts (read from the installed themes' ``partials/javascripts``
  templates, their one template expression standing for a quoted path) or one of ours (the
  redirect pages'); a script file only from the site itself (a relative URL);
* an ``iframe``, ``frame``, ``object``, ``embed`` or ``applet`` element (the site makes its one
  frame at run time, from ``assets/glossary/live.js``);
* a third-party URL the page would load by itself (a script, a stylesheet, an image, a media
  source, a preload): the site loads nothing from elsewhere.

The same pass computes the page's policy: script sources are ``'self'`` and the SHA-256 hashes of
the inline scripts it accepted, never ``'unsafe-inline'``, so a handler that slipped through would
not run either. :func:`secure_page` puts the policy into the page as the first element of
``<head>`` (a ``<meta http-equiv>``, which GitHub Pages serves as it is). Both engines call it
for every page they write; ``glossary-gen audit SITE_DIR`` checks a built site again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

#: Elements the site never writes into a page.
FORBIDDEN_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet"})

#: Attributes that hold a URL the browser follows or loads.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "cite"}
)

#: (element, attribute) pairs whose URL the page loads by itself, without a click.
_LOADS = {
    ("script", "src"),
    ("img", "src"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("source", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("embed", "src"),
    ("iframe", "src"),
    ("object", "data"),
}
#: ``<link rel>`` values that make the browser load the linked URL.
_LOADING_RELS = frozenset(
    {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest", "apple-touch-icon"}
)

#: Script types a browser runs (an empty type is JavaScript); JSON islands are data.
_EXECUTABLE_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})

_DANGEROUS_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.I)
_STRIP_FOR_SCHEME = re.compile(r"[\x00-\x20\x7f]+")

#: A template expression inside a theme script: it always stands inside a quoted string.
_TEMPLATE_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
#: What such an expression may become in a built page: a path, with nothing that could end the
#: string or the script.
_PATH_TEXT = r"[^\"'\\\\<>\n]*"

#: Our own inline scripts, as patterns (the redirect pages': :mod:`glossary_gen.site.redirects`).
OWN_SCRIPTS = (re.compile(r'location\.replace\("[^"\\<>\n]*" \+ location\.hash\)'),)


@dataclass(frozen=True)
class Problem:
    """One reason a built page may not be published."""

    page: str
    line: int
    code: str
    message: str
    #: The entry the page was made from, when it was made from one.
    entry: str | None = None

    def format_text(self) -> str:
        source = f" (page of {self.entry})" if self.entry else ""
        return f"{self.page}:{self.line}: error[{self.code}]: {self.message}{source}"


@dataclass
class PageAudit:
    """What the audit found in one page: its problems and the hashes of its trusted scripts."""

    page: str
    problems: list[Problem] = field(default_factory=list)
    script_hashes: list[str] = field(default_factory=list)
    has_policy: bool = False


@functools.lru_cache(maxsize=1)
def theme_scripts() -> tuple[re.Pattern[str], ...]:
    """The inline scripts of the installed themes' templates (Material for MkDocs, Zensical) and
    of the glossary's theme folder over Material's (glossary_gen/site/theme), each as a pattern
    whose template expressions match a quoted path."""
    patterns: list[re.Pattern[str]] = []
    for package, path in (
        ("material", "templates/partials/javascripts"),
        ("zensical", "templates/partials/javascripts"),
        ("glossary_gen.site", "theme/partials/javascripts"),
    ):
        try:
            folder = resources.files(package).joinpath(path)
            names = [t for t in folder.iterdir() if t.name.endswith(".html")]
        except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
            continue
        for template in names:
            text = template.read_text("utf-8")
            for body in re.findall(r"<script>(.*?)</script>", text, re.S):
                parts = _TEMPLATE_EXPRESSION.split(body)
                pattern = _PATH_TEXT.join(re.escape(part) for part in parts)
                patterns.append(re.compile(pattern, re.S))
    return tuple(patterns)


@functools.lru_cache(maxsize=1)
def own_asset_scripts() -> frozenset[str]:
    """The inline scripts of the package's own HTML assets (the Python sandbox frame)."""
    folder = resources.files("glossary_gen.site").joinpath("assets")
    found: set[str] = set()
    for asset in folder.iterdir():
        if asset.name.endswith(".html"):
            found.update(re.findall(r"<script>(.*?)</script>", asset.read_text("utf-8"), re.S))
    return frozenset(found)


def _trusted_inline(body: str) -> bool:
    if body in own_asset_scripts():
        return True
    return any(p.fullmatch(body) for p in (*theme_scripts(), *OWN_SCRIPTS))


def script_hash(body: str) -> str:
    """The CSP source for an inline script: ``'sha256-<base64>'``."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _is_third_party(url: str, site_url: str | None) -> bool:
    parts = urlsplit(url.strip())
    if not parts.netloc and not parts.scheme:
        return False  # relative: the site itself
    if parts.scheme in ("data", "blob"):
        return False
    if site_url:
        own = urlsplit(site_url)
        if parts.netloc == own.netloc and parts.scheme in ("http", "https", ""):
            return False
    return True


def _line_of(text: str, needle: str) -> int:
    """The line of the first ``needle`` in the page (case-insensitive), 0 when not found: the
    parser builds a tree, not positions, so a problem's line is where its text first appears."""
    at = text.lower().find(needle.lower())
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


class _Auditor:
    """One page's audit over the tree a browser would build (Lexbor, the HTML5 algorithm)."""

    def __init__(self, text: str, page: str, site_url: str | None) -> None:
        self.text = text
        self.result = PageAudit(page)
        self.site_url = site_url

    def _problem(self, code: str, message: str, needle: str) -> None:
        line = _line_of(self.text, needle)
        self.result.problems.append(Problem(self.result.page, line, code, message))

    def run(self, markup: str) -> None:
        tree = LexborHTMLParser(markup)
        root = tree.root
        if root is None:
            return
        for node in root.traverse(include_text=False):
            tag = (node.tag or "").lower()
            attrs = {name.lower(): value or "" for name, value in node.attributes.items()}
            self._check(tag, attrs)
            if tag == "script":
                self._script(attrs, node.text(deep=True))
            elif tag == "template":
                # A template's content is a fragment of its own: audit it as markup too.
                inner = node.html or ""
                start, end = inner.find(">") + 1, inner.rfind("</")
                if 0 < start <= end:
                    self.run(inner[start:end])

    def _script(self, attrs: dict[str, str], body: str) -> None:
        kind = attrs.get("type", "").strip().lower()
        if kind not in _EXECUTABLE_TYPES:
            return  # data (JSON islands, JSON-LD): never run
        if "src" in attrs:
            if _is_third_party(attrs["src"], None):
                self._problem("foreign-script", f"script from {attrs['src']!r}", attrs["src"])
            return
        if _trusted_inline(body):
            self.result.script_hashes.append(script_hash(body))
        else:
            shown = body.strip().replace("\n", " ")[:80]
            self._problem("foreign-script", f"inline script {shown!r}", body.strip()[:40])

    def _check(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self._problem("frame", f"<{tag}> element", f"<{tag}")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "content-security-policy":
            self.result.has_policy = True
        for name, value in attrs.items():
            if name.startswith("on"):
                self._problem("event-handler", f"<{tag} {name}=...> event handler", f" {name}")
            if name in URL_ATTRIBUTES or name == "srcset":
                self._check_url(tag, name, value, attrs)

    def _check_url(self, tag: str, name: str, value: str, attrs: dict[str, str]) -> None:
        urls = [u.strip().split(" ")[0] for u in value.split(",")] if name == "srcset" else [value]
        for url in urls:
            compact = _STRIP_FOR_SCHEME.sub("", url)
            if _DANGEROUS_SCHEME.match(compact):
                image = tag == "img" and name in ("src", "srcset")
                if not (image and compact.lower().startswith("data:image/")):
                    scheme = compact.split(":")[0].lower()
                    self._problem(
                        "script-url", f"<{tag} {name}> holds a {scheme}: URL", f" {name}="
                    )
                continue
            if tag in FORBIDDEN_ELEMENTS or tag == "script":
                continue  # reported as such
            loads = (tag, name) in _LOADS or name == "srcset"
            if tag == "link" and name == "href":
                rels = set(attrs.get("rel", "").lower().split())
                loads = bool(rels & _LOADING_RELS)
            if loads and _is_third_party(url, self.site_url):
                hint = (
                    " (Material loads Google Fonts: set 'font: false' under 'theme:' in mkdocs.yml)"
                    if "fonts.googleapis.com" in url or "fonts.gstatic.com" in url
                    else ""
                )
                message = f"<{tag} {name}> loads {url!r} from another site{hint}"
                self._problem("third-party", message, url)


def audit_html(text: str, page: str, *, site_url: str | None = None) -> PageAudit:
    """Audit one page's HTML (``page`` names it in the problems)."""
    auditor = _Auditor(text, page, site_url)
    auditor.run(text)
    return auditor.result


@dataclass(frozen=True)
class Policy:
    """The site-wide part of the Content-Security-Policy; the page adds its script hashes."""

    #: Origins the pages fetch from at run time (the Pyodide CDN when it is configured).
    connect: tuple[str, ...] = ()

    def for_page(self, hashes: Iterable[str]) -> str:
        scripts = " ".join(["'self'", *dict.fromkeys(hashes)])
        connect = " ".join(["'self'", *self.connect])
        return "; ".join(
            [
                "default-src 'self'",
                f"script-src {scripts}",
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                f"connect-src {connect}",
                "worker-src 'self' blob:",
                "frame-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
            ]
        )


def policy_for(pyodide_url: str) -> Policy:
    """The policy of a site whose Run buttons load Pyodide from ``pyodide_url`` (an option value:
    a URL, ``local`` or ``auto``), and its packages from where that location says."""
    from glossary_gen.fences.pyodide import fetch_urls

    origins = []
    for url in fetch_urls(pyodide_url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return Policy(connect=tuple(dict.fromkeys(origins)))


_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_CHARSET = re.compile(r"\s*<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.I)


def secure_page(
    text: str, page: str, policy: Policy, *, site_url: str | None = None
) -> tuple[str, list[Problem]]:
    """Audit a page and give it its policy (right after ``<meta charset>``, before any script),
    unless it brings its own (the Python sandbox frame does). Returns the page and its problems."""
    audit = audit_html(text, page, site_url=site_url)
    if audit.has_policy:
        return text, audit.problems
    head = _HEAD.search(text)
    if head is None:
        problem = Problem(page, 1, "no-policy", "page has no <head> to hold its policy")
        return text, [*audit.problems, problem]
    meta = (
        '<meta http-equiv="Content-Security-Policy" content="'
        + html.escape(policy.for_page(audit.script_hashes), quote=False).replace('"', "&quot;")
        + '">'
    )
    at = head.end()
    charset = _CHARSET.match(text, at)
    if charset is not None:
        at = charset.end()
    return text[:at] + "\n" + meta + text[at:], audit.problems


def html_files(site_dir: Path) -> Iterator[Path]:
    """Every HTML file of a built site, in a stable order (symbolic links are not followed)."""
    for path in sorted(site_dir.rglob("*.html")):
        if path.is_file() and not path.is_symlink():
            yield path


def _with_entry(problems: list[Problem], entry_of: Mapping[str, str] | None) -> list[Problem]:
    if not entry_of:
        return problems
    return [replace(p, entry=entry_of.get(p.page)) for p in problems]


def secure_site(
    site_dir: Path,
    policy: Policy,
    *,
    site_url: str | None = None,
    entry_of: Mapping[str, str] | None = None,
    skip: Collection[str] = (),
    write: bool = True,
) -> list[Problem]:
    """Audit every page of a built site but those in ``skip`` and (``write``) give each its
    policy. A page that is already secured is audited again as it is. ``entry_of`` maps a page
    (``glossary/relu/index.html``) to the entry it was made from, for the messages."""
    problems: list[Problem] = []
    for path in html_files(site_dir):
        page = path.relative_to(site_dir).as_posix()
        if page in skip:
            continue
        text = path.read_text("utf-8", errors="replace")
        secured, found = secure_page(text, page, policy, site_url=site_url)
        problems += _with_entry(found, entry_of)
        if write and secured != text:
            path.write_text(secured, "utf-8")
    return problems


def check_site(
    site_dir: Path, *, site_url: str | None = None, entry_of: Mapping[str, str] | None = None
) -> list[Problem]:
    """Audit a built site without changing it; a page without a policy is a problem too."""
    problems: list[Problem] = []
    for path in html_files(site_dir):
        page = path.relative_to(site_dir).as_posix()
        audit = audit_html(path.read_text("utf-8", errors="replace"), page, site_url=site_url)
        problems += _with_entry(audit.problems, entry_of)
        if not audit.has_policy:
            problems.append(Problem(page, 1, "no-policy", "no Content-Security-Policy"))
    return problems
