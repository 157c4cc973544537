"""Every folder in tests/fixtures/firewalls/juniper_junos/ with an expected.yaml: split config.txt
into command outputs, build the snapshot, parse it, and check each query's verdict per port (and
per packet) with the deciding policy, the inactive policies, warnings and shadowed policies."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from junos_harness import FIXTURES, make_snapshot, per_port, rule_name, run_query, split_commands

from pushaudit.errors import DataError
from pushaudit.firewalls.juniper_junos import load_topology, parse_junos
from pushaudit.netfilter.model import Dim
from pushaudit.netfilter.outcome import ClassResult
from pushaudit.netfilter.shadow import find_shadowed
from pushaudit.snapshot import HostSnapshot

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").exists())
_PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")


def _case(name: str, tmp_path: Path) -> tuple[HostSnapshot, dict[str, Any]]:
    folder = FIXTURES / name
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    outputs = split_commands((folder / "config.txt").read_text(encoding="utf-8"))
    snap = make_snapshot(tmp_path / name, outputs, client_networks=expected.get("client_networks"),
                         data=expected.get("data"))
    return snap, expected


def test_enough_cases() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_case(case: str, tmp_path: Path) -> None:
    snap, expected = _case(case, tmp_path)
    if "error" in expected:
        with pytest.raises(DataError) as caught:
            parse_junos(snap)
            load_topology(snap, snap.facts)
        assert caught.value.code == expected["error"], caught.value.message
        return
    firewall = parse_junos(snap)
    warnings = "\n".join(firewall.ruleset.warnings + load_topology(snap, snap.facts).warnings)
    for text in expected.get("warnings_contain", []):
        assert text in warnings, warnings
    assert sorted(p.name for p in firewall.inactive) == sorted(expected.get("inactive", []))
    for query in expected.get("queries", []):
        _check_query(snap, query)
    if "shadowed" in expected:
        assert sorted(_fully_shadowed(snap)) == sorted(expected["shadowed"])


def _check_query(snap: HostSnapshot, query: dict[str, Any]) -> None:
    results = run_query(snap, query)
    label = query.get("name", query["src"])
    ports = per_port(results, [int(p) for p in query.get("expect", {})])
    for port, want in query.get("expect", {}).items():
        got = ports[int(port)]
        assert got.verdicts == {want["verdict"]}, f"{label} port {port}: {got}"
        if "rule" in want:
            assert got.rules == {want["rule"]}, f"{label} port {port}: {got}"
        if "reason_contains" in want:
            assert any(want["reason_contains"] in r for r in got.reasons), f"{label} port {port}: {got.reasons}"
    for packet, want in query.get("packets", {}).items():
        result = _holding(results, packet)
        assert result.outcome.verdict.value == want["verdict"], f"{label} {packet}: {result.outcome.decided_by()}"
        if "rule" in want:
            assert rule_name(result) == want["rule"], f"{label} {packet}: {result.outcome.decided_by()}"


def _holding(results: list[ClassResult], packet: str) -> ClassResult:
    m = _PACKET.match(packet)
    assert m, f"bad packet {packet!r}"
    point = {Dim.SADDR: int(ipaddress.ip_address(m[1])), Dim.SPORT: int(m[2]),
             Dim.DADDR: int(ipaddress.ip_address(m[3])), Dim.DPORT: int(m[4])}
    found = [r for r in results if any(all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim)
                                       for cube in r.cubes)]
    assert len(found) == 1, f"{packet} is in {len(found)} classes"
    return found[0]


def _fully_shadowed(snap: HostSnapshot) -> list[str]:
    """Policies every rule of which an earlier rule of the same chain takes entirely."""
    table = parse_junos(snap).ruleset.tables[0]
    names: list[str] = []
    for name, chain in table.chains.items():
        if name == "forward":
            continue
        by_policy: dict[str, list[bool]] = {}
        for rule in chain.rules:
            by_policy.setdefault(rule.ref.comment, []).append(bool(find_shadowed(table, chain, [rule])))
        names += [policy for policy, flags in by_policy.items() if all(flags)]
    return names
