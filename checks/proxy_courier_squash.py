"""proxy.courier_squash: Apple push traffic never makes Squid resolve the bare courier name."""

from __future__ import annotations

from dataclasses import replace

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.parsers.proxy_probe import PROXY_PROBES
from pushaudit.squid.checking import Item, Tally, Texts, conclude, describe_list
from pushaudit.squid.decide import decide_explicit, decide_intercepted
from pushaudit.squid.model import SquidConfig
from pushaudit.squid.paths import ClientSource, apple_targets, client_sources, first_address
from pushaudit.squid.remediation import apple_ranges_text, block, splice_lines, where_before
from pushaudit.squid.request import ExplicitRequest, InterceptedRequest, Resolver
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.routes import Routes, intercept_routes
from pushaudit.squid.source import SQUID
from pushaudit.squid.tri import Tri

PUSH_PORTS = (443, 5223)


@register
class ProxyCourierSquash(Check):
    spec = CheckSpec(
        id="proxy.courier_squash",
        title="Squid does not resolve courier.push.apple.com for Apple push traffic",
        severity=Severity.CRITICAL,
        rationale="courier.push.apple.com is a CNAME to a name with no address, by design. A Squid that "
        "forwards a CONNECT for it DIRECT, or verifies an intercepted SNI spliced at step 2, must resolve it "
        "and fails (ERR_CANNOT_FORWARD / ERR_DNS_FAIL, or 409 ERR_CONFLICT_HOST): activation and push break.",
        sources=("S7", "SQ-DNS", "SQ-HOST", "S5"),
        roles=frozenset({"proxy"}),
        platforms=frozenset({"linux"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        config = ctx.get(SQUID)
        if not config.forward_ports and not config.intercept_ports:
            return [self.finding(ctx, Status.NOT_APPLICABLE, "Squid has no client-facing forward port and no "
                                 "intercepting port: Apple push traffic never reaches it")]
        bare = ctx.policy.courier.bare
        clients = client_sources(ctx.facts)
        resolver = policy_resolver(ctx.policy, ctx.snapshot)
        tally = Tally()
        _forward_path(ctx, config, clients, resolver, tally)
        routes = intercept_routes(ctx, config)
        tally.notes += routes.notes
        _intercept_path(ctx, config, clients, resolver, routes=routes, tally=tally)
        texts = Texts(
            what=f"Apple push paths make Squid resolve {bare}",
            expected=f"Squid never has to resolve {bare}: forward CONNECTs for it go to a parent or bypass Squid; "
            "intercepted Apple TLS is not intercepted, or is spliced at step 1 on the destination address",
            passed=f"no Apple push path makes Squid resolve {bare}",
        )
        finding = conclude(self, ctx, config, tally, texts=texts, remediation=lambda i: _fix(ctx, config, i))
        if finding.status is not Status.FAIL and (routes.error is not None or routes.undecided):
            reason = routes.error.message if routes.error else "; ".join(routes.undecided)
            code = routes.error.code if routes.error else "E-EVAL-UNKNOWN"
            finding = self.finding(ctx, Status.ERROR, f"the intercepting path cannot be decided: {reason}",
                                   expected=texts.expected, code=code, details=finding.details)
        return [_with_probes(ctx, config, finding)]


def _forward_path(
    ctx: HostContext, config: SquidConfig, clients: list[ClientSource], resolver: Resolver, tally: Tally
) -> None:
    courier = ctx.policy.courier
    error = config.version.dns_failure_error if config.version else "ERR_CANNOT_FORWARD (ERR_DNS_FAIL from 6.3)"
    targets = [t for t in apple_targets(ctx.policy) if t.name == courier.bare and t.is_tls]
    for port in config.forward_ports:
        for client in clients:
            for target in targets:
                request = ExplicitRequest(target.name, target.port, client.address, port, sni=courier.tls_sni)
                decision = decide_explicit(config, request, resolver)
                tally.evaluated += 1
                label = f"CONNECT {target.name}:{target.port} from {client.address} on {port.label()}"
                forwarding = decision.forwarding
                if decision.allowed is Tri.NO:
                    then = f"; once let through: {forwarding.explanation}" if forwarding else ""
                    tally.notes.append(f"{label}: {describe_list(decision.access)}; not a squash (refused){then}")
                elif decision.verdict is None or forwarding is None or forwarding.candidates is None:
                    tally.undecided.append(Item(label, decision, decision.deciding_rules))
                elif not forwarding.peers:
                    text = (f"{label}: {describe_list(decision.access)}; {forwarding.explanation}: Squid must resolve "
                            f"{target.name}, which has no address ({error})")
                    tally.failed.append(Item(text, decision, decision.deciding_rules, port))
                else:
                    tally.notes.append(f"{label}: {forwarding.explanation} ({', '.join(forwarding.peers)}); the "
                                       f"question moves to the parent, which must not resolve {target.name} either")


def _intercept_path(
    ctx: HostContext, config: SquidConfig, clients: list[ClientSource], resolver: Resolver, *, routes: Routes,
    tally: Tally,
) -> None:
    sni = ctx.policy.courier.tls_sni
    destinations = [first_address(n) for n in ctx.policy.push_destinations()]
    for route in routes.routes:
        if route.interception is None or route.apple_port not in PUSH_PORTS:
            continue  # assumed routes only exist when the netfilter answer is undecided (reported as ERROR)
        for dst in filter(route.carries, destinations):
            for client in clients:
                request = InterceptedRequest(dst, route.apple_port, client.address, route.listener, sni)
                decision = decide_intercepted(config, request, resolver)
                tally.evaluated += 1
                bump = decision.bump
                # the step that decided the TLS action comes first: that is the line to change
                rules = [*reversed(bump.rules), *decision.access.rules] if bump else decision.deciding_rules
                item = Item(decision.label, decision, rules, route.listener, intercepted=True)
                if bump is None:
                    item.label += ": " + "; ".join(decision.notes)
                    tally.failed.append(item)
                elif bump.final is None:
                    tally.undecided.append(item)
                elif bump.final != "splice":
                    tally.notes.append(f"{decision.label}: {bump.describe()}: no name lookup, but the connection is "
                                       "decrypted or closed (proxy.tls_bump reports it)")
                elif decision.resolves_name is Tri.YES and decision.host_verified is not None:
                    if decision.host_verified is Tri.YES:
                        continue
                    item.label += (f": {bump.describe()}: Squid re-checks the SNI {sni} against {dst} and it has no "
                                   "address => 409 ERR_CONFLICT_HOST (Host header forgery)")
                    target = tally.failed if decision.host_verified is Tri.NO else tally.undecided
                    target.append(item)


def _with_probes(ctx: HostContext, config: SquidConfig, finding: Finding) -> Finding:
    """Probe outputs as evidence; a probe that disagrees with the config verdict becomes a note."""
    try:
        probes = ctx.get(PROXY_PROBES)
    except DataError as exc:  # probes are evidence only; their absence changes no verdict
        return replace(finding, details={**finding.details, "probes": f"unavailable: {exc}"})
    bare = ctx.policy.courier.bare
    evidence: list[Evidence] = []
    notes: list[str] = []
    for probe in probes:
        outcome = f"{probe.connect_status or 'no answer'} {probe.squid_error}".strip()
        evidence.append(Evidence(source=f"cmd:{probe.source}", text=probe.excerpt,
                                 note=f"probe: CONNECT {probe.name}:{probe.port} -> {outcome}"))
        if probe.name != bare:
            continue
        if finding.status is Status.FAIL and probe.tunnel_ok and config.forward_ports:
            notes.append(f"the probe through {probe.proxy} got a tunnel for {bare}, against the config verdict")
        if finding.status is Status.PASS and probe.connect_status in (500, 503):
            notes.append(f"the probe through {probe.proxy} failed ({outcome}) although the config looks safe")
    details = {**finding.details, **({"probe_contradictions": notes} if notes else {})}
    return replace(finding, evidence=(*finding.evidence, *evidence), details=details)


def _fix(ctx: HostContext, config: SquidConfig, item: Item) -> str:
    ranges = apple_ranges_text(ctx.policy)
    if item.intercepted:
        first = config.ssl_bump[0].directive if config.ssl_bump else None
        text = ("Keep Apple out of interception: in the netfilter redirect chain add "
                f"'ip daddr {{ {ranges.replace(' ', ', ')} }} return' before the redirect rule; or decide at step 1 "
                "on the destination address (no SNI, no name lookup), ")
        return text + block(where_before(first, config, config.ssl_bump), splice_lines(config, ctx.policy, True))
    first_never = config.never_direct[0].directive if config.never_direct else None
    return (
        "Keep Apple push off Squid's own DNS path: (1) in the PAC file or proxy bypass list return DIRECT for "
        '*.push.apple.com (e.g. if (dnsDomainIs(host, ".push.apple.com")) return "DIRECT";) and let the firewall '
        f"pass TCP 5223, 443 and 2197 to {ranges}; or (2) send it to a parent proxy that does not resolve the bare "
        "name, "
        + block(where_before(first_never, config, config.never_direct), [
            "cache_peer PARENT-HOST parent PARENT-PORT 0 no-query default   # if none is defined yet",
            "acl apple_push dstdomain .push.apple.com",
            "never_direct allow apple_push",
        ])
    )
