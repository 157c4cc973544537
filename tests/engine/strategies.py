"""Hypothesis strategies for random rulesets in the generic model: 1-4 forward base chains,
regular chains reached by jump and goto, and rules mixing every kind of match."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import IntervalSet, from_networks, normalize
from pushaudit.netfilter.model import (
    Action,
    Chain,
    ConcatMatch,
    Dim,
    FlagsMatch,
    Key,
    Match,
    RangeMatch,
    Rule,
    Ruleset,
    ScalarMatch,
    Table,
    UnknownMatch,
)

# Small pools so that random prefixes, ranges and names overlap often.
_V4_BASES = ["10.0.0.0", "10.0.0.64", "10.0.1.0", "10.1.0.0", "17.0.0.0", "17.57.144.0", "17.249.0.0",
             "198.18.10.0"]
_V6_BASES = ["2001:db8::", "2001:db8::40", "2001:db8:0:1::", "2620:149:a44::"]
_PREFIX_LENGTHS = {4: [0, 8, 16, 22, 24, 26, 30, 32], 6: [0, 32, 48, 64, 120, 128]}
PORTS = [0, 22, 80, 443, 1023, 1024, 2195, 2197, 2199, 5223, 8080, 40000, 65535]
IFACES = ["lan0", "lan1", "wan0", "dmz0"]
_IFACE_PATTERNS = [*IFACES, "lan*", "wan*", "d*"]
_CT_STATES = ["new", "established", "related", "invalid"]
_PRIORITIES = [-300, -150, -100, -10, 0, 10, 50, 100]
_ACTIONS = [Action.ACCEPT] * 5 + [Action.DROP] * 5 + [Action.RETURN] * 2 + [Action.JUMP] * 3 + \
    [Action.GOTO] * 2 + [Action.CONTINUE]


@st.composite
def networks(draw: st.DrawFn, family: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    base = ipaddress.ip_address(draw(st.sampled_from(_V4_BASES if family == 4 else _V6_BASES)))
    offset = draw(st.sampled_from([0, 0, 1, 63, 64, 255, 256, 4096]))
    plen = draw(st.sampled_from(_PREFIX_LENGTHS[family]))
    top = (1 << (32 if family == 4 else 128)) - 1
    return ipaddress.ip_network((min(int(base) + offset, top), plen), strict=False)


@st.composite
def address_sets(draw: st.DrawFn, family: int) -> IntervalSet:
    return from_networks(draw(st.lists(networks(family), min_size=1, max_size=3)))


@st.composite
def port_sets(draw: st.DrawFn) -> IntervalSet:
    """One port, a range, or a set of ports and ranges."""
    items = draw(st.lists(st.tuples(st.sampled_from(PORTS), st.sampled_from([0, 0, 1, 2, 100, 3000])),
                          min_size=1, max_size=3))
    return normalize((port, min(port + width, 65535)) for port, width in items)


def _addresses(draw: st.DrawFn, family: int, kind: str, negate: bool) -> list[Match]:
    fam = family if draw(st.integers(0, 9)) else 10 - family  # now and then the other family
    return [RangeMatch(Dim.SADDR if kind == "saddr" else Dim.DADDR, draw(address_sets(fam)), fam, negate)]


def _ports(draw: st.DrawFn, family: int, kind: str, negate: bool) -> list[Match]:
    implied = draw(st.sampled_from([(), ("tcp",), ("tcp", "udp")]))
    deps: list[Match] = [ScalarMatch(Key.L4PROTO, frozenset(implied), implicit=True)] if implied else []
    return [*deps, RangeMatch(Dim.DPORT if kind == "dport" else Dim.SPORT, draw(port_sets()), None, negate)]


def _names(draw: st.DrawFn, family: int, kind: str, negate: bool) -> list[Match]:
    if kind in ("iif", "oif"):
        key, values = (Key.IIFNAME if kind == "iif" else Key.OIFNAME), st.sampled_from(_IFACE_PATTERNS)
    elif kind == "l4proto":
        key, values = Key.L4PROTO, st.sampled_from(["tcp", "udp"])
    elif kind == "ctstate":
        key, values = Key.CTSTATE, st.sampled_from(_CT_STATES)
    else:
        key, values = Key.NFPROTO, st.sampled_from(["ipv4", "ipv6"])
    return [ScalarMatch(key, frozenset(draw(st.lists(values, min_size=1, max_size=2))), negate)]


def _others(draw: st.DrawFn, family: int, kind: str, negate: bool) -> list[Match]:
    if kind == "flags":
        return [FlagsMatch(mask=0x12, values=frozenset({0x02}), negate=negate)]
    if kind == "concat":
        elements = draw(st.lists(st.tuples(address_sets(family), port_sets()), min_size=1, max_size=3))
        return [ConcatMatch((Dim.DADDR, Dim.DPORT), (family, None), tuple(elements))]
    return [UnknownMatch(draw(st.sampled_from(["xt match socket", "meta mark", "limit rate"])))]


_MATCH_KINDS = {"saddr": _addresses, "daddr": _addresses, "dport": _ports, "sport": _ports, "iif": _names,
                "oif": _names, "l4proto": _names, "ctstate": _names, "nfproto": _names, "flags": _others,
                "concat": _others, "unknown": _others}


@st.composite
def matches(draw: st.DrawFn, family: int) -> list[Match]:
    """One match of a random kind (two for a port match that implies its protocol)."""
    kind = draw(st.sampled_from(["saddr", "daddr", "daddr", "dport", "dport", "sport", "iif", "oif", "l4proto",
                                 "ctstate", "unknown", "concat", "flags", "nfproto"]))
    negate = draw(st.booleans()) if kind not in ("unknown", "concat") else False
    return _MATCH_KINDS[kind](draw, family, kind, negate)


@st.composite
def rules(draw: st.DrawFn, table: Table, chain: str, *, position: int, family: int, targets: list[str]) -> Rule:
    found: list[Match] = []
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 2, 2, 3, 3]))):
        found += draw(matches(family))
    action = draw(st.sampled_from(_ACTIONS))
    target = ""
    if action in (Action.JUMP, Action.GOTO):
        roll = draw(st.integers(0, 19))
        if targets and roll:
            target = draw(st.sampled_from(targets))
        elif not draw(st.integers(0, 3)):
            target = "missing"  # a jump to a chain the table does not have: UNKNOWN
        else:
            action = Action.DROP
    elif not draw(st.integers(0, 59)):
        action, target = Action.UNKNOWN, "xt target FOO"
    ref = RuleRef(source="gen", family=table.family, table=table.name, chain=chain, index=position,
                  text=f"{chain} #{position}")
    return Rule(ref, tuple(found), action, target=target)


@st.composite
def rulesets(draw: st.DrawFn, family: int) -> Ruleset:
    """1-4 forward base chains (distinct priorities, accept/drop policies) and 0-4 regular chains
    that base chains jump or go to; a regular chain only calls later ones (nft refuses loops)."""
    main = Table(family="inet", name="t0", source="gen", syntax="nft", tool="nft")
    other = Table(family=draw(st.sampled_from(["ip", "ip6"])), name="t1", source="gen", syntax="nft", tool="nft")
    regular = [f"r{i}" for i in range(draw(st.integers(0, 4)))]
    priorities = draw(st.lists(st.sampled_from(_PRIORITIES), min_size=1, max_size=4, unique=True))
    for name in regular:
        main.chains[name] = Chain(name)
    for i, prio in enumerate(priorities):
        table = other if i and not draw(st.integers(0, 3)) else main
        name = f"fwd{i}"
        table.chains[name] = Chain(name, hook="forward", priority=prio, type="filter",
                                   policy=draw(st.sampled_from(["accept", "accept", "drop"])))
    for table in (main, other):
        for name, chain in table.chains.items():
            later = [r for r in regular if chain.hook is not None or r > name] if table is main else []
            # an empty base chain is its policy alone: allowed, but rare
            size = draw(st.integers(1 if chain.hook and draw(st.integers(0, 9)) else 0, 7))
            chain.rules = [draw(rules(table, name, position=n + 1, family=family, targets=later))
                           for n in range(size)]
    return Ruleset(tables=[t for t in (main, other) if t.chains])
