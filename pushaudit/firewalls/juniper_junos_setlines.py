"""Junos ``| display set`` output as statements: the words of each ``set`` line, where it came
from, and whether a ``deactivate`` line switched it (or a parent of it) off."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pushaudit.errors import DataError

# A word is a double-quoted string (backslash escapes allowed) or a run of non-blanks.
_WORD = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')
# Lines a Junos CLI prints around configuration that carry no statement.
_NOISE = re.compile(r"^(#|\{(master|backup|primary|secondary)(:node\d+)?\}|\[edit.*\]$)")
_MAX_WARNED_LINES = 20
_new = tuple.__new__


class Statement(NamedTuple):
    """One ``set`` line (a named tuple: configurations run to hundreds of thousands of lines)."""

    words: tuple[str, ...]  # after ``set``, quotes removed
    line: int  # 1-based line in the command's output
    source: str  # "cmd:<command id>"
    text: str  # the line as printed
    inactive_line: int | None = None  # the ``deactivate`` line that switches it off

    @property
    def active(self) -> bool:
        return self.inactive_line is None

    def at(self, index: int) -> str:
        return self.words[index] if index < len(self.words) else ""


@dataclass
class SetConfig:
    """All statements of one or more outputs, in output order."""

    statements: list[Statement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # lines left out of the model (also warnings)
    _index: dict[tuple[str, ...], list[Statement]] | None = None
    _indexed: int = 0

    def under(self, *prefix: str) -> list[Statement]:
        """Statements whose words start with ``prefix`` (one or more words), in order."""
        if self._index is None or self._indexed != len(self.statements):
            index: dict[tuple[str, ...], list[Statement]] = {}
            for statement in self.statements:
                index.setdefault(statement.words[:2], []).append(statement)
            self._index, self._indexed = index, len(self.statements)
        if len(prefix) == 1:
            return [s for s in self.statements if s.words[0] == prefix[0]]
        found = self._index.get(prefix[:2], [])
        size = len(prefix)
        return found if size == 2 else [s for s in found if s.words[:size] == prefix]


def unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    return word


def split_words(line: str) -> tuple[str, ...]:
    if '"' not in line:
        return tuple(line.split())
    return tuple(unquote(w) for w in _WORD.findall(line))


def parse_set_output(text: str, source: str, config: SetConfig | None = None) -> SetConfig:
    """Add the ``set`` lines of one output to ``config``; ``deactivate`` lines mark them inactive.

    An output with content but no ``set`` line is not ``display set`` format: DataError.
    """
    out = config if config is not None else SetConfig()
    found: list[Statement] = []
    deactivated: dict[tuple[str, ...], int] = {}
    odd: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("set "):
            # tuple.__new__ directly: the named tuple's own constructor costs twice as much
            found.append(_new(Statement, (split_words(line[4:]), number, source, line, None)))
        elif line.startswith("deactivate "):
            deactivated.setdefault(split_words(line[11:]), number)
        elif line and not _NOISE.match(line):
            odd.append(number)
    if odd and not found:
        raise DataError("E-PARSE-FIREWALL",
                        f"{source}: no 'set' statement; expected Junos '| display set' output "
                        f"(line {odd[0]}: {text.splitlines()[odd[0] - 1].strip()[:80]!r})",
                        source=source, line=odd[0])
    out.unread += [f"{source} line {number}: not a set statement" for number in odd]
    for number in odd[:_MAX_WARNED_LINES]:
        out.warnings.append(f"{source} line {number}: not a set statement, ignored")
    if len(odd) > _MAX_WARNED_LINES:
        out.warnings.append(f"{source}: {len(odd) - _MAX_WARNED_LINES} more lines that are not set statements")
    out.statements.extend(_apply_deactivations(found, deactivated) if deactivated else found)
    return out


def _apply_deactivations(found: list[Statement], deactivated: dict[tuple[str, ...], int]) -> list[Statement]:
    """A ``deactivate P`` switches off every statement whose words start with P."""
    lengths = sorted({len(p) for p in deactivated})
    out: list[Statement] = []
    for statement in found:
        words = statement.words
        hit = None
        for size in lengths:
            hit = deactivated.get(words[:size])
            if hit is not None:
                break
        out.append(statement if hit is None else statement._replace(inactive_line=hit))
    return out
