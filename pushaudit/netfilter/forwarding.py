"""Forwarded TCP from client networks to destination ranges: per class verdicts, routing
gaps, and the shadowed rules among those that concern the traffic."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.gcpause import collector_paused
from pushaudit.interception import RuleRef
from pushaudit.netfilter.compile import RuleCompiler
from pushaudit.netfilter.evaluate import PathKind, Query, evaluate, relevant_rules
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.intervals import IntervalSet, from_networks, normalize
from pushaudit.netfilter.model import Chain, Rule, Ruleset, Table
from pushaudit.netfilter.outcome import ClassResult
from pushaudit.netfilter.shadow import Shadowed, search_shadowed

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class FlowClass:
    """One class of the traffic from one client network, with the interfaces it used."""

    network: IPNet
    iif: str | None
    oif: str | None
    result: ClassResult


@dataclass(frozen=True)
class Unroutable:
    network: IPNet
    destinations: IntervalSet  # no route (or a blackhole) on the host


@dataclass
class ForwardingAnalysis:
    classes: list[FlowClass] = field(default_factory=list)
    unroutable: list[Unroutable] = field(default_factory=list)
    shadowed: list[Shadowed] = field(default_factory=list)
    shadow_undecided: list[RuleRef] = field(default_factory=list)  # the shadow search gave up on these
    skipped: list[str] = field(default_factory=list)  # networks with no destination of their family


def analyse_forwarding(ruleset: Ruleset, topology: Topology, networks: list[IPNet], destinations: list[IPNet],
                       ports: list[int]) -> ForwardingAnalysis:
    with collector_paused():
        return _analyse(ruleset, topology, networks, destinations, ports)


def _analyse(ruleset: Ruleset, topology: Topology, networks: list[IPNet], destinations: list[IPNet],
             ports: list[int]) -> ForwardingAnalysis:
    out = ForwardingAnalysis()
    dports = normalize((p, p) for p in ports)
    relevant: dict[int, tuple[Table, Chain, Rule]] = {}
    reached: set[int] = set()
    for net in networks:
        dst = from_networks([d for d in destinations if d.version == net.version])
        if not dst:
            out.skipped.append(f"{net}: no IPv{net.version} destination in the policy")
            continue
        iif = topology.ingress_interface(net)
        legs = topology.egress_split(net.version, dst) if topology.known else [(dst, None)]
        for leg_dst, oif in legs:
            if topology.known and oif is None:
                out.unroutable.append(Unroutable(net, leg_dst))
                continue
            query = Query(net.version, from_networks([net]), leg_dst, dports, PathKind.FORWARD, iif=iif, oif=oif)
            compiler = RuleCompiler(query)  # shared: both passes compile the same rules for this query
            out.classes += [FlowClass(net, iif, oif, c) for c in evaluate(ruleset, query, reached, compiler)]
            for table, chain, rule in relevant_rules(ruleset, query, compiler):
                relevant.setdefault(id(rule), (table, chain, rule))
    out.shadowed, out.shadow_undecided = _shadowed(list(relevant.values()), reached)
    return out


def _shadowed(rules: list[tuple[Table, Chain, Rule]], reached: set[int]) -> tuple[list[Shadowed], list[RuleRef]]:
    by_chain: dict[int, tuple[Table, Chain, list[Rule]]] = {}
    for table, chain, rule in rules:
        by_chain.setdefault(id(chain), (table, chain, []))[2].append(rule)
    found: dict[RuleRef, Shadowed] = {}
    undecided: dict[RuleRef, None] = {}
    for table, chain, candidates in by_chain.values():
        search = search_shadowed(table, chain, candidates, reached)
        for item in search.shadowed:
            found.setdefault(item.rule, item)
        undecided.update(dict.fromkeys(search.undecided))
    return list(found.values()), list(undecided)
