"""The FortiGate renderer of the firewall benchmark (benchmarks/gen_fortinet.py), read back by the
FortiGate parser and compared with the same shape rendered for, and parsed as, a Cisco ASA.

The two platforms genuinely differ in one point the comparison must allow for. A FortiGate policy
names its egress (``dstintf``); an ASA inbound ACL (``<nameif>_access_in``) does not, so on the
ASA a rule the shape wrote for inside1 -> dmz (or -> a site) also matches inside1 -> outside
traffic when its addresses and ports do (``any`` destinations, reused address groups). Hence:

* against the ASA rendering of the shape's rules towards ``outside`` only, every sampled packet
  of the client networks to Apple's ranges gets the same verdict from the same rule (or from the
  implicit deny on both);
* against the ASA rendering of the whole shape, a packet may differ only where the ASA's deciding
  rule leads to another zone; where it leads to ``outside``, or nothing matched (implicit deny on
  both: the end of the ACL on the ASA, policy 0 on the FortiGate), the two agree.

Packets are drawn from every class of every analysis (its example plus random points) and
uniformly over the queried space, and looked up in the classes of the other analyses.
"""

from __future__ import annotations

import importlib
import ipaddress
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from pushaudit.firewalls import get_platform
from pushaudit.firewalls.fortinet_load import load_config
from pushaudit.interception import RuleRef
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.intervals import IntervalSet
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.outcome import Verdict
from pushaudit.platforms import load_platform
from pushaudit.policy.loader import load_policy
from pushaudit.snapshot import HostSnapshot

if TYPE_CHECKING:  # imported at run time through the ``bench`` fixture (benchmarks/ is not installed)
    from benchmarks.shape import FwRule, Shape

REPO = Path(__file__).resolve().parents[2]
RULES = 300
SEEDS = (1, 2, 3)
APNS_PORTS = [5223, 443, 2197]
SPORTS: IntervalSet = ((1024, 65535),)  # the queries' source ports (Query's default)
RANDOM_PER_CLASS = 4
UNIFORM = 60

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
Point = tuple[IPNet, int, int, int, int]  # client network, source, destination, sport, dport
Decision = tuple[Verdict, str | None]  # verdict and the shape rule that decided it (None: implicit deny)


@pytest.fixture(scope="module")
def bench() -> dict[str, ModuleType]:
    """The benchmark modules; ``benchmarks/`` is a folder of scripts, not an installed package."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        return {n: importlib.import_module(f"benchmarks.{n}") for n in ("gen_asa", "gen_fortinet", "shape")}


@dataclass
class Parsed:
    """One rendering read back by its platform and analysed like ``benchmarks/measure.py`` does."""

    outputs: dict[str, str]
    host: HostSnapshot
    ruleset: Ruleset
    topology: Topology
    analysis: ForwardingAnalysis


@dataclass
class Case:
    shape: Shape
    fortinet: Parsed
    asa: Parsed
    asa_outside: Parsed  # the ASA with only the shape's rules towards ``outside``
    ports: dict[str, str]  # shape zone -> FortiGate interface


def _host(root: Path, platform: str, client_networks: list[str], outputs: dict[str, str]) -> HostSnapshot:
    """A host snapshot as the benchmark writes one, read back through a fresh reader."""
    importlib.import_module("benchmarks.snapshots").store_host(root, platform, client_networks, outputs)
    return HostSnapshot(root)


def _parse(root: Path, platform: str, shape: Shape, outputs: dict[str, str]) -> Parsed:
    host = _host(root, platform, shape.client_networks, outputs)
    found = get_platform(platform)
    assert found is not None, f"no pushaudit/firewalls/{platform}.py"
    ruleset = found.build_ruleset(host)
    topology = found.build_topology(host, host.facts)
    networks: list[IPNet] = [ipaddress.ip_network(n) for n in shape.client_networks]
    analysis = analyse_forwarding(ruleset, topology, networks, load_policy().push_destinations(), APNS_PORTS)
    return Parsed(outputs, host, ruleset, topology, analysis)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def case(request: pytest.FixtureRequest, bench: dict[str, ModuleType],
         tmp_path_factory: pytest.TempPathFactory) -> Case:
    shape = bench["shape"].make_shape(RULES, request.param)
    outside_only = replace(shape, rules=[r for r in shape.rules if r.dst_zone == "outside"])
    root = tmp_path_factory.mktemp(f"fortinet-seed{request.param}")
    fortinet = bench["gen_fortinet"]
    return Case(
        shape=shape,
        fortinet=_parse(root / "fgt", "fortinet", shape, fortinet.render_fortinet(shape)),
        asa=_parse(root / "asa", "cisco_asa", shape, bench["gen_asa"].render_asa(shape)),
        asa_outside=_parse(root / "asa-outside", "cisco_asa", outside_only, bench["gen_asa"].render_asa(outside_only)),
        ports=fortinet.FortinetRenderer(shape, "fw-fgt").ports,
    )


# -- naming the deciding rule in shape terms -------------------------------------------------------

def _fortinet_name(ref: RuleRef) -> str:
    """Policy names are the shape's rule names."""
    assert ref.source == "cmd:firewall_policy", ref
    return ref.comment


def _asa_namer(parsed: Parsed, rules: list[FwRule]) -> Callable[[RuleRef], str]:
    """ASA RuleRefs carry the line of their ACE in the access-list output; the renderer writes one
    ACE per shape rule, in order, with remarks in between."""
    aces = [n for n, line in enumerate(parsed.outputs["running_config_access_list"].splitlines(), start=1)
            if " extended " in line]
    assert len(aces) == len(rules)
    by_line = {line: rule.name for line, rule in zip(aces, rules, strict=True)}

    def name(ref: RuleRef) -> str:
        assert ref.source == "cmd:running_config_access_list" and ref.line in by_line, ref
        return by_line[ref.line]

    return name


