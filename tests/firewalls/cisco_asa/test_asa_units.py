"""Parts of the Cisco ASA platform on their own: vendor data, ACE words, rule expansion,
fix snippets, topology and the fail-closed handling of commands."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from asa_harness import make_snapshot
from pydantic import ValidationError

from pushaudit.errors import DataError
from pushaudit.firewalls.cisco_asa import PLATFORM, conditional
from pushaudit.firewalls.cisco_asa_ace import AceMatch, parse_ace
from pushaudit.firewalls.cisco_asa_acl import Ace
from pushaudit.firewalls.cisco_asa_groups import parse_object_groups
from pushaudit.firewalls.cisco_asa_names import AsaNames, asa_names
from pushaudit.firewalls.cisco_asa_objects import ObjectTable
from pushaudit.firewalls.cisco_asa_objparse import ObjectDefs, parse_objects
from pushaudit.firewalls.cisco_asa_policy import IN_CHAIN, AsaTable
from pushaudit.firewalls.cisco_asa_rules import ace_rules, merge_terms
from pushaudit.firewalls.cisco_asa_source import Line, Output, read_output
from pushaudit.firewalls.cisco_asa_values import AddrSet, AsaSyntaxError, ServiceTerm, masked, port_operator
from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import from_networks
from pushaudit.netfilter.model import Action, Dim, Key, RangeMatch, ScalarMatch, Table, UnknownMatch
from pushaudit.netfilter.remediation import Traffic

OBJECTS = """object network OBJ-LAN
 subnet 10.5.0.0 255.255.0.0
object network OBJ-APPLE
 subnet 17.0.0.0 255.0.0.0
object network OBJ-COURIER
 fqdn v4 courier.push.apple.com
object service SVC-5223
 service tcp destination eq 5223
"""
GROUPS = """object-group network OG-MIXED
 network-object object OBJ-APPLE
 network-object 2620:149:a44::/48
 network-object object OBJ-COURIER
object-group service OG-SRC-PORTS tcp
 port-object range 5000 5300
object-group network OG-A
 group-object OG-B
object-group network OG-B
 group-object OG-C
object-group network OG-C
 network-object host 10.9.9.9
 group-object OG-A
object-group service OG-TYPED udp
 port-object eq ntp
