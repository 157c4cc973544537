"""A configuration line the parser left out of the model (a policy statement, a route or an
interface address it could not read) never lets firewall.apns_ports pass: the same device that
passes turns into ERROR (E-PARSE-FIREWALL, pointing at the line) once such a line is added."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushaudit.checks.registry import all_checks, evaluate_host
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Status
from pushaudit.firewalls import get_platform
from pushaudit.policy.loader import load_policy

from .cisco_asa import asa_harness
from .fortinet import fortinet_harness as forti_harness
from .juniper_junos.junos_harness import make_snapshot, split_commands

CASE = Path(__file__).parents[1] / "fixtures" / "firewalls" / "juniper_junos" / "nat_proxy_redirect" / "config.txt"
STAFF = ["10.1.0.0/16"]  # staff reach Apple on every port (the fixture's own verdicts)
PUPILS = ["10.2.0.0/16"]  # pupils' 443 is redirected: undecidable, not a pass


def _finding(root: Path, outputs: dict[str, str], networks: list[str]) -> Finding:
    snap = make_snapshot(root, outputs, client_networks=networks)
    checks = [c for c in all_checks() if c.spec.id == "firewall.apns_ports"]
    [finding] = evaluate_host(HostContext(snap, load_policy()), checks)
    return finding


def _with(outputs: dict[str, str], command_id: str, line: str) -> dict[str, str]:
    return {**outputs, command_id: outputs[command_id] + line + "\n"}


def test_the_device_passes_as_read(tmp_path: Path) -> None:
    assert _finding(tmp_path, split_commands(CASE.read_text()), STAFF).status is Status.PASS


@pytest.mark.parametrize(("command_id", "line", "said"), [
    ("configuration_security", "set security policies unified-policy-lookup strict",
     "security policies statement not understood"),
    ("configuration_security", "policy staff-apple {", "not a set statement"),
    ("configuration_security", "set system host-name elsewhere", "not under 'security'"),
    ("configuration_routing_options", "set routing-options static route 17.249.0.0/33 next-hop 203.0.113.9",
     "static route not understood"),
    ("configuration_interfaces", "set interfaces ge-0/0/9 unit 0 family inet address 10.300.0.1/24",
     "interface address not understood"),
])
def test_an_unread_line_turns_pass_into_error(tmp_path: Path, command_id: str, line: str, said: str) -> None:
    outputs = split_commands(CASE.read_text())
    finding = _finding(tmp_path, _with(outputs, command_id, line), STAFF)
    assert finding.status is Status.ERROR and finding.code == "E-PARSE-FIREWALL"
    assert said in finding.summary
    number = len(outputs[command_id].splitlines()) + 1
    assert any(e.source == f"cmd:{command_id}" and e.line == number for e in finding.evidence)


def test_an_undecidable_verdict_is_not_hidden_by_the_unread_line(tmp_path: Path) -> None:
    outputs = _with(split_commands(CASE.read_text()), "configuration_security", "policy staff-apple {")
    finding = _finding(tmp_path, outputs, PUPILS)
    assert finding.status is Status.ERROR and finding.code == "E-EVAL-UNKNOWN"


def test_asa_access_group_line_not_understood_is_unread(tmp_path: Path) -> None:
    commands = asa_harness.device_commands()
    text, status = commands["running_config_access_group"]
    commands["running_config_access_group"] = (text + "access-group inside_in in vrf blue\n", status)
    ruleset = get_platform("cisco_asa").build_ruleset(asa_harness.make_snapshot(tmp_path, commands))  # type: ignore[union-attr]
    assert ruleset.unread == [f"cmd:running_config_access_group line {len(text.splitlines()) + 1}: "
                              "access-group line not understood: access-group inside_in in vrf blue"]


def test_fortigate_truncated_optional_output_is_unread(tmp_path: Path) -> None:
    commands = forti_harness.device_commands()
    commands["firewall_address6"] = ("config firewall address6\n    edit \"v6-net\"\n", 0)  # cut off mid-block
    ruleset = get_platform("fortinet").build_ruleset(forti_harness.make_snapshot(tmp_path, commands))  # type: ignore[union-attr]
    assert ruleset.unread == ["cmd:firewall_address6: output ends inside a config block (truncated)"]


def test_devices_as_collected_leave_nothing_unread(tmp_path: Path) -> None:
    asa = get_platform("cisco_asa").build_ruleset(  # type: ignore[union-attr]
        asa_harness.make_snapshot(tmp_path / "asa", asa_harness.device_commands()))
    forti = get_platform("fortinet").build_ruleset(  # type: ignore[union-attr]
        forti_harness.make_snapshot(tmp_path / "fgt", forti_harness.device_commands()))
    assert asa.unread == [] and forti.unread == []


def test_fortigate_interface_address_not_understood_is_unread(tmp_path: Path) -> None:
    commands = forti_harness.device_commands()
    text, status = commands["system_interface"]
    commands["system_interface"] = (text.replace("set ip 172.16.10.1 255.255.255.0", "set ip 172.16.10.1 255.0.255.0"),
                                    status)
    snap = forti_harness.make_snapshot(tmp_path, commands, client_networks=["10.1.0.0/16"])
    topology = get_platform("fortinet").build_topology(snap, snap.facts)  # type: ignore[union-attr]
    assert len(topology.unread) == 1 and "address 172.16.10.1 255.0.255.0 not understood" in topology.unread[0]
    assert topology.unread[0] in topology.warnings
