"""proxy.interception_excludes_apple: a proxy host that intercepts traffic (NAT REDIRECT,
TPROXY or DNAT to itself) must leave Apple's ranges alone."""

from __future__ import annotations

import ipaddress
from typing import Any

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.interception import Interception, InterceptVerdict
from pushaudit.netfilter.intercept import INTERCEPTION_ANALYSIS, client_networks
from pushaudit.netfilter.loader import RULESET
from pushaudit.netfilter.model import Ruleset
from pushaudit.netfilter.remediation import exclude_command
from pushaudit.netfilter.report import rule_evidence, rule_line

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
_BAD = (InterceptVerdict.INTERCEPTED, InterceptVerdict.PARTIAL)


@register
class ProxyInterceptionExcludesApple(Check):
    spec = CheckSpec(
        id="proxy.interception_excludes_apple",
        title="Transparent interception leaves Apple traffic alone",
        severity=Severity.CRITICAL,
        rationale=(
            "Apple services fail when their TLS is intercepted, and Squid rejects intercepted connections "
            "whose SNI does not resolve to the original address (courier.push.apple.com has no address by "
            "design), so Apple's ranges must be excluded before any REDIRECT, TPROXY or DNAT."
        ),
        sources=("S1", "S2", "SQ-HOST", "NFT"),
        roles=frozenset({"proxy"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        analysis = ctx.get(INTERCEPTION_ANALYSIS)
        details = {"warnings": ctx.get(RULESET).warnings[:20],
                   "apple": [_describe(i) for i in analysis.apple], "other": _describe(analysis.other)}
        if not client_networks(ctx):
            if analysis.interception_rules:
                raise DataError("E-DATA-MISSING", "the host has interception rules but the inventory lists no "
                                "client_networks to evaluate them for", source="host.json")
            return [self.finding(ctx, Status.NOT_APPLICABLE, "the host has no interception rules", details=details)]
        bad = [i for i in analysis.apple if i.verdict in _BAD]
        unknown = [i for i in analysis.apple if i.verdict is InterceptVerdict.UNKNOWN]
        expected = "Apple ranges excluded from interception on TCP " + ", ".join(str(i.port) for i in analysis.apple)
        if bad:
            return [self._fail(ctx, ctx.get(RULESET), bad, expected, details)]
        if unknown:
            first = unknown[0]
            return [self.finding(
                ctx, Status.ERROR, f"cannot decide whether Apple traffic on TCP {first.port} is intercepted",
                code="E-EVAL-UNKNOWN", expected=expected, found="; ".join(first.reasons[:3]),
                deciding_rule=rule_line(first.rule) if first.rule else "",
                evidence=[rule_evidence(i.rule, f"undecidable for TCP {i.port}, e.g. {i.example}")
                          for i in unknown if i.rule is not None], details=details,
            )]
        other = analysis.other
        if other.verdict is InterceptVerdict.NOT_INTERCEPTED:
            return [self.finding(ctx, Status.NOT_APPLICABLE,
                                 "the host intercepts no traffic from its client networks", details=details)]
        evidence = _exclusion_evidence(analysis.apple)
        if other.rule is not None and other.verdict in _BAD:
            note = f"intercepts other traffic ({other.method} to port {other.to_port}), e.g. {other.example}"
            evidence.append(rule_evidence(other.rule, note))
        elif other.rule is not None:
            note = f"makes interception of other traffic undecidable, e.g. {other.example}"
            evidence.append(rule_evidence(other.rule, note))
        note = "" if other.verdict in _BAD else " (whether other traffic is intercepted could not be fully decided)"
        return [self.finding(
            ctx, Status.PASS, "Apple traffic is excluded from interception" + note, expected=expected,
            found="not intercepted on " + ", ".join(str(i.port) for i in analysis.apple), evidence=evidence,
            details=details,
        )]

    def _fail(self, ctx: HostContext, ruleset: Ruleset, bad: list[Interception], expected: str,
              details: dict[str, Any]) -> Finding:
        found: list[str] = []
        evidence: list[Evidence] = []
        fixes: list[str] = []
        for item in bad:
            where = f"{item.method} to port {item.to_port}" if item.to_port else item.method
            found.append(f"TCP {item.port}: {item.verdict.value} ({where}), e.g. {item.example}")
            if item.rule is None:
                continue
            note = f"intercepts Apple traffic on TCP {item.port}, e.g. {item.example}"
            evidence.append(rule_evidence(item.rule, note))
            fixes += _exclusions(ctx, ruleset, item)
        first = bad[0]
        return self.finding(
            ctx, Status.FAIL,
            f"Apple traffic is intercepted on TCP {', '.join(str(i.port) for i in bad)}",
            expected=expected, found="; ".join(found), evidence=evidence,
            remediation="\n".join(dict.fromkeys(fixes)),
            deciding_rule=rule_line(first.rule) if first.rule else "", details=details,
        )


def _describe(item: Interception) -> dict[str, Any]:
    return {"port": item.port, "verdict": item.verdict.value, "method": item.method, "to_port": item.to_port,
            "rule": rule_line(item.rule) if item.rule else "", "example": item.example,
            "reasons": list(item.reasons)}


def _exclusion_evidence(apple: tuple[Interception, ...]) -> list[Evidence]:
    """One piece of evidence per exclusion rule, naming the ports it keeps out."""
    by_rule: dict[object, list[Interception]] = {}
    for item in apple:
        if item.rule is not None:
            by_rule.setdefault(item.rule, []).append(item)
    return [
        rule_evidence(items[0].rule, f"keeps Apple traffic on TCP {', '.join(str(i.port) for i in items)} out of "
                      f"interception, e.g. {items[0].example}")
        for items in by_rule.values() if items[0].rule is not None
    ]


def _exclusions(ctx: HostContext, ruleset: Ruleset, item: Interception) -> list[str]:
    ref = item.rule
    if ref is None:
        return []
    table = ruleset.find_table(ref.source, ref.family, ref.table)
    if table is None or ref.chain not in table.chains:
        return []
    base = table.chains[ref.chain].is_base
    families = {"ip": [4], "ip6": [6]}.get(table.family, [4, 6])
    fixes: list[str] = []
    for family in families:
        ranges = tuple(str(n) for n in ctx.policy.apple_ranges() if n.version == family)
        if ranges:
            fixes.append(exclude_command(table, ref.chain, ref, family=family, destinations=ranges, base_chain=base))
    return fixes