"""


def _output(text: str, command_id: str = "test") -> Output:
    return Output(command_id, [Line(i, raw.rstrip()) for i, raw in enumerate(text.splitlines(), 1) if raw.strip()])


@pytest.fixture
def table() -> ObjectTable:
    defs = ObjectDefs(names={"proxy1": "10.5.5.10"})
    parse_objects(_output(OBJECTS), defs)
    parse_object_groups(_output(GROUPS), defs)
    return ObjectTable(defs, {"outside": AddrSet(v4=((3221225986, 3221225986),))})


def _parse(text: str, table: ObjectTable) -> AceMatch:
    return parse_ace(text.split(), table)


def _ref() -> RuleRef:
    return RuleRef("cmd:running_config_access_list", "inet", "fw", "ACL", 7, "access-list ACL extended ...", line=7)


# -- vendor data --------------------------------------------------------------------------
def test_vendor_names_translate_ports_and_protocols() -> None:
    names = asa_names()
    assert (names.port("https"), names.port("www"), names.port("domain"), names.port("5223")) == (443, 80, 53, 5223)
    assert names.port("apns") is None and names.port("70000") is None
    assert (names.protocol("ip"), names.protocol("ipsec"), names.protocol("icmp6"), names.protocol("6")) == (
        "", "esp", "ipv6-icmp", "tcp")
    assert names.protocol("bogus") is None
    assert names.is_icmp_type("echo-reply") and names.is_log_level("warnings") and not names.is_log_level("9")


def test_vendor_data_is_validated() -> None:
    with pytest.raises(ValidationError):
        AsaNames.model_validate({"protocols": {}, "ports": {"x": {"port": 70000, "protocols": ["tcp"]}},
                                 "icmp_types": {}, "log_levels": ["a"] * 8})


def test_conditional_names_what_it_depends_on() -> None:
    match = conditional("fqdn", ["courier.push.apple.com"], "FQDN object X: depends on the firewall's DNS")
    assert match == UnknownMatch("FQDN object X: depends on the firewall's DNS")
    with pytest.raises(ValueError, match="unknown condition kind"):
        conditional("weather", ["x"], "y")
    with pytest.raises(ValueError, match="names what it depends on"):
        conditional("fqdn", [], "y")


# -- ACE words ----------------------------------------------------------------------------
def test_ace_options_and_conditions(table: ObjectTable) -> None:
    ace = _parse("permit tcp any4 host 17.1.1.1 eq https log 7 interval 600 time-range NIGHT inactive", table)
    assert ace.inactive and ace.src.v4 == ((0, 2**32 - 1),) and not ace.src.v6
    assert [c.kind for c in ace.conditions] == ["time-range"]
    assert ace.terms == (ServiceTerm(frozenset({"tcp"}), None, ((443, 443),)),)


def test_ace_source_ports_by_operator_and_port_group(table: ObjectTable) -> None:
    by_operator = _parse("permit tcp any eq 5223 object-group OG-MIXED", table)
    assert by_operator.terms[0].sports == ((5223, 5223),) and by_operator.terms[0].dports is None
    by_group = _parse("permit tcp object OBJ-LAN object-group OG-SRC-PORTS any range 1 1023", table)
    assert by_group.terms[0].sports == ((5000, 5300),) and by_group.terms[0].dports == ((1, 1023),)


def test_ace_names_interface_and_identity(table: ObjectTable) -> None:
    ace = _parse("deny tcp user LOCAL\\bob proxy1 255.255.255.255 interface outside eq ssh", table)
    assert ace.src == masked("10.5.5.10", "255.255.255.255")
    assert ace.dst.v4 == ((3221225986, 3221225986),)
    assert [c.kind for c in ace.conditions] == ["identity"]
    unknown_if = _parse("permit ip any interface dmz", table)
    assert unknown_if.dst.conditions[0].kind == "interface"


@pytest.mark.parametrize("words", [
    "allow tcp any any", "permit tcpx any any", "permit tcp any any eq nosuchport", "permit tcp any any frobnicate",
    "permit tcp 10.0.0.0 any", "permit tcp 10.0.0.0 255.0.255.0 any", "permit object-group OG-MIXED any any",
    "permit tcp any", "permit icmp any any echo 3 7",
])
def test_ace_words_not_understood(table: ObjectTable, words: str) -> None:
    with pytest.raises(AsaSyntaxError):
        _parse(words, table)


def test_group_cycles_and_kind_mistakes_become_conditions(table: ObjectTable) -> None:
    looped = table.network_group("OG-A")
    assert looped.v4 == ((168364297, 168364297),)  # the members it does have still count
    assert "contains itself (OG-A > OG-B > OG-C > OG-A)" in looped.conditions[0].reason
    assert "is a service group, not a network group" in table.network_group("OG-SRC-PORTS").conditions[0].reason
    assert any("contains itself" in note for note in table.notes)


# -- rule expansion -----------------------------------------------------------------------
def test_terms_merge_protocols_and_ports() -> None:
    tcp, udp = frozenset({"tcp"}), frozenset({"udp"})
    merged = merge_terms([ServiceTerm(tcp, None, ((443, 443),)), ServiceTerm(udp, None, ((443, 443),)),
                          ServiceTerm(tcp, None, ((80, 80),)), ServiceTerm(tcp, None, ((443, 443),))])
    assert merged == [ServiceTerm(frozenset({"tcp", "udp"}), None, ((443, 443),)),
                      ServiceTerm(tcp, None, ((80, 80),))]
    assert merge_terms([ServiceTerm(tcp, None, ((443, 443),)), ServiceTerm(tcp)]) == [ServiceTerm(tcp)]


def test_any_any_is_one_rule_without_address_matches(table: ObjectTable) -> None:
    ace = Ace("ACL", 7, Line(7, "x"), "", _parse("permit tcp any any eq https", table))
    (rule,) = ace_rules(ace, _ref())
    assert rule.action is Action.ACCEPT
    assert not any(isinstance(m, RangeMatch) and m.dim in (Dim.SADDR, Dim.DADDR) for m in rule.matches)


def test_mixed_group_expands_per_family_and_keeps_the_fqdn_undecidable(table: ObjectTable) -> None:
    ace = Ace("ACL", 7, Line(7, "x"), "", _parse("deny object SVC-5223 any object-group OG-MIXED", table))
    rules = ace_rules(ace, _ref())
    assert [r.action for r in rules] == [Action.DROP] * 3 and {r.ref for r in rules} == {_ref()}
    v4, v6, fqdn = (r.matches for r in rules)
    assert RangeMatch(Dim.DADDR, from_networks([ipaddress.ip_network("17.0.0.0/8")]), 4) in v4
    assert any(isinstance(m, RangeMatch) and m.family == 6 for m in v6)
    assert ScalarMatch(Key.NFPROTO, frozenset({"ipv4"})) in fqdn
    assert any(isinstance(m, UnknownMatch) and "courier.push.apple.com" in m.reason for m in fqdn)


def test_ace_not_understood_keeps_its_action_or_is_unknown() -> None:
    permit = ace_rules(Ace("ACL", 3, Line(3, "x"), "", None, "bad words", "permit"), _ref())
    assert permit[0].action is Action.ACCEPT and isinstance(permit[0].matches[0], UnknownMatch)
    garbled = ace_rules(Ace("ACL", 3, Line(3, "x"), "", None, "bad words", ""), _ref())
    assert garbled[0].action is Action.UNKNOWN and "not understood (bad words)" in garbled[0].target


# -- fix snippets -------------------------------------------------------------------------
def _asa_table() -> AsaTable:
    return AsaTable(family="inet", name="fw", source="cmd:running_config_access_list", syntax="cisco_asa",
                    tool="cisco_asa", inbound={"inside": "INSIDE-IN"}, global_acl=None,
                    acl_sizes={"INSIDE-IN": 12}, object_names={"PUSHAUDIT-APNS-DST"})


def test_snippet_inserts_above_the_deciding_ace_with_fresh_group_names() -> None:
    traffic = Traffic(4, ("10.5.0.0/16",), ("17.249.0.0/16", "17.252.0.0/16"), (5223,), iif="inside")
    text = PLATFORM.allow_snippet(_asa_table(), "INSIDE-IN", _ref(), traffic)
    assert text.splitlines() == [
        "object-group network PUSHAUDIT-APNS-DST-2",
        " network-object 17.249.0.0 255.255.0.0",
        " network-object 17.252.0.0 255.255.0.0",
        "access-list INSIDE-IN line 7 extended permit tcp 10.5.0.0 255.255.0.0 object-group PUSHAUDIT-APNS-DST-2 "
        "eq 5223",
        "access-list INSIDE-IN line 7 remark Apple push notifications (APNs) - added as pushaudit suggested",
    ]


def test_snippet_for_the_implicit_deny_appends_to_the_interface_acl() -> None:
    traffic = Traffic(6, ("2001:db8:5::/48",), ("2620:149:a44::1/128",), (443, 2197), iif="inside")
    text = PLATFORM.allow_snippet(_asa_table(), IN_CHAIN, None, traffic)
    assert "access-list INSIDE-IN extended permit tcp 2001:db8:5::/48 host 2620:149:a44::1 " \
           "object-group PUSHAUDIT-APNS-TCP" in text
    assert " port-object eq 2197" in text and "line" not in text.split("object-group PUSHAUDIT-APNS-TCP\n")[-1]


def test_snippet_without_any_acl_creates_one_and_warns() -> None:
    table = _asa_table()
    traffic = Traffic(4, (), ("17.0.0.0/8",), (443,), iif="dmz")
    text = PLATFORM.allow_snippet(table, IN_CHAIN, None, traffic)
    assert text.splitlines()[0].startswith("! applying an access-group to dmz ends its security-level")
    assert "access-list PUSHAUDIT-APNS-IN extended permit tcp any4 17.0.0.0 255.0.0.0 eq 443" in text
    assert text.endswith("access-group PUSHAUDIT-APNS-IN in interface dmz")
    table.global_acl = "GLOBAL"
    assert "access-list GLOBAL extended permit tcp any4" in PLATFORM.allow_snippet(table, IN_CHAIN, None, traffic)


def test_snippet_for_a_management_only_interface_is_advice_only() -> None:
    ref = RuleRef("cmd:running_config_interface", "inet", "fw", IN_CHAIN, 1,
                  "interface Management0/0 nameif mgmt management-only: no through traffic")
    text = PLATFORM.allow_snippet(_asa_table(), IN_CHAIN, ref, Traffic(4, (), ("17.0.0.0/8",), (443,)))
    assert text.startswith("! interface Management0/0") and len(text.splitlines()) == 1


def test_snippet_works_on_a_plain_table() -> None:
    table = Table(family="inet", name="fw", source="cmd:x", syntax="cisco_asa", tool="cisco_asa")
    text = PLATFORM.allow_snippet(table, "INSIDE-IN", _ref(), Traffic(4, ("10.0.0.0/8",), ("17.0.0.0/8",), (443,)))
    assert text.startswith("access-list INSIDE-IN line 7 extended permit tcp 10.0.0.0 255.0.0.0 17.0.0.0")


# -- topology and commands ----------------------------------------------------------------
INTERFACES = """interface Gi0/0
 nameif outside
 ip address 192.0.2.2 255.255.255.0
 ipv6 address 2001:db8:1::2/64
