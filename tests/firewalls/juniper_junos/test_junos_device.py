"""End to end on the emulator's SRX outputs (tests/fixtures/devices/juniper_junos/): the snapshot
the collector would record, the platform's ruleset and topology, analyse_forwarding, and the real
firewall.apns_ports check on top of them."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from junos_harness import device_outputs, make_snapshot, per_port

from pushaudit.checks.firewall_apns_ports import FirewallApnsPorts
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Status
from pushaudit.firewalls import get_platform
from pushaudit.firewalls.juniper_junos import PLATFORM, parse_junos
from pushaudit.netfilter.forwarding import ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.ifaces import TOPOLOGY
from pushaudit.netfilter.loader import RULESET
from pushaudit.policy import load_policy
from pushaudit.snapshot import HostSnapshot

PORTS = [5223, 443, 2197]


def _snapshot(tmp_path: Path, networks: list[str], data: dict[str, Any] | None = None) -> HostSnapshot:
    return make_snapshot(tmp_path / "srx1", device_outputs(), client_networks=networks, data=data)


def _analyse(snap: HostSnapshot) -> ForwardingAnalysis:
    ruleset = PLATFORM.build_ruleset(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    networks = [ipaddress.ip_network(n) for n in snap.facts.client_networks]
    return analyse_forwarding(ruleset, topology, networks, load_policy().push_destinations(), PORTS)


def _run_check(snap: HostSnapshot) -> Any:
    """The real check, with the ruleset and topology this platform builds (what the runner's
    dispatch will hand it)."""
    ctx = HostContext(snap, load_policy())
    ctx._cache[RULESET.name] = PLATFORM.build_ruleset(snap)
    ctx._cache[TOPOLOGY.name] = PLATFORM.build_topology(snap, snap.facts)
    (finding,) = FirewallApnsPorts().run(ctx)
    return finding


def test_platform_is_registered() -> None:
    assert get_platform("juniper_junos") is PLATFORM
    assert PLATFORM.syntax == "juniper_junos"


def test_model_of_the_device(tmp_path: Path) -> None:
    firewall = parse_junos(_snapshot(tmp_path, []))
    (table,) = firewall.ruleset.tables
    assert (table.name, table.family, table.source) == ("srx1", "inet", "cmd:configuration_security")
    base = table.chains["forward"]
    assert (base.hook, base.priority, base.policy) == ("forward", 0, "drop")
    assert [r.ref.text.split(" (")[0] for r in base.rules if r.target] == [
        "from-zone trust to-zone untrust", "from-zone guest to-zone untrust", "from-zone untrust to-zone dmz",
        "from-zone vpn to-zone trust", "global"]
    assert base.rules[-1].ref.text == "default-policy deny-all"
    assert [p.name for p in firewall.inactive] == ["allow-apple-push-old", "decrypt-test"]
    names = [r.ref.comment for r in table.chains["from-zone trust to-zone untrust"].rules]
    assert list(dict.fromkeys(names)) == ["deny-printers", "allow-dns", "allow-apple-push", "allow-apple-services",
                                          "proxies-out", "deny-direct-web"]
    rules = {r.ref.comment: r for r in table.chains["from-zone trust to-zone untrust"].rules}
    allow, proxies = rules["allow-apple-push"], rules["proxies-out"]
    assert allow.ref.line == 79 and "ssl" not in " ".join(allow.effects)
    assert "ssl-proxy profile SSL-FWD-CORP" in proxies.effects


def test_topology_from_interfaces_and_override(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, ["10.1.0.0/16"], {"egress": "ge-0/0/0.0"})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert topology.ingress_interface(ipaddress.ip_network("10.1.0.0/16")) == "trust"
    assert topology.ingress_interface(ipaddress.ip_network("10.110.4.0/24")) == "guest"
    assert topology.egress_split(4, ((0, 10),)) == [(((0, 10),), "untrust")]
    assert topology.known and topology.is_local("10.1.0.1")


def test_without_routes_or_egress_the_check_cannot_decide(tmp_path: Path) -> None:
    """The emulator's SRX has no routing-options output: the zone towards Apple is unknown."""
    snap = _snapshot(tmp_path, ["10.110.0.0/16"])
    with pytest.raises(DataError) as caught:
        _run_check(snap)
    assert caught.value.code == "E-DATA-MISSING"
    assert "set 'egress: <zone>' in the inventory" in caught.value.message


def test_client_network_behind_nothing_needs_ingress(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, ["10.99.0.0/16"], {"egress": "untrust"})
    with pytest.raises(DataError) as caught:
        _analyse(snap)
    assert "10.99.0.0/16 is behind no interface" in caught.value.message
    pinned = _snapshot(tmp_path / "pinned", ["10.99.0.0/16"], {"egress": "untrust", "ingress": "ge-0/0/1.10"})
    assert {c.iif for c in _analyse(pinned).classes} == {"trust"}


def test_trust_fails_because_of_the_printer_policy(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, ["10.1.0.0/16", "10.110.0.0/16"], {"egress": "untrust"})
    analysis = _analyse(snap)
    trust = [c.result for c in analysis.classes if str(c.network) == "10.1.0.0/16"]
    guest = [c.result for c in analysis.classes if str(c.network) == "10.110.0.0/16"]
    assert {c.iif for c in analysis.classes} == {"trust", "guest"} and {c.oif for c in analysis.classes} == {"untrust"}
    for port, result in per_port(trust, PORTS).items():
        assert result.verdicts == {"drop", "accept"}, port
        assert result.rules == {"deny-printers", "allow-apple-push"}, port
    guest_ports = per_port(guest, PORTS)
    assert guest_ports[443].rules == {"guest-web"} and guest_ports[443].verdicts == {"accept"}
    assert guest_ports[5223].rules == guest_ports[2197].rules == {"guest-apple-push"}
    dropped = [c for c in trust if c.outcome.verdict.value == "drop"]
    assert {str(n) for c in dropped for n in ipaddress.summarize_address_range(
        ipaddress.ip_address(c.axis(0)[0][0]), ipaddress.ip_address(c.axis(0)[0][1]))} >= {"10.1.40.16/28"}
    finding = _run_check(snap)
    assert finding.status is Status.FAIL
    assert "deny-printers" in finding.deciding_rule and "(line 69)" in finding.deciding_rule
    assert finding.summary == "APNs port(s) 443, 2197, 5223 blocked"


def test_managed_clients_pass(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, ["10.1.128.0/17", "10.110.0.0/16"], {"egress": "untrust"})
    finding = _run_check(snap)
    assert finding.status is Status.PASS, finding.found
    assert any("allow-apple-push" in e.text for e in finding.evidence)
    assert any("guest-apple-push" in e.text for e in finding.evidence)


@pytest.mark.parametrize(("command_id", "exit_status", "code"), [
    ("configuration_security", 1, "E-COLLECT-COMMAND"),
    ("configuration_applications", None, "E-COLLECT-COMMAND"),
])
def test_failed_collection_is_an_error(tmp_path: Path, command_id: str, exit_status: int | None, code: str) -> None:
    snap = make_snapshot(tmp_path / "h", device_outputs(), status={command_id: exit_status})
    ctx = HostContext(snap, load_policy())
    with pytest.raises(DataError) as caught:
        PLATFORM.build_ruleset(ctx.snapshot)
    assert caught.value.code == code and caught.value.source == f"cmd:{command_id}"
