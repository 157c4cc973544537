"""Address and service sets as alternatives of rule-model matches.

The rule model is a conjunction of matches, so a policy whose source, destination or service is
a union (known ranges plus an FQDN, TCP plus UDP) becomes several consecutive rules with the same
RuleRef and action: one per combination of alternatives. First match over consecutive rules
with one action is the same as one rule matching their union.
"""

from __future__ import annotations

from pushaudit.firewalls.fortinet_addrset import AddressSet
from pushaudit.firewalls.fortinet_match import Condition, condition_matches
from pushaudit.firewalls.fortinet_services import ALL_PORTS, ServiceBox, ServiceSet
from pushaudit.netfilter.intervals import IntervalSet, addr_max, normalize, subtract
from pushaudit.netfilter.model import Dim, Key, Match, RangeMatch, ScalarMatch
from pushaudit.netfilter.space import Box, Cube, Region, cube_and, cube_minus

Variant = tuple[Match, ...]


def address_variants(addresses: AddressSet, dim: Dim) -> list[Variant]:
    """Empty list: the set holds nothing, so the policy matches nothing of this family."""
    found = addresses.collapsed()
    out: list[Variant] = []
    if found.known:
        out.append((RangeMatch(dim, found.known, found.family),))
    for maybe in found.maybe:
        # Known addresses are matched by the rule before; keeping them out avoids a rule that
        # looks shadowed by its own first half.
        within = subtract(maybe.within, found.known) if found.known else maybe.within
        if within:
            out.append((RangeMatch(dim, within, found.family), *condition_matches(maybe.conditions)))
    return out


def service_variants(services: ServiceSet, family: int, *, negate: bool = False) -> list[Variant]:
    boxes = [b for b in services.boxes if b.daddr is None or family == 4]  # iprange is IPv4
    if negate:
        return _negated(boxes, services.maybe, family)
    grouped: dict[tuple[str | None, IntervalSet, IntervalSet | None, Condition | None], list[tuple[int, int]]] = {}
    whole: set[tuple[str | None, IntervalSet, IntervalSet | None, Condition | None]] = set()
    for box in boxes:
        key = (box.protocol, box.sports, box.daddr, box.condition)
        grouped.setdefault(key, []).extend(box.dports or ())
        if box.dports is None:
            whole.add(key)
    out: list[Variant] = []
    for (protocol, sports, daddr, condition), dports in grouped.items():
        ports = None if (protocol, sports, daddr, condition) in whole else normalize(dports)
        out.append(_box_matches(protocol, ports, sports, daddr=daddr, family=family, condition=condition))
    if services.maybe:
        out.append(condition_matches(services.maybe))
    return out


def _box_matches(protocol: str | None, dports: IntervalSet | None, sports: IntervalSet, *,
                 daddr: IntervalSet | None, family: int, condition: Condition | None) -> Variant:
    matches: list[Match] = []
    if protocol is not None:
        matches.append(ScalarMatch(Key.L4PROTO, frozenset({protocol})))
    if dports is not None and dports != ALL_PORTS:
        matches.append(RangeMatch(Dim.DPORT, dports))
    if sports != ALL_PORTS:
        matches.append(RangeMatch(Dim.SPORT, sports))
    if daddr is not None:
        matches.append(RangeMatch(Dim.DADDR, daddr, family))
    if condition is not None:
        matches.extend(condition_matches([condition]))
    return tuple(matches)


def _negated(boxes: list[ServiceBox], maybe: tuple[Condition, ...], family: int) -> list[Variant]:
    """``service-negate``: per protocol named in the service, the packets outside its boxes;
    every other protocol, unless an any-protocol box takes it."""
    full: Cube = (((0, addr_max(family)),), ((0, addr_max(family)),), ALL_PORTS, ALL_PORTS)
    named = sorted({b.protocol for b in boxes if b.protocol is not None})
    unsure = tuple(c.inverted() for c in maybe)
    out: list[Variant] = []
    for protocol in [*named, None]:
        mine = [b for b in boxes if b.protocol in (protocol, None)]
        certain = [_box(b) for b in mine if b.condition is None]
        outside = _minus([full], certain)
        head: list[Match] = []
        if protocol is not None:
            head.append(ScalarMatch(Key.L4PROTO, frozenset({protocol})))
        elif named:
            head.append(ScalarMatch(Key.L4PROTO, frozenset(named), negate=True))
        for cube in outside:
            out.append((*head, *_cube_matches(cube, full, family), *condition_matches(unsure)))
        for box in (b for b in mine if b.condition is not None):
            assert box.condition is not None
            for cube in _minus([c for c in (cube_and(full, _box(box)),) if c is not None], certain):
                out.append((*head, *_cube_matches(cube, full, family),
                            *condition_matches([box.condition.inverted(), *unsure])))
    return out


def _box(box: ServiceBox) -> Box:
    return (None, box.daddr, box.sports, box.dports)


def _minus(region: Region, boxes: list[Box]) -> Region:
    for box in boxes:
        region = [piece for cube in region for piece in cube_minus(cube, box)]
    return region


def _cube_matches(cube: Cube, full: Cube, family: int) -> list[Match]:
    matches: list[Match] = []
    for dim in (Dim.DADDR, Dim.SPORT, Dim.DPORT):
        if cube[dim] != full[dim]:
            matches.append(RangeMatch(dim, cube[dim], family if dim is Dim.DADDR else None))
    return matches
