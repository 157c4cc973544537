"""proxy.apple_match_by_name: forward-proxy rules pick Apple by name, not with a DNS-dependent dst ACL."""

from __future__ import annotations

import ipaddress

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.policy import Policy
from pushaudit.squid.acl import match_acl
from pushaudit.squid.addresses import networks
from pushaudit.squid.checking import evidence_of
from pushaudit.squid.model import Acl, Port, Rule, SquidConfig
from pushaudit.squid.remediation import apple_domains, free_name
from pushaudit.squid.request import MatchContext, StaticResolver
from pushaudit.squid.source import SQUID
from pushaudit.squid.tri import Tri

PLACEHOLDER = ipaddress.ip_address("192.0.2.1")
PORT_SELECTORS = frozenset({"myportname", "localport", "myport", "localip", "myip"})


def apple_dst_acls(config: SquidConfig, policy: Policy) -> list[Acl]:
    """dst ACLs meant to select Apple: a network overlaps an Apple range (``all``-like ones left out)."""
    ranges = policy.apple_ranges()
    return [
        acl
        for acl in config.acls.values()
        if acl.type == "dst" and not acl.predefined
        and any(n.prefixlen > 0 and any(n.version == r.version and n.overlaps(r) for r in ranges)
                for n in networks(acl))
    ]


def _containing(config: SquidConfig, names: set[str]) -> set[str]:
    """The names plus every any-of/all-of group that includes one of them, however deep."""
    found = set(names)
    changed = True
    while changed:
        groups = {a.name for a in config.acls.values() if a.type in ("any-of", "all-of") and found & set(a.values)}
        changed = not groups <= found
        found |= groups
    return found


def _may_apply(rule: Rule, port: Port, config: SquidConfig) -> bool:
    """False when a port-selecting ACL on the line rules this port out."""
    # only port-selecting ACLs are looked at; the client address is a placeholder
    ctx = MatchContext("CONNECT", "apple.invalid", 443, "apple.invalid:443", PLACEHOLDER, port, StaticResolver())
    for ref in rule.acls:
        acl = config.acls[ref.name]
        if acl.type in PORT_SELECTORS:
            result = match_acl(acl, ctx, config.acls).match
            if result is not Tri.UNKNOWN and (result is Tri.YES) == ref.negated:
                return False
    return True


def forward_uses(config: SquidConfig, names: set[str]) -> list[tuple[Rule, list[Port]]]:
    """Rules naming one of ``names`` that can apply to a client-facing forward port, with those ports."""
    lists: list[tuple[str, list[Rule]]] = [
        ("http_access", config.http_access),
        ("ssl_bump", config.ssl_bump),
        ("always_direct", config.always_direct),
        ("never_direct", config.never_direct),
        ("cache_peer_access", [r for rules in config.cache_peer_access.values() for r in rules]),
    ]
    out: list[tuple[Rule, list[Port]]] = []
    for list_name, rules in lists:
        ports = [p for p in config.forward_ports if list_name != "ssl_bump" or p.ssl_bump]
        for rule in rules:
            if names & {r.name for r in rule.acls}:
                applies = [p for p in ports if _may_apply(rule, p, config)]
                out.append((rule, applies))
    return out


@register
class ProxyAppleMatchByName(Check):
    spec = CheckSpec(
        id="proxy.apple_match_by_name",
        title="Squid matches Apple traffic by name on forward-proxy paths, not with dst",
        severity=Severity.MEDIUM,
        rationale="A dst ACL makes Squid resolve the requested name; courier.push.apple.com has no address by "
        "design, so dst silently never matches it and the request falls through to later rules.",
        sources=("SQ-DNS", "S7"),
        roles=frozenset({"proxy"}),
        platforms=frozenset({"linux"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        config = ctx.get(SQUID)
        acls = apple_dst_acls(config, ctx.policy)
        uses = forward_uses(config, _containing(config, {a.name for a in acls}))
        bad = [(rule, ports) for rule, ports in uses if ports]
        intercept_only = [rule.directive.label() for rule, ports in uses if not ports]
        details = {"apple_dst_acls": [a.name for a in acls], "intercept_only_uses": intercept_only}
        expected = "Apple selected with dstdomain / ssl::server_name on forward-proxy lines (no DNS needed)"
        if not bad:
            summary = "forward-proxy rules do not depend on dst ACLs for Apple traffic"
            if intercept_only:
                summary += f" (dst used only where intercepted traffic is matched: {len(intercept_only)} lines)"
            return [self.finding(ctx, Status.PASS, summary, expected=expected, details=details)]
        rule, ports = bad[0]
        names = sorted({r.name for r in rule.acls} & _containing(config, {a.name for a in acls}))
        note = "dst ACL overlapping the Apple ranges"
        evidence = [evidence_of(d, f"{note}: {a.name}") for a in acls for d in a.directives]
        evidence += [evidence_of(r.directive, f"applies to {', '.join(p.label() for p in ps)}") for r, ps in bad]
        found = (f"{rule.directive.label()} selects Apple with {', '.join(names)} on {ports[0].label()}; "
                 f"dst never matches {ctx.policy.courier.bare}, which has no address")
        return [self.finding(
            ctx, Status.FAIL, f"{len(bad)} forward-proxy rule(s) select Apple with a dst ACL; first: "
            f"{rule.directive.label()}", expected=expected, found=found, evidence=evidence,
            remediation=_fix(config, ctx.policy, acls, bad), deciding_rule=rule.directive.label(), details=details,
        )]


def _fix(config: SquidConfig, policy: Policy, acls: list[Acl], bad: list[tuple[Rule, list[Port]]]) -> str:
    domains = " ".join(apple_domains(policy))
    by_name = free_name(config, "apple_hosts", "dstdomain")
    by_sni = free_name(config, "apple_sni", "ssl::server_name")
    lines = [
        f"Define (before {bad[0][0].directive.where}): acl {by_name} dstdomain {domains}",
        f"and for ssl_bump lines: acl {by_sni} ssl::server_name {domains}",
        f"Then use {by_name} (or {by_sni} in ssl_bump) instead of {', '.join(a.name for a in acls)} on:",
    ]
    lines += [f"    {rule.directive.label()}" for rule, _ in bad]
    lines.append("Keep a dst ACL only on lines limited to intercepting ports (add a myportname ACL), where it "
                 "matches the original destination address without DNS.")
    return "\n".join(lines)
