"""The entries of a cut-out rule list, each as a flat mapping of its fields.

Rule lists are most of a large configuration and their entries are flat: member lists, leaf
values, a few nested blocks that do not change what a rule matches. One regex reads such an
entry whole; anything else (entities, comments, unexpected nesting, broken XML) is handed to
ElementTree, which reads it exactly or raises. Both give the same mapping: ``tag -> list[str]``
(members), ``str`` (leaf text, "" when empty) or :class:`Nested`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Blocks whose content pushaudit never reads; ``type`` keeps its first inner tag (decryption type).
_NESTED = "profile-setting|option|qos|target|type|hip-profiles-group|group-tag-list"
# Possessive quantifiers on character classes: a failed alternative gives up at once instead of
# backtracking through the tag name (never on a repeated group that captures: CPython 3.11 bug).
_FIELD = (
    r"<(?P<lt>[\w-]++)>\s*+(?P<members>(?:<member>[^<&]*+</member>\s*+)++)</(?P=lt)>"  # a member list
    r"|<(?P<vt>[\w-]++)>(?P<value>[^<&]*+)</(?P=vt)>"  # a leaf
    r"|<(?P<et>[\w-]++)\s*+/>"  # an empty element
    rf"|<(?P<nt>{_NESTED})>\s*+(?:<(?P<first>[\w-]++))?[^&]*?</(?P=nt)>"  # a nested block, its first inner tag
)
_FIELDS = re.compile(r"\s*+(?:" + _FIELD + ")")
# A whole flat entry, validated in one C pass (leading white space skipped).
_FLAT = re.compile(r'\s*+(?P<entry><entry\s++name="(?P<name>[^"<&]*+)"[^<>&]*+>)(?:\s*+(?:' + _FIELD +
                   r"))*\s*+</entry>\s*+")
_MEMBER = re.compile(r"<member>([^<&]*)</member>")
_TOKENS = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<entry\b[^>]*?/>|<entry(?=[\s/>])|</entry\s*>"
                     r"|<[^!?/]", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Nested:
    """A field with child elements other than members (``first``: the first child's tag)."""

    first: str


Value = list[str] | str | Nested


@dataclass(slots=True)
class RawEntry:
    name: str
    line: int | None
    fields: dict[str, Value]


class RuleListError(ValueError):
    """The rule list is not a sequence of well-formed entries (``offset``: where)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def read_rule_list(body: str, start: int, end: int, line_at: Callable[[int], int]) -> Iterator[RawEntry]:
    """The entries between two offsets of ``body``, in order, with their lines."""
    pos = start
    while pos < end:
        flat = _FLAT.match(body, pos, end)
        if flat is not None:
            fields: dict[str, Value] = {}
            # fields are mutually exclusive shapes, so the leftmost matches are the validated ones
            for listed, members, named, value, empty, nested, first in _FIELDS.findall(
                    body, flat.end("entry"), flat.end()):
                if listed:  # most lists hold one member: slice it out rather than search
                    one = members.count("<member>") == 1
                    fields[listed] = [members[8:members.index("<", 8)]] if one else _MEMBER.findall(members)
                elif named:
                    fields[named] = value
                elif empty:
                    fields[empty] = ""
                else:
                    fields[nested] = Nested(first)
            yield RawEntry(flat.group("name"), line_at(flat.start("entry")), fields)
            pos = flat.end()
            continue
        if not body[pos:end].strip():
            return
        first, last = _next_entry(body, pos, end)
        try:
            element = ET.fromstring(body[first:last])  # noqa: S314 - the firewall's own configuration
        except ET.ParseError as exc:
            raise RuleListError(f"rule list does not parse ({exc})",
                                _offset(body, first, exc.position[0])) from exc
        yield from_element(element, line_at(first))
        pos = last


def _next_entry(body: str, pos: int, end: int) -> tuple[int, int]:
    """The span of the next top-level ``<entry>`` (comments skipped)."""
    depth, begin = 0, pos
    for m in _TOKENS.finditer(body, pos, end):
        token = m.group()
        if token.startswith(("<!--", "<![CDATA[", "<?")):
            continue
        if depth == 0 and (body[pos:m.start()].strip() or not token.startswith("<entry")):
            raise RuleListError("rule list holds something other than <entry> elements", m.start())
        if token.startswith("<entry"):
            if token.endswith("/>"):
                if depth == 0:
                    return m.start(), m.end()
                continue
            begin = m.start() if depth == 0 else begin
            depth += 1
        elif token.startswith("</entry"):
            depth -= 1
            if depth == 0:
                return begin, m.end()
    raise RuleListError("rule list ends inside an <entry>", begin)


def _offset(body: str, start: int, line: int) -> int:
    for _ in range(line - 1):
        start = body.index("\n", start) + 1
    return start


def from_element(entry: ET.Element, line: int | None) -> RawEntry:
    """The same mapping, read from a parsed element."""
    fields: dict[str, Value] = {}
    for child in entry:
        if len(child) == 0:
            fields[child.tag] = child.text or ""
        elif all(c.tag == "member" and len(c) == 0 for c in child):
            fields[child.tag] = [c.text or "" for c in child]
        else:
            fields[child.tag] = Nested(child[0].tag)
    return RawEntry(entry.get("name", ""), line, fields)


def read_entry(text: str, line: int | None = None) -> RawEntry:
    """One entry (the regex when it is flat, ElementTree otherwise)."""
    found = list(read_rule_list(text, 0, len(text), lambda _: line or 0))
    if len(found) != 1:
        raise RuleListError(f"expected one <entry>, found {len(found)}", 0)
    return RawEntry(found[0].name, line, found[0].fields)
