"""Unit tests of the PAN-OS platform's pieces: readers of literal values, the tag filter, the
data file, the XML loader and its line numbers, rule pieces, topology corner cases, the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from command_outputs import split_outputs
from panos_harness import FIXTURES, analyse, make_snapshot
from pydantic import ValidationError

from pushaudit.errors import DataError
from pushaudit.firewalls.paloalto_panos import PLATFORM, load_policy
from pushaudit.firewalls.paloalto_panos_addresses import literal_address, wildcard_address
from pushaudit.firewalls.paloalto_panos_data import PanosData, app_port, panos_data, port_list
from pushaudit.firewalls.paloalto_panos_model import AddrSet, Condition, PortSpec, RuleMatch, ServiceSet
from pushaudit.firewalls.paloalto_panos_rawrule import Nested, RuleListError, from_element, read_entry
from pushaudit.firewalls.paloalto_panos_rules import conditional, match_variants
from pushaudit.firewalls.paloalto_panos_tagfilter import TagFilterError, parse_tag_filter
from pushaudit.firewalls.paloalto_panos_xml import parse_config
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Dim, RangeMatch, Table, UnknownMatch
from pushaudit.netfilter.remediation import Traffic
from pushaudit.netfilter.shadow import find_shadowed

V4 = 4


def ip(text: str) -> int:
    import ipaddress

    return int(ipaddress.ip_address(text))


# -- literal values --------------------------------------------------------------------------
def test_literal_addresses() -> None:
    assert literal_address("10.1.2.3") == AddrSet(v4=((ip("10.1.2.3"), ip("10.1.2.3")),))
    assert literal_address("10.1.2.3/24") == AddrSet(v4=((ip("10.1.2.0"), ip("10.1.2.255")),))  # host bits ignored
    assert literal_address("10.0.0.9 - 10.0.0.1") is None  # reversed range
    assert literal_address("10.0.0.1-2001:db8::1") is None
    top = ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
    assert literal_address("2001:db8::/32") == AddrSet(v6=((ip("2001:db8::"), top),))
    for bad in ("10.0.0.256", "10.0.0.0/33", "fqdn.example", "10.0.0/8", "10.0.0.1/", ""):
        assert literal_address(bad) is None, bad


def test_wildcard_addresses() -> None:
    every_tenth = wildcard_address("10.1.0.10/0.0.255.0")
    assert every_tenth is not None and len(every_tenth.v4) == 256
    assert every_tenth.v4[0] == (ip("10.1.0.10"), ip("10.1.0.10"))
    assert every_tenth.v4[-1] == (ip("10.1.255.10"), ip("10.1.255.10"))
    assert wildcard_address("10.9.9.9/0.0.0.255") == AddrSet(v4=((ip("10.9.9.0"), ip("10.9.9.255")),))
    mixed = wildcard_address("10.0.0.0/0.0.1.3")  # bit 8 free, bits 0-1 a run: two blocks of four
    assert mixed == AddrSet(v4=((ip("10.0.0.0"), ip("10.0.0.3")), (ip("10.0.1.0"), ip("10.0.1.3"))))
    assert wildcard_address("10.0.0.0/0.255.0.255") is not None  # 2**8 blocks of 256
    assert wildcard_address("0.0.0.0/85.85.85.85") is None  # 2**16 blocks: not expanded
    assert wildcard_address("10.0.0.0/255.0.0") is None


def test_port_lists() -> None:
    assert port_list("80,8080-8090, 443") == ((80, 80), (443, 443), (8080, 8090))
    for bad in ("", "80-", "-80", "70000", "90-80", "http"):
        assert port_list(bad) is None, bad
    assert app_port("TCP/443,8443") == PortSpec("tcp", ((443, 443), (8443, 8443)))
    assert app_port("udp/dynamic") is None
    assert app_port("icmp/8") is None


def test_tag_filters() -> None:
    f = parse_tag_filter("'web' and ('prod' or \"staging\")")
    assert f({"web", "prod"}) and f({"web", "staging"})
    assert not f({"web"}) and not f({"prod", "staging"})
    g = parse_tag_filter("'a' or 'b' and 'c'")  # and binds tighter
    assert g({"a"}) and g({"b", "c"}) and not g({"b"})
    for bad in ("", "'a' and", "('a'", "'a' 'b'", "a", "'a' xor 'b'", "'a')"):
        with pytest.raises(TagFilterError):
            parse_tag_filter(bad)


def test_data_file_is_validated() -> None:
    data = panos_data()
    assert data.services("service-https") == (PortSpec("tcp", ((443, 443),)),)
    assert data.services("service-http") == (PortSpec("tcp", ((80, 80), (8080, 8080))),)
    assert data.app_ports("apple-push-notifications") is None  # never guessed
    with pytest.raises(ValidationError):
        PanosData.model_validate({**data.model_dump(), "predefined_services": {"x": ["tcp/80-"]}})
    with pytest.raises(ValidationError):
        PanosData.model_validate({**data.model_dump(), "unknown_key": []})


# -- XML loading -----------------------------------------------------------------------------
MINIMAL = """<config version="10.2.0">
  <!-- a comment that mentions <entry name="x"> and <rules> must not move any line -->
  <devices>
    <entry name="localhost.localdomain">
      <vsys>
        <entry name="vsys1">
          <rulebase>
            <security>
              <rules>
                <entry name="r1">
                  <from><member>any</member></from>
                </entry>
                <entry name="r2"/>
              </rules>
            </security>
          </rulebase>
        </entry>
      </vsys>
    </entry>
  </devices>
