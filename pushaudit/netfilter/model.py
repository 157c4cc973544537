"""One vendor-neutral, ordered rule model: tables, chains (hook, priority, policy) and rules.

A rule is a conjunction of matches plus an action. Matches on numeric header fields
(addresses, ports) are interval sets so the evaluator can reason about whole packet sets;
matches on packet facts (protocol, interfaces, conntrack state) compare names; anything the
model cannot express is an explicit ``UnknownMatch`` rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import PORT_MAX, IntervalSet, addr_max, complement


class Dim(IntEnum):
    """Numeric header fields: the axes of the packet space."""

    SADDR = 0
    DADDR = 1
    SPORT = 2
    DPORT = 3


DIM_COUNT = 4


class Key(StrEnum):
    """Packet facts compared by name (one value per packet)."""

    NFPROTO = "nfproto"  # ipv4 | ipv6
    L4PROTO = "l4proto"  # tcp, udp, icmp, ...
    IIFNAME = "iifname"
    OIFNAME = "oifname"
    CTSTATE = "ctstate"  # new, established, related, invalid, untracked
    CTDIR = "ctdirection"  # original | reply
    PKTTYPE = "pkttype"  # host | broadcast | multicast | other
    FIB_DADDR = "fib_daddr_type"  # local | unicast | broadcast | ...


WILDCARD_KEYS = frozenset({Key.IIFNAME, Key.OIFNAME})


def dim_top(dim: Dim, family: int | None) -> int:
    if dim in (Dim.SPORT, Dim.DPORT):
        return PORT_MAX
    return addr_max(family or 6)


@dataclass(frozen=True)
class RangeMatch:
    """A numeric field is (or, negated, is not) inside ``values``."""

    dim: Dim
    values: IntervalSet
    family: int | None = None  # 4 or 6 for address fields
    negate: bool = False

    def allowed(self) -> IntervalSet:
        return complement(self.values, dim_top(self.dim, self.family)) if self.negate else self.values


@dataclass(frozen=True)
class ScalarMatch:
    """A packet fact equals one of ``values`` (interface names may end in ``*``)."""

    key: Key
    values: frozenset[str]
    negate: bool = False
    implicit: bool = False  # implied by another match (``tcp dport`` implies l4proto tcp)

    def accepts(self, value: str) -> bool:
        hit = value in self.values or any(_name_matches(pattern, value) for pattern in self.values)
        return hit != self.negate


def _name_matches(pattern: str, value: str) -> bool:
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return pattern == value


@dataclass(frozen=True)
class FlagsMatch:
    """TCP flags: ``flags & mask`` is one of ``values`` (``any_bits``: ``flags & mask != 0``)."""

    mask: int
    values: frozenset[int]
    negate: bool = False
    any_bits: bool = False

    def accepts(self, flags: int) -> bool:
        hit = (flags & self.mask) != 0 if self.any_bits else (flags & self.mask) in self.values
        return hit != self.negate


@dataclass(frozen=True)
class ConcatMatch:
    """A concatenation lookup (``ip daddr . tcp dport @set``): a union of boxes."""

    dims: tuple[Dim, ...]
    families: tuple[int | None, ...]
    elements: tuple[tuple[IntervalSet, ...], ...]


@dataclass(frozen=True)
class UnknownMatch:
    """A match whose outcome for a packet cannot be decided from the snapshot."""

    reason: str


Match = RangeMatch | ScalarMatch | FlagsMatch | ConcatMatch | UnknownMatch


class Action(StrEnum):
    ACCEPT = "accept"  # ends the current base chain (NAT statements accept too)
    DROP = "drop"  # drop and reject: ends everything
    RETURN = "return"
    JUMP = "jump"
    GOTO = "goto"
    CONTINUE = "continue"  # no verdict: the next rule is evaluated
    UNKNOWN = "unknown"  # a verdict or target whose effect is unknown


@dataclass(frozen=True)
class Nat:
    """A translation or transparent-proxy statement."""

    kind: str  # redirect, dnat, snat, masquerade, tproxy, netmap
    addr: str | None = None
    port: int | None = None

    @property
    def rewrites_destination(self) -> bool:
        return self.kind in {"redirect", "dnat", "tproxy", "netmap"}


@dataclass(frozen=True)
class Rule:
    ref: RuleRef
    matches: tuple[Match, ...]
    action: Action
    target: str = ""  # chain for jump/goto, reason for UNKNOWN
    nat: Nat | None = None
    reject: bool = False  # a DROP that answers with a reject
    effects: tuple[str, ...] = ()  # non-terminal statements (mark set, log, ...)

    @property
    def terminal(self) -> bool:
        """True when a matching packet never reaches the next rule of this chain."""
        return self.action in {Action.ACCEPT, Action.DROP, Action.RETURN, Action.GOTO}


@dataclass
class Chain:
    name: str
    rules: list[Rule] = field(default_factory=list)
    hook: str | None = None  # prerouting, input, forward, output, postrouting, ingress
    priority: int | None = None
    policy: str | None = None  # accept | drop (base chains only)
    type: str | None = None  # filter, nat, route
    handle: int | None = None
    device: str | None = None  # ingress chains

    @property
    def is_base(self) -> bool:
        return self.hook is not None


@dataclass
class Table:
    family: str  # ip, ip6, inet, arp, bridge, netdev
    name: str
    source: str  # "cmd:nft_ruleset", "cmd:iptables_legacy_save", ...
    syntax: str  # "nft" or "iptables": how rules are written and how to fix them
    tool: str  # command that edits it: nft, iptables, ip6tables, iptables-legacy, ...
    chains: dict[str, Chain] = field(default_factory=dict)
    handle: int | None = None

    def label(self) -> str:
        return f"{self.family} {self.name}"


@dataclass
class Ruleset:
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Configuration the parser skipped without modelling it as undecidable (a line it could not
    # read, a statement of an unknown kind): any of it could change a verdict, so checks that
    # would pass say ERROR instead. Also listed among ``warnings``.
    unread: list[str] = field(default_factory=list)

    def base_chains(self, hook: str, nfproto: str) -> list[tuple[Table, Chain]]:
        """Base chains a packet of ``nfproto`` crosses at ``hook``, in priority order."""
        families = {"ipv4": {"ip", "inet"}, "ipv6": {"ip6", "inet"}}[nfproto]
        if hook == "ingress":
            families = families | {"netdev"}
        found = [
            (t, c)
            for t in self.tables
            if t.family in families
            for c in t.chains.values()
            if c.hook == hook
        ]
        return sorted(found, key=lambda tc: tc[1].priority or 0)

    def find_table(self, source: str, family: str, name: str) -> Table | None:
        return next((t for t in self.tables if (t.source, t.family, t.name) == (source, family, name)), None)

    def rule_count(self) -> int:
        return sum(len(c.rules) for t in self.tables for c in t.chains.values())
