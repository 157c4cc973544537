"""proxy.auth_order: no Apple request reaches a proxy_auth/external/ident ACL before it is allowed."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.squid.checking import Item, Tally, Texts, conclude
from pushaudit.squid.decide import Decision, decide_explicit, decide_intercepted
from pushaudit.squid.model import Port, SquidConfig
from pushaudit.squid.paths import ClientSource, apple_addresses, apple_targets, client_sources
from pushaudit.squid.remediation import block, connect_allow, intercept_allow, where_before
from pushaudit.squid.request import ExplicitRequest, InterceptedRequest, Resolver
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.routes import intercept_routes
from pushaudit.squid.source import SQUID
from pushaudit.squid.tri import Tri

TEXTS = Texts(
    what="Apple requests reach proxy authentication",
    expected="every Apple request allowed before any proxy_auth, external or ident ACL is evaluated "
    "(devices cannot answer a 407, and intercepted traffic cannot authenticate at all)",
    passed="no Apple request reaches an authentication ACL",
)


@register
class ProxyAuthOrder(Check):
    spec = CheckSpec(
        id="proxy.auth_order",
        title="Squid allows Apple traffic before any proxy authentication",
        severity=Severity.HIGH,
        rationale="Apple asks to turn proxy authentication off for its hosts. Any http_access line that "
        "evaluates a proxy_auth ACL for an Apple request (an early 'deny !authed' included) sends a 407.",
        sources=("S1", "S2", "SQ-BYPASS"),
        roles=frozenset({"proxy"}),
        platforms=frozenset({"linux"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        config = ctx.get(SQUID)
        if not config.forward_ports and not config.intercept_ports:
            return [self.finding(ctx, Status.NOT_APPLICABLE, "Squid has no client-facing forward port and no "
                                 "intercepting port: no Apple device talks to it")]
        clients = client_sources(ctx.facts)
        resolver = policy_resolver(ctx.policy, ctx.snapshot)
        tally = Tally()
        for decision, listener, intercepted in _decisions(ctx, config, clients, resolver, tally):
            tally.evaluated += 1
            if decision.auth_reached is Tri.NO:
                continue
            hits = decision.auth_hits
            where = f"acl {hits[0].acl} at {hits[0].rule.directive.label()}" if hits else "an auth ACL"
            if decision.auth_reached is Tri.YES:
                rules = [h.rule for h in hits]
                tally.failed.append(Item(f"{decision.label}: reaches {where}", decision, rules, listener, intercepted))
            else:
                label = f"{decision.label}: may reach {where}"
                tally.undecided.append(Item(label, decision, decision.access.rules, listener, intercepted))
        return [conclude(self, ctx, config, tally, texts=TEXTS, remediation=lambda i: _fix(ctx, config, clients, i))]


def _decisions(
    ctx: HostContext, config: SquidConfig, clients: list[ClientSource], resolver: Resolver, tally: Tally
) -> list[tuple[Decision, Port, bool]]:
    out: list[tuple[Decision, Port, bool]] = []
    targets = apple_targets(ctx.policy)
    for port in config.forward_ports:
        for client in clients:
            for target in targets:
                method = "CONNECT" if target.is_tls else "GET"
                request = ExplicitRequest(target.name, target.port, client.address, port, method, target.sni)
                out.append((decide_explicit(config, request, resolver), port, False))
    routes = intercept_routes(ctx, config)
    tally.notes += routes.notes + routes.undecided
    for route in routes.routes:
        for dst in filter(route.carries, apple_addresses(ctx.policy)):
            for client in clients:
                for target in (t for t in targets if t.port == route.apple_port):
                    name = target.sni if route.tls else target.name
                    redirected = InterceptedRequest(dst, target.port, client.address, route.listener, name, route.tls)
                    out.append((decide_intercepted(config, redirected, resolver), route.listener, True))
    if not out:
        tally.notes.append("no Apple traffic reaches Squid: no client-facing forward port, nothing intercepted")
    return out


def _fix(ctx: HostContext, config: SquidConfig, clients: list[ClientSource], item: Item) -> str:
    hits = item.decision.auth_hits
    rule = hits[0].rule if hits else None
    where = where_before(rule.directive if rule else None, config, config.http_access)
    if item.intercepted and item.listener is not None:
        lines = intercept_allow(config, ctx.policy, item.listener)
        return block(where, lines) + "\nIntercepted traffic can never authenticate; allow it on the address."
    ports = sorted({p for h in ctx.policy.hosts for p in h.ports})
    lines = connect_allow(config, ctx.policy, clients, [p for p in ports if p != 80], plain_http=80 in ports)
    return block(where, lines)
