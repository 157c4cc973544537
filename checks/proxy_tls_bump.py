"""proxy.tls_bump: ssl_bump always ends in splice for Apple traffic, at the step where it is decided."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.squid.checking import Item, Tally, Texts, conclude
from pushaudit.squid.decide import Decision, decide_explicit, decide_intercepted
from pushaudit.squid.model import SquidConfig
from pushaudit.squid.paths import apple_addresses, apple_targets, client_sources
from pushaudit.squid.remediation import apple_ranges_text, block, splice_lines, where_before
from pushaudit.squid.request import ExplicitRequest, InterceptedRequest, Resolver
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.routes import intercept_routes
from pushaudit.squid.source import SQUID

TEXTS = Texts(
    what="Apple TLS connections are bumped (decrypted) or terminated by ssl_bump",
    expected="ssl_bump splices every Apple connection (hosts, SNIs and the Apple range) without decrypting it",
    passed="ssl_bump splices every Apple connection that reaches an ssl-bump port",
)


@register
class ProxyTlsBump(Check):
    spec = CheckSpec(
        id="proxy.tls_bump",
        title="Squid never decrypts (bumps) Apple traffic",
        severity=Severity.CRITICAL,
        rationale="Apple services fail any connection that uses HTTPS interception; APNs pins its "
        "certificates. ssl_bump must end in splice for every Apple host, SNI and address.",
        sources=("S1", "S2", "SQ-BUMP"),
        roles=frozenset({"proxy"}),
        platforms=frozenset({"linux"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        config = ctx.get(SQUID)
        if not any(p.ssl_bump for p in config.ports):
            return [self.finding(ctx, Status.NOT_APPLICABLE, "no Squid port has ssl-bump: TLS is never decrypted")]
        resolver = policy_resolver(ctx.policy, ctx.snapshot)
        tally = Tally()
        for decision, intercepted in _decisions(ctx, config, resolver, tally):
            tally.evaluated += 1
            bump = decision.bump
            if bump is None:
                tally.notes += list(decision.notes)
                continue
            if bump.final == "splice":
                continue
            label = f"{decision.label}: {bump.describe()}"
            item = Item(label, decision, list(reversed(bump.rules)), intercepted=intercepted)  # final step first
            (tally.undecided if bump.final is None else tally.failed).append(item)
        if tally.evaluated == 0:
            tally.notes.append("no Apple traffic reaches an ssl-bump port")
        return [conclude(self, ctx, config, tally, texts=TEXTS, remediation=lambda i: _fix(ctx, config, i))]


def _decisions(ctx: HostContext, config: SquidConfig, resolver: Resolver, tally: Tally) -> list[tuple[Decision, bool]]:
    out: list[tuple[Decision, bool]] = []
    targets = [t for t in apple_targets(ctx.policy) if t.is_tls]
    clients = client_sources(ctx.facts)
    for port in (p for p in config.forward_ports if p.ssl_bump):
        for client in clients:
            for target in targets:
                request = ExplicitRequest(target.name, target.port, client.address, port, sni=target.sni)
                out.append((decide_explicit(config, request, resolver), False))
    routes = intercept_routes(ctx, config)
    tally.notes += routes.notes + routes.undecided
    for route in (r for r in routes.routes if r.tls):
        for dst in filter(route.carries, apple_addresses(ctx.policy)):
            for client in clients:
                for target in (t for t in targets if t.port == route.apple_port):
                    redirected = InterceptedRequest(dst, target.port, client.address, route.listener, target.sni)
                    out.append((decide_intercepted(config, redirected, resolver), True))
    return out


def _fix(ctx: HostContext, config: SquidConfig, item: Item) -> str:
    first = config.ssl_bump[0].directive if config.ssl_bump else None
    lines = splice_lines(config, ctx.policy, intercepted=item.intercepted)
    text = block(where_before(first, config, config.ssl_bump), lines)
    if item.intercepted:
        text += (
            "\nBetter still, keep Apple out of interception: in the netfilter redirect chain add "
            f"'ip daddr {{ {apple_ranges_text(ctx.policy).replace(' ', ', ')} }} return' before the redirect rule."
        )
    else:
        text += "\nssl::server_name sees the CONNECT host at step 1 and the SNI later; it needs no DNS."
    return text