</config>
"""


def test_entry_lines_inside_and_outside_rule_lists() -> None:
    doc = parse_config("\n\n" + MINIMAL, "cmd:config_running")
    vsys = doc.root.find("devices/entry/vsys/entry")
    assert vsys is not None and doc.line(vsys) == 8
    rules = [(raw.name, raw.line, raw.fields) for raw in doc.rule_entries(vsys.find("rulebase/security/rules"))]
    assert rules == [("r1", 12, {"from": ["any"]}), ("r2", 15, {})]
    assert not doc.warnings


ENTRIES = [
    # the regex reads these ...
    '<entry name="a" uuid="u-1">\n  <from>\n    <member>trust</member>\n    <member>dmz</member>\n  </from>\n'
    "  <action>allow</action>\n  <disabled/>\n  <description>two\nlines > one</description>\n</entry>",
    '<entry name="b"><profile-setting><group><member>strict</member></group></profile-setting>'
    "<type><ssl-forward-proxy/></type><option><disable-server-response-inspection>no"
    "</disable-server-response-inspection></option><to><member>any</member></to></entry>",
    # ... ElementTree reads these (entity, comment, unexpected nesting, self-closing entry)
    '<entry name="c&amp;d"><source><member>x</member></source></entry>',
    '<entry name="e"><!-- note --><to><member>any</member></to></entry>',
    '<entry name="f"><service><member>any</member><group>g</group></service></entry>',
    '<entry name="g"/>',
]


@pytest.mark.parametrize("text", ENTRIES)
def test_flat_entries_read_alike_by_regex_and_elementtree(text: str) -> None:
    import xml.etree.ElementTree as ET

    assert read_entry(text, 7) == from_element(ET.fromstring(text), 7)


def test_regex_reads_flat_entries_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from pushaudit.firewalls import paloalto_panos_rawrule

    def no_fallback(*args: object) -> None:
        raise AssertionError("fell back to ElementTree")

    monkeypatch.setattr(paloalto_panos_rawrule, "from_element", no_fallback)
    first = read_entry(ENTRIES[0], 1)
    assert first.fields == {"from": ["trust", "dmz"], "action": "allow", "disabled": "",
                            "description": "two\nlines > one"}
    second = read_entry(ENTRIES[1], 1)
    assert second.fields["type"] == Nested("ssl-forward-proxy")
    assert second.fields["profile-setting"] == Nested("group")


def test_broken_entry_is_not_read_by_the_regex() -> None:
    with pytest.raises(RuleListError, match="mismatched tag"):
        read_entry('<entry name="x"><service><member>a</service></entry>', 1)
    with pytest.raises(RuleListError, match="something other than <entry>"):
        read_entry('<entry name="x"/><source><member>a</member></source>', 1)


def test_api_response_wrapper_and_stray_text() -> None:
    doc = parse_config("some banner\n<response status='success'><result>" + MINIMAL + "</result></response>\n", "x")
    assert doc.root.tag == "config"
    assert any("text outside the XML document" in w for w in doc.warnings)


@pytest.mark.parametrize(("output", "message", "line"), [
    ("", "empty or not XML", None),
    ("Unknown command: config\n", "empty or not XML", None),
    ("set address a ip-netmask 10.0.0.0/8\n", "set-format output", None),
    ("<config>\n  <devices>\n</config>\n", "XML does not parse (mismatched tag", 3),
    ("\n<foo/>\n", "XML root <foo> is not a PAN-OS <config>", 2),
])
def test_not_a_panos_configuration(output: str, message: str, line: int | None) -> None:
    with pytest.raises(DataError) as info:
        parse_config(output, "cmd:config_running")
    assert info.value.code == "E-PARSE-FIREWALL"
    assert message in info.value.message
    assert info.value.line == line


def test_no_device_entry(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path, {"config_running": ("<config><shared/></config>", 0)})
    with pytest.raises(DataError, match="no <devices><entry>"):
        PLATFORM.build_ruleset(snap)


def test_one_parse_per_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pushaudit.firewalls import paloalto_panos

    calls: list[str] = []

    def counting(output: str, source: str) -> object:
        calls.append(source)
        return parse_config(output, source)

    monkeypatch.setattr(paloalto_panos, "parse_config", counting)
    commands = split_outputs((FIXTURES / "defaults_ruletypes" / "config.txt").read_text(), "config_running")
    snap = make_snapshot(tmp_path, commands)
    PLATFORM.build_ruleset(snap)
    PLATFORM.build_topology(snap, snap.facts)
    PLATFORM.build_ruleset(snap)
    assert calls == ["cmd:config_running"]


# -- rules -----------------------------------------------------------------------------------
def test_conditional_wording() -> None:
    assert conditional("application", ["ssl", "dns"], "App-ID decides") == UnknownMatch(
        "application ssl, dns: App-ID decides")
    assert conditional("destination", [], "FQDN object f = x.example") == UnknownMatch(
        "destination: FQDN object f = x.example")


def _match(source: AddrSet, destination: AddrSet, *, negate: bool = False) -> RuleMatch:
    return RuleMatch((), (), source, destination, ServiceSet(any=True), negate_destination=negate)


def test_variants_split_known_from_unknown_addresses() -> None:
    apple = AddrSet(v4=((ip("17.0.0.0"), ip("17.255.255.255")),), unknown=("FQDN object f = a.example",))
    variants = match_variants(_match(AddrSet(any=True), apple), ["trust"])
    ranges = [[m for m in v if isinstance(m, RangeMatch)] for v in variants]
    unknown = [[m for m in v if isinstance(m, UnknownMatch)] for v in variants]
    # v4: the known block (decided) and everything else (undecidable); v6: only undecidable
    assert [(r[0].family, r[0].negate) for r in ranges] == [(4, False), (4, True), (6, True)]
    assert [len(u) for u in unknown] == [0, 1, 1]
    negated = match_variants(_match(AddrSet(any=True), apple, negate=True), [])
    assert [(v[0].family, v[0].negate, len(v)) for v in negated if isinstance(v[0], RangeMatch)] == [
        (4, True, 2), (6, True, 2)]
    assert match_variants(_match(AddrSet(any=True), AddrSet(any=True), negate=True), []) == []


def test_variants_of_services_by_protocol_and_source_ports() -> None:
    service = ServiceSet(ports=(PortSpec("tcp", ((443, 443),)), PortSpec("udp", ((53, 53),)),
                                PortSpec("tcp", ((443, 443), (8443, 8443)), ((1024, 65535),))))
    variants = match_variants(RuleMatch((), (), AddrSet(any=True), AddrSet(any=True), service), [])
    assert len(variants) == 3  # tcp any source port, udp, tcp 8443 from high ports (443 already taken)
    restricted = [v for v in variants if any(isinstance(m, RangeMatch) and m.dim is Dim.SPORT for m in v)]
    assert [m.values for m in restricted[0] if isinstance(m, RangeMatch) and m.dim is Dim.DPORT] == [((8443, 8443),)]


def test_pieces_of_one_rule_never_shadow_each_other(tmp_path: Path) -> None:
    commands = split_outputs((FIXTURES / "appid_fqdn_dynamic" / "config.txt").read_text(), "config_running")
    table = PLATFORM.build_ruleset(make_snapshot(tmp_path, commands)).tables[0]
    chain = table.chains["security"]
    for item in find_shadowed(table, chain, chain.rules):
        assert item.rule not in item.by, item.describe()


def test_rule_conditions_are_kept_in_the_vendor_model(tmp_path: Path) -> None:
    commands = split_outputs((FIXTURES / "appid_fqdn_dynamic" / "config.txt").read_text(), "config_running")
    policy = load_policy(make_snapshot(tmp_path, commands))
    staff = {r.name: r for r in policy.security}
    assert staff["Staff-Push-Scheduled"].match.conditions == (
        Condition("schedule", ("business-hours",), "the rule applies only at the scheduled times"),)
    assert staff["BYOD-Web"].applications == ("ssl", "web-browsing")
    assert staff["BYOD-Deny-MDM-Agent"].match.service == ServiceSet(ports=(
        PortSpec("tcp", ((8443, 8443),)), PortSpec("tcp", ((22, 22),))))


# -- Panorama, topology, fixes ----------------------------------------------------------------
def test_panorama_managed_firewall_without_pushed_rules(tmp_path: Path) -> None:
    commands = split_outputs((FIXTURES / "panorama_managed" / "config.txt").read_text(), "config_running")
    managed = analyse(make_snapshot(tmp_path / "a", commands), ["10.1.40.0/24"], ["17.57.144.0/22"], [5223])
    assert {c.result.outcome.verdict.value for c in managed.classes} == {"unknown"}
    told = make_snapshot(tmp_path / "b", commands, data={"panorama_pushed_rules": "none"})
    decided = analyse(told, ["10.1.40.0/24"], ["17.57.144.0/22"], [5223])
    assert {c.result.outcome.verdict.value for c in decided.classes} == {"drop", "unknown"}
    assert not any("Panorama" in w for w in PLATFORM.build_ruleset(told).warnings)


def test_route_through_another_virtual_router_makes_zones_undecidable(tmp_path: Path) -> None:
    text = (FIXTURES / "defaults_ruletypes" / "config.txt").read_text().replace(
        "<discard/>", "<next-vr>vr-partner</next-vr>")
    snap = make_snapshot(tmp_path / "a", {"config_running": (text, 0)})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert topology.known is False
    assert any("exit (next hop next-vr" in w for w in topology.warnings)
    analysis = analyse(snap, ["10.1.0.0/16"], ["17.249.0.0/16"], [5223])
    assert {c.result.outcome.verdict.value for c in analysis.classes} == {"unknown"}
    # an egress named in the inventory decides again
    told = make_snapshot(tmp_path / "b", {"config_running": (text, 0)}, data={"egress": "ethernet1/1"})
    analysis = analyse(told, ["10.1.0.0/16"], ["17.249.0.0/16"], [5223])
    assert [(c.oif, c.result.outcome.verdict.value) for c in analysis.classes] == [("wan", "drop")]


def test_unknown_override_is_reported(tmp_path: Path) -> None:
    commands = split_outputs((FIXTURES / "defaults_ruletypes" / "config.txt").read_text(), "config_running")
    snap = make_snapshot(tmp_path, commands, data={"ingress": "nowhere"})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert any("host data ingress: nowhere is neither a zone" in w for w in topology.warnings)


def _ref(name: str, index: int) -> RuleRef:
    return RuleRef("cmd:config_running", "inet", "vsys1", "security", index, f"{name}: ...", comment=name)


@pytest.mark.parametrize(("table", "before", "move"), [
    ("vsys1", _ref("Deny Guests", 3),
     'move rulebase security rules pushaudit-apns-guest-wifi-untrust-v4 before "Deny Guests"'),
    ("vsys2", _ref("Block", 1),
     "move vsys vsys2 rulebase security rules pushaudit-apns-guest-wifi-untrust-v4 before Block"),
    ("vsys1", _ref("interzone-default", 9), None),
    ("vsys1", _ref("pushed rules", 0), None),
    ("vsys1", None, None),
])
def test_allow_snippet_placement(table: str, before: RuleRef | None, move: str | None) -> None:
    traffic = Traffic(4, ("10.110.0.0/16",), ("17.249.0.0/16", "17.252.0.0/16"), (5223, 443), "guest-wifi", "untrust")
    lines = PLATFORM.allow_snippet(Table("inet", table, "cmd:config_running", "paloalto_panos", "paloalto_panos"),
                                   "security", before, traffic).splitlines()
    prefix = "" if table == "vsys1" else f"vsys {table} "
    assert lines[0] == f"set {prefix}service pushaudit-apns-tcp-443-5223 protocol tcp port 443,5223"
    assert lines[1].startswith(f"set {prefix}rulebase security rules pushaudit-apns-guest-wifi-untrust-v4 "
                               "from guest-wifi to untrust source 10.110.0.0/16 "
                               "destination [ 17.249.0.0/16 17.252.0.0/16 ] ")
    assert lines[2:] == ([move] if move else [])


def test_failed_collection(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path, {"config_running": ("Unknown command: config\n", 1)})
    with pytest.raises(DataError) as info:
        PLATFORM.build_topology(snap, snap.facts)
    assert info.value.code == "E-COLLECT-COMMAND"
    assert "Unknown command: config" in info.value.message


def test_missing_collection(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path, {})
    with pytest.raises(DataError) as info:
        PLATFORM.build_ruleset(snap)
    assert info.value.code == "E-DATA-MISSING"


VWIRE = """<config version="10.2.0">
  <devices>
    <entry name="localhost.localdomain">
      <network>
        <interface>
          <ethernet>
            <entry name="ethernet1/5"><virtual-wire/></entry>
            <entry name="ethernet1/6"><virtual-wire/></entry>
          </ethernet>
        </interface>
      </network>
      <vsys>
        <entry name="vsys1">
          <zone>
            <entry name="vw-in"><network><virtual-wire><member>ethernet1/5</member></virtual-wire></network></entry>
            <entry name="vw-out"><network><virtual-wire><member>ethernet1/6</member></virtual-wire></network></entry>
          </zone>
          <rulebase>
            <security>
              <rules>
                <entry name="Out">
                  <from><member>vw-in</member></from>
                  <to><member>vw-out</member></to>
                  <source><member>any</member></source>
                  <destination><member>any</member></destination>
                  <application><member>any</member></application>
                  <service><member>any</member></service>
                  <action>allow</action>
                </entry>
              </rules>
            </security>
          </rulebase>
        </entry>
      </vsys>
    </entry>
  </devices>
