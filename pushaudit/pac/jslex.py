"""A small JavaScript tokenizer: just enough to find ``return`` statements in a PAC file.

It knows strings, template literals, comments, regular expression literals and punctuators, so
a ``return`` inside a string or comment is never taken for a statement. It does not parse; the
JavaScript engine remains the judge of what is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
_NUMBER = re.compile(r"\d[\w.]*|\.\d[\w]*")
_SPACE = re.compile(r"[ \t\f\v\u00a0\ufeff]+")
_NEWLINE = re.compile(r"\r\n|[\n\r\u2028\u2029]")
_PUNCTUATORS = sorted(
    [
        ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=", "<=", ">=",
        "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>", "{",
        "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "?", ":",
        "=", ".", "@", "#",
    ],
    key=len,
    reverse=True,
)
# After these keywords a ``/`` starts a regular expression, not a division.
_REGEX_AFTER_WORDS = frozenset(
    {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield"}
)


class LexError(ValueError):
    """The text cannot be tokenised (an unterminated string, comment, template or regex)."""


@dataclass(frozen=True)
class Token:
    kind: str  # name, num, str, tmpl, regex, punct
    text: str
    start: int  # offset of the first character
    end: int  # offset after the last character
    line: int  # 1-based line of the first character
    newline_before: bool  # a line break separates it from the previous token


def _regex_allowed(previous: Token | None) -> bool:
    if previous is None:
        return True
    if previous.kind == "punct":
        return previous.text not in (")", "]", "}")
    return previous.kind == "name" and previous.text in _REGEX_AFTER_WORDS


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []

    def _advance_to(self, end: int) -> None:
        self.line += len(_NEWLINE.findall(self.text, self.pos, end))
        self.pos = end

    def _find(self, needle: str, start: int, what: str) -> int:
        end = self.text.find(needle, start)
        if end < 0:
            raise LexError(f"unterminated {what} starting on line {self.line}")
        return end

    def _quoted(self, start: int, quote: str) -> int:
        i = start + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                return i + 1
            if quote != "`" and ch in "\n\r":
                break
            if quote == "`" and self.text.startswith("${", i):
                i = self._braced(i + 2)
                continue
            i += 1
        raise LexError(f"unterminated string starting on line {self.line}")

    def _braced(self, start: int) -> int:
        """Skip a template substitution up to its closing brace, minding nested strings."""
        depth, i = 1, start
        while i < len(self.text):
            ch = self.text[i]
            if ch in "'\"`":
                i = self._quoted(i, ch)
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            i += 1
            if depth == 0:
                return i
        raise LexError(f"unterminated template substitution starting on line {self.line}")

    def _regex(self, start: int) -> int:
        i, in_class = start + 1, False
        while i < len(self.text) and self.text[i] not in "\n\r":
            ch = self.text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                in_class = True
            elif ch == "]":
                in_class = False
            elif ch == "/" and not in_class:
                flags = _NAME.match(self.text, i + 1)
                return flags.end() if flags else i + 1
            i += 1
        raise LexError(f"unterminated regular expression on line {self.line}")

    def _token_end(self, start: int) -> tuple[str, int]:
        text, ch = self.text, self.text[start]
        if ch in "'\"`":
            return ("tmpl" if ch == "`" else "str"), self._quoted(start, ch)
        for kind, pattern in (("name", _NAME), ("num", _NUMBER)):
            found = pattern.match(text, start)
            if found:
                return kind, found.end()
        if ch == "/" and _regex_allowed(self.tokens[-1] if self.tokens else None):
            return "regex", self._regex(start)
        for punct in _PUNCTUATORS:
            if text.startswith(punct, start):
                return "punct", start + len(punct)
        raise LexError(f"unexpected character {ch!r} on line {self.line}")

    def run(self) -> list[Token]:
        text, newline = self.text, False
        while self.pos < len(text):
            start = self.pos
            if (space := _SPACE.match(text, start)) is not None:
                self._advance_to(space.end())
            elif (brk := _NEWLINE.match(text, start)) is not None:
                newline = True
                self._advance_to(brk.end())
            elif text.startswith("//", start):
                found = _NEWLINE.search(text, start)
                self._advance_to(found.start() if found else len(text))
            elif text.startswith("/*", start):
                end = self._find("*/", start + 2, "comment") + 2
                newline = newline or _NEWLINE.search(text, start, end) is not None
                self._advance_to(end)
            else:
                kind, end = self._token_end(start)
                self.tokens.append(Token(kind, text[start:end], start, end, self.line, newline))
                newline = False
                self._advance_to(end)
        return self.tokens


def tokenize(text: str) -> list[Token]:
    """The significant tokens of a script; LexError when it cannot be tokenised."""
    return _Scanner(text).run()
