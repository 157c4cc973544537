"""The report's view model: a RunResult turned into masked, sorted, ready-to-print values.

Templates only lay these out; every decision about order, wording and masking is made here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pushaudit.errors import ERROR_CODES
from pushaudit.findings import Finding, Status
from pushaudit.masking import mask_data, mask_secrets
from pushaudit.results import CheckInfo, HostResult
from pushaudit.snapshot import HostFacts

from .dns_view import ChainView, chain_view

if TYPE_CHECKING:  # path_view imports this module
    from .path_view import PathView

STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.PASS, Status.NOT_APPLICABLE)
STATUS_LABEL = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.NOT_APPLICABLE: "N/A"}
SEVERITY_ORDER = ("critical", "high", "medium", "low")
_SOURCE = re.compile(r"^(?P<label>[^:]+):\s*(?P<title>.*?)\s*<(?P<url>[^<>\s]+)>\s*$")


@dataclass(frozen=True)
class SourceLink:
    label: str
    title: str
    url: str  # empty unless http(s): only web links become <a href>


@dataclass(frozen=True)
class EvidenceView:
    source: str
    line: int | None
    text: str
    note: str


@dataclass
class FindingView:
    status: str  # Status value, used as a CSS class
    label: str  # PASS, FAIL, ERROR, N/A
    check_id: str
    check_title: str
    check_anchor: str
    severity: str
    summary: str
    expected: str
    found: str
    deciding_rule: str
    evidence: list[EvidenceView]
    remediation: str
    code: str
    code_text: str
    details: str  # masked JSON, empty when the finding has no details
    anchor: str = ""  # id of the finding in the page (host anchor + its index in HostResult.findings)


@dataclass
class HostView:
    anchor: str
    facts: HostFacts
    address: str
    status: str
    label: str
    counts: dict[str, int]
    connection_error: str
    connection_code: str
    connection_code_text: str
    findings: list[FindingView]
    dns: list[ChainView]
    warnings: list[str] = field(default_factory=list)
    paths: list[PathView] = field(default_factory=list)  # Apple push paths (proxies only)


def anchor(prefix: str, name: str) -> str:
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def finding_anchor(host_anchor: str, index: int) -> str:
    """The id of a host's finding in the page, by its position in HostResult.findings."""
    return f"{host_anchor}-f{index}"


def source_link(source: str) -> SourceLink:
    """Split a policy source string ``"S1: title <url>"``; anything else is kept as plain text."""
    match = _SOURCE.match(source)
    if match is None:
        return SourceLink(label="", title=source, url="")
    url = match["url"] if match["url"].startswith(("https://", "http://")) else ""
    return SourceLink(label=match["label"].strip(), title=match["title"], url=url)


def code_text(code: str) -> str:
    if not code:
        return ""
    return ERROR_CODES.get(code, "unknown error code (not in pushaudit.errors.ERROR_CODES)")


def host_status(host: HostResult) -> Status:
    """The host's worst status; a host that could not be audited is an ERROR whatever its rows say."""
    return Status.ERROR if not host.facts.connection.ok else host.worst()


def _finding_view(finding: Finding, checks: dict[str, CheckInfo], finding_anchor: str) -> FindingView:
    info = checks.get(finding.check_id)
    details = json.dumps(mask_data(finding.details), indent=2, sort_keys=True) if finding.details else ""
    return FindingView(
        status=finding.status.value,
        label=STATUS_LABEL[finding.status],
        check_id=finding.check_id,
        check_title=info.title if info else finding.check_id,
        check_anchor=anchor("check", finding.check_id),
        severity=info.severity if info else "",
        summary=mask_secrets(finding.summary),
        expected=mask_secrets(finding.expected),
        found=mask_secrets(finding.found),
        deciding_rule=mask_secrets(finding.deciding_rule),
        evidence=[EvidenceView(e.source, e.line, mask_secrets(e.text), mask_secrets(e.note)) for e in finding.evidence],
        remediation=mask_secrets(finding.remediation),
        code=finding.code,
        code_text=code_text(finding.code),
        details=mask_secrets(details),
        anchor=finding_anchor,
    )


def _sort_key(view: FindingView) -> tuple[int, int, str]:
    status_rank = [s.value for s in STATUS_ORDER].index(view.status)
    severity_rank = SEVERITY_ORDER.index(view.severity) if view.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
    return status_rank, severity_rank, view.check_id


def host_view(host: HostResult, checks: dict[str, CheckInfo], host_anchor: str) -> HostView:
    facts = host.facts
    status = host_status(host)
    # Anchors follow the run's order so paths can link to a finding by its index; display order is sorted.
    views = (_finding_view(f, checks, finding_anchor(host_anchor, i)) for i, f in enumerate(host.findings))
    findings = sorted(views, key=_sort_key)
    counts = {s.value: sum(1 for f in host.findings if f.status is s) for s in STATUS_ORDER}
    connection = facts.connection
    return HostView(
        anchor=host_anchor,
        facts=facts,
        address=f"{facts.hostname}:{facts.port}" if facts.hostname else "",
        status=status.value,
        label=STATUS_LABEL[status],
        counts=counts,
        connection_error="" if connection.ok else mask_secrets(connection.message or "not connected"),
        connection_code="" if connection.ok else connection.code,
        connection_code_text="" if connection.ok else code_text(connection.code),
        findings=findings,
        dns=[chain_view(c) for c in host.dns],
        warnings=[mask_secrets(w) for w in host.warnings],
    )
