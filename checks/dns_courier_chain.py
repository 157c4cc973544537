"""dns.courier_chain: the proxy's own resolver answers the courier names the way Apple publishes them."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.dns import DNS_PROBES, DnsProbe, Judgement, ProbeKind, describe, judge, outside_ranges
from pushaudit.findings import Evidence, Finding, Severity, Status

REMEDIATION = (
    "For the owner of the DNS resolver or DNS filter this proxy uses: answer the Apple push names "
    "exactly as Apple's DNS does. Allow *.push.apple.com, push-apple.com.akadns.net and "
    "courier-push-apple.com.akadns.net and every name below them without rewriting; do not sinkhole, "
    "block or redirect *.akadns.net; do not treat the bare courier.push.apple.com answer (a CNAME to a "
    "name with no address) as an error, because that is how Apple publishes it. Remove any local zone, "
    "RPZ entry, blocklist or 'safe search' rewrite that covers these names, flush the resolver cache, "
    "and re-run the audit. Unbound example (a more specific transparent zone overrides a broader block): "
    'local-zone: "courier-push-apple.com.akadns.net." transparent, plus the same for "push.apple.com." and '
    '"push-apple.com.akadns.net."; an RPZ needs a passthru rule (CNAME rpz-passthru.) for these names instead.'
)


def _evidence(probe: DnsProbe, verdict: Judgement) -> Evidence:
    res = probe.result
    if res.record_lines:
        text = "\n".join(res.record_lines)
    elif res.failure:
        text = res.failure
    else:
        text = f"status: {res.rcode}, no records"
    if res.server:
        text += f"\n;; SERVER: {res.server}"
    notes = "; ".join(res.notes)
    note = f"{probe.kind.value}: {verdict.verdict}" + (f" ({notes})" if notes else "")
    return Evidence(source=f"cmd:{probe.command_id}", text=text, note=note)


def _label(probe: DnsProbe, ctx: HostContext) -> str:
    """A few words for the summary: the class, or the foreign addresses it resolves to."""
    outside = outside_ranges(probe, ctx.policy)
    return f"resolves to {', '.join(outside)}" if outside else probe.classification.value


@register
class CourierDnsChain(Check):
    spec = CheckSpec(
        id="dns.courier_chain",
        title="The proxy's resolver answers the APNs courier names as Apple publishes them",
        severity=Severity.CRITICAL,
        rationale=(
            "Devices look up N-courier.push.apple.com and connect to what it resolves to; a resolver or "
            "DNS filter that blocks, sinkholes or rewrites these names stops push and activation. The bare "
            "courier.push.apple.com is a CNAME to a name with no address by design and must not be 'fixed'."
        ),
        sources=("S7", "S5", "S6", "S1"),
        roles=frozenset({"proxy"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        probes = ctx.get(DNS_PROBES)
        judged = [(probe, judge(probe, ctx.policy)) for probe in probes]
        evidence = [_evidence(probe, verdict) for probe, verdict in judged]
        details = {
            "probes": [
                {"name": p.name, "kind": p.kind.value, "class": p.classification.value, "ok": v.ok,
                 "verdict": v.verdict, "found": describe(p)}
                for p, v in judged
            ]
        }
        ranges = ", ".join(str(n) for n in ctx.policy.apple_ranges())
        rule = f"policy courier names; Apple ranges {ranges}"
        bad = [(p, v) for p, v in judged if not v.ok]
        if bad:
            names = ", ".join(f"{p.name} ({_label(p, ctx)})" for p, _ in bad)
            return [
                self.finding(
                    ctx,
                    Status.FAIL,
                    f"{len(bad)} of {len(probes)} courier DNS probes from this proxy's resolver are wrong: {names}",
                    expected="\n".join(f"{p.name}: {v.expected}" for p, v in bad),
                    found="\n".join(f"{p.name}: {describe(p)} => {v.verdict}" for p, v in bad),
                    evidence=evidence,
                    remediation=REMEDIATION,
                    deciding_rule=rule,
                    details=details,
                )
            ]
        bare = [p for p, _ in judged if p.kind is ProbeKind.BARE]
        design = (
            f"{bare[0].name} answers with a CNAME and no address, which is Apple's design (recognised, not "
            "flagged); " if bare and not bare[0].result.addresses else ""
        )
        numbered = sum(1 for p in probes if p.kind is ProbeKind.NUMBERED)
        return [
            self.finding(
                ctx,
                Status.PASS,
                f"{design}all {numbered} numbered courier names resolve inside Apple's ranges",
                expected="\n".join(f"{p.name}: {v.expected}" for p, v in judged),
                found="\n".join(f"{p.name}: {describe(p)}" for p in probes),
                evidence=evidence,
                deciding_rule=rule,
                details=details,
            )
        ]
