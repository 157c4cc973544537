"""FortiOS ``show`` output as a tree: ``config`` blocks holding ``edit`` entries, ``set`` values
and nested ``config`` blocks, each remembering the line it came from.

The reader is forgiving about what it cannot place (the line lands in ``problems`` of the block
it appeared in, so callers can treat that block as not understood) and strict about structure
only through ``ConfigText.complete``: a block left open at the end means truncated output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|(\S+)')
_BALANCED = re.compile(r'^(?:[^"\\]|\\.|"(?:[^"\\]|\\.)*")*$', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class Setting:
    """One ``set key value...``; the values are split into words only when first read."""

    __slots__ = ("_values", "line", "raw")

    def __init__(self, raw: str, line: int) -> None:
        self.raw = raw
        self.line = line
        self._values: list[str] | None = None

    @property
    def values(self) -> list[str]:
        if self._values is None:
            self._values = tokens(self.raw)
        return self._values


@dataclass
class Block:
    """A ``config`` block or an ``edit`` entry: settings, nested blocks, entries, problems."""

    name: str
    line: int
    is_entry: bool = False
    settings: dict[str, Setting] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)  # nested ``config <name>``
    entries: dict[str, Block] = field(default_factory=dict)  # ``edit <name>`` (config blocks only)
    problems: list[str] = field(default_factory=list)
    end_line: int | None = None

    def values(self, key: str) -> list[str]:
        setting = self.settings.get(key)
        return setting.values if setting is not None else []

    def value(self, key: str, default: str = "") -> str:
        setting = self.settings.get(key)
        if setting is None:
            return default
        values = setting.values
        return values[0] if values else default

    def enabled(self, key: str) -> bool:
        return self.value(key) == "enable"  # value(): a trailing space must not switch a negation off


@dataclass
class ConfigText:
    """Every top-level ``config`` block of one command output, by path (``firewall policy``)."""

    source: str
    sections: dict[str, Block] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    complete: bool = True  # False: a block was still open at the end (truncated output)

    def section(self, path: str) -> Block | None:
        return self.sections.get(path)


def tokens(text: str) -> list[str]:
    """Words of one line: bare, or double/single quoted with backslash escapes."""
    if "\\" not in text and "'" not in text:
        if '"' not in text:
            return text.split()
        if text.count('"') == 2 and text[0] == '"' and text[-1] == '"':
            return [text[1:-1]]  # one quoted value: the most common case by far
        # Fast path for the common ``set member "a" "b"``: odd pieces are the quoted values.
        out: list[str] = []
        for i, piece in enumerate(text.split('"')):
            if i % 2:
                out.append(piece)
            else:
                out.extend(piece.split())
        return out
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        found.append(_ESCAPE.sub(r"\1", quoted) if quoted is not None else match.group(3))
    return found


def _balanced(text: str) -> bool:
    if "\\" not in text:
        return text.count('"') % 2 == 0
    return _BALANCED.match(text) is not None


def _join_quoted(lines: list[str], i: int) -> tuple[str, int]:
    """Line ``i`` with the lines a quoted value spanning them adds; and the index after it."""
    current = lines[i]
    i += 1
    while i < len(lines) and not _balanced(current):
        current += "\n" + lines[i]
        i += 1
    return current, i


def parse_config(text: str, source: str) -> ConfigText:
    parsed = ConfigText(source)
    stack: list[Block] = []  # open config blocks and edit entries, innermost last
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        number = i + 1
        line = lines[i]
        if '"' in line and not _balanced(line):
            line, i = _join_quoted(lines, i)
        else:
            i += 1
        words = line.split(None, 2)  # keyword, key, the rest (split further only when read)
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "set" and stack and len(words) >= 2:
            stack[-1].settings[words[1]] = Setting(words[2] if len(words) == 3 else "", number)
        elif words[0] == "config" and len(words) >= 2:
            _open(parsed, stack, Block(" ".join(tokens(line)[1:]), number), number)
        elif not stack:
            parsed.warnings.append(f"{source} line {number}: outside any config block: {line.strip()[:80]}")
        else:
            _statement(stack, tokens(line), number, line.strip())
    if stack:
        parsed.complete = False
        parsed.warnings.append(f"{source}: output ends inside 'config {stack[0].name}' (truncated?)")
    return parsed


def _open(parsed: ConfigText, stack: list[Block], block: Block, number: int) -> None:
    if stack:
        stack[-1].blocks[block.name] = block
    else:
        _add_section(parsed, block, parsed.source, number)
    stack.append(block)


def _statement(stack: list[Block], words: list[str], number: int, line: str) -> None:
    """``edit``, ``unset``, ``next`` or ``end`` inside the innermost open block."""
    top = stack[-1]
    keyword = words[0]
    if keyword == "edit" and len(words) == 2 and not top.is_entry:
        entry = Block(words[1], number, is_entry=True)
        if words[1] in top.entries:
            top.problems.append(f"line {number}: edit {words[1]} appears twice")
        top.entries[words[1]] = entry
        stack.append(entry)
    elif keyword == "unset" and len(words) == 2:
        top.settings.pop(words[1], None)
    elif keyword in ("next", "end") and len(words) == 1:
        _close(stack, keyword, number)
    else:
        top.problems.append(f"line {number}: not understood: {line[:80]}")


def _add_section(parsed: ConfigText, block: Block, source: str, number: int) -> None:
    if block.name in parsed.sections:
        parsed.warnings.append(f"{source} line {number}: config {block.name} appears twice; the later one is used")
    parsed.sections[block.name] = block


def _close(stack: list[Block], keyword: str, number: int) -> None:
    """``next`` ends an edit entry; ``end`` ends a config block (and an entry left open)."""
    top = stack[-1]
    if keyword == "next":
        if top.is_entry:
            stack.pop().end_line = number
        else:
            top.problems.append(f"line {number}: 'next' outside an edit entry")
        return
    if top.is_entry:  # FortiOS never prints this, but an entry cannot outlive its block
        top.problems.append(f"line {number}: 'end' closes edit {top.name} without 'next'")
        stack.pop()
    stack.pop().end_line = number
