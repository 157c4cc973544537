"""Every folder in tests/fixtures/firewalls/paloalto_panos/ with an expected.yaml (format in the
README.md there): build the snapshot from config.txt, parse it with the platform, run the
forwarding analysis the firewall check runs and compare verdicts, deciding rules, reasons,
shadowed rules, disabled rules, decryption rules, topology and fix snippets."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml
from command_outputs import split_outputs
from panos_harness import FIXTURES, analyse, holding, make_snapshot

from pushaudit.errors import DataError
from pushaudit.firewalls.paloalto_panos import PLATFORM, load_policy
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis
from pushaudit.netfilter.intervals import from_networks, intersect, to_networks
from pushaudit.netfilter.model import Dim
from pushaudit.netfilter.remediation import Traffic
from pushaudit.snapshot import HostSnapshot

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").exists())


def _load(case: str, tmp_path: Path) -> tuple[HostSnapshot, dict[str, Any]]:
    folder = FIXTURES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    host = expected.get("host") or {}
    commands = split_outputs((folder / "config.txt").read_text(encoding="utf-8"), "config_running")
    snap = make_snapshot(tmp_path / case, commands, client_networks=host.get("client_networks"),
                         data=host.get("data"))
    return snap, expected


def _check_point(analysis: ForwardingAnalysis, point: dict[str, Any], snap: HostSnapshot, ports: list[int]) -> None:
    flow = holding(analysis, point["packet"])
    outcome = flow.result.outcome
    assert outcome.verdict.value == point["verdict"], f"{point['packet']}: {outcome.decided_by()}"
    if "rule" in point:
        got = outcome.rule.comment if outcome.rule is not None else None
        assert got == point["rule"], f"{point['packet']}: {outcome.decided_by()}"
    for key in ("index", "line"):
        if key in point:
            assert outcome.rule is not None and getattr(outcome.rule, key) == point[key], outcome.decided_by()
    for text in point.get("reason_contains", []):
        assert text in outcome.reason, outcome.reason
    for key in ("iif", "oif"):
        if key in point:
            assert getattr(flow, key) == point[key]
    if "fix_contains" in point:
        fix = _fix(snap, flow, ports)
        for text in point["fix_contains"]:
            assert text in fix, fix
        for text in point.get("fix_lacks", []):
            assert text not in fix, fix


def _fix(snap: HostSnapshot, flow: FlowClass, ports: list[int]) -> str:
    ruleset = PLATFORM.build_ruleset(snap)
    outcome = flow.result.outcome
    ref = outcome.rule
    if ref is not None:
        table, chain = ruleset.find_table(ref.source, ref.family, ref.table), ref.chain
    else:
        assert outcome.policy_chain is not None
        cid = outcome.policy_chain
        table, chain = ruleset.find_table(cid.source, cid.family, cid.table), cid.chain
    assert table is not None
    # as the check words it: the class's destinations as CIDR blocks
    dests = tuple(str(n) for n in to_networks(flow.result.axis(Dim.DADDR), flow.network.version))
    traffic = Traffic(flow.network.version, (str(flow.network),), dests, tuple(ports), iif=flow.iif, oif=flow.oif)
    return PLATFORM.allow_snippet(table, chain, ref, traffic)


def _check_error(snap: HostSnapshot, want: dict[str, Any]) -> None:
    with pytest.raises(DataError) as info:
        PLATFORM.build_ruleset(snap)
    assert info.value.code == want["code"]
    assert want.get("message_contains", "") in info.value.message
    if "line" in want:
        assert info.value.line == want["line"]


def _check_model(snap: HostSnapshot, expected: dict[str, Any]) -> None:
    ruleset = PLATFORM.build_ruleset(snap)
    policy = load_policy(snap)
    for text in expected.get("warnings_contain", []):
        assert any(text in w for w in ruleset.warnings), ruleset.warnings
    if "warnings" in expected:
        assert len(ruleset.warnings) == expected["warnings"], ruleset.warnings
    if "disabled" in expected:
        assert [r.name for r in policy.disabled] == expected["disabled"]
    if "decryption" in expected:
        got = [{"name": r.name, "action": r.action, "type": r.decryption_type, "disabled": r.disabled}
               for r in policy.decryption]
        assert got == expected["decryption"]


def _check_topology(snap: HostSnapshot, want: dict[str, Any]) -> None:
    topology = PLATFORM.build_topology(snap, snap.facts)
    if "known" in want:
        assert topology.known is want["known"], topology.warnings
    for network, zone in want.get("ingress", {}).items():
        assert topology.ingress_interface(ipaddress.ip_network(network)) == zone
    for network, zone in want.get("egress", {}).items():
        block = from_networks([ipaddress.ip_network(network)])
        assert topology.egress_split(ipaddress.ip_network(network).version, block) == [(block, zone)]
    for text in want.get("warnings_contain", []):
        assert any(text in w for w in topology.warnings), topology.warnings


def _check_query(snap: HostSnapshot, query: dict[str, Any]) -> None:
    analysis = analyse(snap, query["networks"], query["destinations"], query["ports"])
    for point in query.get("points", []):
        _check_point(analysis, point, snap, query["ports"])
    if "shadowed" in query:
        assert sorted(s.rule.comment for s in analysis.shadowed) == sorted(query["shadowed"]), \
            [s.describe() for s in analysis.shadowed]
    if "unroutable" in query:
        gaps = [g.destinations for g in analysis.unroutable]
        for network in query["unroutable"]:
            probe = from_networks([ipaddress.ip_network(network)])
            assert any(intersect(g, probe) == probe for g in gaps), (network, gaps)
        if not query["unroutable"]:
            assert not gaps, gaps
    if query.get("all_decided"):
        assert all(c.result.outcome.verdict.value != "unknown" for c in analysis.classes)


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str, tmp_path: Path) -> None:
    snap, expected = _load(case, tmp_path)
    if "error" in expected:
        _check_error(snap, expected["error"])
        return
    _check_model(snap, expected)
    _check_topology(snap, expected.get("topology") or {})
    assert expected["queries"], "a fixture without queries tests nothing"
    for query in expected["queries"]:
        _check_query(snap, query)


def test_every_fixture_folder_has_expectations() -> None:
    folders = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "config.txt").exists())
    assert folders == CASES
    assert len(CASES) >= 6
