"""Shadowed rules: rules that can never match because earlier rules in the same chain take
every packet they would match (decided over the whole packet space, not one query)."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import IntervalSet
from pushaudit.netfilter.model import (
    Chain,
    ConcatMatch,
    Dim,
    FlagsMatch,
    Key,
    RangeMatch,
    Rule,
    ScalarMatch,
    Table,
    UnknownMatch,
    dim_top,
)
from pushaudit.netfilter.space import FULL_BOX, Box, Cube, Region, box_and, cube_minus


@dataclass(frozen=True)
class Shadowed:
    rule: RuleRef
    by: tuple[RuleRef, ...]

    def describe(self) -> str:
        earlier = ", ".join(f"rule {r.index}" + (f" (handle {r.handle})" if r.handle is not None else "")
                            for r in self.by)
        verb = "takes" if len(self.by) == 1 else "take"
        return f"{self.rule.label()} can never match: {earlier} {verb} all its packets first"


def find_shadowed(table: Table, chain: Chain, candidates: list[Rule]) -> list[Shadowed]:
    """Candidates that can never match. A vendor rule split into several model rules (one per
    family or protocol) shares one RuleRef: it is reported only when every piece is shadowed."""
    scan = _ChainScan(table, chain)
    out: dict[RuleRef, Shadowed] = {}
    for rule in candidates:
        if rule.ref in out or scan.position(rule) is None:
            continue
        pieces = [r for r in chain.rules if r.ref == rule.ref] if scan.shared(rule.ref) else [rule]
        covering: list[RuleRef] = []
        for piece in pieces:
            found = scan.shadowed_by(piece)
            if not found:
                break
            covering += found
        else:
            out[rule.ref] = Shadowed(rule.ref, tuple(dict.fromkeys(covering)))
    return list(out.values())


class _ChainScan:
    """Positions and boxes of a chain's rules, computed once however many rules are asked about."""

    def __init__(self, table: Table, chain: Chain) -> None:
        self.table = table
        self.rules = chain.rules
        self._position = {id(r): i for i, r in enumerate(chain.rules)}
        self._boxes: dict[int, Box | None] = {}
        counts: dict[RuleRef, int] = {}
        for r in chain.rules:
            counts[r.ref] = counts.get(r.ref, 0) + 1
        self._shared = {ref for ref, n in counts.items() if n > 1}

    def position(self, rule: Rule) -> int | None:
        return self._position.get(id(rule))

    def shared(self, ref: RuleRef) -> bool:
        return ref in self._shared

    def box(self, rule: Rule) -> Box | None:
        key = id(rule)
        if key not in self._boxes:
            self._boxes[key] = _box(rule)
        return self._boxes[key]

    def shadowed_by(self, rule: Rule) -> tuple[RuleRef, ...]:
        position = self.position(rule)
        if position is None:
            return ()
        family = _family(self.table, rule)
        own = self.box(rule)
        if own is None:
            return ()
        region: Region = [_universe(own, family)]
        covering: list[RuleRef] = []
        for prior in self.rules[:position]:
            if not prior.terminal or prior.ref == rule.ref:
                continue
            box = self.box(prior)
            # cheap tests first: disjoint boxes, then undecidable or non-numeric mismatches
            if box is None or box_and(own, box) is None:
                continue
            undecidable = any(isinstance(m, UnknownMatch | ConcatMatch) for m in prior.matches)
            if undecidable or not _implies(rule, prior, family):
                continue
            remaining: Region = [piece for cube in region for piece in cube_minus(cube, box)]
            if remaining != region:
                covering.append(prior.ref)
            region = remaining
            if not region:
                return tuple(dict.fromkeys(covering))
        return ()


def _box(rule: Rule) -> Box | None:
    box: Box | None = FULL_BOX
    for match in rule.matches:
        if isinstance(match, RangeMatch) and box is not None:
            limit: list[IntervalSet | None] = [None] * len(FULL_BOX)
            limit[match.dim] = match.allowed()
            box = box_and(box, tuple(limit))
    return box


def _family(table: Table, rule: Rule) -> int | None:
    if table.family in ("ip", "ip6"):
        return 4 if table.family == "ip" else 6
    for match in rule.matches:
        if isinstance(match, RangeMatch) and match.family is not None:
            return match.family
        if isinstance(match, ScalarMatch) and match.key is Key.NFPROTO and not match.negate and len(match.values) == 1:
            return 4 if "ipv4" in match.values else 6
    return None


def _universe(box: Box, family: int | None) -> Cube:
    return tuple(limit if limit is not None else ((0, dim_top(Dim(axis), family)),) for axis, limit in enumerate(box))


def _scalars(rule: Rule, family: int | None) -> dict[Key, list[ScalarMatch]]:
    found: dict[Key, list[ScalarMatch]] = {}
    for match in rule.matches:
        if isinstance(match, ScalarMatch):
            found.setdefault(match.key, []).append(match)
    if family is not None:  # a table of one family only ever sees that family
        found.setdefault(Key.NFPROTO, []).append(ScalarMatch(Key.NFPROTO, frozenset({f"ipv{family}"})))
    return found


def _implies(rule: Rule, prior: Rule, family: int | None) -> bool:
    """Every packet ``rule`` can match also passes ``prior``'s non-numeric matches."""
    mine = _scalars(rule, family)
    for match in prior.matches:
        if isinstance(match, FlagsMatch) and match not in rule.matches:
            return False
        if isinstance(match, ScalarMatch) and not _covered(mine.get(match.key, []), match):
            return False
    return True


def _covered(constraints: list[ScalarMatch], outer: ScalarMatch) -> bool:
    positive = [c for c in constraints if not c.negate]
    if positive:
        allowed = set.intersection(*(set(c.values) for c in positive))
        return all(_value_passes(v, outer) for v in allowed)
    if outer.negate:  # every name ``outer`` refuses must be refused by ``constraints`` too
        excluded = [p for c in constraints for p in c.values]
        return all(any(_pattern_covers(p, value) for p in excluded) for value in outer.values)
    return False


def _pattern_covers(pattern: str, value: str) -> bool:
    """Does ``pattern`` match every name ``value`` stands for?"""
    if not pattern.endswith("*"):
        return pattern == value
    stem = pattern[:-1]
    return value[:-1].startswith(stem) if value.endswith("*") else value.startswith(stem)


def _value_passes(value: str, outer: ScalarMatch) -> bool:
    """Does every name ``value`` stands for (``lan*``: all that start with lan) pass ``outer``?"""
    if not value.endswith("*"):
        return outer.accepts(value)
    stem = value[:-1]
    if outer.negate:
        return not any(p.startswith(stem) or (p.endswith("*") and stem.startswith(p[:-1])) for p in outer.values)
    return any(p.endswith("*") and stem.startswith(p[:-1]) for p in outer.values)
