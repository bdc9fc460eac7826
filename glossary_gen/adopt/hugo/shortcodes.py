"""Hugo shortcodes in a page's body -> Markdown, in one pass that keeps every source position.

A shortcode is Hugo's template call inside Markdown; published raw it would show as ``{{< x >}}``.
``highlight`` becomes a code fence, ``ref``/``relref`` and links go to :class:`LinkWriter`,
``<!--more-->`` is dropped, an escaped ``{{</* x */>}}`` shows the shortcode as Hugo does, and
every other shortcode is reported and left out (the text between a paired one's tags stays).
Code fences are copied untouched: the loader's scanner (:func:`fenced_blocks`) says which lines
they are, so the importer and ``check`` agree on where code is.
"""

from __future__ import annotations

import re

from glossary_gen.adopt.hugo.links import LINK_PATTERN, SHORTCODE_PATTERN, LinkWriter
from glossary_gen.core.loader import fenced_blocks

#: Everything the body converter rewrites, in one pass (so every match keeps its source offset).
_BODY_TOKEN = re.compile(
    r"(?P<esc>\{\{(?P<ed>[<%])/\*(?P<ebody>.*?)\*/[>%]\}\})"
    r"|(?P<anchor><a\s+href\s*=\s*\"(?P<ahref>"
    + SHORTCODE_PATTERN
    + r"|[^\"]*)\"\s*>(?P<atext>[^<]*)</a>)"
    r"|(?P<link>(?P<bang>!?)" + LINK_PATTERN + r")"
    r"|(?P<sc>\{\{(?P<d>[<%])\s*(?P<close>/)?\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*/?\s*[>%]\}\})"
    r"|(?P<more><!--\s*more\s*-->)",
    re.S | re.I,
)
_HIGHLIGHT = re.compile(
    r"^\s*\{\{<\s*(?P<close>/)?\s*highlight\b\s*(?P<lang>[\w+#.-]*)[^>]*>\}\}\s*$"
)


def fenced_lines(lines: list[str]) -> tuple[list[bool], bool]:
    """Which lines belong to a fenced code block (its fences included), which the importer
    copies untouched, and whether the text ends inside an unclosed fence."""
    flags = [False] * len(lines)
    blocks = fenced_blocks(lines)
    for block in blocks:
        flags[block.start : block.end + 1] = [True] * (block.end + 1 - block.start)
    return flags, bool(blocks) and not blocks[-1].closed


def highlight_fences(lines: list[str]) -> list[str]:
    """``{{< highlight go >}}`` ... ``{{< /highlight >}}`` on lines of their own -> a fence."""
    if not any("highlight" in line for line in lines):
        return lines
    out = []
    for line in lines:
        found = _HIGHLIGHT.match(line)
        out.append(
            ("```" + found.group("lang") if not found.group("close") else "```") if found else line
        )
    return out


class BodyConverter:
    """Rewrites links and shortcodes in the body text of one page, reporting each at its line."""

    def __init__(self, links: LinkWriter) -> None:
        self.links = links

    def lines(self, lines: list[str], first: int) -> str:
        """Convert a run of body lines starting at file line ``first`` (code fences untouched)."""
        out: list[str] = []
        fenced, _ = fenced_lines(lines)
        start = 0
        while start < len(lines):
            end = start
            while end < len(lines) and fenced[end] == fenced[start]:
                end += 1
            chunk = "\n".join(lines[start:end])
            if fenced[start] or ("{{" not in chunk and "](" not in chunk and "<" not in chunk):
                out.append(chunk)
            else:
                out.append(self.text(chunk, first + start))
            start = end
        return "\n".join(out).strip("\n")

    def text(self, text: str, first: int) -> str:
        def where(offset: int) -> tuple[int, int]:
            return first + text.count("\n", 0, offset), offset - text.rfind("\n", 0, offset)

        def replace(found: re.Match[str]) -> str:
            line, col = where(found.start())
            if found.group("esc") is not None:  # {{</* x */>}}: Hugo shows the shortcode itself
                d = found.group("ed")
                return "{{" + d + found.group("ebody") + ("%" if d == "%" else ">") + "}}"
            if found.group("more") is not None:
                return ""
            if found.group("anchor") is not None:
                return self.links.link(found.group("atext"), found.group("ahref"), False, line, col)
            if found.group("link") is not None:
                return self.links.link(
                    found.group("text"),
                    found.group("href"),
                    bool(found.group("bang")),
                    line,
                    col,
                    found.group(0),
                )
            return self.shortcode(found, line, col)

        return _BODY_TOKEN.sub(replace, text)

    def shortcode(self, found: re.Match[str], line: int, col: int) -> str:
        name = found.group("name")
        if found.group("close"):
            return ""  # the opening tag was reported
        if name.lower() in ("ref", "relref"):
            return self.links.ref(found.group("sc"), line, col)
        shown = " ".join(found.group("sc").split())
        if len(shown) > 80:
            shown = shown[:77] + "..."
        self.links.report(
            line,
            col,
            "import-shortcode",
            f"Hugo shortcode '{name}' has no equivalent and was left out: {shown}",
            "rewrite it in Markdown if the page needs it",
        )
        return ""
