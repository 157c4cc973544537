"""inspection.apple_not_decrypted: no decryption rule or SSL inspection profile of the firewall
decrypts TLS from the client networks to Apple (decided per client network and Apple name)."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.inspection.decision import Answer
from pushaudit.inspection.models import DECRYPTION, PLATFORMS
from pushaudit.inspection.verdicts import describe, details, exemption_evidence, remediation


@register
class AppleNotDecrypted(Check):
    spec = CheckSpec(
        id="inspection.apple_not_decrypted",
        title="The firewall does not decrypt TLS to Apple",
        severity=Severity.CRITICAL,
        rationale=(
            "Apple devices pin the certificates of Apple services and fail any connection that is "
            "intercepted; TLS inspection must exempt Apple's hosts and ranges."
        ),
        sources=("S1", "S2"),
        roles=frozenset({"firewall"}),
        platforms=PLATFORMS,
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        report = ctx.get(DECRYPTION)
        networks = list(ctx.facts.client_networks)
        ranges = [str(n) for n in ctx.policy.apple_ranges()]
        expected = f"TLS from {', '.join(networks)} to Apple names and {', '.join(ranges)} is not decrypted"
        decrypted = report.with_answer(Answer.YES)
        unknown = report.with_answer(Answer.UNKNOWN)
        if decrypted:
            summary = describe(decrypted, "decrypted")
            return [self.finding(
                ctx, Status.FAIL, f"TLS to Apple is decrypted: {', '.join(summary.names[:6])}"
                + (" ..." if len(summary.names) > 6 else ""),
                expected=expected, found=summary.found, evidence=summary.evidence,
                deciding_rule=summary.deciding_rule, details=details(report),
                remediation=remediation(report, decrypted, networks, ranges),
            )]
        if unknown:
            summary = describe(unknown, "possibly decrypted")
            reason = next((d.reason for d in unknown if d.reason), "an undecidable match")
            return [self.finding(
                ctx, Status.ERROR, f"cannot decide whether TLS to Apple is decrypted: {reason}",
                code="E-EVAL-UNKNOWN", expected=expected, found=summary.found, evidence=summary.evidence,
                deciding_rule=summary.deciding_rule, details=details(report),
            )]
        return [self.finding(
            ctx, Status.PASS, "no decryption of TLS to Apple from any client network",
            expected=expected, found=f"{len(report.decisions)} traffic classes, none decrypted",
            evidence=exemption_evidence(report), details=details(report),
        )]
