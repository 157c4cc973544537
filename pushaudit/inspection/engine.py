"""Ask the first-match evaluator which rule of an ordered "inspection rule list" decides each
class of Apple traffic. The vendor modules build the list: a rule whose action applies
(decrypt, authenticate) is a DROP, an exempting rule an ACCEPT, and a last catch-all ACCEPT
stands for the vendor default (no decryption, no authentication)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from pushaudit.inspection.decision import Answer, Decision
from pushaudit.inspection.targets import AppleTarget
from pushaudit.interception import RuleRef
from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.intervals import describe_addrs, describe_ports, from_networks, normalize
from pushaudit.netfilter.model import Action, Chain, Dim, Match, Rule, Ruleset, Table
from pushaudit.netfilter.outcome import Verdict

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
CHAIN = "inspection"
_ANSWERS = {Verdict.DROP: Answer.YES, Verdict.ACCEPT: Answer.NO, Verdict.UNKNOWN: Answer.UNKNOWN}


class RuleList:
    """An ordered rule list on the forward path, ending in the vendor's default."""

    def __init__(self, source: str, name: str, syntax: str) -> None:
        self.chain = Chain(CHAIN, hook="forward", priority=0, type="filter", policy="drop")
        self.table = Table("inet", name, source, syntax, syntax, {CHAIN: self.chain})

    def add(self, ref: RuleRef, variants: list[tuple[Match, ...]], applies: bool | None, why: str = "") -> None:
        """``applies``: True decrypt/authenticate, False exempt, None an action not understood."""
        action = Action.UNKNOWN if applies is None else (Action.DROP if applies else Action.ACCEPT)
        self.chain.rules += [Rule(ref, v, action, target=why) for v in variants]

    def finish(self, default: RuleRef) -> Ruleset:
        self.chain.rules.append(Rule(default, (), Action.ACCEPT))
        return Ruleset(tables=[self.table])


def decide(build: Callable[[AppleTarget], Ruleset], topology: Topology, networks: list[IPNet],
           targets: list[AppleTarget]) -> list[Decision]:
    """Every class of every (client network, Apple name), first match, over whole address sets."""
    out: list[Decision] = []
    for target in targets:
        ruleset = build(target)
        dports = normalize((p, p) for p in target.ports)
        for net in networks:
            dst = from_networks([d for d in target.destinations if d.version == net.version])
            if not dst:
                continue
            iif = topology.ingress_interface(net) if topology.known else None
            legs = topology.egress_split(net.version, dst) if topology.known else [(dst, None)]
            for leg_dst, oif in legs:
                query = Query(net.version, from_networks([net]), leg_dst, dports, PathKind.FORWARD, iif=iif, oif=oif)
                for result in evaluate(ruleset, query):
                    outcome = result.outcome
                    out.append(Decision(
                        network=str(net), name=target.name, ports=describe_ports(result.axis(Dim.DPORT)),
                        destinations=describe_addrs(result.axis(Dim.DADDR), net.version),
                        answer=_ANSWERS[outcome.verdict], rule=outcome.rule, reason=outcome.reason,
                        example=str(result.example()),
                    ))
    return out
