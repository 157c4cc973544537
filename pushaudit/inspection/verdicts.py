"""Turn an InspectionReport into the words of a finding: what was found, the deciding rules as
evidence, the expected state and a fix in the vendor's syntax."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.findings import Evidence
from pushaudit.inspection.decision import Answer, Decision, InspectionReport
from pushaudit.inspection.remediation import (
    fortinet_auth_exemption,
    fortinet_decrypt_exemption,
    panos_exemption,
    wildcard_names,
)
from pushaudit.interception import RuleRef
from pushaudit.netfilter.report import rule_line

MAX_LINES = 12


@dataclass
class Summary:
    found: str
    evidence: list[Evidence] = field(default_factory=list)
    deciding_rule: str = ""
    names: list[str] = field(default_factory=list)


def by_rule(decisions: list[Decision]) -> dict[RuleRef | None, list[Decision]]:
    grouped: dict[RuleRef | None, list[Decision]] = {}
    for item in decisions:
        grouped.setdefault(item.rule, []).append(item)
    return grouped


def describe(decisions: list[Decision], verb: str) -> Summary:
    """One line per deciding rule: which names, from which networks, on which ports."""
    lines: list[str] = []
    evidence: list[Evidence] = []
    for ref, items in by_rule(decisions).items():
        names = list(dict.fromkeys(d.name for d in items))
        nets = list(dict.fromkeys(d.network for d in items))
        ports = ", ".join(dict.fromkeys(d.ports for d in items))
        who = ref.comment or ref.label() if ref else "no rule"
        lines.append(f"{', '.join(names[:6])}{' ...' if len(names) > 6 else ''} from {', '.join(nets)} "
                     f"(TCP {ports}) {verb} by {who}")
        reason = next((d.reason for d in items if d.reason), "")
        note = f"{verb} e.g. {items[0].example} ({items[0].name})" + (f": {reason}" if reason else "")
        if ref is not None:
            evidence.append(Evidence(source=ref.source, text=ref.text, line=ref.line, note=f"{ref.label()}: {note}"))
    first = decisions[0].rule
    deciding = rule_line(first) if first else ""
    names = list(dict.fromkeys(d.name for d in decisions))
    return Summary("; ".join(lines[:MAX_LINES]), evidence[:MAX_LINES], deciding, names)


def exemption_evidence(report: InspectionReport) -> list[Evidence]:
    """The rules that actually decided Apple's traffic in its favour, then other exemptions."""
    used = [d.rule for d in report.with_answer(Answer.NO) if d.rule is not None]
    refs = list(dict.fromkeys([*used, *report.exemptions]))
    return [Evidence(source=r.source, text=r.text, line=r.line,
                     note=f"{r.label()}: " + ("decides Apple traffic" if r in used else "exemption"))
            for r in refs[:MAX_LINES]]


def remediation(report: InspectionReport, failing: list[Decision], networks: list[str], ranges: list[str]) -> str:
    first = failing[0].rule
    if report.syntax == "paloalto_panos":
        return panos_exemption(report.kind, first.comment if first else None, networks, ranges)
    if report.syntax == "fortinet":
        if report.kind == "authentication":
            return fortinet_auth_exemption(first.comment if first else "", ranges)
        profiles = list(dict.fromkeys(d.rule.table for d in failing if d.rule is not None)) or ["<profile>"]
        return "\n".join(fortinet_decrypt_exemption(p, ranges, wildcard_names(failing)) for p in profiles)
    return ""


def details(report: InspectionReport) -> dict[str, object]:
    return {
        "decisions": [
            {"network": d.network, "name": d.name, "ports": d.ports, "destinations": d.destinations,
             "answer": d.answer.value, "rule": rule_line(d.rule) if d.rule else "", "reason": d.reason}
            for d in report.decisions[:400]
        ],
        "warnings": report.warnings[:20],
    }
