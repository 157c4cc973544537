"""Where Squid sends an allowed request: DIRECT (Squid resolves the name itself) or a parent peer.

Order as in Squid's peer selection: ``always_direct`` allow means DIRECT only; else
``never_direct`` allow means parents only; else CONNECT (never hierarchical) goes DIRECT unless
``nonhierarchical_direct off``; ``prefer_direct on`` puts DIRECT before parents.
"""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.squid.access import ListOutcome, evaluate_list, opposite_of_last
from pushaudit.squid.model import Rule, SquidConfig
from pushaudit.squid.request import MatchContext

DIRECT = "DIRECT"


@dataclass(frozen=True)
class Forwarding:
    candidates: tuple[str, ...] | None  # DIRECT and/or peer names in order; None: undecided
    explanation: str
    rules: tuple[Rule, ...] = ()  # always_direct/never_direct/cache_peer_access lines that decided
    unknowns: tuple[str, ...] = ()

    @property
    def direct_first(self) -> bool:
        return bool(self.candidates) and self.candidates is not None and self.candidates[0] == DIRECT

    @property
    def uses_direct(self) -> bool:
        return self.candidates is not None and DIRECT in self.candidates

    @property
    def peers(self) -> list[str]:
        return [c for c in self.candidates or () if c != DIRECT]


def _check(name: str, rules: list[Rule], ctx: MatchContext, config: SquidConfig) -> ListOutcome | None:
    if not rules:
        return None
    return evaluate_list(name, rules, ctx, config.acls, lambda r: opposite_of_last(r, "deny"))


def _usable_parents(config: SquidConfig, ctx: MatchContext) -> tuple[list[str], list[Rule], list[str]] | None:
    parents: list[str] = []
    rules: list[Rule] = []
    unknowns: list[str] = []
    for peer in config.cache_peers:
        if peer.type != "parent":
            continue  # siblings only serve cache hits; CONNECT never uses them
        outcome = _check("cache_peer_access", config.cache_peer_access.get(peer.name, []), ctx, config)
        if outcome is not None:
            rules += outcome.rules
            unknowns += outcome.unknowns
            if outcome.verdict is None:
                return None
            if outcome.verdict != "allow":
                continue
        parents.append(peer.name)
    return parents, rules, unknowns


def _order(config: SquidConfig, parents: list[str], never: bool, hierarchical: bool) -> tuple[tuple[str, ...], str]:
    if never:
        return tuple(parents), "never_direct allows it: parents only" + ("" if parents else ", and none may take it")
    if not hierarchical and config.switch("nonhierarchical_direct"):
        return (DIRECT,), "CONNECT is not hierarchical and nonhierarchical_direct is on: DIRECT"
    if not parents:
        return (DIRECT,), "no parent may take it: DIRECT"
    if config.switch("prefer_direct"):
        return (DIRECT, *parents), "prefer_direct on: DIRECT first, then parents"
    return (*parents, DIRECT), "parents first, DIRECT as the fallback"


def decide_forwarding(config: SquidConfig, ctx: MatchContext, hierarchical: bool) -> Forwarding:
    always = _check("always_direct", config.always_direct, ctx, config)
    if always is not None and always.verdict != "deny":
        if always.verdict == "allow":
            return Forwarding((DIRECT,), "always_direct allows it: DIRECT only", tuple(always.rules))
        return Forwarding(None, "always_direct cannot be decided", tuple(always.rules), always.unknowns)
    never = _check("never_direct", config.never_direct, ctx, config)
    if never is not None and never.verdict not in ("allow", "deny"):
        return Forwarding(None, "never_direct cannot be decided", tuple(never.rules), never.unknowns)
    parents = _usable_parents(config, ctx)
    if parents is None:
        return Forwarding(None, "cache_peer_access cannot be decided")
    names, peer_rules, unknowns = parents
    decided = tuple((always.rules if always else []) + (never.rules if never else []) + peer_rules)
    never_allows = never is not None and never.verdict == "allow"
    candidates, text = _order(config, names, never_allows, hierarchical)
    return Forwarding(candidates, text, decided, tuple(unknowns))
