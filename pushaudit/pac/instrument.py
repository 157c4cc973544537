"""Tag every ``return`` of a PAC file with its line number, so the engine reports which line decided.

``return EXPR`` becomes ``return __pa_ret(LINE, (EXPR))`` and a bare ``return`` becomes
``return __pa_ret(LINE)``. Nothing is added on a new line, so every line keeps its number and
the engine's error messages still point at the original lines. ``__pa_ret`` records the line and
passes the value through unchanged (see runtime_js).
"""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.pac.jslex import LexError, Token, tokenize

RECORDER = "__pa_ret"
_OPEN = frozenset({"(", "[", "{"})
_CLOSE = frozenset({")", "]", "}"})
# A token at the start of a line continues the expression above it (no automatic semicolon).
_CONTINUES_NEXT = frozenset(
    [
        ".", "?.", "(", "[", ",", "?", ":", "+", "-", "*", "/", "%", "**", "==", "!=", "===", "!==", "<", ">",
        "<=", ">=", "&&", "||", "??", "&", "|", "^", "<<", ">>", ">>>", "=", "+=", "-=", "*=", "/=", "%=", "**=",
        "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=", "??=", "=>",
    ]
) | {"in", "instanceof"}
# ... and so does an expression whose last token needs a right-hand operand.
_NEEDS_MORE = _CONTINUES_NEXT | {"!", "~", "typeof", "void", "delete", "new", "await"}


@dataclass(frozen=True)
class Instrumented:
    code: str
    return_lines: tuple[int, ...]  # the lines whose returns were tagged


def _is_return(tokens: list[Token], i: int) -> bool:
    token = tokens[i]
    if token.kind != "name" or token.text != "return":
        return False
    before = tokens[i - 1].text if i else ""
    after = tokens[i + 1].text if i + 1 < len(tokens) else ""
    return before not in (".", "?.") and after != ":"  # not a property named "return"


def _continues(previous: Token, token: Token) -> bool:
    if token.kind == "tmpl":
        return True  # a tagged template
    if token.kind == "punct" and token.text in ("++", "--"):
        return False  # restricted production: a line break before them ends the statement
    if token.text in _CONTINUES_NEXT and token.kind in ("punct", "name"):
        return True
    return previous.kind in ("punct", "name") and previous.text in _NEEDS_MORE


def _expression_end(tokens: list[Token], first: int) -> int:
    """Index of the token after the returned expression that starts at ``first``."""
    depth = 0
    for j in range(first, len(tokens)):
        token = tokens[j]
        if depth == 0 and j > first and token.newline_before and not _continues(tokens[j - 1], token):
            return j
        if token.kind != "punct":
            continue
        if token.text in _OPEN:
            depth += 1
        elif token.text in _CLOSE:
            if depth == 0:
                return j
            depth -= 1
        elif token.text == ";" and depth == 0:
            return j
    return len(tokens)


def instrument(code: str) -> Instrumented:
    """The tagged script; LexError when the text cannot be tokenised."""
    tokens = tokenize(code)
    inserts: list[tuple[int, int, str]] = []  # (offset, order at that offset, text)
    lines: list[int] = []
    for i, token in enumerate(tokens):
        if not _is_return(tokens, i):
            continue
        lines.append(token.line)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is None or following.newline_before or following.text in (";", "}"):
            # bare return; a ';' keeps a following "(" or "[" line from being read as a call
            end = ";" if following is not None and following.newline_before else ""
            inserts.append((token.end, 0, f" {RECORDER}({token.line}){end}"))
            continue
        last = tokens[_expression_end(tokens, i + 1) - 1]
        inserts.append((token.end, 0, f" {RECORDER}({token.line}, ("))
        # a nested return closes before the one that contains it
        inserts.append((last.end, -i, "))"))
    out: list[str] = []
    cursor = 0
    for offset, _, text in sorted(inserts):
        out.append(code[cursor:offset])
        out.append(text)
        cursor = offset
    out.append(code[cursor:])
    return Instrumented("".join(out), tuple(lines))


__all__ = ["Instrumented", "LexError", "instrument"]
