"""What netfilter does to Apple traffic on a proxy host: the contract between the netfilter
evaluator (which computes it) and the Squid checks (which need to know what reaches Squid)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class InterceptVerdict(StrEnum):
    NOT_INTERCEPTED = "not_intercepted"  # no packet of the class is redirected to a local port
    INTERCEPTED = "intercepted"  # every packet of the class is redirected
    PARTIAL = "partial"  # some packets (some client networks or some Apple addresses) are
    UNKNOWN = "unknown"  # a match the evaluator cannot decide stands in the way


@dataclass(frozen=True)
class RuleRef:
    """A netfilter rule, located well enough for a human to find it."""

    source: str  # snapshot source: "cmd:nft_ruleset" or "cmd:iptables_save"
    family: str  # ip, ip6, inet, ... (iptables: the table's family, "ip" or "ip6")
    table: str
    chain: str
    index: int  # 1-based position in the chain
    text: str  # the rule as nft or iptables-save prints it
    handle: int | None = None  # nft handle
    line: int | None = None  # line in the iptables-save output
    comment: str = ""

    def label(self) -> str:
        where = f"{self.family} {self.table} {self.chain} rule {self.index}"
        if self.handle is not None:
            where += f" (handle {self.handle})"
        return where


@dataclass(frozen=True)
class Interception:
    """How TCP traffic from the client networks to Apple on one destination port is handled."""

    port: int
    verdict: InterceptVerdict
    method: str = ""  # redirect, tproxy or dnat
    to_port: int | None = None  # local port the traffic lands on
    rule: RuleRef | None = None  # the rule that decided (the redirect, or the exclusion)
    example: str = ""  # a concrete packet, e.g. "198.18.11.10:40000 -> 198.19.5.36:443"
    reasons: tuple[str, ...] = field(default_factory=tuple)
