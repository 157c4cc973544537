"""Every folder in tests/fixtures/firewalls/cisco_asa/ with an expected.yaml: build the snapshot
from config.txt, parse it with the platform, run the forwarding analysis the firewall check
uses, and compare verdicts, deciding rules, shadowed rules, inactive ACEs and fix snippets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from asa_harness import FIXTURES, holding, make_snapshot, networks
from command_outputs import split_outputs
from fixture_points import assert_decided

from pushaudit.errors import DataError
from pushaudit.firewalls.cisco_asa import PLATFORM, AsaRuleset
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.intervals import describe_addrs, from_networks, intersect, size, to_networks
from pushaudit.netfilter.model import Dim
from pushaudit.netfilter.remediation import Traffic

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").exists())


def _load(case: str, tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    folder = FIXTURES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    commands = split_outputs((folder / "config.txt").read_text(encoding="utf-8"))
    snap = make_snapshot(tmp_path / case, commands, client_networks=expected.get("client_networks"),
                         data=expected.get("data"))
    return snap, expected


def _snippet(ruleset: AsaRuleset, flow: FlowClass, ports: list[int]) -> str:
    """The fix for one dropped class, placed as the firewall check places it."""
    outcome = flow.result.outcome
    if outcome.rule is not None:
        ref = outcome.rule
        table = ruleset.find_table(ref.source, ref.family, ref.table)
        chain, before = ref.chain, ref
    else:
        assert outcome.policy_chain is not None
        cid = outcome.policy_chain
        table = ruleset.find_table(cid.source, cid.family, cid.table)
        chain, before = cid.chain, None
    assert table is not None
    family = flow.network.version
    dests = tuple(str(n) for n in to_networks(flow.result.axis(Dim.DADDR), family))[:8]
    blocked = tuple(p for p in ports if intersect(flow.result.axis(Dim.DPORT), ((p, p),)))
    traffic = Traffic(family, (str(flow.network),), dests, blocked, iif=flow.iif, oif=flow.oif)
    return PLATFORM.allow_snippet(table, chain, before, traffic)


def _check_point(ruleset: AsaRuleset, flow: FlowClass, point: dict[str, Any], ports: list[int]) -> None:
    outcome = flow.result.outcome
    assert_decided(outcome, point)
    if "reason_contains" in point:
        assert point["reason_contains"] in outcome.reason, outcome.reason
    for key in ("iif", "oif"):
        if key in point:
            assert getattr(flow, key) == point[key]
    for text in point.get("snippet_contains", []):
        snippet = _snippet(ruleset, flow, ports)
        assert text in snippet, snippet


def _check_partition(analysis: ForwardingAnalysis, spec: dict[str, Any]) -> None:
    """The classes and the unroutable parts together hold every packet exactly once."""
    for net in networks(spec["src"]):
        dst = from_networks([d for d in networks(spec["dst"]) if d.version == net.version])
        want = size(from_networks([net])) * size(dst) * size(((1024, 65535),)) * len(set(spec["ports"]))
        got = sum(size(c[Dim.SADDR]) * size(c[Dim.DADDR]) * size(c[Dim.SPORT]) * size(c[Dim.DPORT])
                  for flow in analysis.classes if flow.network == net for c in flow.result.cubes)
        gaps = sum(size(g.destinations) for g in analysis.unroutable if g.network == net)
        assert got + gaps * size(from_networks([net])) * size(((1024, 65535),)) * len(set(spec["ports"])) == want


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str, tmp_path: Path) -> None:
    snap, expected = _load(case, tmp_path)
    if "error" in expected:
        with pytest.raises(DataError) as caught:
            PLATFORM.build_ruleset(snap)
        assert caught.value.code == expected["error"]
        assert expected.get("error_contains", "") in caught.value.message
        return
    ruleset = PLATFORM.build_ruleset(snap)
    assert isinstance(ruleset, AsaRuleset)
    topology = PLATFORM.build_topology(snap, snap.facts)
    for text in expected.get("warnings_contain", []):
        assert any(text in w for w in ruleset.warnings), ruleset.warnings
    if expected.get("no_warnings"):
        assert ruleset.warnings == []
    for text in expected.get("topology_warnings_contain", []):
        assert any(text in w for w in topology.warnings), topology.warnings
    if "inactive" in expected:
        assert sorted((r.chain, r.index) for r in ruleset.inactive) == sorted(
            (i["chain"], i["index"]) for i in expected["inactive"])
    assert expected["queries"], "a fixture without queries tests nothing"
    for spec in expected["queries"]:
        analysis = analyse_forwarding(ruleset, topology, networks(spec["src"]), networks(spec["dst"]), spec["ports"])
        _check_partition(analysis, spec)
        for point in spec["points"]:
            _check_point(ruleset, holding(analysis, point["packet"]), point, spec["ports"])
        if "shadowed" in spec:
            found = sorted((s.rule.chain, s.rule.index) for s in analysis.shadowed)
            assert found == sorted((s["chain"], s["index"]) for s in spec["shadowed"]), spec["name"]
        if "unroutable" in spec:
            found_gaps = sorted(describe_addrs(g.destinations, g.network.version) for g in analysis.unroutable)
            assert found_gaps == sorted(spec["unroutable"]), spec["name"]


def test_every_fixture_folder_has_expectations() -> None:
    folders = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert folders == CASES
    assert len(CASES) >= 6
