"""Shadowed rules: rules that can never match because earlier rules in the same chain take
every packet they would match (decided over the whole packet space, not one query)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, field

from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Chain, Rule, Table
from pushaudit.netfilter.shadow_scan import ChainScan


@dataclass(frozen=True)
class Shadowed:
    rule: RuleRef
    by: tuple[RuleRef, ...]

    def describe(self) -> str:
        earlier = ", ".join(f"rule {r.index}" + (f" (handle {r.handle})" if r.handle is not None else "")
                            for r in self.by)
        verb = "takes" if len(self.by) == 1 else "take"
        return f"{self.rule.label()} can never match: {earlier} {verb} all its packets first"


@dataclass
class ShadowSearch:
    """Shadowed candidates of one chain, and those the search could not decide."""

    shadowed: list[Shadowed] = field(default_factory=list)
    undecided: list[RuleRef] = field(default_factory=list)


def find_shadowed(table: Table, chain: Chain, candidates: list[Rule],
                  reached: Set[int] = frozenset()) -> list[Shadowed]:
    return search_shadowed(table, chain, candidates, reached).shadowed


def search_shadowed(table: Table, chain: Chain, candidates: list[Rule],
                    reached: Set[int] = frozenset()) -> ShadowSearch:
    """Candidates that can never match. A vendor rule split into several model rules (one per
    family or protocol) shares one RuleRef: it is reported only when every piece is shadowed.
    ``reached``: ids of rules some packet is known to reach (the evaluator saw them match)."""
    counts = Counter(r.ref for r in chain.rules)
    shared = {ref for ref, n in counts.items() if n > 1}
    in_chain = {id(r) for r in chain.rules}
    asked: dict[RuleRef, list[Rule]] = {}
    for rule in candidates:
        if rule.ref in asked or id(rule) not in in_chain:
            continue
        pieces = [r for r in chain.rules if r.ref == rule.ref] if rule.ref in shared else [rule]
        if not any(id(piece) in reached for piece in pieces):
            asked[rule.ref] = pieces
    scan = ChainScan(table, chain, [piece for pieces in asked.values() for piece in pieces])
    out = ShadowSearch()
    for ref, pieces in asked.items():
        covering: list[RuleRef] = []
        for piece in pieces:
            found = scan.shadowed_by(piece)
            if found is None:
                out.undecided.append(ref)
            if not found:
                break
            covering += found
        else:
            out.shadowed.append(Shadowed(ref, tuple(dict.fromkeys(covering))))
    return out
