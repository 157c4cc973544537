"""ACEs as model rules. The model's rule is one conjunction, so an ACE whose sides or service
are unions (both address families, an FQDN member beside static ones, a service group with
several protocols) becomes several rules sharing one RuleRef, in a row: the first that matches
decides, exactly as the single ACE would."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pushaudit.firewalls.cisco_asa_acl import AccessList, Ace
from pushaudit.firewalls.cisco_asa_values import AddrSet, Condition, ServiceTerm, conditional
from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import covers, normalize
from pushaudit.netfilter.model import Action, Chain, Dim, Key, Match, RangeMatch, Rule, ScalarMatch

_FAMILY = {4: "ipv4", 6: "ipv6"}
Alternative = tuple[int | None, list[Match], bool]  # family, matches, decided by address ranges
# Per build: object-groups are shared by many ACEs, their alternatives are built once.
SideCache = dict[tuple[int, Dim], tuple[AddrSet, list[Alternative]]]


def acl_chain(acl: AccessList, table: str, source: str, inactive: list[RuleRef],
              cache: SideCache | None = None) -> Chain:
    """A regular chain for the ACL: it falls through (returns) when no ACE matches."""
    chain = Chain(acl.name)
    sides: SideCache = {} if cache is None else cache
    for ace in acl.entries:
        ref = ace_ref(ace, table, source)
        if ace.inactive:
            inactive.append(ref)  # the ASA skips it; kept for the report
            continue
        chain.rules += ace_rules(ace, ref, sides)
    return chain


def ace_ref(ace: Ace, table: str, source: str) -> RuleRef:
    return RuleRef(source=source, family="inet", table=table, chain=ace.acl, index=ace.position,
                   text=ace.line.text.strip(), line=ace.line.number, comment=ace.remark)


def ace_rules(ace: Ace, ref: RuleRef, sides: SideCache | None = None) -> list[Rule]:
    match = ace.match
    if match is None:
        reason = f"access-list {ace.acl} line {ace.position} is not understood ({ace.problem})"
        unknown = conditional("unparsed", (ace.acl,), reason)
        if ace.action:
            return [Rule(ref, (unknown,), Action.ACCEPT if ace.action == "permit" else Action.DROP)]
        return [Rule(ref, (), Action.UNKNOWN, target=reason)]
    action = Action.ACCEPT if match.action == "permit" else Action.DROP
    common = [conditional(c.kind, c.values, c.reason) for c in match.conditions]
    terms = merge_terms(match.terms)
    rules: list[Rule] = []
    cache: SideCache = {} if sides is None else sides
    for src_family, src_matches, src_ranged in _cached(match.src, Dim.SADDR, cache):
        for dst_family, dst_matches, dst_ranged in _cached(match.dst, Dim.DADDR, cache):
            if src_family and dst_family and src_family != dst_family:
                continue
            family = src_family or dst_family
            pinned: list[Match] = [] if family is None or src_ranged or dst_ranged else [
                ScalarMatch(Key.NFPROTO, frozenset({_FAMILY[family]}))]
            for term in terms:
                matches = [*_term_matches(term), *src_matches, *dst_matches, *pinned, *common]
                rules.append(Rule(ref, tuple(matches), action))
    return rules


def _cached(side: AddrSet, dim: Dim, cache: SideCache) -> list[Alternative]:
    hit = cache.get((id(side), dim))
    if hit is not None and hit[0] is side:
        return hit[1]
    found = alternatives(side, dim)
    cache[(id(side), dim)] = (side, found)  # keeps ``side`` alive, so its id is not reused
    return found


def alternatives(side: AddrSet, dim: Dim) -> list[Alternative]:
    """The ways one ACE side can match: decided v4, decided v6, and the undecidable parts."""
    if side.is_any:
        return [(None, [], False)]
    out: list[Alternative] = []
    for family, values in ((4, side.v4), (6, side.v6)):
        if values:
            out.append((family, [RangeMatch(dim, values, family)], True))
    if side.conditions:
        families = {c.family for c in side.conditions}
        out.append((families.pop() if len(families) == 1 else None, [_joined(side.conditions)], False))
    return out


def _joined(conditions: Iterable[Condition]) -> Match:
    items = list(conditions)
    kinds = {c.kind for c in items}
    values = [v for c in items for v in c.values]
    return conditional(kinds.pop() if len(kinds) == 1 else "unresolved", values, "; ".join(c.reason for c in items))


@lru_cache(maxsize=4096)
def _term_matches(term: ServiceTerm) -> tuple[Match, ...]:
    out: list[Match] = []
    if term.protocols is not None:
        out.append(ScalarMatch(Key.L4PROTO, term.protocols))
    if term.sports is not None:
        out.append(RangeMatch(Dim.SPORT, term.sports))
    if term.dports is not None:
        out.append(RangeMatch(Dim.DPORT, term.dports))
    if term.condition is not None:
        c = term.condition
        out.append(conditional(c.kind, c.values, c.reason))
    return tuple(out)


def merge_terms(terms: Iterable[ServiceTerm]) -> list[ServiceTerm]:
    """Fewer, equivalent terms: protocols with the same ports joined, ports of one protocol
    joined, and terms another term already covers dropped."""
    terms = list(terms)
    if len(terms) < 2:
        return terms
    by_ports: dict[tuple[object, ...], ServiceTerm] = {}
    for t in terms:
        key = (t.sports, t.dports, t.condition)
        old = by_ports.get(key)
        protocols = t.protocols
        if old is not None:
            protocols = None if old.protocols is None or t.protocols is None else old.protocols | t.protocols
        by_ports[key] = ServiceTerm(protocols, t.sports, t.dports, t.condition)
    by_protocol: dict[tuple[object, ...], ServiceTerm] = {}
    for t in by_ports.values():
        protocol_key = (t.protocols, t.sports, t.condition)
        old = by_protocol.get(protocol_key)
        dports = t.dports
        if old is not None:
            dports = None if old.dports is None or t.dports is None else normalize(old.dports + t.dports)
        by_protocol[protocol_key] = ServiceTerm(t.protocols, t.sports, dports, t.condition)
    merged = list(by_protocol.values())
    kept: list[ServiceTerm] = []
    for i, term in enumerate(merged):
        # two terms covering each other are the same set: keep the first of them
        if not any(_covers(o, term) and (j < i or not _covers(term, o)) for j, o in enumerate(merged) if j != i):
            kept.append(term)
    return kept


def _covers(outer: ServiceTerm, inner: ServiceTerm) -> bool:
    if outer.condition is not None or outer == inner:
        return False
    if outer.protocols is not None and (inner.protocols is None or not inner.protocols <= outer.protocols):
        return False
    for mine, theirs in ((outer.sports, inner.sports), (outer.dports, inner.dports)):
        if mine is not None and (theirs is None or not covers(mine, theirs)):
            return False
    return True
