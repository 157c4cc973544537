"""Comparing the set-based engine with the brute-force oracle, and checking that its classes
partition the query space exactly."""

from __future__ import annotations

import importlib
from math import prod
from unittest.mock import patch

from pushaudit.netfilter.bruteforce import BruteVerdict, ProbePacket, decide
from pushaudit.netfilter.evaluate import Query, evaluate
from pushaudit.netfilter.intervals import covers, describe_addrs, describe_ports, overlaps, size
from pushaudit.netfilter.model import ConcatMatch, Dim, FlagsMatch, RangeMatch, Ruleset, ScalarMatch
from pushaudit.netfilter.outcome import ClassResult, Verdict
from pushaudit.netfilter.space import Cube, Packet

# The package re-exports the function ``evaluate``, hiding the module of the same name.
evaluate_module = importlib.import_module("pushaudit.netfilter.evaluate")


def holding(classes: list[ClassResult], packet: ProbePacket) -> list[ClassResult]:
    """The classes with a cube holding the packet (exactly one when the classes partition)."""
    point = {Dim.SADDR: packet.src, Dim.DADDR: packet.dst, Dim.SPORT: packet.sport, Dim.DPORT: packet.dport}
    return [r for r in classes
            if any(all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in r.cubes)]


def partition_problems(classes: list[ClassResult], query: Query) -> list[str]:
    """Exact: every cube inside the query, no two cubes overlapping, volumes adding up."""
    space = (query.src, query.dst, query.sports, query.dports)
    cubes: list[Cube] = [cube for result in classes for cube in result.cubes]
    problems = [f"class family {r.family} != query family {query.family}" for r in classes if r.family != query.family]
    for cube in cubes:
        if not all(axis and covers(space[d], axis) for d, axis in enumerate(cube)):
            problems.append(f"cube outside the query (or empty): {cube}")
    for i, a in enumerate(cubes):
        for b in cubes[i + 1:]:
            if all(overlaps(a[d], b[d]) for d in Dim):
                problems.append(f"cubes overlap: {a} and {b}")
    volume = sum(prod(size(axis) for axis in cube) for cube in cubes)
    expected = prod(size(axis) for axis in space)
    if volume != expected:
        problems.append(f"classes hold {volume} packets, the query {expected}")
    return problems


def mismatch(result: ClassResult, truth: BruteVerdict) -> str | None:
    """None when the engine's class outcome is what the oracle found for one of its packets."""
    got = result.outcome
    if got.verdict is not truth.verdict:
        return f"verdict: engine {got.verdict.value}, brute force {truth.verdict.value}"
    if got.verdict is Verdict.UNKNOWN and not truth.hit_unknown:
        return "engine UNKNOWN but no undecidable match on the packet's path"
    if got.rule != truth.rule:
        return f"deciding rule: engine {_ref(got.rule)}, brute force {_ref(truth.rule)}"
    if got.verdict is Verdict.DROP:
        label = got.policy_chain.label() if got.policy_chain else None
        if label != truth.policy_chain:
            return f"policy chain: engine {label}, brute force {truth.policy_chain}"
    if got.verdict is not Verdict.UNKNOWN:
        nat = (got.nat.nat.kind, got.nat.nat.port) if got.nat else None
        if nat != truth.nat:
            return f"translation: engine {nat}, brute force {truth.nat}"
    return None


class EngineAnswer:
    """The engine's classes for one query, and (only when needed) the same query evaluated
    without the engine's budget of undecidable matches followed both ways."""

    def __init__(self, ruleset: Ruleset, query: Query) -> None:
        self.ruleset = ruleset
        self.query = query
        self.classes = evaluate(ruleset, query)
        self._unbounded: list[ClassResult] | None = None

    def unbounded(self) -> list[ClassResult]:
        if self._unbounded is None:
            with patch.object(evaluate_module, "MAX_BRANCHES", 1 << 30):
                self._unbounded = evaluate(self.ruleset, self.query)
        return self._unbounded


def check_packet(answer: EngineAnswer, packet: ProbePacket) -> BruteVerdict:
    """Assert the packet is in exactly one class and that class agrees with the oracle.

    An UNKNOWN the oracle does not share is accepted only where the oracle met an undecidable
    match and the engine, given an unlimited branch budget, then agrees exactly: the engine
    may give up early (fail closed), never guess."""
    ruleset = answer.ruleset
    found = holding(answer.classes, packet)
    assert len(found) == 1, f"{_text(packet)} lies in {len(found)} classes (partition broken)\n{render(ruleset)}"
    truth = decide(ruleset, packet)
    problem = mismatch(found[0], truth)
    if problem and found[0].outcome.verdict is Verdict.UNKNOWN and truth.hit_unknown:
        unbounded = holding(answer.unbounded(), packet)
        if len(unbounded) == 1 and mismatch(unbounded[0], truth) is None:
            return truth
    assert problem is None, (
        f"engine and brute force disagree on {_text(packet)} "
        f"(iif {packet.iif}, oif {packet.oif}, {packet.protocol}, ct {packet.ct_state}): {problem}\n"
        f"engine: {found[0].outcome.short()} [{found[0].outcome.reason}]\n{render(ruleset)}"
    )
    return truth


def _ref(ref: object) -> str:
    return "none" if ref is None else str(getattr(ref, "label", lambda: ref)())


def _text(packet: ProbePacket) -> str:
    return str(Packet(packet.family, packet.src, packet.sport, packet.dst, packet.dport))


def render(ruleset: Ruleset) -> str:
    """The ruleset in an nft-like text, for failure messages."""
    lines: list[str] = []
    for table in ruleset.tables:
        lines.append(f"table {table.family} {table.name}")
        for chain in table.chains.values():
            head = f"  chain {chain.name}"
            if chain.hook:
                head += f" (hook {chain.hook} prio {chain.priority} policy {chain.policy})"
            lines.append(head)
            for n, rule in enumerate(chain.rules, 1):
                words = [_match_text(m) for m in rule.matches]
                verdict = f"{rule.action.value} {rule.target}".strip()
                lines.append(f"    {n}: {' '.join(words)} {verdict}".replace("  ", " "))
    return "\n".join(lines)


def _match_text(match: object) -> str:
    neg = "!= " if getattr(match, "negate", False) else ""
    if isinstance(match, RangeMatch):
        values = describe_addrs(match.values, match.family, 99) if match.family else describe_ports(match.values)
        return f"{match.dim.name.lower()}{'/' + str(match.family) if match.family else ''} {neg}{{{values}}}"
    if isinstance(match, ScalarMatch):
        return f"{match.key.value} {neg}{{{', '.join(sorted(match.values))}}}{' (implied)' if match.implicit else ''}"
    if isinstance(match, FlagsMatch):
        return f"tcp flags & {match.mask:#x} {neg}{sorted(match.values)}"
    if isinstance(match, ConcatMatch):
        return f"concat {[d.name for d in match.dims]} {match.elements}"
    return f"UNKNOWN({getattr(match, 'reason', '')})"
