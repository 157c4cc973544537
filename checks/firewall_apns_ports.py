"""firewall.apns_ports: the firewall forwards new TCP connections from every client network to
Apple's push ranges on every APNs port (decided over all packets, first match per chain)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.ifaces import TOPOLOGY
from pushaudit.netfilter.intercept import client_networks
from pushaudit.netfilter.intervals import describe_addrs, describe_ports, intersect, to_networks
from pushaudit.netfilter.loader import RULESET
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.outcome import Outcome, Verdict
from pushaudit.netfilter.remediation import Traffic, allow_command
from pushaudit.netfilter.report import decided_line, outcome_evidence, rule_evidence

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@register
class FirewallApnsPorts(Check):
    spec = CheckSpec(
        id="firewall.apns_ports",
        title="Firewall forwards APNs connections to Apple's push ranges",
        severity=Severity.CRITICAL,
        rationale=(
            "Devices keep a persistent TCP connection to APNs on 5223 (443 as fallback) and MDM servers "
            "reach APNs on 443 or 2197; if any of these is blocked, pushes and MDM wake-ups stop."
        ),
        sources=("S1", "S2", "S3", "NFT"),
        roles=frozenset({"firewall"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        networks = client_networks(ctx)
        if not networks:
            raise DataError("E-DATA-MISSING", "the inventory lists no client_networks for this firewall",
                            source="host.json")
        ruleset = ctx.get(RULESET)
        ports = list(ctx.policy.apns.ports)
        dests = ctx.policy.push_destinations()
        topology = ctx.get(TOPOLOGY)
        analysis = analyse_forwarding(ruleset, topology, networks, dests, ports)
        expected = "; ".join(
            f"TCP {', '.join(map(str, ports))} from {net} to "
            f"{', '.join(str(d) for d in dests if d.version == net.version)} (new connections, forwarded) accepted"
            for net in networks if any(d.version == net.version for d in dests)
        )
        details = _details(analysis)
        details["warnings"] = ruleset.warnings[:20]
        forwarding_off = _ipv4_forwarding_off(ctx) and any(n.version == 4 for n in networks)
        drops = [c for c in analysis.classes if c.result.outcome.verdict is Verdict.DROP]
        unknown = [c for c in analysis.classes if c.result.outcome.verdict is Verdict.UNKNOWN]
        shadow_ev = [rule_evidence(s.rule, "shadowed: " + s.describe()) for s in analysis.shadowed]
        shadow_ev += [rule_evidence(ref, "not known whether shadowed: the search gave up (too many overlapping "
                                         "earlier rules to combine)") for ref in analysis.shadow_undecided]
        if forwarding_off or drops or analysis.unroutable:
            return [self._fail(ctx, ruleset=ruleset, analysis=analysis, drops=drops, ports=ports, expected=expected,
                               details=details, shadow_ev=shadow_ev, forwarding_off=forwarding_off)]
        if unknown:
            return [self._undecided(ctx, unknown, expected, details, shadow_ev)]
        accepting = {c.result.outcome.rule: c for c in analysis.classes if c.result.outcome.rule is not None}
        evidence = [rule_evidence(ref, f"accepts e.g. {c.result.example()}") for ref, c in accepting.items()]
        if not accepting:
            evidence = [outcome_evidence(c.result.outcome, "accepted by chain policies") for c in analysis.classes[:1]]
        unread = ruleset.unread + topology.unread
        if unread:  # what was read opens every path; what was not could close one
            return [self._unread(ctx, unread, expected, details, evidence + shadow_ev)]
        return [self.finding(
            ctx, Status.PASS, f"APNs ports {', '.join(map(str, ports))} are forwarded from every client network",
            expected=expected, found="all accepted", evidence=evidence + shadow_ev, details=details,
        )]

    def _unread(self, ctx: HostContext, unread: list[str], expected: str, details: dict[str, Any],
                evidence: list[Evidence]) -> Finding:
        code = "E-PARSE-NETFILTER" if ctx.facts.platform == "linux" else "E-PARSE-FIREWALL"
        shown = "; ".join(unread[:3]) + (f" (+{len(unread) - 3} more)" if len(unread) > 3 else "")
        unread_ev = [_unread_evidence(item) for item in unread[:10]]
        return self.finding(
            ctx, Status.ERROR,
            f"every Apple path pushaudit could read is open, but {len(unread)} part(s) of the configuration "
            f"were not read and could change that: {shown}",
            code=code, expected=expected, found="accepted by the rules that were read",
            evidence=unread_ev + evidence, details={**details, "unread": unread[:50]},
        )

    def _undecided(self, ctx: HostContext, unknown: list[FlowClass], expected: str, details: dict[str, Any],
                   shadow_ev: list[Evidence]) -> Finding:
        """Fail closed, but say exactly which run-time condition (App-ID, FQDN, ISDB, user...) decides."""
        conditions = _conditions(unknown)
        listed = "; ".join(reason for _, reason in conditions[:3])
        more = f" (+{len(conditions) - 3} more)" if len(conditions) > 3 else ""
        details = {**details, "conditions": [{"rule": rule, "condition": reason} for rule, reason in conditions]}
        evidence = [outcome_evidence(c.result.outcome, f"undecidable for {c.result.example()}: "
                                     f"{c.result.outcome.reason}") for c in unknown[:5]]
        return self.finding(
            ctx, Status.ERROR,
            f"APNs forwarding depends on {len(conditions)} condition(s) the configuration alone cannot decide: "
            f"{listed}{more}",
            code="E-EVAL-UNKNOWN", expected=expected,
            found=f"permitted only if the condition holds, e.g. for {unknown[0].result.example()}",
            deciding_rule=decided_line(unknown[0].result.outcome), evidence=evidence + shadow_ev, details=details,
        )

    def _fail(self, ctx: HostContext, *, ruleset: Ruleset, analysis: ForwardingAnalysis, drops: list[FlowClass],
              ports: list[int], expected: str, details: dict[str, Any], shadow_ev: list[Evidence],
              forwarding_off: bool) -> Finding:
        found: list[str] = []
        evidence: list[Evidence] = []
        fixes: list[str] = []
        if forwarding_off:
            found.append("IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)")
            evidence.append(Evidence(source="cmd:sysctl_ip_forward", text="0", note="the host forwards nothing"))
            fixes.append("sysctl -w net.ipv4.ip_forward=1 (and persist it in /etc/sysctl.d/)")
        for gap in analysis.unroutable:
            where = describe_addrs(gap.destinations, gap.network.version)
            found.append(f"no route from the firewall to {where}")
            evidence.append(Evidence(source="cmd:ip_route", text=f"no route to {where}",
                                     note=f"traffic from {gap.network} cannot be forwarded"))
        for outcome, classes in _by_outcome(drops).items():
            blocked = sorted({p for c in classes for p in ports if intersect(c.result.axis(Dim.DPORT), ((p, p),))})
            example = classes[0].result.example()
            found.append(f"{', '.join(map(str, blocked))} dropped by {outcome.decided_by()} (e.g. {example})")
            evidence.append(outcome_evidence(outcome, f"drops TCP {', '.join(map(str, blocked))}, e.g. {example}"))
            fix = _remediation(ruleset, outcome, classes, blocked)
            if fix:
                fixes.append(fix)
        blocked_ports = sorted({p for c in drops for p in ports if intersect(c.result.axis(Dim.DPORT), ((p, p),))})
        summary = (f"APNs port(s) {', '.join(map(str, blocked_ports))} blocked" if blocked_ports
                   else "APNs traffic cannot be forwarded")
        deciding = decided_line(drops[0].result.outcome) if drops else found[0]
        return self.finding(
            ctx, Status.FAIL, summary, expected=expected, found="; ".join(found), evidence=evidence + shadow_ev,
            remediation="\n".join(dict.fromkeys(fixes)), deciding_rule=deciding, details=details,
        )


def _by_outcome(classes: list[FlowClass]) -> dict[Outcome, list[FlowClass]]:
    grouped: dict[Outcome, list[FlowClass]] = {}
    for item in classes:
        grouped.setdefault(item.result.outcome, []).append(item)
    return grouped


def _remediation(ruleset: Ruleset, outcome: Outcome, classes: list[FlowClass], ports: list[int]) -> str:
    if outcome.rule is not None:
        ref = outcome.rule
        table = ruleset.find_table(ref.source, ref.family, ref.table)
        chain, before = ref.chain, ref
    elif outcome.policy_chain is not None:
        cid = outcome.policy_chain
        table = ruleset.find_table(cid.source, cid.family, cid.table)
        chain, before = cid.chain, None
    else:
        return ""
    if table is None:
        return ""
    first = classes[0]
    family = first.network.version
    sources = tuple(dict.fromkeys(str(c.network) for c in classes))
    blocked = [n for c in classes for n in to_networks(c.result.axis(Dim.DADDR), family)]
    destinations = tuple(dict.fromkeys(str(n) for n in blocked))
    if len(destinations) > 8:
        destinations = (*destinations[:8],)
    traffic = Traffic(family, sources, destinations, tuple(ports), iif=first.iif, oif=first.oif)
    return allow_command(table, chain, before, traffic)


def _ipv4_forwarding_off(ctx: HostContext) -> bool:
    if not ctx.snapshot.has_command("sysctl_ip_forward"):
        return False
    record, output = ctx.snapshot.command("sysctl_ip_forward")
    return record.exit_status == 0 and output.strip() == "0"


def _conditions(unknown: list[FlowClass]) -> list[tuple[str, str]]:
    """Each distinct (rule, condition) that left a flow undecided, in rule order of appearance."""
    seen: dict[tuple[str, str], None] = {}
    for cls in unknown:
        outcome = cls.result.outcome
        seen.setdefault((decided_line(outcome), outcome.reason), None)
    return list(seen)


_WHERE = re.compile(r"^(cmd:[\w.-]+)(?: line (\d+))?")


def _unread_evidence(item: str) -> Evidence:
    """``cmd:<id> line N: what`` as evidence pointing at that output line."""
    found = _WHERE.match(item)
    if found is None:
        return Evidence(source="configuration", text=item, note="not read by pushaudit")
    return Evidence(source=found.group(1), text=item, line=int(found.group(2)) if found.group(2) else None,
                    note="not read by pushaudit")


def _details(analysis: ForwardingAnalysis) -> dict[str, Any]:
    classes = [
        {
            "verdict": c.result.outcome.verdict.value,
            "source": str(c.network),
            "destinations": describe_addrs(c.result.axis(Dim.DADDR), c.network.version),
            "ports": describe_ports(c.result.axis(Dim.DPORT)),
            "iif": c.iif,
            "oif": c.oif,
            "example": str(c.result.example()),
            "decided_by": decided_line(c.result.outcome),
        }
        for c in analysis.classes
    ]
    return {
        "classes": classes,
        "shadowed": [s.describe() for s in analysis.shadowed],
        "shadow_undecided": [ref.label() for ref in analysis.shadow_undecided],
        "skipped": analysis.skipped,
    }
