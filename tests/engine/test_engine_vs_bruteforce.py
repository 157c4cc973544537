"""Property: the set-based engine says, for every packet of every class, what the brute-force
oracle says for that packet alone, and its classes partition the query space."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from pushaudit.netfilter.space import Packet

from .compare import EngineAnswer, check_packet, holding, partition_problems, render
from .conftest import Tally, engine_settings
from .packets import Boundaries, families, packets_in, probe, queries
from .strategies import rulesets


@engine_settings(300)
@given(data=st.data())
def test_engine_agrees_with_bruteforce(data: st.DataObject, tally: Tally) -> None:
    family = data.draw(families, label="family")
    ruleset = data.draw(rulesets(family), label="ruleset")
    edges = Boundaries.of(ruleset)
    tally.rulesets += 1
    for _ in range(data.draw(st.integers(1, 2), label="queries")):
        query = data.draw(queries(family, ruleset), label="query")
        answer = EngineAnswer(ruleset, query)
        classes = answer.classes
        problems = partition_problems(classes, query)
        assert not problems, "classes do not partition the query:\n" + "\n".join(problems[:5]) + "\n" + render(ruleset)
        samples = data.draw(st.lists(packets_in(query, edges), min_size=1, max_size=12), label="packets")
        examples = [result.example() for result in classes]
        packets = samples + [probe(query, *_coords(p)) for p in examples]
        for packet in packets:
            truth = check_packet(answer, packet)
            tally.verdicts[truth.verdict.value] = tally.verdicts.get(truth.verdict.value, 0) + 1
        tally.queries += 1
        tally.classes += len(classes)
        tally.packets += len(packets)


@engine_settings(80)
@given(data=st.data())
def test_answers_do_not_depend_on_how_the_query_is_cut(data: st.DataObject, tally: Tally) -> None:
    """A part of the query space asked on its own gets, packet by packet, the outcome the whole
    query gave it (both without the branch budget, which is per query)."""
    family = data.draw(families, label="family")
    ruleset = data.draw(rulesets(family), label="ruleset")
    query = data.draw(queries(family, ruleset), label="query")
    src_lo, src_hi = data.draw(st.sampled_from(query.src), label="source interval")
    lo = data.draw(st.integers(src_lo, src_hi), label="part start")
    part = replace(query, src=((lo, data.draw(st.integers(lo, src_hi), label="part end")),),
                   dports=(data.draw(st.sampled_from(query.dports), label="port interval"),))
    whole = EngineAnswer(ruleset, query).unbounded()
    pieces = EngineAnswer(ruleset, part).unbounded()
    edges = Boundaries.of(ruleset)
    samples = data.draw(st.lists(packets_in(part, edges), min_size=1, max_size=8), label="packets")
    packets = samples + [probe(part, *_coords(r.example())) for r in pieces]
    for packet in packets:
        in_whole, in_part = holding(whole, packet), holding(pieces, packet)
        assert len(in_whole) == 1 and len(in_part) == 1, f"{packet} not in exactly one class\n{render(ruleset)}"
        a, b = in_whole[0].outcome, in_part[0].outcome
        assert (a.verdict, a.rule, a.policy_chain) == (b.verdict, b.rule, b.policy_chain), (
            f"{packet}: whole query says {a.short()}, the part says {b.short()}\n{render(ruleset)}")
    tally.rulesets += 1
    tally.queries += 2
    tally.classes += len(whole) + len(pieces)
    tally.packets += len(packets)


def _coords(packet: Packet) -> tuple[int, int, int, int]:
    return (packet.src, packet.dst, packet.sport, packet.dport)
