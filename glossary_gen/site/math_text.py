"""LaTeX formulas as readable plain text: ``\\alpha \\le \\log(1 + e^{x})`` -> ``α ≤ log(1 + eˣ)``.

Where a page part is text, not HTML (a link's ``title`` tooltip, a meta description, the search
index, ``glossary.json``, ``llms.txt``, the feed), a formula is written as Unicode a reader can
read: Greek letters and operators as their characters, ``\\log``, ``\\max`` and ``\\mathrm{...}``
as their names, sub- and superscripts as Unicode sub- and superscripts where every character has
one (else ``_(...)`` and ``^(...)``), ``\\frac{a}{b}`` as ``a/b`` (parenthesised when needed),
``\\sqrt`` as ``√``, ``cases`` as ``{ a if b; c if d }``. Braces are dropped, and no backslash
command is left: an unknown one shows its name.

This is one function of the text (:func:`math_text`); it imports nothing. The input is an
entry's, so the work is bounded: the formula is cut at :data:`MAX_TEX` characters and the parser
is a loop over tokens with an explicit nesting bound (no recursion deeper than
:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import functools
import re

#: How much of one formula is read.
MAX_TEX = 2000
#: Groups nested deeper than this are read as flat text.
MAX_DEPTH = 20

_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}

#: Relations and binary operators: written with a space on each side.
_SPACED = {
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "ll": "≪",
    "gg": "≫",
    "to": "→",
    "rightarrow": "→",
    "Rightarrow": "⇒",
    "leftarrow": "←",
    "Leftarrow": "⇐",
    "leftrightarrow": "↔",
    "iff": "⇔",
    "implies": "⇒",
    "mapsto": "↦",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "supset": "⊃",
    "supseteq": "⊇",
    "cup": "∪",
    "cap": "∩",
    "times": "×",
    "cdot": "·",
    "div": "÷",
    "pm": "±",
    "mp": "∓",
    "odot": "⊙",
    "otimes": "⊗",
    "oplus": "⊕",
    "circ": "∘",
    "ast": "∗",
    "star": "⋆",
    "mid": "|",
    "land": "∧",
    "lor": "∨",
    "wedge": "∧",
    "vee": "∨",
}

#: Symbols written as they are.
_SYMBOLS = {
    "infty": "∞",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "oint": "∮",
    "partial": "∂",
    "nabla": "∇",
    "forall": "∀",
    "exists": "∃",
    "neg": "¬",
    "lnot": "¬",
    "emptyset": "∅",
    "varnothing": "∅",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "vdots": "⋮",
    "ddots": "⋱",
    "prime": "′",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
    "|": "‖",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "langle": "⟨",
    "rangle": "⟩",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "{": "{",
    "}": "}",
    "%": "%",
    "$": "$",
    "&": "&",
    "#": "#",
    "_": "_",
    "ell": "ℓ",
    "hbar": "ℏ",
    "Re": "ℜ",
    "Im": "ℑ",
    "aleph": "ℵ",
    "degree": "°",
    "checkmark": "✓",
}

#: Spacing commands: a space, or nothing.
_SPACES = {",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "quad": " ", "qquad": " ", "!": ""}

#: Commands that only change size or style: dropped, their argument (if any) kept.
_IGNORED = frozenset(
    [
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "Biggl",
        "Biggr",
        "middle",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "limits",
        "nolimits",
        "nonumber",
        "notag",
        "label",
    ]
)

#: Commands taking one argument, shown as it is.
_STYLES = frozenset(
    [
        "mathrm",
        "text",
        "textrm",
        "textit",
        "textbf",
        "mathit",
        "mathbf",
        "mathsf",
        "mathtt",
        "boldsymbol",
        "bm",
        "mathnormal",
        "operatorname",
        "mbox",
        "hbox",
        "emph",
        "textnormal",
        "underline",
        "overline",
    ]
)

#: Accents: a combining character after a one-character argument.
_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
}

_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}

_SUPER = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′",
        strict=True,
    )
)
_SUB = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)

_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|[{}^_&~]|\s+|[^\\{}^_&~\s]", re.S)


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex[:MAX_TEX])


class _Reader:
    """Reads a token list into text (one instance per formula)."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _next(self) -> str | None:
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if len(token) > 2 and token[0] == "\\" and token[1:].isalpha():
                self._skip_space_before_letter()  # as TeX does after a control word
            return token
        return None

    def _skip_space(self) -> None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1

    def _skip_space_before_letter(self) -> None:
        """Spaces before a letter, a digit or a command (``\\eta \\lambda`` is ``ηλ``); before
        ``-`` or ``=`` they stay, as the text around the operator has them."""
        end = self.pos
        while end < len(self.tokens) and self.tokens[end].isspace():
            end += 1
        if end < len(self.tokens) and (self.tokens[end][0] == "\\" or self.tokens[end].isalnum()):
            self.pos = end

    def argument(self, depth: int) -> str:
        """The next argument: a ``{group}`` or one token."""
        self._skip_space()
        token = self._next()
        if token is None:
            return ""
        if depth >= MAX_DEPTH:  # too deep: the rest is read flat by the groups above
            return "" if token in ("{", "}") or token.startswith("\\") else token
        if token == "{":
            return self.group(depth + 1, "}")
        return self.atom(token, depth + 1)

    def optional(self, depth: int) -> str | None:
        """An optional ``[argument]``, when the next token opens one."""
        self._skip_space()
        if self.pos < len(self.tokens) and self.tokens[self.pos] == "[":
            self.pos += 1
            return self.group(depth + 1, "]")
        return None

    def group(self, depth: int, close: str | None) -> str:
        """Tokens up to ``close`` (or the end) as text."""
        out: list[str] = []
        while (token := self._next()) is not None:
            if token == close:
                break
            if token == "{":
                if depth < MAX_DEPTH:
                    out.append(self.group(depth + 1, "}"))
            elif token in ("^", "_"):
                arg = self.argument(depth)
                out.append(_script(arg, _SUPER if token == "^" else _SUB, token))
            elif token == "\\begin":
                out.append(self.environment(depth))
            elif token in ("\\end", "}"):
                if token == "\\end":
                    self.argument(depth)
                if close is not None:
                    break
            else:
                out.append(self.atom(token, depth))
        return "".join(out)

    def environment(self, depth: int) -> str:
        """``\\begin{name} ... \\end{name}``: rows joined by ``;``, cells by space (``cases``:
        ``value if condition``)."""
        name = self.argument(depth).strip().rstrip("*")
        rows: list[list[str]] = [[]]
        cell: list[str] = []
        while (token := self._next()) is not None:
            if token == "\\end":
                self.argument(depth)
                break
            if token == "&":
                rows[-1].append("".join(cell))
                cell = []
            elif token == "\\\\":
                rows[-1].append("".join(cell))
                rows.append([])
                cell = []
            elif token == "{":
                if depth < MAX_DEPTH:
                    cell.append(self.group(depth + 1, "}"))
            elif token in ("^", "_"):
                cell.append(_script(self.argument(depth), _SUPER if token == "^" else _SUB, token))
            elif token == "\\begin" and depth < MAX_DEPTH:
                cell.append(self.environment(depth + 1))
            else:
                cell.append(self.atom(token, depth))
        rows[-1].append("".join(cell))
        lines = []
        for row in rows:
            cells = [_squash(c) for c in row]
            if not any(cells):
                continue
            if name == "cases" and len(cells) > 1 and cells[1]:
                condition = cells[1]
                if not re.match(r"(?i)(if|when|for|otherwise|else)\b", condition):
                    condition = "if " + condition
                lines.append(f"{cells[0]} {condition}")
            else:
                lines.append(" ".join(c for c in cells if c))
        body = "; ".join(lines)
        if name == "cases":
            return "{ " + body + " }"
        if name.endswith("matrix") and name != "matrix":
            return "(" + body + ")"
        return body

    def atom(self, token: str, depth: int) -> str:
        """One token (a command with its arguments) as text."""
        if not token.startswith("\\"):
            if token == "~":
                return " "
            if token.isspace():
                return " "
            return token
        name = token[1:]
        if name in _GREEK:
            return _GREEK[name]
        if name in _SPACED:
            return f" {_SPACED[name]} "
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _SPACES:
            return _SPACES[name]
        if name == "\\":
            return "; "
        if name in _IGNORED or depth >= MAX_DEPTH:  # too deep for arguments: dropped
            return ""
        if name == "operatorname":
            return f"\x01{self.argument(depth)}\x02"
        if name in _STYLES:
            return self.argument(depth)
        if name in ("frac", "tfrac", "dfrac", "cfrac"):
            top, bottom = _squash(self.argument(depth)), _squash(self.argument(depth))
            return f"{_wrap(top)}/{_wrap(bottom)}"
        if name == "binom":
            top, bottom = _squash(self.argument(depth)), _squash(self.argument(depth))
            return f"C({top}, {bottom})"
        if name == "sqrt":
            index = self.optional(depth)
            body = _squash(self.argument(depth))
            root = {"3": "∛", "4": "∜"}.get((index or "").strip(), "√")
            if index and root == "√":
                root = _script(index, _SUPER, "^") + "√"
            return root + _wrap(body)
        if name in ("mathbb", "Bbb"):
            arg = self.argument(depth)
            return "".join(_BLACKBOARD.get(c, c) for c in arg)
        if name in ("mathcal", "mathscr", "mathfrak"):
            return self.argument(depth)
        if name in _ACCENTS:
            arg = self.argument(depth)
            return arg + _ACCENTS[name] if len(arg) == 1 else arg
        if name == "not":
            following = self.argument(depth).strip()
            return {"=": " ≠ ", "∈": " ∉ ", "<": " ≮ ", ">": " ≯ "}.get(following, following)
        if name in ("overset", "underset", "stackrel"):
            self.argument(depth)
            return self.argument(depth)
        # \log, \exp, \max, \sin ... and any other command: its name, never a backslash,
        # set off from a letter on either side (_FUNCTION_EDGE).
        return f"\x01{name}\x02" if name.isalpha() else ""


