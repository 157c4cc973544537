"""First-match evaluation of a ruleset over a whole set of packets.

The query's packet space is pushed through every base chain on the packet's path, hook by
hook in priority order. At each rule the current set is split into the packets the rule
matches and the rest, so the result is exact and its classes are bounded only by boundaries
that occur in the rules. Matches that cannot be decided are followed both ways; where the two
ways disagree the class is UNKNOWN, naming the rule responsible.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

from pushaudit.gcpause import collector_paused
from pushaudit.interception import RuleRef
from pushaudit.netfilter.compile import RuleCompiler, relevant_rules
from pushaudit.netfilter.index import ChainIndex, LiveIndex
from pushaudit.netfilter.model import Action, Chain, Rule, Ruleset, Table
from pushaudit.netfilter.outcome import ChainDecision, ChainId, ClassResult, NatHit, Outcome, Verdict
from pushaudit.netfilter.query import HOOKS, PathKind, Query, path_chains
from pushaudit.netfilter.space import Box, Cube, Region, cube_and, make_cube, merge, split

MAX_BRANCHES = 256  # undecidable matches followed both ways before giving up (fail closed)
MAX_DEPTH = 16  # nft's own jump-stack limit


@dataclass(frozen=True)
class _History:
    steps: tuple[ChainDecision, ...] = ()
    nat: NatHit | None = None


Frame = tuple[Table, Chain, int]


def evaluate(ruleset: Ruleset, query: Query, reached: set[int] | None = None,
             compiler: RuleCompiler | None = None) -> list[ClassResult]:
    """Every packet of the query, grouped into classes that share one outcome. ``reached``
    collects the ids of the rules some packet reached and matched; it is left alone when an
    undecidable match was followed both ways (a packet of one way may not exist at all)."""
    walker = _Walker(ruleset, query, compiler)
    with collector_paused():
        classes = walker.run()
    if reached is not None and walker.branches == 0:
        reached |= walker.matched
    return classes


class _Walker:
    def __init__(self, ruleset: Ruleset, query: Query, compiler: RuleCompiler | None = None) -> None:
        self.query = query
        self.path = path_chains(ruleset, query)
        self.compiler = compiler or RuleCompiler(query)
        self.branches = 0
        self.matched: set[int] = set()
        self.indexes: dict[tuple[int, str], LiveIndex] = {}

    def run(self) -> list[ClassResult]:
        q = self.query
        start: Region = [make_cube(q.src, q.dst, q.sports, q.dports)] if all((q.src, q.dst, q.sports, q.dports)) else []
        grouped: dict[Outcome, Region] = {}
        for cube, outcome in self._next_base(start, 0, _History()):
            grouped.setdefault(outcome, []).append(cube)
        return [ClassResult(tuple(merge(cubes)), outcome, q.family) for outcome, cubes in grouped.items()]

    # -- chain traversal -----------------------------------------------------------
    def _label(self, pos: int) -> ChainId:
        _, table, chain = self.path[pos]
        return ChainId(table.source, table.family, table.name, chain.name)

    def _next_base(self, region: Region, pos: int, hist: _History) -> list[tuple[Cube, Outcome]]:
        if not region:
            return []
        hook = self.path[pos][0] if pos < len(self.path) else "routing"
        if hook not in ("ingress", "prerouting") and self._rerouted(hist):
            # The packet now goes somewhere else; the rest of this path no longer applies to it.
            assert hist.nat is not None
            outcome = Outcome(Verdict.UNKNOWN, rule=hist.nat.rule, steps=hist.steps, nat=hist.nat,
                              reason=f"destination rewritten ({hist.nat.nat.kind}) before routing")
            return [(c, outcome) for c in region]
        if pos == len(self.path):
            return [(c, _accepted(hist)) for c in region]
        _, table, chain = self.path[pos]
        if chain.device is not None:
            return self._device_gate(region, pos, table, chain, hist)
        return self._walk(region, pos, ((table, chain, 0),), hist)

    def _rerouted(self, hist: _History) -> bool:
        """Did prerouting send the packet elsewhere than the path the query describes?"""
        if hist.nat is None or not hist.nat.nat.rewrites_destination:
            return False
        if self.query.path is PathKind.FORWARD:
            return True
        # to the host itself a redirect or tproxy stays local; a dnat may leave
        return self.query.path is PathKind.INPUT and hist.nat.nat.kind in ("dnat", "netmap")

    def _device_gate(self, region: Region, pos: int, table: Table, chain: Chain,
                     hist: _History) -> list[tuple[Cube, Outcome]]:
        """An ingress chain only sees packets of its own device."""
        if self.query.iif == chain.device:
            return self._walk(region, pos, ((table, chain, 0),), hist)
        if self.query.iif is not None:
            return self._next_base(region, pos + 1, hist)
        reason = f"ingress chain {self._label(pos).label()} on device {chain.device}: ingress interface unknown"
        outcome = Outcome(Verdict.UNKNOWN, steps=hist.steps, reason=reason)
        return [(c, outcome) for c in region]

    def _walk(self, region: Region, pos: int, frames: tuple[Frame, ...],
              hist: _History) -> list[tuple[Cube, Outcome]]:
        """First match in one chain. Cubes wait at the next rule that can touch them, so rules
        are visited in order and every rule sees all the packets that reach it at once."""
        table, chain, start = frames[-1]
        hook = self.path[pos][0]
        index = self._index(chain, hook)
        results: list[tuple[Cube, Outcome]] = []
        waiting: dict[int, Region] = {}
        fell_through: Region = []

        def schedule(cubes: Region, position: int) -> None:
            for cube in cubes:
                nxt = index.next_rule(cube, position)
                if nxt is None:
                    fell_through.append(cube)
                else:
                    if nxt not in waiting:
                        heapq.heappush(queue, nxt)
                    waiting.setdefault(nxt, []).append(cube)

        queue: list[int] = []
        schedule(region, start)
        while queue:
            position = heapq.heappop(queue)
            rule = chain.rules[position]
            compiled = self.compiler.compile(rule, hook)
            hit, rest = split(merge(waiting.pop(position)), compiled.boxes)
            schedule(rest, position + 1)
            if not hit:
                continue
            after = (*frames[:-1], (table, chain, position + 1))
            if compiled.state:
                self.matched.add(id(rule))
                results += self._apply(rule, hit, pos, after, hist)
            else:
                results += self._branch(rule, compiled.why, hit, pos, after, hist=hist)
        if fell_through:
            results += self._chain_end(merge(fell_through), pos, frames[:-1], hist)
        return results

    def _index(self, chain: Chain, hook: str) -> LiveIndex:
        """An index over the rules that can matter to this query at this hook, usually a
        small part of the chain: the compiled boxes are already cut to the query's packets."""
        key = (id(chain), hook)
        if key not in self.indexes:
            live: list[int] = []
            boxes: list[list[Box] | None] = []
            for position, rule in enumerate(chain.rules):
                noop = rule.action is Action.CONTINUE and rule.nat is None  # counters, logs, marks
                compiled = self.compiler.compile(rule, hook)
                if not noop and compiled.state is not False:
                    live.append(position)
                    boxes.append(compiled.boxes)
            self.indexes[key] = LiveIndex(live, ChainIndex(boxes))
        return self.indexes[key]

    def _chain_end(self, region: Region, pos: int, frames: tuple[Frame, ...], hist: _History,
                   via: RuleRef | None = None) -> list[tuple[Cube, Outcome]]:
        """Return to the calling chain, or apply the base chain's policy (``via``: the return rule)."""
        if frames:
            return self._walk(region, pos, frames, hist)
        chain = self.path[pos][2]
        label = self._label(pos)
        if chain.policy == "drop":
            step = ChainDecision(label, "drop", via, "drop", by_policy=True)
            outcome = Outcome(Verdict.DROP, policy_chain=label, steps=(*hist.steps, step), nat=hist.nat)
            return [(c, outcome) for c in region]
        step = ChainDecision(label, "accept", via, chain.policy or "accept", by_policy=True)
        return self._next_base(region, pos + 1, replace(hist, steps=(*hist.steps, step)))

    def _apply(self, rule: Rule, hit: Region, pos: int, after: tuple[Frame, ...],
               hist: _History) -> list[tuple[Cube, Outcome]]:
        label = self._label(pos)
        policy = self.path[pos][2].policy or "accept"
        if rule.nat is not None and hist.nat is None:
            hist = replace(hist, nat=NatHit(rule.nat, rule.ref, label))
        action = rule.action
        if action is Action.ACCEPT:
            step = ChainDecision(label, "accept", rule.ref, policy)
            return self._next_base(hit, pos + 1, replace(hist, steps=(*hist.steps, step)))
        if action is Action.DROP:
            step = ChainDecision(label, "drop", rule.ref, policy)
            outcome = Outcome(Verdict.DROP, rule=rule.ref, steps=(*hist.steps, step), nat=hist.nat)
            return [(c, outcome) for c in hit]
        if action is Action.CONTINUE:
            return self._walk(hit, pos, after, hist)
        if action is Action.RETURN:
            return self._chain_end(hit, pos, after[:-1], hist, via=rule.ref)
        table = after[-1][0]
        target = table.chains.get(rule.target) if action in (Action.JUMP, Action.GOTO) else None
        if target is None or target.is_base or len(after) > MAX_DEPTH:
            why = rule.target if action is Action.UNKNOWN else f"{action} {rule.target}: no such regular chain"
            outcome = Outcome(Verdict.UNKNOWN, rule=rule.ref, steps=hist.steps, nat=hist.nat, reason=why)
            return [(c, outcome) for c in hit]
        frames = (*after, (table, target, 0)) if action is Action.JUMP else (*after[:-1], (table, target, 0))
        return self._walk(hit, pos, frames, hist)

    def _branch(self, rule: Rule, why: str, hit: Region, pos: int, after: tuple[Frame, ...], *,
                hist: _History) -> list[tuple[Cube, Outcome]]:
        """Follow an undecidable rule both ways; keep what does not depend on it."""
        self.branches += 1
        if self.branches > MAX_BRANCHES:
            outcome = Outcome(Verdict.UNKNOWN, rule=rule.ref, steps=hist.steps,
                              reason=f"{why} (too many undecidable matches to follow)")
            return [(c, outcome) for c in hit]
        taken = self._apply(rule, hit, pos, after, hist)
        skipped = self._walk(hit, pos, after, hist)
        combined: list[tuple[Cube, Outcome]] = []
        for cube_a, out_a in taken:
            for cube_b, out_b in skipped:
                both = cube_and(cube_a, cube_b)
                if both is None:
                    continue
                if out_a.same_effect(out_b):
                    combined.append((both, out_b))
                else:
                    reason = f"{why}: if it matches, {out_a.short()}; if not, {out_b.short()}"
                    combined.append((both, Outcome(Verdict.UNKNOWN, rule=rule.ref, steps=hist.steps, reason=reason)))
        return combined

def _accepted(hist: _History) -> Outcome:
    """Accepted by every base chain; the deciding rule is the explicit accept that mattered
    most: one in a chain whose policy would have dropped the packet."""
    explicit = [s.rule for s in hist.steps if s.rule is not None and not s.by_policy]
    strict = [s.rule for s in hist.steps if s.rule is not None and not s.by_policy and s.policy == "drop"]
    chosen = (strict or explicit)[:1]
    return Outcome(Verdict.ACCEPT, rule=chosen[0] if chosen else None, steps=hist.steps, nat=hist.nat)


__all__ = ["HOOKS", "PathKind", "Query", "evaluate", "relevant_rules"]
