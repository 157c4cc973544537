"""The benchmark's Juniper SRX renderer (benchmarks/gen_junos.py) read back by the Junos parser,
and checked against the Cisco ASA rendering of the same shape.

Where the two platforms differ, and what is compared therefore:

* An ASA ACL is bound to the ingress interface only (``<zone>_access_in``): a rule the shape
  writes for inside1 -> dmz also decides inside1 -> outside traffic when its destination
  covers it (``any``, or a reused address group holding public ranges). An SRX policy is
  bound to its zone pair and never sees traffic of another pair. The APNs traffic analysed
  here leaves through ``outside`` (asserted), so the SRX rendering of the whole shape is
  compared with the ASA rendering of the rules towards ``outside`` only: there the two
  mean the same thing.
* The end of the rules is the ASA's implicit deny (the chain policy) and the SRX's
  ``default-policy deny-all`` (an explicit rule); both are compared as "(default deny)".

Packets are sampled from the classes of both analyses (corners and a seeded random point of
each class's boxes); each packet's verdict and deciding shape rule must agree between the
platforms' classes and with the brute-force evaluator on each platform's rules.
"""

from __future__ import annotations

import dataclasses
import importlib
import ipaddress
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pushaudit.firewalls import get_platform
from pushaudit.firewalls.juniper_junos_appterms import predefined
from pushaudit.interception import RuleRef
from pushaudit.netfilter.bruteforce import ProbePacket, decide
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.outcome import Verdict
from pushaudit.netfilter.space import Cube
from pushaudit.platforms import load_platform
from pushaudit.policy.loader import load_policy
from pushaudit.snapshot import HostSnapshot

if TYPE_CHECKING:
    from benchmarks.shape import Shape

REPO = Path(__file__).resolve().parents[2]
RULES = 300
SEEDS = (1, 2, 3)
PORTS = [5223, 443, 2197]
DEFAULT = "(default deny)"
Point = tuple[int, int, int, int]  # saddr, daddr, sport, dport


@dataclass(frozen=True)
class Bench:
    """The benchmark functions used here (``benchmarks/`` is a folder of scripts, not installed)."""

    make_shape: Callable[[int, int], Shape]
    render_junos: Callable[[Shape, str], dict[str, str]]
    render_asa: Callable[[Shape, str], dict[str, str]]
    builtin_apps: dict[tuple[str, int], str]


@pytest.fixture(scope="module")
def bench() -> Bench:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        shape = importlib.import_module("benchmarks.shape")
        gen_junos = importlib.import_module("benchmarks.gen_junos")
        gen_asa = importlib.import_module("benchmarks.gen_asa")
    return Bench(shape.make_shape, gen_junos.render_junos, gen_asa.render_asa, gen_junos.BUILTIN_APPS)


@dataclass
class Analysed:
    ruleset: Ruleset
    analysis: ForwardingAnalysis
    rule_name: Callable[[RuleRef | None], str]  # deciding rule -> shape rule name (or DEFAULT)


def host_snapshot(root: Path, platform: str, outputs: dict[str, str], shape: Shape) -> HostSnapshot:
    """One firewall host holding ``outputs``, as the benchmark stores it, read back afresh."""
    importlib.import_module("benchmarks.snapshots").store_host(root, platform, shape.client_networks, outputs)
    return HostSnapshot(root)


def analyse(host: HostSnapshot, platform: str, rule_name: Callable[[RuleRef | None], str]) -> Analysed:
    found = get_platform(platform)
    assert found is not None, platform
    ruleset = found.build_ruleset(host)
    assert ruleset.warnings == [], f"{platform}: {ruleset.warnings[:5]}"
    topology = found.build_topology(host, host.facts)
    networks = [ipaddress.ip_network(n) for n in host.facts.client_networks]
    analysis = analyse_forwarding(ruleset, topology, networks, load_policy().push_destinations(), PORTS)
    assert analysis.classes and not analysis.unroutable, platform
    return Analysed(ruleset, analysis, rule_name)


def junos_name(ref: RuleRef | None) -> str:
    """SRX policies carry their name as the comment; the default policy says so."""
    if ref is None or ref.comment == "default-policy":
        return DEFAULT
    return ref.comment


def asa_namer(access_lists: str, shape: Shape) -> Callable[[RuleRef | None], str]:
    """ASA rules point at their line of the access-list output: the n-th ACE is the n-th rule."""
    aces = [n for n, line in enumerate(access_lists.splitlines(), start=1) if " extended " in line]
    assert len(aces) == len(shape.rules)
    by_line = {line: rule.name for line, rule in zip(aces, shape.rules, strict=True)}

    def name(ref: RuleRef | None) -> str:
        if ref is None:
            return DEFAULT
        assert ref.source == "cmd:running_config_access_list", ref
        assert ref.line is not None
        return by_line[ref.line]

    return name


