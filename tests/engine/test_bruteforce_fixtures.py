"""The oracle checked on its own: every packet listed in tests/fixtures/netfilter/*/expected.yaml
(written by hand from the netfilter documentation) gets the listed verdict, deciding rule,
policy chain and translation from the brute-force evaluator."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pushaudit.interception import RuleRef
from pushaudit.netfilter.bruteforce import ProbePacket, decide
from pushaudit.netfilter.loader import load_ruleset
from pushaudit.netfilter.model import Action, Chain, Rule, Ruleset, Table, UnknownMatch
from pushaudit.netfilter.outcome import Verdict
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netfilter"
_FILES = {"ruleset.json": "nft_ruleset", "iptables-save.txt": "iptables_save",
          "iptables-legacy-save.txt": "iptables_legacy_save"}
_PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").exists()) if FIXTURES.is_dir() else []


def _ruleset(case: Path, tmp_path: Path) -> Ruleset:
    facts = HostFacts(name="h1", hostname="192.0.2.1", port=22, platform="linux", role="firewall",
                      connection=Connection(ok=True))
    snap = HostSnapshot.create(tmp_path / case.name, facts)
    for name, command_id in _FILES.items():
        if (case / name).exists():
            record = CommandRecord(command_id, command_id, "2026-01-01T00:00:00+00:00", 0.1, 0, "")
            snap.add_command(record, (case / name).read_text())
    snap.save()
    return load_ruleset(HostSnapshot(snap.root))


def _points(case: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    expected = yaml.safe_load((FIXTURES / case / "expected.yaml").read_text())
    return [(query, point) for query in expected.get("queries", []) for point in query.get("points", [])]


@pytest.mark.parametrize("case", CASES)
def test_bruteforce_matches_hand_written_expectations(case: str, tmp_path: Path) -> None:
    ruleset = _ruleset(FIXTURES / case, tmp_path)
    points = _points(case)
    assert points, f"{case}: no packets listed"
    for query, point in points:
        m = _PACKET.match(point["packet"])
        assert m, point
        src, dst = ipaddress.ip_address(m[1]), ipaddress.ip_address(m[3])
        packet = ProbePacket(src.version, int(src), int(dst), int(m[2]), int(m[4]), iif=query.get("iif"),
                             oif=query.get("oif"), path=query.get("path", "forward"))
        got = decide(ruleset, packet)
        where = f"{case}: {point['packet']}"
        assert got.verdict.value == point["verdict"], f"{where}: {got}"
        if "rule" in point:
            want = point["rule"]
            if want is None:
                assert got.rule is None, f"{where}: {got}"
            else:
                assert got.rule is not None, f"{where}: {got}"
                seen = {k: getattr(got.rule, k) for k in want}
                assert seen == want, f"{where}: {got}"
        if "policy" in point:
            assert got.policy_chain == point["policy"], f"{where}: {got}"
        if "nat" in point:
            want_nat = point["nat"]
            assert got.nat == (None if want_nat is None else (want_nat["kind"], want_nat["port"])), f"{where}: {got}"


def _ref(chain: str, index: int) -> RuleRef:
    return RuleRef("test", "inet", "t", chain, index, f"{chain} {index}")


def test_undecidable_branches_that_agree_are_decided() -> None:
    """An unknown match whose two ways end alike decides nothing: the packet is decided."""
    chain = Chain("fwd", hook="forward", priority=0, policy="drop", rules=[
        Rule(_ref("fwd", 1), (UnknownMatch("meta mark"),), Action.DROP),
        Rule(_ref("fwd", 2), (), Action.DROP),
    ])
    ruleset = Ruleset([Table("inet", "t", "test", "nft", "nft", chains={"fwd": chain})])
    got = decide(ruleset, ProbePacket(4, 1, 2, 40000, 443))
    assert (got.verdict, got.rule, got.hit_unknown) == (Verdict.DROP, _ref("fwd", 2), True)
    chain.rules[1] = Rule(_ref("fwd", 2), (), Action.ACCEPT)
    got = decide(ruleset, ProbePacket(4, 1, 2, 40000, 443))
    assert (got.verdict, got.rule) == (Verdict.UNKNOWN, _ref("fwd", 1))
