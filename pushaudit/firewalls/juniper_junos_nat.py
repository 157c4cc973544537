"""Junos static and destination NAT as a prerouting stage before the policy lookup.

The SRX translates destinations before it looks up routes and policies, so a destination NAT
that catches Apple traffic (a web redirect to a proxy, say) changes which policy applies. The
model marks such rules with a ``dnat`` translation: the evaluator then reports the traffic as
rewritten (undecided) rather than judging it by the original destination. ``destination-nat
off`` returns without translation. Static NAT is looked up before destination NAT; rule-sets
bound to an interface before those bound to a zone (the interface's zone stands in for it,
which can only over-match: more traffic undecided, never a wrong verdict).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.firewalls.juniper_junos_addresses import AddressBooks
from pushaudit.firewalls.juniper_junos_alts import conditional
from pushaudit.firewalls.juniper_junos_appterms import port_range
from pushaudit.firewalls.juniper_junos_setlines import SetConfig
from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import normalize
from pushaudit.netfilter.model import Action, Chain, Dim, Key, Match, Nat, RangeMatch, Rule, ScalarMatch, Table

CHAIN = "nat"
_KINDS = ("static", "destination")


@dataclass
class _RuleSet:
    kind: str
    name: str
    line: int
    source: str
    zones: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    rules: dict[str, list[list[str]]] = field(default_factory=dict)  # rule -> its statements' words
    lines: dict[str, int] = field(default_factory=dict)


def _rule_sets(config: SetConfig) -> list[_RuleSet]:
    found: dict[tuple[str, str], _RuleSet] = {}
    for kind in _KINDS:
        for st in config.under("security", "nat", kind):
            if not st.active or st.at(3) != "rule-set" or not st.at(4):
                continue
            key = (kind, st.at(4))
            rs = found.setdefault(key, _RuleSet(kind, st.at(4), st.line, st.source))
            rest = list(st.words[5:])
            if rest[:1] == ["from"] and len(rest) == 3:
                if rest[1] == "zone":
                    rs.zones.append(rest[2])
                elif rest[1] == "interface":
                    rs.interfaces.append(rest[2])
                else:  # routing-instance (and anything newer): not modelled, so undecided
                    rs.instances.append(f"{rest[1]} {rest[2]}")
            elif rest[:1] == ["rule"] and len(rest) > 2:
                rs.rules.setdefault(rest[1], []).append(rest[2:])
                rs.lines.setdefault(rest[1], st.line)
    return sorted(found.values(), key=lambda rs: (_KINDS.index(rs.kind), not rs.interfaces))


def _pools(config: SetConfig) -> dict[str, Nat]:
    """Destination pools: ``pool P address 10.0.0.5/32`` and ``pool P address port 8080``."""
    found: dict[str, tuple[str | None, int | None]] = {}
    for st in config.under("security", "nat", "destination"):
        if st.active and st.at(3) == "pool" and st.at(5) == "address":
            addr, port = found.get(st.at(4), (None, None))
            if st.at(6) == "port" and st.at(7).isdigit():
                port = int(st.at(7))
            elif st.at(6):
                addr = st.at(6)
            found[st.at(4)] = (addr, port)
    return {name: Nat("dnat", addr, port) for name, (addr, port) in found.items()}


def add_nat(table: Table, config: SetConfig, books: AddressBooks, units: dict[str, str]) -> list[str]:
    """Add the NAT stage to ``table``; returns warnings."""
    warnings: list[str] = []
    pools = _pools(config)
    base = Chain(CHAIN, hook="prerouting", priority=-100, policy="accept", type="nat")
    for rs in _rule_sets(config):
        chain_name = f"nat {rs.kind} rule-set {rs.name}"
        chain = Chain(chain_name)
        for index, (rule, statements) in enumerate(rs.rules.items(), start=1):
            chain.rules.append(_rule(rs, (rule, statements), index, table.name, (books, pools)))
        zones = set(rs.zones) | {units.get(_unit(i), i) for i in rs.interfaces}
        matches: list[Match] = [ScalarMatch(Key.IIFNAME, frozenset(zones))] if zones else []
        if rs.instances:
            matches.append(conditional("routing-instance", rs.instances, f"NAT rule-set {rs.name} applies to "
                                       f"routing-instance {', '.join(rs.instances)}, which is not modelled"))
        if not zones and not rs.instances:
            warnings.append(f"{rs.source} line {rs.line}: NAT rule-set {rs.name} has no 'from': taken to apply "
                            "everywhere")
        ref = RuleRef(rs.source, "inet", table.name, CHAIN, len(base.rules) + 1,
                      f"{rs.kind} nat rule-set {rs.name} from {' '.join(sorted(zones | set(rs.instances)))}",
                      line=rs.line)
        base.rules.append(Rule(ref, tuple(matches), Action.JUMP, target=chain_name))
        table.chains[chain_name] = chain
    if base.rules:
        table.chains[CHAIN] = base
    return warnings


def _unit(name: str) -> str:
    return name if "." in name else f"{name}.0"


def _rule(rs: _RuleSet, spec: tuple[str, list[list[str]]], index: int, table: str,
          objects: tuple[AddressBooks, dict[str, Nat]]) -> Rule:
    rule, statements = spec
    books, pools = objects
    matches: list[Match] = []
    then: list[str] = []
    undecided: list[str] = []
    criteria: dict[str, list[tuple[str, list[str]]]] = {}  # one criterion's values are alternatives
    for words in statements:
        if words[0] == "then":
            then = words[1:]
        elif words[0] == "match" and len(words) >= 3:
            criteria.setdefault(_criterion(words[1]), []).append((words[1], list(words[2:])))
    for values in criteria.values():
        found = _any_of([_match(key, rest, books) for key, rest in values])
        if isinstance(found, str):
            undecided.append(found)
        else:
            matches.extend(found)
    text = f"{rs.kind} nat rule-set {rs.name} rule {rule}: " + "; ".join(" ".join(w) for w in statements)
    ref = RuleRef(rs.source, "inet", table, f"nat {rs.kind} rule-set {rs.name}", index, text,
                  line=rs.lines[rule], comment=rule)
    matches += [conditional("nat", [rule], why) for why in undecided]
    if then[:2] in (["destination-nat", "off"], ["static-nat", "off"]):
        return Rule(ref, tuple(matches), Action.RETURN)
    if then[:2] == ["destination-nat", "pool"] and len(then) > 2:
        return Rule(ref, tuple(matches), Action.ACCEPT, nat=pools.get(then[2], Nat("dnat")))
    if then[:1] == ["static-nat"]:
        target = then[2] if len(then) > 2 and then[1] in ("prefix", "inet") else None
        return Rule(ref, tuple(matches), Action.ACCEPT, nat=Nat("dnat", target))
    return Rule(ref, tuple(matches), Action.UNKNOWN, target=f"NAT rule {rule}: action '{' '.join(then)}' unknown")


def _criterion(key: str) -> str:
    """``destination-address`` and ``destination-address-name`` give values of one criterion."""
    return key.removesuffix("-name")


def _any_of(options: list[list[Match] | str]) -> list[Match] | str:
    """The matches of several values of one criterion, joined: a packet needs only one of them."""
    for option in options:
        if isinstance(option, str):
            return option
    if len(options) == 1:
        return options[0]
    ranges: dict[tuple[Dim, int | None], list[tuple[int, int]]] = {}
    protocols: set[str] = set()
    for option in options:
        assert not isinstance(option, str)
        for match in option:
            if isinstance(match, RangeMatch):
                ranges.setdefault((match.dim, match.family), []).extend(match.values)
            elif isinstance(match, ScalarMatch) and match.key is Key.L4PROTO and not match.implicit:
                protocols.update(match.values)
    if len(ranges) > 1:
        return "NAT match values of both address families in one criterion are not modelled"
    if ranges:
        ((dim, family), intervals), = ranges.items()
        implied = [m for option in options if not isinstance(option, str) for m in option
                   if isinstance(m, ScalarMatch) and m.implicit][:1]
        return [*implied, RangeMatch(dim, normalize(intervals), family)]
    return [ScalarMatch(Key.L4PROTO, frozenset(protocols))]


def _match(key: str, values: list[str], books: AddressBooks) -> list[Match] | str:
    """The model matches of one NAT match criterion, or why it cannot be decided."""
    if key.startswith(("source-address", "destination-address")):
        return _address_match(key, values[0], books)
    if key == "destination-port":
        spec = values[0] + (f"-{values[2]}" if len(values) == 3 and values[1] == "to" else "")
        ports = port_range(spec)
        if ports is None:
            return f"NAT match destination-port {' '.join(values)} not understood"
        return [ScalarMatch(Key.L4PROTO, frozenset({"tcp", "udp"}), implicit=True), RangeMatch(Dim.DPORT, ports)]
    if key == "protocol":
        return [ScalarMatch(Key.L4PROTO, frozenset(values))]
    return f"NAT match {key} {' '.join(values)} is not modelled"


def _address_match(key: str, value: str, books: AddressBooks) -> list[Match] | str:
    dim = Dim.SADDR if key.startswith("source") else Dim.DADDR
    if key.endswith("-name"):
        resolved = books.resolve([value], None)
        if resolved.conditions or (resolved.v4 and resolved.v6) or not (resolved.v4 or resolved.v6):
            return f"NAT match {key} {value}: {'; '.join(resolved.conditions) or 'not one address family'}"
        return [RangeMatch(dim, resolved.v4 or resolved.v6, 4 if resolved.v4 else 6)]
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"NAT match {key} {value} not understood"
    return [RangeMatch(dim, ((int(net.network_address), int(net.broadcast_address)),), net.version)]