interface Gi0/1
 nameif inside
 security-level 100
 ip address 10.5.0.1 255.255.0.0
interface Gi0/2
 nameif wan2
 ip address dhcp setroute
"""


def test_topology_from_interfaces_and_routes(tmp_path: Path) -> None:
    commands = {"running_config_interface": (INTERFACES, 0),
                "running_config_route": ("route outside 0 0 192.0.2.1 1\nroute outside 0.0.0.0 0.0.0.0 192.0.2.9 "
                                         "tunneled\nroute wan9 10.9.0.0 255.255.0.0 10.5.0.9 1\n", 0),
                "running_config_ipv6": ("ipv6 route outside ::/0 2001:db8:1::1\n", 0)}
    snap = make_snapshot(tmp_path, commands)
    topo = PLATFORM.build_topology(snap, snap.facts)
    assert topo.known
    assert topo.ingress_interface(ipaddress.ip_network("10.5.3.0/24")) == "inside"
    assert topo.egress_split(4, ((285212672, 301989887),)) == [(((285212672, 301989887),), "outside")]
    assert topo.is_local("192.0.2.2") and topo.is_local("2001:db8:1::2")
    assert any("route via wan9" in w for w in topo.warnings)
    assert any("wan2 gets its address by dhcp" in w for w in topo.warnings)


def test_topology_without_ipv6_routes_is_not_known(tmp_path: Path) -> None:
    commands = {"running_config_interface": (INTERFACES, 0),
                "running_config_route": ("route outside 0.0.0.0 0.0.0.0 192.0.2.1 1\n", 0)}
    snap = make_snapshot(tmp_path, commands)
    topo = PLATFORM.build_topology(snap, snap.facts)
    assert not topo.known and any("IPv6 static routes not collected" in w for w in topo.warnings)


def test_inventory_pins_ingress_and_egress(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path, {"running_config_interface": (INTERFACES, 0)},
                         data={"ingress": "inside", "egress": "nowhere"})
    topo = PLATFORM.build_topology(snap, snap.facts)
    assert topo.known
    assert topo.ingress_interface(ipaddress.ip_network("198.18.0.0/24")) == "inside"
    assert topo.egress_split(4, ((1, 2),)) == [(((1, 2),), "nowhere")]
    assert any("egress='nowhere' names no interface" in w for w in topo.warnings)
    bad = make_snapshot(tmp_path / "bad", {"running_config_interface": (INTERFACES, 0)}, data={"ingress": 7})
    assert any("'ingress' must be an interface name" in w for w in PLATFORM.build_topology(bad, bad.facts).warnings)


def test_required_commands_fail_closed(tmp_path: Path) -> None:
    base = {"running_config_interface": (INTERFACES, 0), "running_config_access_group": ("", 0)}
    with pytest.raises(DataError) as missing:
        PLATFORM.build_ruleset(make_snapshot(tmp_path / "a", base))
    assert missing.value.code == "E-DATA-MISSING"
    failed = {**base, "running_config_access_list": ("", 0), "running_config_object": ("ERROR: % Invalid input", 1)}
    ruleset = PLATFORM.build_ruleset(make_snapshot(tmp_path / "b", failed))
    assert any("running_config_object" in w and "failed (exit 1)" in w for w in ruleset.warnings)
    assert ruleset.tables[0].chains[IN_CHAIN].policy == "drop"


def test_optional_commands_warn_when_missing(tmp_path: Path) -> None:
    warnings: list[str] = []
    assert read_output(make_snapshot(tmp_path, {}), "running_config_names", required=False, warnings=warnings) is None
    assert warnings == ["cmd:running_config_names: not collected"]


def test_warnings_are_capped_per_command() -> None:
    output = _output("\n".join(f"garbage {i}" for i in range(100)))
    parse_objects(output, ObjectDefs())
    assert len(output.all_warnings()) == 41 and output.all_warnings()[-1] == "cmd:test: 60 more warnings not shown"


def test_a_bang_line_closes_a_block() -> None:
    output = _output("object network A\n host 10.0.0.1\n!\n host 10.0.0.2\n")
    defs = ObjectDefs()
    parse_objects(output, defs)
    assert defs.networks["A"].v4 == ((167772161, 167772161),)
    assert output.all_warnings() == ["cmd:test line 4: indented line outside any block: host 10.0.0.2"]


def test_port_operators() -> None:
    words = ["eq", "https", "neq", "www", "lt", "1024", "gt", "1023", "range", "ftp-data", "ftp"]
    assert port_operator(words, 0) == (((443, 443),), 2)
    assert port_operator(words, 2) == (((0, 79), (81, 65535)), 4)
    assert port_operator(words, 4) == (((0, 1023),), 6)
    assert port_operator(words, 6) == (((1024, 65535),), 8)
    assert port_operator(words, 8) == (((20, 21),), 11)
    assert port_operator(words, 1) is None
    with pytest.raises(AsaSyntaxError, match="empty port range"):
        port_operator(["range", "443", "80"], 0)


def test_an_ace_never_pairs_one_family_with_the_other(table: ObjectTable) -> None:
    ace = Ace("ACL", 7, Line(7, "x"), "", _parse("permit tcp object OBJ-LAN object-group OG-MIXED eq 5223", table))
    families = [{m.family for m in r.matches if isinstance(m, RangeMatch) and m.family} for r in ace_rules(ace, _ref())]
    assert families == [{4}, {4}]  # 10.5/16 -> 17/8, and 10.5/16 -> the v4 FQDN; never 10.5/16 -> the v6 range
