"""A deliberately naive evaluator for one concrete packet: the oracle the set-based engine is
tested and benchmarked against.

It follows the netfilter semantics directly (every base chain of every hook on the packet's
path in ascending priority; first matching rule decides; ``accept`` ends only its base chain,
``drop`` ends everything; ``jump`` pushes a return point, ``goto`` does not, ``return`` or the
chain's end pops it, and an empty stack means the base chain's policy). Nothing is indexed,
cached or shared with ``evaluate.py``: rules are read one by one, and a match that cannot be
decided is followed both ways, the packet being UNKNOWN where the two ways disagree.

Deciding rule, as the engine reports it: the drop rule, or the base chain whose policy
dropped; for an accept, the first explicit accept in a base chain whose policy is drop (the
one that mattered), else the first explicit accept, else none (chain policies decided).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import (
    Action,
    Chain,
    ConcatMatch,
    Dim,
    FlagsMatch,
    Key,
    Match,
    RangeMatch,
    Rule,
    Ruleset,
    ScalarMatch,
    Table,
    UnknownMatch,
)
from pushaudit.netfilter.outcome import Verdict

JUMP_STACK_LIMIT = 16  # nft refuses deeper jump chains; deeper ones are UNKNOWN here too
SYN_ONLY = 0x02
_PATH_HOOKS = {
    "forward": ("ingress", "prerouting", "forward", "postrouting"),
    "input": ("ingress", "prerouting", "input"),
    "prerouting": ("ingress", "prerouting"),
}
_HOOKS_WITH_IIF = {"ingress", "prerouting", "input", "forward"}
_HOOKS_WITH_OIF = {"forward", "postrouting", "output"}
_DESTINATION_NAT = {"redirect", "dnat", "tproxy", "netmap"}


@dataclass(frozen=True)
class ProbePacket:
    """One packet with every fact a rule can ask about (None: the interface is not known)."""

    family: int
    src: int
    dst: int
    sport: int
    dport: int
    protocol: str = "tcp"
    ct_state: str = "new"
    iif: str | None = None
    oif: str | None = None
    path: str = "forward"
    tcp_flags: int = SYN_ONLY


@dataclass(frozen=True)
class BruteVerdict:
    verdict: Verdict
    rule: RuleRef | None = None
    policy_chain: str | None = None  # "family table chain" of the base chain whose policy dropped
    nat: tuple[str, int | None] | None = None  # first translation met: kind and port
    reason: str = ""
    hit_unknown: bool = False  # an undecidable match or verdict lay on the packet's path


@dataclass(frozen=True)
class _State:
    accepts: tuple[tuple[RuleRef, str], ...] = ()  # explicit accepts so far, with their chain's policy
    nat: tuple[str, int | None, RuleRef] | None = None


Frame = tuple[Table, Chain, int]  # chain and the position of the next rule to read


def decide(ruleset: Ruleset, packet: ProbePacket, max_branches: int = 4096) -> BruteVerdict:
    """What netfilter does with ``packet``, worked out rule by rule."""
    return _Run(ruleset, packet, max_branches).next_base(0, _State())


def base_chains_on_path(ruleset: Ruleset, packet: ProbePacket) -> list[tuple[str, Table, Chain]]:
    """Every base chain the packet crosses, hook by hook, each hook in ascending priority."""
    families = {"ip", "inet"} if packet.family == 4 else {"ip6", "inet"}
    found: list[tuple[str, Table, Chain]] = []
    for hook in _PATH_HOOKS[packet.path]:
        allowed = families | {"netdev"} if hook == "ingress" else families
        here = [(t, c) for t in ruleset.tables if t.family in allowed for c in t.chains.values() if c.hook == hook]
        here.sort(key=lambda tc: tc[1].priority or 0)
        found += [(hook, t, c) for t, c in here]
    return found


def _join(passed: list[tuple[Rule, BruteVerdict]], skipped: BruteVerdict) -> BruteVerdict:
    """Undecidable rules, innermost first: where matching and not matching end alike the rule
    did not matter; otherwise the packet is UNKNOWN, naming the rule."""
    for rule, taken in reversed(passed):
        same = (taken.verdict, taken.nat) == (skipped.verdict, skipped.nat)
        if same and Verdict.UNKNOWN not in (taken.verdict, skipped.verdict):
            skipped = replace(skipped, hit_unknown=True)
        else:
            skipped = BruteVerdict(Verdict.UNKNOWN, rule=rule.ref, reason="undecidable match", hit_unknown=True)
    return skipped


class _Run:
    def __init__(self, ruleset: Ruleset, packet: ProbePacket, max_branches: int) -> None:
        self.packet = packet
        self.path = base_chains_on_path(ruleset, packet)
        self.branches = 0
        self.max_branches = max_branches

    def next_base(self, pos: int, state: _State) -> BruteVerdict:
        hook = self.path[pos][0] if pos < len(self.path) else "routing"
        if hook not in ("ingress", "prerouting") and self._rerouted(state):
            assert state.nat is not None
            kind, port, ref = state.nat
            return BruteVerdict(Verdict.UNKNOWN, rule=ref, nat=(kind, port), reason="destination rewritten")
        if pos == len(self.path):
            return self._accepted(state)
        _, table, chain = self.path[pos]
        if chain.device is not None and self.packet.iif != chain.device:
            if self.packet.iif is None:
                return BruteVerdict(Verdict.UNKNOWN, reason="ingress device unknown", hit_unknown=True)
            return self.next_base(pos + 1, state)
        return self.walk(pos, ((table, chain, 0),), state)

    def _rerouted(self, state: _State) -> bool:
        if state.nat is None or state.nat[0] not in _DESTINATION_NAT:
            return False
        if self.packet.path == "forward":
            return True
        return self.packet.path == "input" and state.nat[0] in ("dnat", "netmap")

    def _accepted(self, state: _State) -> BruteVerdict:
        strict = [ref for ref, policy in state.accepts if policy == "drop"]
        chosen = strict[0] if strict else (state.accepts[0][0] if state.accepts else None)
        nat = state.nat[:2] if state.nat else None
        return BruteVerdict(Verdict.ACCEPT, rule=chosen, nat=nat)

    def walk(self, pos: int, frames: tuple[Frame, ...], state: _State) -> BruteVerdict:
        """First match in the chain on top of ``frames``. An undecidable rule is followed both
        ways: what it would do if it matched is kept aside, the walk goes on as if it did not,
        and the two are joined at the end (so a long run of such rules does not nest calls)."""
        table, chain, start = frames[-1]
        hook = self.path[pos][0]
        passed: list[tuple[Rule, BruteVerdict]] = []  # undecidable rules, with their outcome if taken
        for index in range(start, len(chain.rules)):
            rule = chain.rules[index]
            if rule.action is Action.CONTINUE and rule.nat is None:
                continue  # counters, logs, marks: nothing the packet's fate depends on
            holds = self._rule_holds(rule, hook)
            if holds is False:
                continue
            after = (*frames[:-1], (table, chain, index + 1))
            if holds:
                return _join(passed, self.act(rule, pos, after, state))
            self.branches += 1
            if self.branches > self.max_branches:
                gave_up = BruteVerdict(Verdict.UNKNOWN, rule=rule.ref, reason="too many branches", hit_unknown=True)
                return _join(passed, gave_up)
            passed.append((rule, self.act(rule, pos, after, state)))
        return _join(passed, self.chain_end(pos, frames[:-1], state))

    def chain_end(self, pos: int, frames: tuple[Frame, ...], state: _State) -> BruteVerdict:
        if frames:
            return self.walk(pos, frames, state)
        _, table, chain = self.path[pos]
        if chain.policy == "drop":
            label = f"{table.family} {table.name} {chain.name}"
            return BruteVerdict(Verdict.DROP, policy_chain=label, nat=state.nat[:2] if state.nat else None)
        return self.next_base(pos + 1, state)

    def act(self, rule: Rule, pos: int, after: tuple[Frame, ...], state: _State) -> BruteVerdict:  # noqa: PLR0911 - one return per verdict
        if rule.nat is not None and state.nat is None:
            state = replace(state, nat=(rule.nat.kind, rule.nat.port, rule.ref))
        action = rule.action
        if action is Action.ACCEPT:
            policy = self.path[pos][2].policy or "accept"
            return self.next_base(pos + 1, replace(state, accepts=(*state.accepts, (rule.ref, policy))))
        if action is Action.DROP:
            return BruteVerdict(Verdict.DROP, rule=rule.ref, nat=state.nat[:2] if state.nat else None)
        if action is Action.CONTINUE:
            return self.walk(pos, after, state)
        if action is Action.RETURN:
            return self.chain_end(pos, after[:-1], state)
        table = after[-1][0]
        target = table.chains.get(rule.target) if action in (Action.JUMP, Action.GOTO) else None
        if target is None or target.hook is not None or len(after) > JUMP_STACK_LIMIT:
            return BruteVerdict(Verdict.UNKNOWN, rule=rule.ref, reason=f"{action} {rule.target}", hit_unknown=True)
        if action is Action.JUMP:
            return self.walk(pos, (*after, (table, target, 0)), state)
        return self.walk(pos, (*after[:-1], (table, target, 0)), state)

    # -- one rule, one packet --------------------------------------------------------
    def _rule_holds(self, rule: Rule, hook: str) -> bool | None:
        """All matches true: True; any false: False; otherwise None (undecidable)."""
        undecided = False
        for match in rule.matches:
            holds = self._match_holds(match, hook)
            if holds is False:
                return False
            undecided = undecided or holds is None
        return None if undecided else True

    def _match_holds(self, match: Match, hook: str) -> bool | None:  # noqa: PLR0911 - one return per match kind
        p = self.packet
        if isinstance(match, UnknownMatch):
            return None
        if isinstance(match, RangeMatch):
            if match.family is not None and match.family != p.family:
                return False
            value = self._field(match.dim)
            return any(lo <= value <= hi for lo, hi in match.values) != match.negate
        if isinstance(match, ConcatMatch):
            if any(f is not None and f != p.family for f in match.families):
                return False
            return any(all(any(lo <= self._field(d) <= hi for lo, hi in part)
                           for d, part in zip(match.dims, element, strict=True)) for element in match.elements)
        if isinstance(match, FlagsMatch):
            bits = p.tcp_flags & match.mask
            return (bits != 0 if match.any_bits else bits in match.values) != match.negate
        return self._scalar_holds(match, hook)

    def _scalar_holds(self, match: ScalarMatch, hook: str) -> bool | None:
        p = self.packet
        if match.key is Key.IIFNAME or match.key is Key.OIFNAME:
            hooks, device = (_HOOKS_WITH_IIF, p.iif) if match.key is Key.IIFNAME else (_HOOKS_WITH_OIF, p.oif)
            if hook not in hooks:
                return False  # no such device at this hook: the kernel's meta lookup breaks the rule
            if device is None:
                return None
            value = device
        else:
            value = {
                Key.NFPROTO: "ipv4" if p.family == 4 else "ipv6",
                Key.L4PROTO: p.protocol,
                Key.CTSTATE: p.ct_state,
                Key.CTDIR: "original",
                Key.PKTTYPE: "host",
                Key.FIB_DADDR: "local" if p.path == "input" else "unicast",
            }[match.key]
        hit = any(value.startswith(pattern[:-1]) if pattern.endswith("*") else value == pattern
                  for pattern in match.values)
        return hit != match.negate

    def _field(self, dim: Dim) -> int:
        p = self.packet
        return {Dim.SADDR: p.src, Dim.DADDR: p.dst, Dim.SPORT: p.sport, Dim.DPORT: p.dport}[dim]
