"""A rule seen by one query at one hook: its numeric boxes, and whether its other matches
hold, fail or cannot be decided for the query's packets."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.netfilter.intervals import IntervalSet, intersect
from pushaudit.netfilter.model import (
    Action,
    Chain,
    ConcatMatch,
    FlagsMatch,
    Key,
    RangeMatch,
    Rule,
    Ruleset,
    ScalarMatch,
    Table,
    UnknownMatch,
)
from pushaudit.netfilter.query import PathKind, Query, path_chains
from pushaudit.netfilter.space import FULL_BOX, Box, Cube, box_and

SYN = 0x02  # the first packet of a connection
_ABSENT = ""  # the hook has no such device (oif at prerouting, iif at postrouting)
_HAS_IIF = {"ingress", "prerouting", "input", "forward"}
_HAS_OIF = {"forward", "postrouting", "output"}


@dataclass
class Compiled:
    state: bool | None  # False: never matches; True: the boxes decide; None: an undecidable match remains
    boxes: list[Box] = field(default_factory=list)
    why: str = ""


class RuleCompiler:
    """Compiles rules against one query's packet facts (cached per rule and hook)."""

    def __init__(self, query: Query) -> None:
        self.query = query
        self.facts = {Key.NFPROTO: query.nfproto, Key.L4PROTO: query.protocol, Key.CTSTATE: query.ct_state,
                      Key.CTDIR: "original", Key.PKTTYPE: "host",
                      Key.FIB_DADDR: "local" if query.path is PathKind.INPUT else "unicast"}
        self.root: Cube = (query.src, query.dst, query.sports, query.dports)
        self.cache: dict[tuple[int, str], Compiled] = {}

    def compile(self, rule: Rule, hook: str) -> Compiled:
        key = (id(rule), hook)
        if key not in self.cache:
            self.cache[key] = self._compile(rule, hook)
        return self.cache[key]

    def _fact(self, key: Key, hook: str) -> str | None:
        if key is Key.IIFNAME:
            return self.query.iif if hook in _HAS_IIF else _ABSENT
        if key is Key.OIFNAME:
            return self.query.oif if hook in _HAS_OIF else _ABSENT
        return self.facts[key]

    def _compile(self, rule: Rule, hook: str) -> Compiled:
        unknown: list[str] = []
        # Names first: most rules of a large chain fail on an interface or zone, before any
        # interval arithmetic.
        for match in rule.matches:
            if isinstance(match, ScalarMatch | FlagsMatch | UnknownMatch):
                state = self._holds(match, hook)
                if state is False:
                    return Compiled(False)
                if state is None:
                    unknown.append(_why_unknown(match))
        axes = list(self.root)  # cut to the query's packets from the start: others never matter
        for match in rule.matches:
            if isinstance(match, RangeMatch):
                if match.family not in (None, self.query.family):
                    return Compiled(False)
                axes[match.dim] = intersect(axes[match.dim], match.allowed())
                if not axes[match.dim]:
                    return Compiled(False)
        boxes: list[Box] = [tuple(axes)]
        for match in rule.matches:
            if isinstance(match, ConcatMatch):
                if any(f not in (None, self.query.family) for f in match.families):
                    return Compiled(False)
                candidates = (box_and(x, _element_box(match, e)) for x in boxes for e in match.elements)
                boxes = [b for b in candidates if b is not None]
        if not boxes:
            return Compiled(False)
        return Compiled(None if unknown else True, boxes, "; ".join(unknown))

    def _holds(self, match: ScalarMatch | FlagsMatch | UnknownMatch, hook: str) -> bool | None:
        if isinstance(match, FlagsMatch):
            return match.accepts(SYN)
        if isinstance(match, UnknownMatch):
            return None
        value = self._fact(match.key, hook)
        if value is None:
            return None
        return value != _ABSENT and match.accepts(value)


def relevant_rules(ruleset: Ruleset, query: Query,
                   compiler: RuleCompiler | None = None) -> list[tuple[Table, Chain, Rule]]:
    """Rules on the query's path (base chains and the chains they reach) that match some of
    its packets when looked at alone, ignoring earlier rules. A compiled rule's boxes are
    already cut to the query's packets, so any rule that may hold is one."""
    compiler = compiler or RuleCompiler(query)
    found: list[tuple[Table, Chain, Rule]] = []
    seen: set[int] = set()
    for hook, table, base in path_chains(ruleset, query):
        todo = [base]
        while todo:
            chain = todo.pop()
            if id(chain) in seen:
                continue
            seen.add(id(chain))
            for rule in chain.rules:
                if compiler.compile(rule, hook).state is not False:
                    found.append((table, chain, rule))
                    if rule.action in (Action.JUMP, Action.GOTO) and rule.target in table.chains:
                        todo.append(table.chains[rule.target])
    return found


def _why_unknown(match: ScalarMatch | FlagsMatch | UnknownMatch) -> str:
    if isinstance(match, UnknownMatch):
        return match.reason
    if isinstance(match, ScalarMatch):
        names = ", ".join(sorted(match.values))
        return f"{match.key} {'!= ' if match.negate else ''}{names} (the interface is not known)"
    return "tcp flags"


def _element_box(match: ConcatMatch, element: tuple[IntervalSet, ...]) -> Box:
    limit: list[IntervalSet | None] = [None] * len(FULL_BOX)
    for dim, values in zip(match.dims, element, strict=True):
        current = limit[dim]
        limit[dim] = values if current is None else intersect(current, values)
    return tuple(limit)
