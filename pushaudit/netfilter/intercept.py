"""Which Apple traffic a proxy host intercepts (REDIRECT, TPROXY or DNAT to itself).

TCP from the host's client networks is pushed through the prerouting hook (raw, mangle,
dstnat and any other prerouting base chains), once towards Apple's ranges per Apple port and
once towards everything else, so a check can also tell whether the host intercepts at all.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.interception import Interception, InterceptVerdict, RuleRef
from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.ifaces import TOPOLOGY, Topology
from pushaudit.netfilter.intervals import PORT_MAX, complement, from_networks
from pushaudit.netfilter.loader import RULESET
from pushaudit.netfilter.model import Action, Ruleset
from pushaudit.netfilter.outcome import ClassResult, Outcome, Verdict

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class InterceptionAnalysis:
    apple: tuple[Interception, ...]  # one per Apple port (policy apns.ports plus 80)
    other: Interception  # every other destination, all ports (port 0)
    interception_rules: tuple[RuleRef, ...]  # rules that redirect/tproxy/dnat or are undecidable targets


@dataclass(frozen=True)
class _Seen:
    state: str  # intercepted | passed | unknown
    result: ClassResult
    why: str


def analyse(ruleset: Ruleset, topology: Topology, networks: list[IPNet], apple: list[IPNet],
            ports: list[int]) -> InterceptionAnalysis:
    rules = tuple(r.ref for t in ruleset.tables for c in t.chains.values() for r in c.rules
                  if (r.nat is not None and r.nat.rewrites_destination) or r.action is Action.UNKNOWN)
    unique_rules = tuple(dict.fromkeys(rules))
    if not networks or not unique_rules:
        why = "no client networks in inventory" if not networks else "no interception rules in the ruleset"
        quiet = [Interception(p, InterceptVerdict.NOT_INTERCEPTED, reasons=(why,)) for p in ports]
        return InterceptionAnalysis(tuple(quiet), Interception(0, InterceptVerdict.NOT_INTERCEPTED, reasons=(why,)),
                                    unique_rules)
    apple_ports = [_port(ruleset, topology, networks, apple, (p, p), inside=True) for p in ports]
    other = _port(ruleset, topology, networks, apple, (1, PORT_MAX), inside=False)
    return InterceptionAnalysis(tuple(apple_ports), other, unique_rules)


def _port(ruleset: Ruleset, topology: Topology, networks: list[IPNet], apple: list[IPNet],
          ports: tuple[int, int], *, inside: bool) -> Interception:
    low, high = ports
    seen: list[_Seen] = []
    for net in networks:
        family_apple = [a for a in apple if a.version == net.version]
        dst = from_networks(family_apple)
        if not inside:
            dst = complement(dst, (1 << (32 if net.version == 4 else 128)) - 1)
        if not dst:
            continue
        query = Query(net.version, from_networks([net]), dst, ((low, high),), PathKind.PREROUTING,
                      iif=topology.ingress_interface(net))
        seen += [_classify(c, topology) for c in evaluate(ruleset, query)]
    return _summarise(low if low == high else 0, seen)


def _classify(result: ClassResult, topology: Topology) -> _Seen:
    out = result.outcome
    if out.verdict is Verdict.UNKNOWN:
        return _Seen("unknown", result, f"{out.reason} ({out.decided_by()})")
    nat = out.nat.nat if out.nat is not None else None
    if nat is None or out.verdict is Verdict.DROP or not nat.rewrites_destination:
        return _Seen("passed", result, "dropped before routing" if out.verdict is Verdict.DROP else "not redirected")
    if nat.kind != "dnat":
        return _Seen("intercepted", result, f"{nat.kind} to port {nat.port or 'unchanged'}")
    if nat.addr is None or not topology.known:
        return _Seen("unknown", result, "dnat target address cannot be checked against the host's addresses")
    if topology.is_local(nat.addr):
        return _Seen("intercepted", result, f"dnat to local address {nat.addr}")
    return _Seen("passed", result, f"dnat to {nat.addr}, another host")


def _summarise(port: int, seen: list[_Seen]) -> Interception:
    hit = [s for s in seen if s.state == "intercepted"]
    unknown = [s for s in seen if s.state == "unknown"]
    passed = [s for s in seen if s.state == "passed"]
    reasons = tuple(f"{s.result.example()}: {s.why}" for s in hit[:3] + unknown[:3] + passed[:3])
    if hit:
        first = hit[0].result
        nat = first.outcome.nat
        assert nat is not None
        verdict = InterceptVerdict.INTERCEPTED if not (unknown or passed) else InterceptVerdict.PARTIAL
        to_port = nat.nat.port if nat.nat.port is not None else first.example().dport
        method = "dnat" if nat.nat.kind == "dnat" else nat.nat.kind
        return Interception(port, verdict, method=method, to_port=to_port, rule=nat.rule,
                            example=str(first.example()), reasons=reasons)
    if unknown:
        first = unknown[0].result
        return Interception(port, InterceptVerdict.UNKNOWN, rule=first.outcome.rule, example=str(first.example()),
                            reasons=reasons)
    example = str(passed[0].result.example()) if passed else ""
    rule = next((r for s in passed if (r := _exclusion(s.result.outcome)) is not None), None)
    return Interception(port, InterceptVerdict.NOT_INTERCEPTED, rule=rule, example=example, reasons=reasons)


def _exclusion(outcome: Outcome) -> RuleRef | None:
    """The rule that took the packet out of the prerouting chains (a return, accept or drop)."""
    explicit = [s.rule for s in outcome.steps if s.rule is not None]
    return explicit[-1] if explicit else outcome.rule


def client_networks(ctx: HostContext) -> list[IPNet]:
    """The inventory's client networks; DataError when one is not a network."""
    nets: list[IPNet] = []
    for text in ctx.facts.client_networks:
        try:
            nets.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise DataError("E-DATA-MISSING", f"client network {text!r} in the inventory is not an IP network",
                            source="host.json") from exc
    return nets


def interception_ports(ctx: HostContext) -> list[int]:
    return list(dict.fromkeys([*ctx.policy.apns.ports, 80]))


def _build_analysis(ctx: HostContext) -> InterceptionAnalysis:
    return analyse(ctx.get(RULESET), ctx.get(TOPOLOGY), client_networks(ctx), ctx.policy.apple_ranges(),
                   interception_ports(ctx))


def _build(ctx: HostContext) -> list[Interception]:
    return list(ctx.get(INTERCEPTION_ANALYSIS).apple)


INTERCEPTION_ANALYSIS: ModelKey[InterceptionAnalysis] = ModelKey("interception_analysis", _build_analysis)

# One Interception per Apple destination port (policy apns.ports plus 80).
APPLE_INTERCEPTION: ModelKey[list[Interception]] = ModelKey("apple_interception", _build)
