"""The vendor-neutral answer: for one client network, Apple name and port set, is the traffic
decrypted (or made to authenticate), and which rule decided it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pushaudit.interception import RuleRef


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    network: str  # client network, CIDR
    name: str  # the Apple name (SNI)
    ports: str  # e.g. "443" or "443, 5223"
    destinations: str  # the Apple addresses of this class, e.g. "17.0.0.0/8"
    answer: Answer
    rule: RuleRef | None  # the deciding rule (None: nothing on the device decides)
    reason: str = ""  # why UNKNOWN, or a note on a conditional answer
    example: str = ""  # one concrete connection of the class


@dataclass
class InspectionReport:
    """Decisions of one kind (decryption or authentication) for one host."""

    kind: str  # "decryption" | "authentication"
    decisions: list[Decision] = field(default_factory=list)
    # Rules or profile entries that exempt Apple (for the PASS evidence), and parse notes.
    exemptions: list[RuleRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    present: bool = True  # False: the device has no such policy at all (authentication: N/A)
    syntax: str = ""  # the platform, for remediation wording

    def with_answer(self, answer: Answer) -> list[Decision]:
        return [d for d in self.decisions if d.answer is answer]
