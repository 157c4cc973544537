"""Every folder in tests/fixtures/netfilter/ with an expected.yaml: load the dumps the way a
snapshot is loaded, run each query, and check the verdict of the class holding each packet."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_points import assert_decided

from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.intervals import from_networks, normalize, size
from pushaudit.netfilter.loader import load_ruleset
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.outcome import ClassResult

from .conftest import FIXTURES, build_snapshot, fixture_commands

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").exists())
_PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")


def _load(case: str, tmp_path: Path) -> tuple[Ruleset, dict[str, Any]]:
    folder = FIXTURES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    snap = build_snapshot(tmp_path / case, role="firewall", client_networks=[], commands=fixture_commands(folder))
    return load_ruleset(snap), expected


def _ports(items: list[int | str]) -> tuple[tuple[int, int], ...]:
    out = []
    for item in items:
        lo, _, hi = str(item).partition("-")
        out.append((int(lo), int(hi or lo)))
    return normalize(out)


def _query(spec: dict[str, Any]) -> Query:
    src = [ipaddress.ip_network(s) for s in spec["src"]]
    dst = [ipaddress.ip_network(d) for d in spec["dst"]]
    return Query(src[0].version, from_networks(src), from_networks(dst), _ports(spec["ports"]),
                 PathKind(spec.get("path", "forward")), iif=spec.get("iif"), oif=spec.get("oif"))


def _holding(results: list[ClassResult], packet: str) -> ClassResult:
    m = _PACKET.match(packet)
    assert m, f"bad packet {packet!r}"
    src, sport, dst, dport = int(ipaddress.ip_address(m[1])), int(m[2]), int(ipaddress.ip_address(m[3])), int(m[4])
    point = {Dim.SADDR: src, Dim.SPORT: sport, Dim.DADDR: dst, Dim.DPORT: dport}
    found = [r for r in results if any(all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim)
                                       for cube in r.cubes)]
    assert len(found) == 1, f"{packet} is in {len(found)} classes"
    return found[0]


def _check_point(result: ClassResult, point: dict[str, Any]) -> None:
    outcome = result.outcome
    assert_decided(outcome, point)
    if "nat" in point:
        want_nat = point["nat"]
        got_nat = None if outcome.nat is None else {"kind": outcome.nat.nat.kind, "port": outcome.nat.nat.port}
        assert got_nat == want_nat
    if "reason_contains" in point:
        assert point["reason_contains"] in outcome.reason


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str, tmp_path: Path) -> None:
    ruleset, expected = _load(case, tmp_path)
    for text in expected.get("warnings_contain", []):
        assert any(text in w for w in ruleset.warnings), ruleset.warnings
    assert expected["queries"], "a fixture without queries tests nothing"
    for spec in expected["queries"]:
        query = _query(spec)
        results = evaluate(ruleset, query)
        # The classes partition the query space exactly: nothing lost, nothing counted twice.
        space = size(query.src) * size(query.dst) * size(query.sports) * size(query.dports)
        covered = sum(size(c[Dim.SADDR]) * size(c[Dim.DADDR]) * size(c[Dim.SPORT]) * size(c[Dim.DPORT])
                      for r in results for c in r.cubes)
        assert covered == space, spec["name"]
        if "classes" in spec:
            assert len(results) == spec["classes"], [r.outcome.decided_by() for r in results]
        for point in spec["points"]:
            _check_point(_holding(results, point["packet"]), point)


def test_every_fixture_folder_has_expectations() -> None:
    folders = [p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "ruleset.json").exists()]
    assert sorted(folders) == CASES
