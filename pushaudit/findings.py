"""The vocabulary every check speaks: status, severity, evidence and findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a status, not a password
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Evidence:
    """One piece of proof: a config line, a rule, a probe output.

    ``source`` is a path inside the snapshot (``files/etc/squid/squid.conf``) or a
    command id (``cmd:nft_ruleset``); ``line`` is 1-based when known.
    """

    source: str
    text: str
    line: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Finding:
    check_id: str
    host: str
    status: Status
    summary: str
    expected: str = ""
    found: str = ""
    evidence: tuple[Evidence, ...] = ()
    remediation: str = ""
    deciding_rule: str = ""
    code: str = ""  # stable error code, set on ERROR
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["evidence"] = [asdict(e) for e in self.evidence]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        values["status"] = Status(values["status"])
        values["evidence"] = tuple(Evidence(**e) for e in values.get("evidence", ()))
        return cls(**values)
