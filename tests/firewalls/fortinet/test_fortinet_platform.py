"""The FortiGate platform end to end: the emulator's outputs through the real firewall check,
topology overrides, remediation snippets, TLS profiles and proxy policies."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from command_outputs import split_outputs
from fortinet_harness import CASES, device_commands, make_snapshot

from pushaudit.checks.firewall_apns_ports import FirewallApnsPorts
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Status
from pushaudit.firewalls import get_platform
from pushaudit.firewalls.fortinet import PLATFORM, load_config
from pushaudit.firewalls.fortinet_conf import parse_config
from pushaudit.netfilter.forwarding import analyse_forwarding
from pushaudit.netfilter.outcome import Verdict
from pushaudit.netfilter.remediation import Traffic, allow_command
from pushaudit.policy import load_policy
from pushaudit.snapshot import HostSnapshot

DEVICE_NETS = ["10.1.0.0/16", "10.110.0.0/16"]


def _device(tmp_path: Path, **data: object) -> HostSnapshot:
    return make_snapshot(tmp_path / "fgt", device_commands(), client_networks=DEVICE_NETS, data=dict(data))


def _check(snapshot: HostSnapshot) -> list[Status]:
    ctx = HostContext(snapshot, load_policy([]))
    findings = FirewallApnsPorts().run(ctx)
    return [f.status for f in findings]


def test_platform_is_registered() -> None:
    assert get_platform("fortinet") is PLATFORM
    assert PLATFORM.syntax == "fortinet"


def test_emulator_device_through_the_firewall_check(tmp_path: Path) -> None:
    """The emulator collects no static routes, so the inventory names the egress."""
    snapshot = _device(tmp_path, egress="port1")
    ctx = HostContext(snapshot, load_policy([]))
    (finding,) = FirewallApnsPorts().run(ctx)
    # the printers (10.1.40.10-60) are inside the client network and policy 3 denies them everything
    assert finding.status is Status.FAIL, finding.summary
    assert 'policy 3 "block-printers"' in finding.deciding_rule
    assert "(line 2)" in finding.deciding_rule
    assert "config firewall policy" in finding.remediation and "move 61 before 3" in finding.remediation
    assert 'set srcintf "inside"' in finding.remediation and 'set dstintf "port1"' in finding.remediation
    assert "apns-src-10.1.0.0/16" in finding.remediation
    decided = {c["decided_by"].split(": ")[1].split(":")[0] for c in finding.details["classes"]}
    assert decided == {'policy 3 "block-printers"', 'policy 20 "apple-push"'}


def test_emulator_device_analysis(tmp_path: Path) -> None:
    snapshot = _device(tmp_path, egress="port1")
    config = load_config(snapshot)
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    nets = [ipaddress.ip_network(n) for n in DEVICE_NETS]
    destinations = load_policy([]).push_destinations()
    analysis = analyse_forwarding(config.ruleset, topology, nets, destinations, [5223, 443, 2197])
    by_net: dict[str, set[tuple[str, int | None]]] = {}
    for flow in analysis.classes:
        outcome = flow.result.outcome
        handle = outcome.rule.handle if outcome.rule else None
        by_net.setdefault(str(flow.network), set()).add((outcome.verdict.value, handle))
        assert flow.oif == "port1"
    assert by_net == {"10.1.0.0/16": {("drop", 3), ("accept", 20)}, "10.110.0.0/16": {("accept", 20)}}
    assert {f.iif for f in analysis.classes} == {"inside", "guest-vlan"}
    assert [p.policy_id for p in config.disabled_policies] == ["8"]
    assert not analysis.shadowed and not analysis.unroutable
    printers = next(f for f in analysis.classes if f.result.outcome.verdict is Verdict.DROP)
    assert str(printers.result.example()).startswith("10.1.40.")


def test_collected_routes_decide_the_egress(tmp_path: Path) -> None:
    snapshot = _device(tmp_path)
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert topology.known
    (finding,) = FirewallApnsPorts().run(HostContext(snapshot, load_policy([])))
    assert finding.status is Status.FAIL, finding.summary
    assert "block-printers" in finding.deciding_rule


def test_without_routes_or_override_the_check_cannot_decide(tmp_path: Path) -> None:
    commands = {k: v for k, v in device_commands().items() if not k.startswith("router_static")}
    snapshot = make_snapshot(tmp_path / "fgt", commands, client_networks=DEVICE_NETS)
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert not topology.known and any("router static was not collected" in w for w in topology.warnings)
    ctx = HostContext(snapshot, load_policy([]))
    (finding,) = FirewallApnsPorts().run(ctx)
    # every policy names its dstintf, so even the printers' deny depends on the egress
    assert (finding.status, finding.code) == (Status.ERROR, "E-EVAL-UNKNOWN")
    assert "oifname port1 (the interface is not known)" in finding.summary
    assert {c["verdict"] for c in finding.details["classes"]} == {"unknown"}


def test_ingress_override_and_bad_values(tmp_path: Path) -> None:
    snapshot = _device(tmp_path, ingress="guest-vlan", egress="port1")
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert topology.ingress_interface(ipaddress.ip_network("10.1.0.0/16")) == "guest-vlan"
    assert topology.egress_split(4, ((1, 2),)) == [(((1, 2),), "port1")]
    assert _check(snapshot) == [Status.PASS]  # as guests, the LAN (printers included) passes policy 20
    odd = make_snapshot(tmp_path / "odd", device_commands(), client_networks=DEVICE_NETS, data={"egress": "wan9"})
    assert any("neither an interface nor a zone" in w for w in PLATFORM.build_topology(odd, odd.facts).warnings)
    bad = make_snapshot(tmp_path / "bad", device_commands(), client_networks=DEVICE_NETS, data={"egress": ["port1"]})
    with pytest.raises(DataError) as info:
        PLATFORM.build_topology(bad, bad.facts)
    assert info.value.code == "E-DATA-MISSING"


def test_topology_from_interfaces_zones_and_routes(tmp_path: Path) -> None:
    commands = split_outputs((CASES / "campus_zones" / "config.txt").read_text())
    snapshot = make_snapshot(tmp_path / "campus", commands, client_networks=["10.10.0.0/16"])
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    ingress = {n: topology.ingress_interface(ipaddress.ip_network(n))
               for n in ("10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16", "10.50.0.0/16", "192.168.100.0/24",
                         "10.99.0.0/24", "10.66.0.0/16")}
    # port2 and port5 are zone "campus"; the management port and the port that is down route nothing
    assert ingress == {"10.10.0.0/16": "campus", "10.11.0.0/16": "campus", "10.12.0.0/16": "lab-vlan",
                       "10.50.0.0/16": "to-hq", "192.168.100.0/24": "port1", "10.99.0.0/24": "port1",
                       "10.66.0.0/16": None}
    assert topology.is_local("192.168.100.1") and topology.is_local("10.10.0.1")
    # the disabled route to 17/8 through the DMZ does not count
    apple = ((int(ipaddress.ip_address("17.0.0.0")), int(ipaddress.ip_address("17.255.255.255"))),)
    assert {dev for _, dev in topology.egress_split(4, apple)} == {"port1", None}


def test_sdwan_route_over_several_zones_makes_egress_unknown(tmp_path: Path) -> None:
    commands = split_outputs((CASES / "sdwan_users_quoting" / "config.txt").read_text())
    routes = 'config router static\n    edit 1\n        set sdwan-zone "zone-a" "zone-b"\n    next\nend\n'
    commands["router_static"] = (routes, 0)
    snapshot = make_snapshot(tmp_path / "sd", commands, client_networks=["10.90.0.0/24"])
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert not topology.known
    assert any("several zones" in w for w in topology.warnings)


def test_snippet_for_ipv4_before_a_policy_and_ipv6_at_the_end(tmp_path: Path) -> None:
    commands = split_outputs((CASES / "campus_zones" / "config.txt").read_text())
    config = load_config(make_snapshot(tmp_path / "campus", commands))
    table = config.ruleset.tables[0]
    deny = next(r.ref for r in table.chains["firewall-policy"].rules if r.ref.handle == 12)
    traffic = Traffic(4, ("10.12.0.0/16",), ("17.249.0.0/16", "17.252.0.0/16"), (5223,), "lab-vlan", "port1")
    text = allow_command(table, "firewall-policy", deny, traffic)
    assert text.splitlines() == [
        "config firewall address",
        '    edit "apns-src-10.12.0.0/16"', "        set subnet 10.12.0.0 255.255.0.0", "    next",
        "end",
        "config firewall address",
        '    edit "apns-dst-17.249.0.0/16"', "        set subnet 17.249.0.0 255.255.0.0", "    next",
        '    edit "apns-dst-17.252.0.0/16"', "        set subnet 17.252.0.0 255.255.0.0", "    next",
        "end",
        "config firewall service custom", '    edit "apns-tcp-5223"', "        set tcp-portrange 5223", "    next",
        "end",
        "config firewall policy",
        "    edit 81",
        '        set name "apple-push-apns"',
        '        set srcintf "lab-vlan"',
        '        set dstintf "port1"',
        "        set action accept",
        '        set srcaddr "apns-src-10.12.0.0/16"',
        '        set dstaddr "apns-dst-17.249.0.0/16" "apns-dst-17.252.0.0/16"',
        '        set schedule "always"',
        '        set service "apns-tcp-5223"',
        '        set comments "Apple push (APNs): no TLS inspection, no authentication"',
        "    next",
        "    move 81 before 12",
        "end",
    ]
    six = PLATFORM.allow_snippet(table, "firewall-policy", None, Traffic(6, (), ("2620:149:a44::/48",), (443, 5223)))
    assert "config firewall address6" in six and "set ip6 2620:149:a44::/48" in six
    assert 'set srcaddr6 "all"' in six and 'set srcintf "any"' in six and "move" not in six
    assert "set tcp-portrange 443 5223" in six


def test_tls_profiles_and_proxy_policies_from_the_emulator(tmp_path: Path) -> None:
    config = load_config(_device(tmp_path))
    profiles = config.ssl_ssh_profiles
    assert sorted(profiles) == ["certificate-inspection", "deep-inspection", "deep-inspection-corp", "no-inspection"]
    corp = profiles["deep-inspection-corp"]
    assert corp.decrypts and corp.https_ports == (443, 8443) and corp.statuses["ssh"] == "disable"
    assert corp.exempt_values("address") == ["apple-17"]
    assert corp.exempt_values("wildcard-fqdn") == ["wildcard.push.apple.com"]
    assert corp.exempt_values("regex") == [".*\\.apple\\.com"]
    assert corp.exempt_values("fortiguard-category") == ["31", "33"]
    assert not profiles["certificate-inspection"].decrypts and not profiles["no-inspection"].decrypts
    proxies = config.proxy_policies
    assert [(p.policy_id, p.enabled, p.proxy, p.values("groups")) for p in proxies] == [
        ("1", True, "explicit-web", ()), ("2", True, "explicit-web", ("proxy-users",)),
        ("3", False, "transparent-web", ())]
    assert proxies[1].values("ssl-ssh-profile") == ("deep-inspection-corp",)
    assert proxies[0].ref.line == 2 and proxies[0].ref.source == "cmd:firewall_proxy_policy"
    by_id = {p.policy_id: p for p in config.policies.policies}
    assert (by_id["24"].ssl_ssh_profile, by_id["24"].utm) == ("deep-inspection-corp", True)


def test_optional_sections_may_fail_without_stopping_the_model(tmp_path: Path) -> None:
    commands = device_commands()
    commands["firewall_proxy_policy"] = ("Command fail. Return code -61\n", 1)
    del commands["firewall_ssl_ssh_profile"]
    config = load_config(make_snapshot(tmp_path / "fgt", commands))
    assert config.proxy_policies == [] and config.ssl_ssh_profiles == {}
    assert any("firewall_proxy_policy: failed (exit 1" in w for w in config.ruleset.warnings)
    assert any("firewall_ssl_ssh_profile: was not collected" in w for w in config.ruleset.warnings)


def test_multiline_comment_keeps_its_text(tmp_path: Path) -> None:
    commands = split_outputs((CASES / "sdwan_users_quoting" / "config.txt").read_text())
    config = load_config(make_snapshot(tmp_path / "sd", commands))
    first = config.policies.policies[0]
    assert first.ref.line == 2 and first.name == "store-apple"
    second = config.policies.policies[1]
    assert second.ref.line == 17  # the comment's three lines were joined, numbering goes on
    parsed = parse_config(commands["firewall_policy"][0], "cmd:firewall_policy")
    comment = parsed.sections["firewall policy"].entries["1"].value("comments")
    assert comment.splitlines() == ["Apple push for the store iPads.",
                                    'Approved in "CHG-2291"; rollback: disable this policy.',
                                    "Path on the wiki: ops\\firewall\\apple"]
    address = load_config(make_snapshot(tmp_path / "sd2", commands)).addresses.objects[4]
    assert address is not None
    comment = address.entries["store-lan"].value("comment")
    assert comment == 'Store floor: iPads, "kiosk" Macs and the POS \\ back office'


def _campus_with_routes(tmp_path: Path, name: str, routes: str | None, interfaces: str | None = None) -> HostSnapshot:
    commands = split_outputs((CASES / "campus_zones" / "config.txt").read_text())
    if routes is None:
        del commands["router_static"]
    else:
        commands["router_static"] = (routes, 0)
    if interfaces is not None:
        text = commands["system_interface"][0]
        commands["system_interface"] = (text.replace('        set alias "isp-a"\n', interfaces), 0)
    return make_snapshot(tmp_path / name, commands, client_networks=["10.10.0.0/16"])


def test_default_route_learned_by_dhcp_on_the_wan(tmp_path: Path) -> None:
    dhcp = _campus_with_routes(tmp_path, "dhcp", "config router static\nend\n",
                               interfaces="        set mode dhcp\n        set distance 7\n")
    topology = PLATFORM.build_topology(dhcp, dhcp.facts)
    apple = ((int(ipaddress.ip_address("17.249.0.0")), int(ipaddress.ip_address("17.249.255.255"))),)
    assert topology.known and topology.egress_split(4, apple) == [(apple, "port1")]
    off = _campus_with_routes(tmp_path, "off", "config router static\nend\n",
                              interfaces="        set mode dhcp\n        set defaultgw disable\n")
    assert not PLATFORM.build_topology(off, off.facts).known


def test_no_default_route_means_unknown_egress_not_unroutable(tmp_path: Path) -> None:
    only_hq = 'config router static\n    edit 2\n        set dst 10.50.0.0 255.255.0.0\n        set device "to-hq"\n' \
              "    next\nend\n"
    snapshot = _campus_with_routes(tmp_path, "nodefault", only_hq)
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert not topology.known
    assert any("no IPv4 default route" in w for w in topology.warnings)
    config = load_config(snapshot)
    analysis = analyse_forwarding(config.ruleset, topology, [ipaddress.ip_network("10.10.0.0/16")],
                                  [ipaddress.ip_network("17.249.0.0/16")], [443])
    assert not analysis.unroutable
    # every policy names its dstintf, so nothing is decided; nothing is called unroutable either
    assert {f.result.outcome.verdict for f in analysis.classes} == {Verdict.UNKNOWN}


def test_truncated_optional_routes_are_ignored_with_a_warning(tmp_path: Path) -> None:
    snapshot = _campus_with_routes(tmp_path, "cut", 'config router static\n    edit 1\n        set device "port1"\n')
    topology = PLATFORM.build_topology(snapshot, snapshot.facts)
    assert not topology.known
    assert any("cmd:router_static: output ends inside a config block (truncated); ignored" in w
               for w in topology.warnings), topology.warnings
