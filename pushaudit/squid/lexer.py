"""Split squid.conf text into logical lines and tokens, the way Squid's own reader does.

Squid drops lines whose first non-blank character is ``#``, joins a line ending in a backslash
with the next non-comment line (leading blanks of the continuation removed, nothing inserted),
and treats a token that starts with ``#`` as the start of a trailing comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

WHITESPACE = " \t"


@dataclass(frozen=True)
class LogicalLine:
    text: str  # the joined line, trimmed
    first: int  # 1-based number of its first physical line
    last: int  # 1-based number of its last physical line


class TokenError(ValueError):
    """A line cannot be split into tokens (an unterminated quote)."""


def logical_lines(text: str) -> Iterator[LogicalLine]:
    pending = ""
    first = 0
    number = 0
    for number, physical in enumerate(text.split("\n"), start=1):
        line = physical.split("\r", 1)[0].lstrip(WHITESPACE)
        if not line or line.startswith("#"):
            continue  # comments and blank lines never end a continuation, as in Squid
        if not pending:
            first = number
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        yield LogicalLine(pending.rstrip(WHITESPACE), first, number)
        pending = ""
    if pending.strip(WHITESPACE):
        # a continuation at the end of the file: Squid drops it; keep it visible to the caller
        yield LogicalLine(pending.rstrip(WHITESPACE), first, number)


def tokens(line: str) -> list[str]:
    """Whitespace-separated tokens; quoted tokens keep their quotes; ``#`` starts a comment."""
    out: list[str] = []
    i = 0
    size = len(line)
    while i < size:
        if line[i] in WHITESPACE:
            i += 1
            continue
        if line[i] == "#":
            break
        start = i
        if line[i] == '"' or line.startswith('parameters("', i):
            i = line.find('"', i) + 1
            while i < size and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            if i >= size:
                raise TokenError(f"unterminated quote in: {line[start:]}")
            i += 1
            if line.startswith("parameters(", start):
                if i >= size or line[i] != ")":
                    raise TokenError(f"unterminated parameters(...) in: {line[start:]}")
                i += 1
        while i < size and line[i] not in WHITESPACE:
            i += 1
        out.append(line[start:i])
    return out


def quoted_path(token: str) -> str | None:
    """The file name in a ``"file"`` or ``parameters("file")`` token, else None."""
    if token.startswith('parameters("') and token.endswith('")'):
        return token[len('parameters("') : -2]
    if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
        return token[1:-1]
    return None
