"""What the evaluator says about a class of packets: verdict, deciding rule, example."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import IntervalSet, normalize
from pushaudit.netfilter.model import Dim, Nat
from pushaudit.netfilter.space import Cube, Packet, example_packet


class Verdict(StrEnum):
    ACCEPT = "accept"
    DROP = "drop"  # drop or reject
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChainId:
    """A chain, located well enough to find its table again and to write a fix for it."""

    source: str  # snapshot source of the table ("cmd:nft_ruleset", "cmd:iptables_legacy_save")
    family: str
    table: str
    chain: str

    def label(self) -> str:
        return f"{self.family} {self.table} {self.chain}"


@dataclass(frozen=True)
class ChainDecision:
    """How one base chain on the path decided."""

    chain: ChainId
    verdict: str  # accept | drop
    rule: RuleRef | None  # the rule that ended the chain (accept, drop or return); None: fell off the end
    policy: str  # the chain's policy, to tell which explicit accept mattered
    by_policy: bool = False  # the verdict is the chain policy (the end, or a return, was reached)


@dataclass(frozen=True)
class NatHit:
    nat: Nat
    rule: RuleRef
    chain: ChainId


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    rule: RuleRef | None = None  # deciding rule: the drop, the accept that mattered, or the undecidable one
    policy_chain: ChainId | None = None  # set when a base chain's policy dropped the packet
    steps: tuple[ChainDecision, ...] = ()
    nat: NatHit | None = None
    reason: str = ""  # why the verdict is UNKNOWN

    def same_effect(self, other: Outcome) -> bool:
        """Equal for every purpose a check has: verdict and any interception."""
        if self.verdict is Verdict.UNKNOWN or other.verdict is Verdict.UNKNOWN:
            return False
        mine = (self.nat.nat.kind, self.nat.nat.port) if self.nat else None
        theirs = (other.nat.nat.kind, other.nat.nat.port) if other.nat else None
        return self.verdict == other.verdict and mine == theirs

    def short(self) -> str:
        what = self.verdict.value
        if self.nat is not None:
            what += f" ({self.nat.nat.kind})"
        return f"{what} by {self.decided_by()}"

    def decided_by(self) -> str:
        if self.rule is not None:
            return f"{self.rule.label()}: {self.rule.text}"
        if self.policy_chain is not None:
            via = self.steps[-1].rule if self.steps else None
            extra = f" (reached by {via.label()}: {via.text})" if via is not None else ""
            return f"policy drop of chain {self.policy_chain.label()}{extra}"
        if self.verdict is Verdict.ACCEPT:
            chains = ", ".join(s.chain.label() for s in self.steps) or "no base chain on the path"
            return f"chain policies ({chains})"
        return self.reason or "unknown"


@dataclass(frozen=True)
class ClassResult:
    """A set of packets (disjoint boxes) that all meet the same outcome."""

    cubes: tuple[Cube, ...]
    outcome: Outcome
    family: int

    def example(self) -> Packet:
        return example_packet(self.cubes[0], self.family)

    def axis(self, dim: Dim) -> IntervalSet:
        return normalize(iv for cube in self.cubes for iv in cube[dim])
