"""Every case folder in tests/fixtures/firewalls/fortinet/ (config.txt + expected.yaml): build the
snapshot, the ruleset and the topology as the platform does, run the forwarding analysis the
firewall check runs, and compare verdicts, deciding policies, routing gaps and shadowed policies."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from command_outputs import split_outputs
from fortinet_harness import CASES, make_snapshot

from pushaudit.errors import DataError
from pushaudit.firewalls.fortinet import PLATFORM, load_config
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.intervals import describe_addrs, intersect
from pushaudit.netfilter.model import Dim
from pushaudit.netfilter.outcome import Outcome
from pushaudit.policy import load_policy

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.yaml").exists())
_PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")


def _nets(items: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(i) for i in items]


def _check_decider(outcome: Outcome, want: Any) -> None:
    """``policy``: a policy id, ``implicit-deny`` or ``intrazone:<zone>``."""
    if want == "implicit-deny":
        assert outcome.rule is None and outcome.policy_chain is not None, outcome.decided_by()
    elif isinstance(want, str) and want.startswith("intrazone:"):
        assert outcome.rule is not None and outcome.rule.source == "cmd:system_zone", outcome.decided_by()
        assert f'zone "{want.split(":", 1)[1]}"' in outcome.rule.text
    else:
        assert outcome.rule is not None, outcome.decided_by()
        assert (outcome.rule.source, outcome.rule.handle) == ("cmd:firewall_policy", int(want)), outcome.decided_by()


def _check(outcome: Outcome, spec: dict[str, Any]) -> None:
    assert outcome.verdict.value == spec["verdict"], outcome.decided_by()
    if "policy" in spec:
        _check_decider(outcome, spec["policy"])
    if "reason_contains" in spec:
        assert spec["reason_contains"] in outcome.reason, outcome.reason


def _holding(analysis: ForwardingAnalysis, packet: str) -> FlowClass:
    m = _PACKET.match(packet)
    assert m, f"bad packet {packet!r}"
    point = {Dim.SADDR: int(ipaddress.ip_address(m[1])), Dim.SPORT: int(m[2]),
             Dim.DADDR: int(ipaddress.ip_address(m[3])), Dim.DPORT: int(m[4])}
    found = [c for c in analysis.classes
             if any(all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in c.result.cubes)]
    assert len(found) == 1, f"{packet} is in {len(found)} classes"
    return found[0]


def _run_query(ruleset: Any, topology: Any, spec: dict[str, Any], defaults: dict[str, Any]) -> None:
    networks = _nets(spec.get("networks", defaults["client_networks"]))
    destinations = _nets(spec["destinations"]) if "destinations" in spec else defaults["destinations"]
    ports = spec.get("ports", defaults["ports"])
    analysis = analyse_forwarding(ruleset, topology, networks, destinations, ports)
    assert analysis.classes or analysis.unroutable, "the query produced nothing to check"
    for flow in analysis.classes:
        if "iif" in spec:
            assert flow.iif == spec["iif"], (flow.network, flow.iif)
    for port, want in spec.get("by_port", {}).items():
        holding = [c for c in analysis.classes if intersect(c.result.axis(Dim.DPORT), ((port, port),))]
        assert holding, f"no class holds port {port}"
        for flow in holding:
            _check(flow.result.outcome, want)
    for point in spec.get("points", []):
        flow = _holding(analysis, point["packet"])
        _check(flow.result.outcome, point)
        if "oif" in point:
            assert flow.oif == point["oif"]
    if "unroutable" in spec:
        got = sorted(describe_addrs(u.destinations, u.network.version) for u in analysis.unroutable)
        assert got == sorted(spec["unroutable"])
    if "shadowed" in spec:
        assert sorted(s.rule.handle or 0 for s in analysis.shadowed) == sorted(spec["shadowed"]), \
            [s.describe() for s in analysis.shadowed]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case(case: str, tmp_path: Path) -> None:
    folder = CASES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    commands = split_outputs((folder / "config.txt").read_text())
    snap = make_snapshot(tmp_path / "snap", commands, client_networks=expected.get("client_networks", []),
                         data=expected.get("data", {}))
    if "error" in expected:
        with pytest.raises(DataError) as info:
            load_config(snap)
            PLATFORM.build_topology(snap, snap.facts)
        assert info.value.code == expected["error"], info.value.message
        assert expected.get("message_contains", "") in info.value.message
        return
    config = load_config(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    warnings = config.ruleset.warnings + topology.warnings
    for text in expected.get("warnings_contain", []):
        assert any(text in w for w in warnings), warnings
    assert sorted(int(p.policy_id) for p in config.disabled_policies) == sorted(expected.get("disabled", []))
    if "topology_known" in expected:
        assert topology.known is expected["topology_known"], topology.warnings
    policy = load_policy([])
    defaults = {"client_networks": expected.get("client_networks", []), "ports": list(policy.apns.ports),
                "destinations": policy.push_destinations()}
    assert expected["queries"], "a case without queries tests nothing"
    for spec in expected["queries"]:
        try:
            _run_query(config.ruleset, topology, spec, defaults)
        except AssertionError as exc:
            raise AssertionError(f"query {spec['name']!r}: {exc}") from exc


def test_every_case_folder_has_expectations() -> None:
    folders = sorted(p.name for p in CASES.iterdir() if p.is_dir())
    assert folders == CASE_NAMES
    assert len(CASE_NAMES) >= 6