def _decision(found: FlowClass | None, name: Callable[[RuleRef], str]) -> Decision:
    assert found is not None, "a sampled packet lies in no class"
    outcome = found.result.outcome
    return outcome.verdict, name(outcome.rule) if outcome.rule is not None else None


# -- packets -----------------------------------------------------------------------------------------

def _pick(rng: random.Random, axis: IntervalSet) -> int:
    lo, hi = rng.choice(axis)
    return rng.randint(lo, hi)


def _class_points(analysis: ForwardingAnalysis, rng: random.Random) -> Iterator[Point]:
    """Each class's example packet and a few random packets of its cubes."""
    for flow in analysis.classes:
        example = flow.result.example()
        yield flow.network, example.src, example.dst, example.sport, example.dport
        for _ in range(RANDOM_PER_CLASS):
            cube = rng.choice(flow.result.cubes)
            yield (flow.network, _pick(rng, cube[Dim.SADDR]), _pick(rng, cube[Dim.DADDR]), _pick(rng, cube[Dim.SPORT]),
                   _pick(rng, cube[Dim.DPORT]))


def _uniform_points(networks: list[IPNet], destinations: list[IPNet], rng: random.Random) -> Iterator[Point]:
    for _ in range(UNIFORM):
        net = rng.choice(networks)
        dst = rng.choice([d for d in destinations if d.version == net.version])
        yield (net, rng.randint(int(net.network_address), int(net.broadcast_address)),
               rng.randint(int(dst.network_address), int(dst.broadcast_address)), _pick(rng, SPORTS),
               rng.choice(APNS_PORTS))


def _holding(analysis: ForwardingAnalysis, point: Point) -> FlowClass | None:
    net, *values = point
    return next((f for f in analysis.classes if f.network == net and any(
        all(any(lo <= values[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in f.result.cubes)), None)


def _points(case: Case, seed: int) -> list[Point]:
    rng = random.Random(seed)
    networks: list[IPNet] = [ipaddress.ip_network(n) for n in case.shape.client_networks]
    points: list[Point] = []
    for parsed in (case.fortinet, case.asa, case.asa_outside):
        points += _class_points(parsed.analysis, rng)
    points += _uniform_points(networks, load_policy().push_destinations(), rng)
    return list(dict.fromkeys(points))


# -- tests -------------------------------------------------------------------------------------------

def test_one_output_per_collected_command(bench: dict[str, ModuleType]) -> None:
    outputs = bench["gen_fortinet"].render_fortinet(bench["shape"].make_shape(50, 1))
    assert set(outputs) == {c.id for c in load_platform("fortinet").commands}
    assert "Virtual domain configuration: disable" in outputs["system_status"].splitlines()
    for command_id, text in outputs.items():
        if command_id != "system_status":
            lines = text.splitlines()
            assert lines[0].startswith("config ") and lines[-1] == "end" and text.endswith("\n"), command_id


def test_parses_cleanly_one_policy_per_rule(case: Case) -> None:
    fgt, rules = case.fortinet, case.shape.rules
    assert fgt.ruleset.warnings == []
    assert fgt.topology.known and fgt.topology.warnings == []
    refs = list(dict.fromkeys(r.ref for t in fgt.ruleset.tables for c in t.chains.values() for r in c.rules))
    assert len(refs) == len(rules)
    assert [(r.handle, r.comment) for r in refs] == [(n, rule.name) for n, rule in enumerate(rules, start=1)]
    config = load_config(fgt.host)
    assert len(config.policies.policies) == len(rules) and not config.policies.disabled
    assert config.ssl_ssh_profiles == {} and config.proxy_policies == [] and not config.interfaces.zones
    assert {(f.iif, f.oif) for f in fgt.analysis.classes} <= {
        (case.ports[z.name], case.ports["outside"]) for z in case.shape.zones if z.name.startswith("inside")}
    assert not fgt.analysis.unroutable and not fgt.analysis.skipped
    assert Verdict.UNKNOWN not in {f.result.outcome.verdict for f in fgt.analysis.classes}


def test_verdicts_match_the_asa_rendering(case: Case, request: pytest.FixtureRequest) -> None:
    for parsed in (case.asa, case.asa_outside):
        assert parsed.ruleset.warnings == [] and parsed.topology.known
    outside = {r.name for r in case.shape.rules if r.dst_zone == "outside"}
    asa_name = _asa_namer(case.asa, case.shape.rules)
    asa_outside_name = _asa_namer(case.asa_outside, [r for r in case.shape.rules if r.name in outside])
    points = _points(case, seed=sum(map(ord, request.node.name)))
    assert len(points) >= UNIFORM
    explained: list[Point] = []
    per_class: dict[int, set[Decision]] = {}
    for point in points:
        found = _holding(case.fortinet.analysis, point)
        fgt = _decision(found, _fortinet_name)
        per_class.setdefault(id(found), set()).add(fgt)
        assert _decision(_holding(case.asa_outside.analysis, point), asa_outside_name) == fgt, point
        asa = _decision(_holding(case.asa.analysis, point), asa_name)
        if asa[1] is None or asa[1] in outside:
            assert asa == fgt, point
        else:  # decided on the ASA by a rule towards another zone, which a FortiGate policy never applies here
            explained.append(point)
    assert all(len(seen) == 1 for seen in per_class.values()), "one FortiGate class, several outcomes"
    assert len(explained) < len(points), "every packet decided by an ASA rule towards another zone"
