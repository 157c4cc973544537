"""The pieces one at a time: set-line reading, objects, applications data, topology, rules."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from junos_harness import make_snapshot

from pushaudit.errors import DataError
from pushaudit.firewalls import juniper_junos_appterms as appterms
from pushaudit.firewalls.juniper_junos import JunosFirewall, conditional, load_topology, parse_junos
from pushaudit.firewalls.juniper_junos_addresses import load_address_books
from pushaudit.firewalls.juniper_junos_apps import load_applications
from pushaudit.firewalls.juniper_junos_appterms import DataFileError, Term, port_range, predefined
from pushaudit.firewalls.juniper_junos_setlines import parse_set_output, split_words
from pushaudit.firewalls.juniper_junos_topology import JunosTopology
from pushaudit.netfilter.model import Key, ScalarMatch, UnknownMatch


def test_words_keep_quoted_text_whole() -> None:
    line = r'set security policies from-zone a to-zone b policy p description "say \"hi\" to APNs"'
    assert split_words(line)[-2:] == ("description", 'say "hi" to APNs')
    assert split_words("set a  b\tc") == ("set", "a", "b", "c")


def test_deactivate_switches_off_whole_words_only() -> None:
    text = "\n".join([
        "set security address-book global address net 10.0.0.0/8",
        "set security address-book global address net-clients 10.1.0.0/16",
        "set security address-book global address net description x",
        "deactivate security address-book global address net",
    ])
    config = parse_set_output(text, "cmd:t")
    assert [s.active for s in config.statements] == [False, True, False]
    assert config.statements[0].inactive_line == 4


def test_not_set_format_is_a_parse_error() -> None:
    with pytest.raises(DataError) as caught:
        parse_set_output("security {\n    policies {\n    }\n}\n", "cmd:configuration_security")
    assert caught.value.code == "E-PARSE-FIREWALL" and caught.value.line == 1


def _security(tmp_path: Path, security: str, **extra: str) -> JunosFirewall:
    outputs = {"configuration_security": security, "configuration_applications": "", **extra}
    return parse_junos(make_snapshot(tmp_path / "h", outputs))


def test_empty_security_output_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        _security(tmp_path, "\n")
    assert caught.value.code == "E-PARSE-FIREWALL"


def test_foreign_lines_warn_and_a_foreign_output_fails(tmp_path: Path) -> None:
    few = "set security policies default-policy permit-all\nset system host-name x\n" \
          "set security zones security-zone a interfaces ge-0/0/0.0\n"
    firewall = _security(tmp_path, few)
    assert any("not under 'security'" in w for w in firewall.ruleset.warnings)
    with pytest.raises(DataError):
        _security(tmp_path / "x", "set system host-name x\nset system ntp server 192.0.2.1\n")


def test_applications_missing_is_data_missing(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path / "h", {"configuration_security": "set security policies default-policy deny-all\n"})
    with pytest.raises(DataError) as caught:
        parse_junos(snap)
    assert caught.value.code == "E-DATA-MISSING" and "configuration_applications" in caught.value.message


def test_predefined_applications_data() -> None:
    table = predefined()
    assert table["junos-https"].terms == (Term("tcp", ((0, 65535),), ((443, 443),)),)
    assert {t.dports for t in table["junos-smb"].terms} == {((139, 139),), ((445, 445),)}
    assert table["junos-icmp6-all"].terms[0].protocol == "ipv6-icmp"
    assert all(name.startswith("junos-") for name in table)
    assert port_range("https") == ((443, 443),) and port_range("8080-8443") == ((8080, 8443),)
    assert port_range("9000-80") is None and port_range("nonsense") is None


def test_bad_data_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(appterms, "_data", lambda: {"applications": {"junos-x": [{"protocol": "tcp",
                                                       "destination-port": "99999"}]}, "port-names": {}})
    with pytest.raises(DataFileError):
        predefined.__wrapped__()


def test_application_terms_and_sets() -> None:
    config = parse_set_output("\n".join([
        "set applications application a term t1 protocol tcp destination-port 5223",
        "set applications application a term t2 protocol udp destination-port 5223-5224",
        "set applications application b protocol tcp",
        "set applications application b inactivity-timeout 600",
        "set applications application-set s1 application a",
        "set applications application-set s1 application-set s2",
        "set applications application-set s2 application-set s1",
        "set applications application-set s2 application junos-https",
    ]), "cmd:configuration_applications")
    apps = load_applications(config)
    assert {(t.protocol, t.dports) for t in apps.resolve(["a"]).terms} == {("tcp", ((5223, 5223),)),
                                                                           ("udp", ((5223, 5224),))}
    assert apps.resolve(["b"]).terms == (Term("tcp"),)
    loop = apps.resolve(["s1"])
    assert any("contains itself" in c for c in loop.conditions)
    assert ("tcp", ((443, 443),)) in {(t.protocol, t.dports) for t in loop.terms}


def test_addresses_wildcard_range_zone_books() -> None:
    config = parse_set_output("\n".join([
        "set security address-book global address wc wildcard-address 10.0.0.1/255.255.0.255",
        "set security address-book global address sparse wildcard-address 10.0.0.1/0.0.0.1",
        "set security address-book global address r range-address 10.0.0.10 to 10.0.0.12",
        "set security address-book global address v6 2001:db8::/32",
        "set security address-book global address shadowed 192.0.2.1/32",
        "set security address-book book-a address shadowed 198.51.100.1/32",
        "set security address-book book-a attach zone a",
        "set security zones security-zone b address-book address only-b 203.0.113.0/24",
    ]), "cmd:configuration_security")
    books = load_address_books(config)
    wc = books.resolve(["wc"], None)
    assert len(wc.v4) == 256 and wc.v4[0] == (167772161, 167772161) and wc.v4[1][0] == 167772161 + 256
    assert books.resolve(["sparse"], None).conditions
    assert books.resolve(["r"], None).v4 == ((167772170, 167772172),)
    assert books.resolve(["v6"], None).v6 and not books.resolve(["v6"], None).v4
    assert books.resolve(["shadowed"], "a").v4 == ((3325256705, 3325256705),)  # the zone's book first
    assert books.resolve(["shadowed"], None).v4 == ((3221225985, 3221225985),)
    assert books.resolve(["only-b"], "b").v4 and books.resolve(["only-b"], "a").conditions


def test_conditional_carries_the_reason() -> None:
    match = conditional("fqdn", ["x"], "FQDN address x = a.example: depends on the firewall's DNS")
    assert isinstance(match, UnknownMatch) and match.reason.startswith("FQDN address x")


def test_mixed_family_policy_becomes_labelled_variants(tmp_path: Path) -> None:
    security = "\n".join([
        "set security address-book global address a4 17.0.0.0/8",
        "set security address-book global address a6 2620:149:a44::/48",
        "set security address-book global address-set both address a4",
        "set security address-book global address-set both address a6",
        "set security policies from-zone t to-zone u policy p match source-address any",
        "set security policies from-zone t to-zone u policy p match destination-address both",
        "set security policies from-zone t to-zone u policy p match application junos-https",
        "set security policies from-zone t to-zone u policy p then permit",
    ])
    firewall = _security(tmp_path, security)
    rules = firewall.ruleset.tables[0].chains["from-zone t to-zone u"].rules
    assert [r.ref.text.rsplit("[", 1)[1] for r in rules] == ["IPv4 part]", "IPv6 part]"]
    assert {r.ref.index for r in rules} == {1} and {r.ref.comment for r in rules} == {"p"}
    assert ScalarMatch(Key.L4PROTO, frozenset({"tcp"})) in rules[0].matches


ROUTED = """set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/30
set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.1/16
set interfaces ge-0/0/2 unit 0 family inet address 10.2.0.1/16
set interfaces ge-0/0/2 unit 0 family inet6 address 2001:db8:2::1/64
set interfaces ge-0/0/3 disable
set interfaces ge-0/0/3 unit 0 family inet address 10.3.0.1/16
set interfaces ge-0/0/4 unit 0 family inet dhcp
"""
ZONES = """set security policies default-policy deny-all
set security zones security-zone out interfaces ge-0/0/0.0
set security zones security-zone in interfaces ge-0/0/1.0
set security zones security-zone lab interfaces ge-0/0/2.0
set security zones security-zone spare interfaces ge-0/0/3.0
set security zones security-zone vpn interfaces st0.5
"""


def _topology(tmp_path: Path, routing: str | None, data: dict[str, str] | None = None) -> JunosTopology:
    outputs = {"configuration_security": ZONES, "configuration_applications": "", "configuration_interfaces": ROUTED}
    if routing is not None:
        outputs["configuration_routing_options"] = routing
    snap = make_snapshot(tmp_path / "t", outputs, data=data)
    return load_topology(snap, snap.facts)


def _net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_routes_give_zones(tmp_path: Path) -> None:
    topo = _topology(tmp_path, "\n".join([
        "set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1",
        "set routing-options static route 10.50.0.0/16 next-hop st0.5",
        "set routing-options static route 17.1.0.0/16 discard",
        "set routing-options static route 17.2.0.0/16 next-table VR-X.inet.0",
        "set routing-options rib inet6.0 static route ::/0 next-hop 2001:db8:2::fe",
    ]))
    assert topo.ingress_interface(_net("10.1.2.0/24")) == "in"
    assert topo.ingress_interface(_net("10.50.0.0/16")) == "vpn"
    # the disabled interface's network is not connected: only the default route holds it
    assert topo.ingress_interface(_net("10.3.0.0/16")) == "out"
    v4 = topo.egress_split(4, ((int(_net("17.249.0.0/16").network_address),
                                int(_net("17.249.0.0/16").broadcast_address)),))
    assert [dev for _, dev in v4] == ["out"]
    blackholed = topo.egress_split(4, ((285278208, 285278208),))  # 17.1.0.0
    assert blackholed == [(((285278208, 285278208),), None)]
    with pytest.raises(DataError) as caught:
        topo.egress_split(4, ((285343744, 285343744),))  # 17.2.0.0
    assert "next-table" not in caught.value.message and "continues in table VR-X.inet.0" in caught.value.message
    assert [dev for _, dev in topo.egress_split(6, ((1, 2),))] == ["lab"]
    assert any("DHCP" in w for w in topo.warnings)


def test_ecmp_over_two_zones_is_undecided(tmp_path: Path) -> None:
    topo = _topology(tmp_path, "set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1\n"
                               "set routing-options static route 0.0.0.0/0 next-hop 10.2.0.254\n")
    with pytest.raises(DataError) as caught:
        topo.egress_split(4, ((285278208, 285278208),))
    assert "next hops in several zones" in caught.value.message


def test_inventory_pins_zones(tmp_path: Path) -> None:
    topo = _topology(tmp_path, None, {"ingress": "lab", "egress": "ge-0/0/0"})
    assert topo.ingress_interface(_net("10.9.0.0/16")) == "lab"
    assert topo.egress_split(4, ((1, 2),)) == [(((1, 2),), "out")]
    with pytest.raises(DataError) as caught:
        _topology(tmp_path / "bad", None, {"egress": "internet"})
    assert "neither a security zone nor an interface" in caught.value.message