def _wrap(text: str) -> str:
    """``text`` as an operand of ``/`` or ``√``: parenthesised unless it is one simple term."""
    if re.fullmatch(r"[\w.′]+|\(.*\)|\[.*\]", text) and text.count("(") == text.count(")"):
        return text
    return f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """A sub- or superscript: Unicode where every character has one, else ``^(...)``."""
    text = _squash(text)
    if not text:
        return ""
    if all(c in table for c in text.replace(" ", "")):
        text = text.replace(" ", "")
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _squash(text: str) -> str:
    """Runs of spaces as one, none at the ends, none inside brackets' edges."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"([(\[]) | ([)\]])", r"\1\2", text)


@functools.lru_cache(maxsize=8192)
def math_text(tex: str) -> str:
    """A LaTeX formula (without its ``$`` delimiters) as one line of readable Unicode text."""
    if "\\" not in tex and "{" not in tex and "^" not in tex and "_" not in tex:
        return _squash(tex)
    text = _Reader(_tokens(tex)).group(0, None)
    text = _FUNCTION_START.sub(r"\1 ", text)
    text = _FUNCTION_END.sub(" ", text)
    return _squash(text.replace("\x01", "").replace("\x02", ""))


#: A function name (``\x01log\x02``) after a letter, digit or closing bracket, or before a letter
#: or digit, gets a space there: ``2 log x``, not ``2logx``.
_FUNCTION_START = re.compile(r"([\w)\]′])\x01")
_FUNCTION_END = re.compile(r"\x02(?=[\w\x01])")
