"""The decision flow both inspection checks share: any YES fails, any UNKNOWN errs, else PASS."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.checks.registry import Check
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Status
from pushaudit.inspection.decision import Answer, InspectionReport
from pushaudit.inspection.verdicts import describe, details, exemption_evidence, remediation

SHOWN = 6


@dataclass(frozen=True)
class Wording:
    expected: str
    yes_verb: str  # "decrypted"
    unknown_verb: str  # "possibly decrypted"
    fail: str  # "TLS to Apple is decrypted"
    unknown: str  # "cannot decide whether TLS to Apple is decrypted"
    passed: str  # "no decryption of TLS to Apple from any client network"
    none_found: str  # "none decrypted"


def conclude(check: Check, ctx: HostContext, report: InspectionReport, words: Wording) -> Finding:
    networks = list(ctx.facts.client_networks)
    ranges = [str(n) for n in ctx.policy.apple_ranges()]
    yes = report.with_answer(Answer.YES)
    unknown = report.with_answer(Answer.UNKNOWN)
    if yes:
        summary = describe(yes, words.yes_verb)
        more = " ..." if len(summary.names) > SHOWN else ""
        return check.finding(
            ctx, Status.FAIL, f"{words.fail}: {', '.join(summary.names[:SHOWN])}{more}",
            expected=words.expected, found=summary.found, evidence=summary.evidence,
            deciding_rule=summary.deciding_rule, details=details(report),
            remediation=remediation(report, yes, networks, ranges),
        )
    if unknown:
        summary = describe(unknown, words.unknown_verb)
        reason = next((d.reason for d in unknown if d.reason), "an undecidable match")
        return check.finding(
            ctx, Status.ERROR, f"{words.unknown}: {reason}", code="E-EVAL-UNKNOWN", expected=words.expected,
            found=summary.found, evidence=summary.evidence, deciding_rule=summary.deciding_rule,
            details=details(report),
        )
    return check.finding(
        ctx, Status.PASS, words.passed, expected=words.expected,
        found=f"{len(report.decisions)} traffic classes, {words.none_found}",
        evidence=exemption_evidence(report), details=details(report),
    )
