"""``show running-config access-list``: the lines of each ACL in order, numbered the way the
ASA numbers them (remarks count: ``access-list X line N`` inserts before that entry)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pushaudit.firewalls.cisco_asa_ace import AceMatch, parse_ace
from pushaudit.firewalls.cisco_asa_objects import ObjectTable
from pushaudit.firewalls.cisco_asa_source import Line, Output
from pushaudit.firewalls.cisco_asa_values import AsaSyntaxError

_TYPES = frozenset({"extended", "standard", "remark", "webtype", "ethertype", "advanced"})


@dataclass(frozen=True)
class Ace:
    acl: str
    position: int  # the ASA's line number within the ACL (remarks included)
    line: Line  # where it is in the command output
    remark: str  # the remark just above it, if any
    match: AceMatch | None  # None: not understood (see problem)
    problem: str = ""
    action: str = ""  # permit | deny, when at least that was readable

    @property
    def inactive(self) -> bool:
        return self.match is not None and self.match.inactive


@dataclass
class AccessList:
    name: str
    first_line: int
    types: set[str] = field(default_factory=set)
    entries: list[Ace] = field(default_factory=list)
    size: int = 0  # every line of the ACL, remarks included


def parse_access_lists(output: Output, table: ObjectTable, wanted: set[str]) -> dict[str, AccessList]:
    """Every ACL by name; the ACEs of ``wanted`` (those an access-group applies) parsed."""
    acls: dict[str, AccessList] = {}
    remarks: dict[str, str] = {}
    for line in output.lines:
        words = line.words
        if words[0] == "!" or len(words) < 3:
            if words[0] != "!":
                output.warn(line, f"not an access-list line: {line.text.strip()}")
            continue
        if words[0] != "access-list":
            output.warn(line, f"not an access-list line: {line.text.strip()}")
            continue
        name, rest = words[1], _without_line_number(words[2:])
        acl = acls.setdefault(name, AccessList(name, line.number))
        acl.size += 1
        kind = rest[0] if rest[0] in _TYPES else "extended"  # pre-8.3 lines omit "extended"
        body = rest[1:] if rest[0] in _TYPES else rest
        acl.types.add(kind)
        if kind == "remark":
            remarks[name] = line.text.split(" remark ", 1)[-1].strip()
        elif kind == "extended" and name in wanted:
            ace = Ace(name, acl.size, line, remarks.pop(name, ""), None)
            acl.entries.append(_parsed(output, ace, body, table))
    return acls


def _without_line_number(words: list[str]) -> list[str]:
    if len(words) > 2 and words[0] == "line" and words[1].isdigit():
        return words[2:]
    return words


def _parsed(output: Output, ace: Ace, body: list[str], table: ObjectTable) -> Ace:
    try:
        match = parse_ace(body, table)
    except AsaSyntaxError as exc:
        output.warn(ace.line, f"access-list {ace.acl} line {ace.position} not understood ({exc}); it is undecidable")
        action = body[0] if body and body[0] in ("permit", "deny") else ""
        return replace(ace, problem=str(exc), action=action)
    return Ace(ace.acl, ace.position, ace.line, ace.remark, match)
