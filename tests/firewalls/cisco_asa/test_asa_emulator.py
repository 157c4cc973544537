"""End to end on the emulator's ASA outputs (tests/fixtures/devices/cisco_asa), stored under
the command ids cisco_asa.yaml collects them with: parse, build the topology, run the
forwarding analysis, and run the real firewall.apns_ports check on the snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from asa_harness import device_commands, holding, make_snapshot, networks

from pushaudit.checks import firewall_apns_ports
from pushaudit.checks.firewall_apns_ports import FirewallApnsPorts
from pushaudit.context import HostContext, ModelKey
from pushaudit.findings import Status
from pushaudit.firewalls import get_platform
from pushaudit.firewalls.cisco_asa import PLATFORM, AsaRuleset
from pushaudit.netfilter.forwarding import analyse_forwarding
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.model import Ruleset
from pushaudit.policy import load_policy
from pushaudit.snapshot import HostSnapshot

PORTS = [5223, 443, 2197]


def _snapshot(tmp_path: Path, clients: list[str], **data: str) -> HostSnapshot:
    return make_snapshot(tmp_path / "asa-fw1", device_commands(), client_networks=clients, data=data, name="asa-fw1")


def test_the_registry_finds_the_platform() -> None:
    assert get_platform("cisco_asa") is PLATFORM
    assert PLATFORM.syntax == "cisco_asa"


def test_emulator_outputs_parse_cleanly(tmp_path: Path) -> None:
    ruleset = PLATFORM.build_ruleset(_snapshot(tmp_path, ["10.1.0.0/16"]))
    assert isinstance(ruleset, AsaRuleset)
    assert ruleset.warnings == []
    (table,) = ruleset.tables
    assert (table.family, table.name, table.source) == ("inet", "asa-fw1", "cmd:running_config_access_list")
    # only ACLs an access-group applies become chains; SPLIT-TUNNEL and CAPTURE-APNS do not
    assert set(table.chains) == {"access-group in", "OUTSIDE-IN", "INSIDE-IN", "GUEST-IN", "DMZ-IN", "GLOBAL-POLICY"}
    base = table.chains["access-group in"]
    assert (base.hook, base.priority, base.policy) == ("forward", 0, "drop")
    assert [r.target for r in base.rules] == ["", "OUTSIDE-IN", "INSIDE-IN", "GUEST-IN", "DMZ-IN", "GLOBAL-POLICY"]
    assert sorted((r.chain, r.index, r.line) for r in ruleset.inactive) == [("GUEST-IN", 10, 44), ("INSIDE-IN", 15, 15)]


def test_emulator_apns_verdicts(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, ["10.1.0.0/16", "10.110.0.0/16"], egress="outside")
    ruleset = PLATFORM.build_ruleset(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    policy = load_policy()
    analysis = analyse_forwarding(ruleset, topology, networks(snap.facts.client_networks),
                                  policy.push_destinations(), PORTS)
    inside = holding(analysis, "10.1.0.10:40000 -> 17.249.0.10:5223")
    assert (inside.iif, inside.oif, inside.result.outcome.verdict.value) == ("inside", "outside", "accept")
    assert inside.result.outcome.rule is not None
    assert (inside.result.outcome.rule.chain, inside.result.outcome.rule.index) == ("INSIDE-IN", 13)
    printer = holding(analysis, "10.1.40.20:40000 -> 17.57.145.36:443").result.outcome
    assert printer.verdict.value == "drop" and printer.rule is not None
    assert (printer.rule.chain, printer.rule.index, printer.rule.line) == ("INSIDE-IN", 11, 11)
    guest = holding(analysis, "10.110.3.4:40000 -> 17.252.1.1:2197")
    assert guest.iif == "guest" and guest.result.outcome.rule is not None
    assert (guest.result.outcome.rule.chain, guest.result.outcome.rule.index) == ("GUEST-IN", 7)
    # the MDM connector's rules sit below the general APNs permit that takes all their packets
    assert sorted((s.rule.chain, s.rule.index) for s in analysis.shadowed) == [("INSIDE-IN", 19), ("INSIDE-IN", 20)]
    assert analysis.unroutable == []


def test_emulator_ipv6_needs_the_ingress_override(tmp_path: Path) -> None:
    """The inside interface has no IPv6 address: without ``ingress`` the interface is unknown."""
    policy = load_policy()
    for data, verdicts in (({"egress": "outside"}, {"unknown"}), ({"egress": "outside", "ingress": "inside"},
                                                                   {"accept", "drop"})):
        snap = make_snapshot(tmp_path / str(len(data)), device_commands(), client_networks=["2001:db8:10::/48"],
                             data=data)
        analysis = analyse_forwarding(PLATFORM.build_ruleset(snap), PLATFORM.build_topology(snap, snap.facts),
                                      networks(["2001:db8:10::/48"]), policy.push_destinations(), PORTS)
        assert {c.result.outcome.verdict.value for c in analysis.classes} == verdicts
    https = holding(analysis, "[2001:db8:10::5]:40000 -> [2620:149:a44::1]:443").result.outcome
    assert https.rule is not None and (https.rule.chain, https.rule.index) == ("INSIDE-IN", 31)
    push = holding(analysis, "[2001:db8:10::5]:40000 -> [2620:149:a44::1]:5223").result.outcome
    assert push.verdict.value == "drop" and push.rule is not None and push.rule.index == 34


@pytest.fixture
def asa_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the check's model keys at this platform, as the runner's dispatch will."""
    monkeypatch.setattr(firewall_apns_ports, "RULESET", ModelKey[Ruleset](
        "asa_ruleset", lambda ctx: PLATFORM.build_ruleset(ctx.snapshot)))
    monkeypatch.setattr(firewall_apns_ports, "TOPOLOGY", ModelKey[Topology](
        "asa_topology", lambda ctx: PLATFORM.build_topology(ctx.snapshot, ctx.facts)))


@pytest.mark.usefixtures("asa_models")
def test_real_check_fails_on_the_blocked_printers(tmp_path: Path) -> None:
    ctx = HostContext(_snapshot(tmp_path, ["10.1.0.0/16"], egress="outside"), load_policy())
    (finding,) = FirewallApnsPorts().run(ctx)
    assert finding.status is Status.FAIL, finding.summary
    assert finding.deciding_rule.startswith("inet asa-fw1 INSIDE-IN rule 11: access-list INSIDE-IN extended deny ip "
                                            "object-group OG-NO-INTERNET any log warnings (line 11)")
    assert any("INSIDE-IN rule 19 can never match" in e.note for e in finding.evidence)


@pytest.mark.usefixtures("asa_models")
def test_real_check_passes_for_the_guest_network(tmp_path: Path) -> None:
    ctx = HostContext(_snapshot(tmp_path, ["10.110.0.0/16"], egress="outside"), load_policy())
    (finding,) = FirewallApnsPorts().run(ctx)
    assert finding.status is Status.PASS, finding.found
    assert any(e.text.startswith("access-list GUEST-IN extended permit tcp any object OBJ-APPLE-17")
               for e in finding.evidence)


@pytest.mark.usefixtures("asa_models")
def test_real_check_reports_error_when_the_ingress_is_unknown(tmp_path: Path) -> None:
    ctx = HostContext(_snapshot(tmp_path, ["2001:db8:10::/48"], egress="outside"), load_policy())
    (finding,) = FirewallApnsPorts().run(ctx)
    assert finding.status is Status.ERROR and finding.code == "E-EVAL-UNKNOWN"
    assert "the interface is not known" in finding.summary
