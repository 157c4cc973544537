"""What the evaluator is asked: a set of new connections and the path they take."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pushaudit.netfilter.intervals import IntervalSet
from pushaudit.netfilter.model import Chain, Ruleset, Table


class PathKind(StrEnum):
    FORWARD = "forward"  # routed through the host
    INPUT = "input"  # addressed to the host itself
    PREROUTING = "prerouting"  # only up to the routing decision (where interception happens)


HOOKS: dict[PathKind, tuple[str, ...]] = {
    PathKind.FORWARD: ("ingress", "prerouting", "forward", "postrouting"),
    PathKind.INPUT: ("ingress", "prerouting", "input"),
    PathKind.PREROUTING: ("ingress", "prerouting"),
}


@dataclass(frozen=True)
class Query:
    """New TCP (or UDP) connections from ``src`` to ``dst`` on ``dports``."""

    family: int
    src: IntervalSet
    dst: IntervalSet
    dports: IntervalSet
    path: PathKind
    iif: str | None = None  # None: unknown
    oif: str | None = None
    sports: IntervalSet = ((1024, 65535),)  # clients connect from unprivileged ports
    protocol: str = "tcp"
    ct_state: str = "new"

    @property
    def nfproto(self) -> str:
        return "ipv4" if self.family == 4 else "ipv6"


def path_chains(ruleset: Ruleset, query: Query) -> list[tuple[str, Table, Chain]]:
    """(hook, table, base chain) in the order a packet of the query meets them."""
    return [(hook, table, chain) for hook in HOOKS[query.path]
            for table, chain in ruleset.base_chains(hook, query.nfproto)]
