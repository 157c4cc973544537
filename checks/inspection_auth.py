"""inspection.apple_not_authenticated: no authentication rule of the firewall (PAN-OS
authentication policy, FortiGate explicit-proxy authentication) demands a login for Apple."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.inspection.decision import Answer
from pushaudit.inspection.models import AUTHENTICATION, PLATFORMS
from pushaudit.inspection.verdicts import describe, details, exemption_evidence, remediation


@register
class AppleNotAuthenticated(Check):
    spec = CheckSpec(
        id="inspection.apple_not_authenticated",
        title="The firewall demands no user authentication for Apple",
        severity=Severity.HIGH,
        rationale=(
            "Devices cannot answer a captive portal or proxy login during activation or for push; "
            "Apple asks to exempt its hosts from proxy authentication."
        ),
        sources=("S1", "S2"),
        roles=frozenset({"firewall"}),
        platforms=PLATFORMS,
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        report = ctx.get(AUTHENTICATION)
        if not report.present:
            return [self.finding(ctx, Status.NOT_APPLICABLE, "the device has no authentication policy",
                                 details=details(report))]
        networks = list(ctx.facts.client_networks)
        ranges = [str(n) for n in ctx.policy.apple_ranges()]
        expected = f"no login demanded for traffic from {', '.join(networks)} to Apple"
        demanded = report.with_answer(Answer.YES)
        unknown = report.with_answer(Answer.UNKNOWN)
        if demanded:
            summary = describe(demanded, "must authenticate")
            return [self.finding(
                ctx, Status.FAIL, f"authentication demanded for Apple: {', '.join(summary.names[:6])}"
                + (" ..." if len(summary.names) > 6 else ""),
                expected=expected, found=summary.found, evidence=summary.evidence,
                deciding_rule=summary.deciding_rule, details=details(report),
                remediation=remediation(report, demanded, networks, ranges),
            )]
        if unknown:
            summary = describe(unknown, "may have to authenticate")
            reason = next((d.reason for d in unknown if d.reason), "an undecidable match")
            return [self.finding(
                ctx, Status.ERROR, f"cannot decide whether Apple traffic must authenticate: {reason}",
                code="E-EVAL-UNKNOWN", expected=expected, found=summary.found, evidence=summary.evidence,
                deciding_rule=summary.deciding_rule, details=details(report),
            )]
        return [self.finding(
            ctx, Status.PASS, "no authentication demanded for Apple from any client network",
            expected=expected, found=f"{len(report.decisions)} traffic classes, none authenticated",
            evidence=exemption_evidence(report), details=details(report),
        )]
