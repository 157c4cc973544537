"""proxy.connect_ports: Squid's http_access lets Apple devices CONNECT on 443, 5223 and 2197."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.squid.acl import ports_of
from pushaudit.squid.checking import Item, Tally, Texts, conclude, describe_list
from pushaudit.squid.decide import decide_explicit
from pushaudit.squid.model import SquidConfig
from pushaudit.squid.paths import ClientSource, apple_targets, client_sources
from pushaudit.squid.remediation import block, connect_allow, where_before
from pushaudit.squid.request import ExplicitRequest
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.source import SQUID

TEXTS = Texts(
    what="Apple CONNECT requests are not allowed by http_access",
    expected="CONNECT to every Apple host on its ports (443, 5223, 2197) allowed by http_access from every "
    "client network, without authentication",
    passed="http_access allows CONNECT to every Apple host and port from every client network",
)


@register
class ProxyConnectPorts(Check):
    spec = CheckSpec(
        id="proxy.connect_ports",
        title="Squid allows CONNECT to Apple hosts on 443, 5223 and 2197",
        severity=Severity.HIGH,
        rationale="Devices reach APNs on TCP 5223 and fall back to 443; MDM servers use 443 or 2197. Squid's "
        "default 'http_access deny CONNECT !SSL_ports' refuses 5223 and 2197 unless an Apple allow comes first.",
        sources=("S1", "S2", "S3"),
        roles=frozenset({"proxy"}),
        platforms=frozenset({"linux"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        config = ctx.get(SQUID)
        ports = config.forward_ports
        if not ports:
            return [self.finding(ctx, Status.NOT_APPLICABLE, "Squid has no client-facing forward port "
                                 "(only loopback or intercepting ports), so no device sends CONNECT to it")]
        clients = client_sources(ctx.facts)
        resolver = policy_resolver(ctx.policy, ctx.snapshot)
        tally = Tally()
        for port in ports:
            for client in clients:
                for target in (t for t in apple_targets(ctx.policy) if t.is_tls):
                    request = ExplicitRequest(target.name, target.port, client.address, port, sni=target.sni)
                    decision = decide_explicit(config, request, resolver)
                    tally.evaluated += 1
                    if decision.verdict == "allow":
                        continue
                    label = f"CONNECT {target.label} from {client.address} on {port.label()}: "
                    item = Item(label + describe_list(decision.access), decision, decision.access.rules)
                    (tally.undecided if decision.verdict is None else tally.failed).append(item)
        return [conclude(self, ctx, config, tally, texts=TEXTS, remediation=lambda i: _fix(ctx, config, clients, i))]


def _fix(ctx: HostContext, config: SquidConfig, clients: list[ClientSource], item: Item) -> str:
    ports = sorted({p for h in ctx.policy.hosts for p in h.ports if p != 80} & {443, 5223, 2197})
    outcome = item.decision.access
    hit = outcome.auth_hits[0].rule if outcome.verdict == "challenge" and outcome.auth_hits else None
    rule = hit or outcome.rule
    lines = connect_allow(config, ctx.policy, clients, ports)
    text = block(where_before(rule.directive if rule else None, config, config.http_access), lines)
    negated_ports = [r for r in (rule.acls if rule else ()) if r.negated and config.acls[r.name].type == "port"]
    for ref in negated_ports:
        acl = config.acls[ref.name]
        missing = [p for p in ports if p not in ports_of(acl)]
        after = f" after {acl.directives[-1].where}" if acl.directives else ""
        if missing:
            text += f"\nor add the Apple ports to {ref.name}{after}: acl {ref.name} port {' '.join(map(str, missing))}"
    if hit is not None:
        text += "\nThe request reaches proxy authentication first; see proxy.auth_order."
    return text
