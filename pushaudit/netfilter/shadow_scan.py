"""Whether earlier rules of a chain take every packet of a later one, over the whole packet
space. Earlier rules are narrowed in steps, cheapest first: to those whose non-numeric
matches cover the rule (grouped by those matches, so a 20,000-rule chain has a few dozen
groups), then through an index to those whose boxes touch it; a corner of the rule's box that
none of them touches proves it live; one rule holding the whole box proves it shadowed; only
then are the boxes subtracted one by one, within a work limit."""

from __future__ import annotations

from bisect import bisect_left
from itertools import product

from pushaudit.interception import RuleRef
from pushaudit.netfilter.implication import implies, rule_family
from pushaudit.netfilter.index import ChainIndex, bits_of, positions
from pushaudit.netfilter.intervals import IntervalSet, covers, intersect
from pushaudit.netfilter.model import (
    Chain,
    ConcatMatch,
    Dim,
    FlagsMatch,
    RangeMatch,
    Rule,
    ScalarMatch,
    Table,
    UnknownMatch,
    dim_top,
)
from pushaudit.netfilter.space import FULL_BOX, Box, Cube, Region, cube_minus

# Cube subtractions one rule may cost before the search gives up on it (reported as
# undecided, never as shadowed): a union of thousands of small boxes can fragment without end.
WORK_LIMIT = 50_000

Signature = tuple[int | None, tuple[ScalarMatch | FlagsMatch, ...]]


class ChainScan:
    """One chain, seen from the rules asked about: the earlier rules that could take their
    packets (by non-numeric matches), one index over those, and a mask of them per kind of
    rule asked about."""

    def __init__(self, table: Table, chain: Chain, asked: list[Rule]) -> None:
        self.table = table
        self.rules = chain.rules
        self.position = {id(r): i for i, r in enumerate(chain.rules)}
        # only rules that surely end the chain for every packet in their box can hide later ones
        groups: dict[Signature, list[int]] = {}
        for i, rule in enumerate(chain.rules):
            if rule.terminal and not any(isinstance(m, UnknownMatch | ConcatMatch) for m in rule.matches):
                groups.setdefault(self._signature(rule), []).append(i)
        wanted: dict[Signature, list[int]] = {}
        for rule in asked:
            key = self._signature(rule)
            if key not in wanted:
                family = key[0]
                wanted[key] = [p for members in groups.values() if self._may_take(rule, self.rules[members[0]], family)
                               for p in members]
        self.takers = sorted({p for found in wanted.values() for p in found})
        self.boxes: dict[int, Box | None] = {p: rule_box(self.rules[p]) for p in self.takers}
        self.boxes.update({self.position[id(r)]: rule_box(r) for r in asked if id(r) in self.position})
        self.index = ChainIndex([None if self.boxes[p] is None else [self.boxes[p]] for p in self.takers])  # type: ignore[list-item]
        compact = {p: k for k, p in enumerate(self.takers)}
        self.masks = {key: bits_of(compact[p] for p in found) for key, found in wanted.items()}

    def _signature(self, rule: Rule) -> Signature:
        return rule_family(self.table, rule), tuple(m for m in rule.matches if isinstance(m, ScalarMatch | FlagsMatch))

    def _may_take(self, rule: Rule, prior: Rule, family: int | None) -> bool:
        """Do ``prior``'s non-numeric matches pass every packet of ``rule``?"""
        return rule_family(self.table, prior) in (None, family) and implies(rule, prior, family)

    def shadowed_by(self, rule: Rule) -> tuple[RuleRef, ...] | None:
        """The earlier rules that take all of ``rule``'s packets; () when some packet gets
        through, None when the search gave up."""
        position = self.position.get(id(rule))
        own = self.boxes.get(position) if position is not None else None
        if position is None or own is None:
            return ()
        universe = _universe(own, rule_family(self.table, rule))
        if universe is None:
            return ()
        before = (1 << bisect_left(self.takers, position)) - 1
        earlier = self.index.touching(universe, self.masks[self._signature(rule)] & before)
        low = tuple(((axis[0][0], axis[0][0]),) for axis in universe)
        high = tuple(((axis[-1][1], axis[-1][1]),) for axis in universe)
        at_low = self.index.touching(low, earlier)
        at_both = self.index.touching(high, at_low)
        if not at_low or not self.index.touching(high, earlier):
            return ()  # a corner of the rule's box that no earlier rule even touches
        for k in positions(at_both):  # usually one earlier rule holds the whole box, and so both ends
            at = self.takers[k]
            if self.rules[at].ref != rule.ref and _contains(self.boxes[at], universe):
                return (self.rules[at].ref,)
        if any(not self.index.touching(point, earlier) for point in _corners(universe)):
            return ()
        return self._union_covers(rule, universe, [self.takers[k] for k in positions(earlier)])

    def _union_covers(self, rule: Rule, universe: Cube, earlier: list[int]) -> tuple[RuleRef, ...] | None:
        region: Region = [universe]
        covering: list[RuleRef] = []
        work = 0
        for at in earlier:
            box = self.boxes[at]
            if self.rules[at].ref == rule.ref or box is None:
                continue
            work += len(region)
            if work > WORK_LIMIT:
                return None
            remaining: Region = [piece for cube in region for piece in cube_minus(cube, box)]
            if remaining != region:
                covering.append(self.rules[at].ref)
            region = remaining
            if not region:
                return tuple(dict.fromkeys(covering))
        return ()


def rule_box(rule: Rule) -> Box | None:
    """The box of the rule's range matches (None: they contradict each other)."""
    axes: list[IntervalSet | None] = list(FULL_BOX)
    for match in rule.matches:
        if isinstance(match, RangeMatch):
            allowed = match.allowed()
            current = axes[match.dim]
            axes[match.dim] = allowed if current is None else intersect(current, allowed)
            if not axes[match.dim]:
                return None
    return tuple(axes)


def _universe(box: Box, family: int | None) -> Cube | None:
    """The rule's packets as a cube of its family; None when no packet of the family fits
    (a rule that contradicts itself matches nothing, whatever comes before it)."""
    whole = [((0, dim_top(Dim(axis), family)),) for axis in range(len(box))]
    axes = [full if limit is None else intersect(limit, full) for limit, full in zip(box, whole, strict=True)]
    return None if any(not axis for axis in axes) else tuple(axes)


def _contains(box: Box | None, cube: Cube) -> bool:
    return box is not None and all(limit is None or covers(limit, axis) for limit, axis in zip(box, cube, strict=True))


def _corners(cube: Cube) -> list[Cube]:
    ends = [((axis[0][0], axis[0][0]),) if axis[0][0] == axis[-1][1] else ((axis[0][0], axis[0][0]),
            (axis[-1][1], axis[-1][1])) for axis in cube]
    return [tuple((value,) for value in combo) for combo in product(*ends)]
