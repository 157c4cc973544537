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
    out: list[Shadowed] = []
    for rule in candidates:
        position = next((i for i, r in enumerate(chain.rules) if r is rule), None)
        if position is None:
            continue
        found = _shadowed_by(table, rule, chain.rules[:position])
        if found:
            out.append(Shadowed(rule.ref, found))
    return out


def _shadowed_by(table: Table, rule: Rule, earlier: list[Rule]) -> tuple[RuleRef, ...]:
    family = _family(table, rule)
    own = _box(rule)
    if own is None:
        return ()
    region: Region = [_universe(own, family)]
    covering: list[RuleRef] = []
    for prior in earlier:
        if not prior.terminal or any(isinstance(m, UnknownMatch | ConcatMatch) for m in prior.matches):
            continue
        box = _box(prior)
        if box is None or not _implies(rule, prior, family):
            continue
        remaining: Region = [piece for cube in region for piece in cube_minus(cube, box)]
        if len(remaining) != len(region) or remaining != region:
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
