"""Interval algebra, box splitting and the evaluator's set/point consistency (property tests)."""

from __future__ import annotations

import ipaddress
import json
import random
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.intervals import complement, from_networks, intersect, normalize, subtract, to_networks
from pushaudit.netfilter.loader import load_ruleset
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.nft_json import parse_nft_json
from pushaudit.netfilter.space import cube_and, cube_minus, merge, split

from .conftest import FIXTURES, build_snapshot, fixture_commands

TOP = 300
interval = st.tuples(st.integers(0, TOP), st.integers(0, 40)).map(lambda t: (t[0], min(TOP, t[0] + t[1])))
interval_set = st.lists(interval, max_size=12).map(normalize)


def _points(s: tuple[tuple[int, int], ...]) -> set[int]:
    return {v for lo, hi in s for v in range(lo, hi + 1)}


@given(interval_set, interval_set)
def test_interval_algebra_matches_python_sets(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> None:
    assert _points(intersect(a, b)) == _points(a) & _points(b)
    assert _points(subtract(a, b)) == _points(a) - _points(b)
    assert _points(complement(a, TOP)) == set(range(TOP + 1)) - _points(a)
    for result in (intersect(a, b), subtract(a, b), complement(a, TOP)):
        assert result == normalize(result)  # stays sorted, disjoint, merged


def test_long_sets_take_the_binary_search_path() -> None:
    long = normalize((i * 10, i * 10 + 4) for i in range(100))
    short = ((13, 57), (995, 2000))
    assert _points(intersect(long, short)) == _points(long) & _points(short)
    assert _points(subtract(long, short)) == _points(long) - _points(short)


def test_networks_round_trip() -> None:
    nets = [ipaddress.ip_network("17.0.0.0/8"), ipaddress.ip_network("198.19.4.0/22")]
    assert to_networks(from_networks(nets), 4) == nets


cube = st.tuples(interval_set, interval_set, interval_set, interval_set).filter(all)
box = st.tuples(*(st.one_of(st.none(), interval_set.filter(bool)) for _ in range(4)))


def _cube_points(c: tuple[tuple[tuple[int, int], ...], ...], sample: list[tuple[int, int, int, int]]) -> set[int]:
    return {i for i, p in enumerate(sample) if all(any(lo <= p[d] <= hi for lo, hi in c[d]) for d in range(4))}


@settings(max_examples=150)
@given(cube, st.lists(box, min_size=1, max_size=3), st.lists(st.tuples(*(st.integers(0, TOP),) * 4), max_size=60))
def test_split_partitions_a_cube(c: tuple, boxes: list, sample: list) -> None:  # type: ignore[type-arg]
    hit, rest = split([c], boxes)
    inside = {i for i, p in enumerate(sample)
              if any(all(b[d] is None or any(lo <= p[d] <= hi for lo, hi in b[d]) for d in range(4)) for b in boxes)}
    mine = _cube_points(c, sample)
    hit_points = [_cube_points(h, sample) for h in hit]
    rest_points = [_cube_points(r, sample) for r in rest]
    assert set().union(*hit_points) == mine & inside
    assert set().union(*rest_points) == mine - inside
    everything = hit_points + rest_points
    assert sum(len(x) for x in everything) == len(set().union(*everything))  # pieces are disjoint
    for piece in merge(hit + rest):
        assert cube_and(piece, (None,) * 4) == piece
    assert all(cube_minus(piece, (None,) * 4) == [] for piece in hit)


def _fixture_queries() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    out = []
    for case in sorted(FIXTURES.iterdir()):
        if (case / "expected.yaml").exists():
            for spec in yaml.safe_load((case / "expected.yaml").read_text())["queries"]:
                out.append((case.name, spec))
    return out


_RULESETS: dict[str, Ruleset] = {}


def _ruleset(case: str) -> Ruleset:
    if case not in _RULESETS:
        with tempfile.TemporaryDirectory() as tmp:
            snap = build_snapshot(Path(tmp) / "h", role="firewall", client_networks=[],
                                  commands=fixture_commands(FIXTURES / case))
            _RULESETS[case] = load_ruleset(snap)
    return _RULESETS[case]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_point_queries_agree_with_set_queries(data: st.DataObject) -> None:
    """Evaluating one packet alone gives the outcome of the class that holds it."""
    case, spec = data.draw(st.sampled_from(_fixture_queries()))
    ruleset = _ruleset(case)
    src = from_networks([ipaddress.ip_network(s) for s in spec["src"]])
    dst = from_networks([ipaddress.ip_network(d) for d in spec["dst"]])
    ports = normalize((int(str(p).split("-")[0]), int(str(p).split("-")[-1])) for p in spec["ports"])
    family = ipaddress.ip_network(spec["src"][0]).version
    common = {"path": PathKind(spec.get("path", "forward")), "iif": spec.get("iif"), "oif": spec.get("oif")}
    whole = evaluate(ruleset, Query(family, src, dst, ports, **common))
    point = [data.draw(st.sampled_from(sorted({lo, hi, (lo + hi) // 2}))) for lo, hi in
             (data.draw(st.sampled_from(axis)) for axis in (src, dst, ((1024, 65535),), ports))]
    single = evaluate(ruleset, Query(family, ((point[0],) * 2,), ((point[1],) * 2,), ((point[3],) * 2,),
                                     sports=((point[2],) * 2,), **common))
    assert len(single) == 1
    values = {Dim.SADDR: point[0], Dim.DADDR: point[1], Dim.SPORT: point[2], Dim.DPORT: point[3]}
    [holding] = [r for r in whole
                 if any(all(any(lo <= values[d] <= hi for lo, hi in c[d]) for d in Dim) for c in r.cubes)]
    assert holding.outcome.verdict == single[0].outcome.verdict
    assert holding.outcome.rule == single[0].outcome.rule
    assert holding.outcome.nat == single[0].outcome.nat


def _synthetic_ruleset(rules: int) -> str:
    """A big forward chain: most rules concern other networks, some the clients and Apple."""
    rng = random.Random(5)
    items: list[dict] = [{"table": {"family": "inet", "name": "filter", "handle": 1}},  # type: ignore[type-arg]
                         {"chain": {"family": "inet", "table": "filter", "name": "forward", "handle": 1,
                                    "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}]

    def match(proto: str, field: str, right: object) -> dict:  # type: ignore[type-arg]
        return {"match": {"op": "==", "left": {"payload": {"protocol": proto, "field": field}}, "right": right}}

    for handle in range(2, rules + 2):
        roll = rng.random()
        if roll < 0.8:
            expr = [match("ip", "daddr", {"prefix": {"addr": f"10.{rng.randrange(256)}.{rng.randrange(256)}.0",
                                                     "len": 24}})]
        elif roll < 0.95:
            expr = [match("ip", "saddr", f"198.18.10.{rng.randrange(256)}")]
        else:
            expr = [match("ip", "daddr", {"prefix": {"addr": f"198.19.{rng.randrange(256)}.0", "len": 24}})]
        expr.append(match("tcp", "dport", rng.choice([443, 5223, 2197, 80, 8080, rng.randrange(1, 65535)])))
        expr.append({rng.choice(["accept", "drop"]): None})
        items.append({"rule": {"family": "inet", "table": "filter", "chain": "forward", "handle": handle,
                               "expr": expr}})
    return json.dumps({"nftables": items})


def test_twenty_thousand_rules_parse_and_evaluate() -> None:
    """Scale correctness only; time and memory are measured by benchmarks/bench_firewall.py."""
    started = time.monotonic()
    text = _synthetic_ruleset(20000)
    started = time.monotonic()
    ruleset = parse_nft_json(text)
    parsed = time.monotonic()
    query = Query(4, from_networks([ipaddress.ip_network("198.18.10.0/24")]),
                  from_networks([ipaddress.ip_network("198.19.4.0/22"), ipaddress.ip_network("198.19.16.0/20")]),
                  ((443, 443), (2197, 2197), (5223, 5223)), PathKind.FORWARD, iif="lan0", oif="wan0")
    results = evaluate(ruleset, query)
    done = time.monotonic()
    assert ruleset.rule_count() == 20000
    assert {r.outcome.verdict.value for r in results} >= {"accept", "drop"}
    print(f"20,000 nft rules: parse {parsed - started:.2f} s, evaluate {done - parsed:.2f} s (not asserted)")