def policy_rules(ruleset: Ruleset) -> dict[str, list[str]]:
    """Zone-pair chain -> its policy names in order (a policy split in variants counts once)."""
    out: dict[str, list[str]] = {}
    for table in ruleset.tables:
        for chain in table.chains.values():
            if chain.hook is None:
                refs = dict.fromkeys((r.ref.index, r.ref.comment) for r in chain.rules)
                out[chain.name] = [comment for _, comment in refs]
    return out


def sample_points(cubes: tuple[Cube, ...], rng: random.Random, per_class: int = 3) -> list[Point]:
    """Corners of the first box and seeded random points of random boxes."""
    first = cubes[0]
    points = [tuple(first[d][0][0] for d in Dim), tuple(first[d][-1][1] for d in Dim)]
    for _ in range(per_class):
        cube = rng.choice(cubes)
        points.append(tuple(rng.randint(*rng.choice(cube[d])) for d in Dim))
    return [(p[Dim.SADDR], p[Dim.DADDR], p[Dim.SPORT], p[Dim.DPORT]) for p in points]


def holding(classes: list[FlowClass], network: ipaddress.IPv4Network | ipaddress.IPv6Network,
            point: Point) -> FlowClass:
    found = [c for c in classes if c.network == network and any(
        all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in c.result.cubes)]
    assert len(found) == 1, f"{network} {point}: {len(found)} classes hold it"
    return found[0]


def verdict_of(analysed: Analysed, flow: FlowClass, point: Point) -> tuple[str, str]:
    """The class's verdict and deciding rule, checked against brute force on the same packet."""
    outcome = flow.result.outcome
    packet = ProbePacket(flow.result.family, *point, iif=flow.iif, oif=flow.oif)
    truth = decide(analysed.ruleset, packet)
    assert (truth.verdict, truth.rule) == (outcome.verdict, outcome.rule), f"{packet}: {truth} vs {outcome.short()}"
    return outcome.verdict.value, analysed.rule_name(outcome.rule)


def test_outputs_and_applications(bench: Bench) -> None:
    """One output per collected command; predefined applications only where the parser knows
    them, with the port the renderer means."""
    outputs = bench.render_junos(bench.make_shape(RULES, 1), "fw-srx")
    assert set(outputs) == {c.id for c in load_platform("juniper_junos").commands}
    configuration = [text for cid, text in outputs.items() if cid != "show_version"]
    assert all(line.startswith("set ") for text in configuration for line in text.splitlines())
    known = predefined()
    for (proto, port), name in bench.builtin_apps.items():
        terms = known[name].terms
        assert [(t.protocol, t.dports) for t in terms] == [(proto, ((port, port),))], name
        assert terms[0].sports == ((0, 65535),), name


@pytest.mark.parametrize("seed", SEEDS)
def test_srx_parses_to_the_shape(bench: Bench, seed: int, tmp_path: Path) -> None:
    """No warning; one policy per shape rule, in the shape's order within each zone pair."""
    shape = bench.make_shape(RULES, seed)
    host = host_snapshot(tmp_path / "srx", "juniper_junos", bench.render_junos(shape, "fw-srx"), shape)
    platform = get_platform("juniper_junos")
    assert platform is not None
    ruleset = platform.build_ruleset(host)
    assert ruleset.warnings == []
    chains = policy_rules(ruleset)
    assert sum(len(names) for names in chains.values()) == len(shape.rules)
    expected: dict[str, list[str]] = {}
    for rule in shape.rules:
        expected.setdefault(f"from-zone {rule.src_zone} to-zone {rule.dst_zone}", []).append(rule.name)
    assert chains == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_srx_and_asa_agree_on_apns_traffic(bench: Bench, seed: int, tmp_path: Path) -> None:
    shape = bench.make_shape(RULES, seed)
    srx_host = host_snapshot(tmp_path / "srx", "juniper_junos", bench.render_junos(shape, "fw-srx"), shape)
    srx = analyse(srx_host, "juniper_junos", junos_name)
    assert {c.oif for c in srx.analysis.classes} == {"outside"}
    outward = dataclasses.replace(shape, rules=[r for r in shape.rules if r.dst_zone == "outside"])
    asa_outputs = bench.render_asa(outward, "fw-asa")
    asa_host = host_snapshot(tmp_path / "asa", "cisco_asa", asa_outputs, outward)
    asa = analyse(asa_host, "cisco_asa", asa_namer(asa_outputs["running_config_access_list"], outward))
    assert {(c.network, c.iif, c.oif) for c in srx.analysis.classes} == \
        {(c.network, c.iif, c.oif) for c in asa.analysis.classes}

    rng = random.Random(seed)  # reproducible sampling, nothing secret
    compared: Counter[str] = Counter()
    for flow in [*srx.analysis.classes, *asa.analysis.classes]:
        for point in sample_points(flow.result.cubes, rng):
            mine = verdict_of(srx, holding(srx.analysis.classes, flow.network, point), point)
            theirs = verdict_of(asa, holding(asa.analysis.classes, flow.network, point), point)
            assert mine == theirs, f"{flow.network} {point}: SRX {mine}, ASA {theirs}"
            compared[mine[0]] += 1
    assert compared[Verdict.DROP.value] > 0 and sum(compared.values()) >= 50, compared
