"""Hypothesis strategies for what the engine is asked: queries over a ruleset, and concrete
packets inside a query (biased towards the boundaries that occur in the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from pushaudit.netfilter.bruteforce import ProbePacket
from pushaudit.netfilter.evaluate import PathKind, Query
from pushaudit.netfilter.intervals import IntervalSet, normalize
from pushaudit.netfilter.model import ConcatMatch, Dim, RangeMatch, Ruleset

from .strategies import IFACES, address_sets, port_sets

families = st.sampled_from([4, 4, 4, 6])


@st.composite
def queries(draw: st.DrawFn, fam: int, ruleset: Ruleset | None = None) -> Query:
    """A forward query; with a ruleset, its axes often reuse the rules' own sets so that rules
    cut the query into several classes."""
    seen = rule_sets(ruleset, fam) if ruleset is not None else {d: [] for d in Dim}

    def axis(fresh: st.SearchStrategy[IntervalSet], dim: Dim) -> IntervalSet:
        mine = draw(fresh)
        if not seen[dim] or draw(st.booleans()):
            return mine
        theirs = draw(st.sampled_from(seen[dim]))
        return theirs if draw(st.booleans()) else normalize((*mine, *theirs))

    default_sports: IntervalSet = ((1024, 65535),)
    return Query(
        family=fam,
        src=axis(address_sets(fam), Dim.SADDR),
        dst=axis(address_sets(fam), Dim.DADDR),
        dports=axis(port_sets(), Dim.DPORT),
        path=PathKind.FORWARD,
        iif=draw(st.sampled_from([*IFACES, None])),
        oif=draw(st.sampled_from([*IFACES, None])),
        sports=axis(st.one_of(st.just(default_sports), port_sets()), Dim.SPORT),
        protocol=draw(st.sampled_from(["tcp", "tcp", "udp"])),
        ct_state=draw(st.sampled_from(["new", "new", "established", "invalid"])),
    )


def rule_sets(ruleset: Ruleset, family: int) -> dict[Dim, list[IntervalSet]]:
    """The value sets the rules test per axis (addresses of the query's family only)."""
    found: dict[Dim, list[IntervalSet]] = {d: [] for d in Dim}
    for table in ruleset.tables:
        for chain in table.chains.values():
            for rule in chain.rules:
                for match in rule.matches:
                    if isinstance(match, RangeMatch) and match.family in (None, family):
                        found[match.dim].append(match.values)
    return found


@dataclass(frozen=True)
class Boundaries:
    """Per axis, the values next to every edge that occurs in the ruleset."""

    values: dict[Dim, list[int]]

    @classmethod
    def of(cls, ruleset: Ruleset) -> Boundaries:
        edges: dict[Dim, set[int]] = {d: set() for d in Dim}
        for table in ruleset.tables:
            for chain in table.chains.values():
                for rule in chain.rules:
                    for match in rule.matches:
                        if isinstance(match, RangeMatch):
                            _add_edges(edges[match.dim], match.values)
                        elif isinstance(match, ConcatMatch):
                            for element in match.elements:
                                for dim, part in zip(match.dims, element, strict=True):
                                    _add_edges(edges[dim], part)
        return cls({d: sorted(v) for d, v in edges.items()})


def _add_edges(into: set[int], values: IntervalSet) -> None:
    for lo, hi in values:
        into.update((lo - 1, lo, hi, hi + 1))


@st.composite
def axis_value(draw: st.DrawFn, axis: IntervalSet, edges: list[int]) -> int:
    inside = [v for v in edges if any(lo <= v <= hi for lo, hi in axis)]
    use_edge = draw(st.booleans())
    if inside and use_edge:
        return draw(st.sampled_from(inside))
    lo, hi = draw(st.sampled_from(axis))
    return draw(st.integers(lo, hi))


@st.composite
def packets_in(draw: st.DrawFn, query: Query, edges: Boundaries) -> ProbePacket:
    return probe(query, draw(axis_value(query.src, edges.values[Dim.SADDR])),
                 draw(axis_value(query.dst, edges.values[Dim.DADDR])),
                 draw(axis_value(query.sports, edges.values[Dim.SPORT])),
                 draw(axis_value(query.dports, edges.values[Dim.DPORT])))


def probe(query: Query, src: int, dst: int, sport: int, dport: int) -> ProbePacket:
    """The concrete packet with the query's protocol, state, interfaces and path."""
    return ProbePacket(family=query.family, src=src, dst=dst, sport=sport, dport=dport, protocol=query.protocol,
                       ct_state=query.ct_state, iif=query.iif, oif=query.oif, path=query.path.value)