</config>
"""


def test_virtual_wire_needs_the_inventory_zones(tmp_path: Path) -> None:
    snap = make_snapshot(tmp_path / "a", {"config_running": (VWIRE, 0)})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert topology.known is False
    assert any("no layer-3 route for vsys1" in w for w in topology.warnings)
    analysis = analyse(snap, ["10.1.0.0/16"], ["17.249.0.0/16"], [5223])
    assert not analysis.unroutable  # never "no route" for a firewall that does not route
    assert {c.result.outcome.verdict.value for c in analysis.classes} == {"unknown"}
    told = make_snapshot(tmp_path / "b", {"config_running": (VWIRE, 0)},
                         data={"ingress": "ethernet1/5", "egress": "vw-out"})
    decided = analyse(told, ["10.1.0.0/16"], ["17.249.0.0/16"], [5223])
    assert [(c.iif, c.oif, c.result.outcome.verdict.value) for c in decided.classes] == [("vw-in", "vw-out", "accept")]


def test_route_into_another_vsys_is_undecidable(tmp_path: Path) -> None:
    text = (FIXTURES / "multi_vsys_shared" / "config.txt").read_text().replace(
        "<destination>0.0.0.0/0</destination>\n                      </entry>\n                    </static-route>\n"
        "                  </ip>\n                </routing-table>\n              </entry>\n            </vrf>",
        "<destination>0.0.0.0/0</destination>\n                      </entry>\n"
        "                      <entry name=\"to-corp\"><interface>ethernet1/2</interface>"
        "<destination>10.1.0.0/16</destination></entry>\n                    </static-route>\n"
        "                  </ip>\n                </routing-table>\n              </entry>\n            </vrf>")
    assert "to-corp" in text
    snap = make_snapshot(tmp_path, {"config_running": (text, 0)}, data={"vsys": "vsys2"})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert topology.known is False
    assert any("leaves by ethernet1/2, an interface of another vsys" in w for w in topology.warnings)
