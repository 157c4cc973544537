"""The evaluated run: what reports render and what the JSON report serialises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pushaudit.findings import Finding, Status
from pushaudit.snapshot import HostFacts


@dataclass(frozen=True)
class CheckInfo:
    id: str
    title: str
    severity: str
    rationale: str
    sources: tuple[str, ...]  # "S1: title <url>" strings, resolved from the policy
    roles: tuple[str, ...]


@dataclass
class DnsStep:
    owner: str
    rtype: str  # CNAME, A, AAAA, SOA
    value: str
    ttl: int


@dataclass
class DnsChain:
    """One DNS probe as a proxy saw it, ready to draw as a chain."""

    name: str
    kind: str  # bare, target, numbered
    rcode: str  # NOERROR, NXDOMAIN, SERVFAIL, TIMEOUT, ...
    steps: list[DnsStep] = field(default_factory=list)  # CNAME hops, then A/AAAA, or the SOA
    verdict: str = ""  # e.g. "NODATA after CNAME (Apple's design)", "resolves in Apple range"
    ok: bool = True
    source: str = ""  # command id in the snapshot


@dataclass
class HostResult:
    facts: HostFacts
    findings: list[Finding]
    dns: list[DnsChain] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # parse warnings shown in the report

    def worst(self) -> Status:
        statuses = {f.status for f in self.findings}
        for status in (Status.ERROR, Status.FAIL, Status.PASS):
            if status in statuses:
                return status
        return Status.NOT_APPLICABLE


@dataclass
class RunResult:
    meta: dict[str, Any]  # snapshot metadata plus policy name/version
    checks: list[CheckInfo]
    hosts: list[HostResult]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per check id: how many hosts got each status."""
        table: dict[str, dict[str, int]] = {c.id: {s.value: 0 for s in Status} for c in self.checks}
        for host in self.hosts:
            for finding in host.findings:
                table.setdefault(finding.check_id, {s.value: 0 for s in Status})
                table[finding.check_id][finding.status.value] += 1
        return table

    def exit_code(self) -> int:
        """0 all pass, 1 any FAIL, 2 any ERROR or unreachable host (ERROR wins over FAIL)."""
        statuses = {f.status for h in self.hosts for f in h.findings}
        unreachable = any(not h.facts.connection.ok for h in self.hosts)
        if unreachable or Status.ERROR in statuses:
            return 2
        if Status.FAIL in statuses:
            return 1
        return 0
