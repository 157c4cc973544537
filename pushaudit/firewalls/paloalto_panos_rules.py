"""PAN-OS security policy as the vendor-neutral rule model.

One table (family ``inet``, named after the vsys) with one base chain ``security`` at hook
``forward``: the enabled security rules in order, then ``intrazone-default`` as one rule per zone
(``iifname Z oifname Z``), then ``interzone-default`` as a final rule without matches (the chain
policy repeats its action). Zones are the interface names the rules match on.

A PAN-OS rule becomes one model rule per combination of zone pair (intrazone/interzone rule
types), IP family, known/unknown part of its address lists and protocol of its services; the
pieces are disjoint, so they never shadow each other. What cannot be decided from the snapshot
becomes an ``UnknownMatch`` built by :func:`conditional`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pushaudit.firewalls.paloalto_panos_model import AddrSet, Condition, PanosPolicy, RuleMatch, ServiceSet
from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import IntervalSet, normalize, subtract
from pushaudit.netfilter.model import Action, Chain, Dim, Key, Match, RangeMatch, Rule, ScalarMatch, Table, UnknownMatch

CHAIN = "security"
SYNTAX = "paloalto_panos"
DEFAULT_RULES = ("intrazone-default", "interzone-default")
_ACTIONS = {"allow": (Action.ACCEPT, False), "deny": (Action.DROP, False), "drop": (Action.DROP, False),
            "reset-client": (Action.DROP, True), "reset-server": (Action.DROP, True),
            "reset-both": (Action.DROP, True)}
SECURITY_ACTIONS = frozenset(_ACTIONS)


def conditional(kind: str, values: Sequence[str], reason: str) -> UnknownMatch:
    """A match the snapshot cannot decide, worded for the engineer reading the finding."""
    return UnknownMatch(f"{kind} {', '.join(values)}: {reason}" if values else f"{kind}: {reason}")


def build_table(policy: PanosPolicy) -> Table:
    chain = Chain(CHAIN, hook="forward", priority=0, type="filter",
                  policy="accept" if policy.interzone_default.action == "allow" else "drop")
    table = Table("inet", policy.vsys, policy.source, SYNTAX, SYNTAX, {CHAIN: chain})
    zones = list(policy.zones)
    variants = Variants(zones)

    def ref(index: int, text: str, line: int | None, name: str) -> RuleRef:
        return RuleRef(policy.source, "inet", policy.vsys, CHAIN, index, text, line=line, comment=name)

    if policy.unknown_before:
        chain.rules.append(Rule(ref(0, "rules pushed from Panorama (not collected)", None, "pushed rules"), (),
                                Action.UNKNOWN, target=policy.unknown_before))
    for rule in policy.enabled:
        action, reject = _ACTIONS.get(rule.action, (Action.UNKNOWN, False))
        target = "" if action is not Action.UNKNOWN else f"action {rule.action or '(none)'} is not known to pushaudit"
        rule_ref = ref(rule.index, rule.text, rule.line, rule.name)
        chain.rules += [Rule(rule_ref, m, action, target=target, reject=reject) for m in variants.of(rule.match)]
    last = len(policy.security)
    intra, inter = policy.intrazone_default, policy.interzone_default
    for zone in zones:
        action, reject = _ACTIONS.get(intra.action, (Action.UNKNOWN, False))
        origin = "configured" if intra.overridden else "predefined"
        text = f"{intra.name}: action {intra.action} ({origin}), zone {zone}"
        chain.rules.append(Rule(ref(last + 1, text, intra.line, intra.name), _zone_pair(zone, zone), action,
                                reject=reject, target="" if action is not Action.UNKNOWN else intra.action))
    action, reject = _ACTIONS.get(inter.action, (Action.UNKNOWN, False))
    text = f"{inter.name}: action {inter.action} ({'configured' if inter.overridden else 'predefined'})"
    chain.rules.append(Rule(ref(last + 2, text, inter.line, inter.name), (), action, reject=reject,
                            target="" if action is not Action.UNKNOWN else inter.action))
    return table


def match_variants(match: RuleMatch, zones: Sequence[str]) -> list[tuple[Match, ...]]:
    """Disjoint match tuples whose union is what ``match`` matches (empty: it matches nothing)."""
    return Variants(zones).of(match)


class Variants:
    """match_variants for many rules: rules share zone lists, address and service sets (the
    books hand out one object per distinct member list), so their pieces are built once."""

    def __init__(self, zones: Sequence[str]) -> None:
        self.zones = zones
        self._zones: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[tuple[Match, ...]]] = {}
        # keyed by id(): the value keeps the keyed objects alive, so an id is never reused meanwhile
        self._addresses: dict[tuple[int, int, bool, bool], tuple[object, list[tuple[Match, ...]]]] = {}
        self._services: dict[int, tuple[ServiceSet, list[tuple[Match, ...]]]] = {}
        self._conditions: dict[tuple[Condition, ...], tuple[UnknownMatch, ...]] = {}

    def of(self, match: RuleMatch) -> list[tuple[Match, ...]]:
        zkey = (match.rule_type, match.from_zones, match.to_zones)
        if zkey not in self._zones:
            self._zones[zkey] = _zone_variants(match, self.zones)
        akey = (id(match.source), id(match.destination), match.negate_source, match.negate_destination)
        if akey not in self._addresses:
            self._addresses[akey] = ((match.source, match.destination), _address_variants(match))
        if id(match.service) not in self._services:
            self._services[id(match.service)] = (match.service, service_variants(match.service))
        conditions: tuple[UnknownMatch, ...] = ()
        if match.conditions:
            if match.conditions not in self._conditions:
                self._conditions[match.conditions] = tuple(conditional(c.kind, c.values, c.reason)
                                                           for c in match.conditions)
            conditions = self._conditions[match.conditions]
        return [(*z, *a, *s, *conditions)
                for z in self._zones[zkey]
                for a in self._addresses[akey][1]
                for s in self._services[id(match.service)][1]]


def _zone_pair(src: str, dst: str) -> tuple[Match, ...]:
    return ScalarMatch(Key.IIFNAME, frozenset({src})), ScalarMatch(Key.OIFNAME, frozenset({dst}))


def _zone_variants(match: RuleMatch, zones: Sequence[str]) -> list[tuple[Match, ...]]:
    if match.rule_type == "intrazone":
        return [_zone_pair(z, z) for z in (match.from_zones or zones)]
    if match.rule_type == "interzone":
        out: list[tuple[Match, ...]] = []
        for zone in match.from_zones or zones:
            iif = ScalarMatch(Key.IIFNAME, frozenset({zone}))
            if not match.to_zones:
                out.append((iif, ScalarMatch(Key.OIFNAME, frozenset({zone}), negate=True)))
            elif others := frozenset(match.to_zones) - {zone}:
                out.append((iif, ScalarMatch(Key.OIFNAME, others)))
        return out
    found: list[Match] = []
    if match.from_zones:
        found.append(ScalarMatch(Key.IIFNAME, frozenset(match.from_zones)))
    if match.to_zones:
        found.append(ScalarMatch(Key.OIFNAME, frozenset(match.to_zones)))
    return [tuple(found)]


def _address_variants(match: RuleMatch) -> list[tuple[Match, ...]]:
    src, dst = match.source, match.destination
    if (src.any and match.negate_source) or (dst.any and match.negate_destination):
        return []  # "not any" matches nothing
    if src.any and dst.any:
        return [()]
    out: list[tuple[Match, ...]] = []
    for family in (4, 6):
        sources = [()] if src.any else _side(Dim.SADDR, "source", src, match.negate_source, family)
        destinations = [()] if dst.any else _side(Dim.DADDR, "destination", dst, match.negate_destination, family)
        out += [(*s, *d) for s in sources for d in destinations]
    return out


def _side(dim: Dim, label: str, addrs: AddrSet, negate: bool, family: int) -> list[tuple[Match, ...]]:
    known = addrs.family(family)
    unknown: tuple[Match, ...] = ()
    if addrs.unknown:
        unknown = (conditional(label + (" (negated)" if negate else ""), (), "; ".join(addrs.unknown)),)
    if negate:  # not in (known or unknown): outside known, and only if the unknown part misses too
        return [(RangeMatch(dim, known, family, negate=True), *unknown)]
    out: list[tuple[Match, ...]] = []
    if known:
        out.append((RangeMatch(dim, known, family),))
    if unknown:
        out.append((RangeMatch(dim, known, family, negate=True), *unknown))
    return out


def service_variants(service: ServiceSet) -> list[tuple[Match, ...]]:
    if service.any:
        return [()]
    out: list[tuple[Match, ...]] = []
    protocols = dict.fromkeys(p.protocol for p in service.ports)
    for protocol in protocols:
        specs = [p for p in service.ports if p.protocol == protocol]
        proto = ScalarMatch(Key.L4PROTO, frozenset({protocol}))
        free = normalize(iv for p in specs if p.sports is None for iv in p.dports)
        if free:
            out.append((proto, RangeMatch(Dim.DPORT, free)))
        by_sports: dict[IntervalSet, list[IntervalSet]] = {}
        for p in specs:
            if p.sports is not None:
                by_sports.setdefault(p.sports, []).append(p.dports)
        for sports, dports in by_sports.items():
            rest = subtract(normalize(iv for d in dports for iv in d), free)  # ports any source already takes
            if rest:
                out.append((proto, RangeMatch(Dim.SPORT, sports), RangeMatch(Dim.DPORT, rest)))
    if service.unknown:
        out.append((conditional("service", (), "; ".join(service.unknown)),))
    return out
