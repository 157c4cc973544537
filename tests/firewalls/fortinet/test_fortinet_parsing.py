"""The FortiOS reader, address objects and services, piece by piece."""

from __future__ import annotations

import ipaddress

import pytest

from pushaudit.firewalls.fortinet import conditional
from pushaudit.firewalls.fortinet_addresses import AddressBook, v4_subnet
from pushaudit.firewalls.fortinet_conf import parse_config, tokens
from pushaudit.firewalls.fortinet_data import fortinet_data
from pushaudit.firewalls.fortinet_pieces import address_variants, service_variants
from pushaudit.firewalls.fortinet_policy import HANDLED
from pushaudit.firewalls.fortinet_services import ServiceBook
from pushaudit.netfilter.model import Dim, Key, RangeMatch, ScalarMatch, UnknownMatch


def _v4(text: str) -> tuple[int, int]:
    net = ipaddress.ip_network(text)
    return int(net.network_address), int(net.broadcast_address)


@pytest.mark.parametrize(("line", "words"), [
    ("set member a b", ["set", "member", "a", "b"]),
    ('set member "a b" "c"', ["set", "member", "a b", "c"]),
    ('set comments "say \\"hi\\" \\\\ bye"', ["set", "comments", 'say "hi" \\ bye']),
    ("set comments 'it is'", ["set", "comments", "it is"]),
    ('set name ""', ["set", "name", ""]),
    ('"only"', ["only"]),
])
def test_tokens(line: str, words: list[str]) -> None:
    assert tokens(line) == words


def test_tree_with_nested_blocks_multiline_values_and_unset() -> None:
    text = "\n".join([
        "config firewall ssl-ssh-profile",
        '    edit "p1"',
        '        set comment "line one',
        'line \\"two\\""',
        "        config https",
        "            set ports 443 8443",
        "            set status deep-inspection",
        "        end",
        "        config ssl-exempt",
        "            edit 1",
        "                set type address",
        "                unset type",
        "            next",
        "        end",
        "    next",
        "end",
    ])
    parsed = parse_config(text, "cmd:x")
    entry = parsed.sections["firewall ssl-ssh-profile"].entries["p1"]
    assert parsed.complete and not parsed.warnings
    assert entry.value("comment") == 'line one\nline "two"'
    assert entry.settings["comment"].line == 3
    assert entry.blocks["https"].values("ports") == ["443", "8443"]
    assert entry.blocks["https"].line == 5
    assert entry.blocks["ssl-exempt"].entries["1"].settings == {}
    assert entry.end_line == 15


def test_structure_problems_are_recorded_where_they_happen() -> None:
    text = "\n".join([
        "stray line before",
        "config firewall policy",
        "    edit 1",
        "        set action accept",
        "        --More--",
        "    next",
        "    next",
        "    edit 1",
        "    next",
    ])
    parsed = parse_config(text, "cmd:p")
    section = parsed.sections["firewall policy"]
    assert not parsed.complete
    assert any("outside any config block" in w for w in parsed.warnings)
    assert any("truncated" in w for w in parsed.warnings)
    assert section.entries["1"].problems == []  # the second "edit 1" replaced the first
    assert any("'next' outside an edit entry" in p for p in section.problems)
    assert any("appears twice" in p for p in section.problems)


def _book(objects: str, groups: str = "") -> AddressBook:
    obj = parse_config("config firewall address\n" + objects + "\nend\n", "cmd:a").sections["firewall address"]
    grp = parse_config("config firewall addrgrp\n" + groups + "\nend\n", "cmd:g").sections["firewall addrgrp"]
    return AddressBook({4: obj, 6: None}, {4: grp, 6: None})


def test_subnets_ranges_wildcards_and_defaults() -> None:
    book = _book("\n".join([
        'edit "all"', "next",
        'edit "n1"', "set subnet 10.1.2.3 255.255.255.0", "next",
        'edit "n2"', "set subnet 10.2.0.0/15", "next",
        'edit "r"', "set type iprange", "set start-ip 10.9.0.5", "set end-ip 10.9.0.9", "next",
        'edit "w"', "set type wildcard", "set wildcard 10.0.0.5 255.0.255.255", "next",
        'edit "bad-mask"', "set subnet 10.0.0.0 255.0.255.0", "next",
        'edit "bad-range"', "set type iprange", "set start-ip 10.0.0.9", "set end-ip 10.0.0.1", "next",
        'edit "mac"', "set type mac", "set macaddr 00:11:22:33:44:55", "next",
    ]))
    assert book.lookup("all", 4).known == ((0, 2**32 - 1),)
    assert book.lookup("n1", 4).known == (_v4("10.1.2.0/24"),)
    assert book.lookup("n2", 4).known == (_v4("10.2.0.0/15"),)
    assert book.lookup("r", 4).known == ((_v4("10.9.0.5/32")[0], _v4("10.9.0.9/32")[0]),)
    wild = book.lookup("w", 4).known
    assert len(wild) == 256 and wild[0] == _v4("10.0.0.5/32") and wild[-1] == _v4("10.255.0.5/32")
    for name in ("bad-mask", "bad-range", "mac"):
        found = book.lookup(name, 4)
        assert not found.known and found.maybe, name
    assert any("bad-mask" in w for w in book.warnings)
    missing = book.lookup("vip-web", 4)
    assert not missing.known and "not defined" in missing.maybe[0].conditions[0].reason


def test_v4_subnet_rejects_what_fortios_would_not_print() -> None:
    with pytest.raises(ValueError, match="contiguous"):
        v4_subnet(["10.0.0.0", "255.0.255.0"])
    with pytest.raises(ValueError):
        v4_subnet(["10.0.0.0/33"])


def test_groups_nest_exclude_and_stop_at_cycles() -> None:
    book = _book(
        "\n".join(['edit "a"', "set subnet 10.0.0.0 255.0.0.0", "next",
                   'edit "hole"', "set subnet 10.1.0.0 255.255.0.0", "next",
                   'edit "name"', "set type fqdn", 'set fqdn "x.example"', "next"]),
        "\n".join(['edit "g1"', 'set member "a"', "next",
                   'edit "g2"', 'set member "g1"', "set exclude enable", 'set exclude-member "hole"', "next",
                   'edit "g3"', 'set member "g2"', "set exclude enable", 'set exclude-member "name"', "next",
                   'edit "c1"', 'set member "c2"', "next", 'edit "c2"', 'set member "c1" "a"', "next"]),
    )
    assert book.lookup("g2", 4).known == (_v4("10.0.0.0/16"), (_v4("10.2.0.0/15")[0], _v4("10.255.0.0/16")[1]))
    g3 = book.lookup("g3", 4)  # minus an FQDN: nothing is certain any more
    assert g3.known == () and g3.maybe[0].within == book.lookup("g2", 4).known
    assert g3.maybe[0].conditions[0].negated
    cycle = book.lookup("c1", 4)
    assert cycle.known == (_v4("10.0.0.0/8"),) and cycle.maybe
    assert any("contains itself" in w for w in book.warnings)


def test_negated_set_with_fqdn_member() -> None:
    book = _book("\n".join(['edit "apple"', "set subnet 17.0.0.0 255.0.0.0", "next",
                            'edit "fq"', "set type fqdn", 'set fqdn "a.example"', "next"]),
                 "\n".join(['edit "g"', 'set member "apple" "fq"', "next"]))
    variants = address_variants(book.lookup("g", 4).negated(), Dim.DADDR)
    assert len(variants) == 1  # nothing is certainly outside the group
    (rng, unknown) = variants[0]
    assert isinstance(rng, RangeMatch) and isinstance(unknown, UnknownMatch)
    assert rng.values == ((0, _v4("17.0.0.0/8")[0] - 1), (_v4("17.0.0.0/8")[1] + 1, 2**32 - 1))
    assert unknown.reason.startswith("not FQDN object fq = a.example")


def _services(custom: str, groups: str = "") -> ServiceBook:
    c = parse_config("config firewall service custom\n" + custom + "\nend\n", "c").sections["firewall service custom"]
    g = parse_config("config firewall service group\n" + groups + "\nend\n", "g").sections["firewall service group"]
    return ServiceBook(c, g)


def _by_protocol(variants: list[tuple[object, ...]]) -> dict[str, dict[Dim, tuple[tuple[int, int], ...]]]:
    out: dict[str, dict[Dim, tuple[tuple[int, int], ...]]] = {}
    for variant in variants:
        proto = next((m for m in variant if isinstance(m, ScalarMatch) and m.key is Key.L4PROTO), None)
        name = ("!" if proto.negate else "") + ",".join(sorted(proto.values)) if proto else "any"
        out[name] = {m.dim: m.values for m in variant if isinstance(m, RangeMatch)}
    return out


def test_port_ranges_with_source_ports_and_protocols() -> None:
    book = _services("\n".join([
        'edit "mix"', "set tcp-portrange 80 8080-8090:1024-65535 443", "set udp-portrange 53", "next",
        'edit "gre"', "set protocol IP", "set protocol-number 47", "next",
        'edit "icmp"', "set protocol ICMP", "next",
        'edit "broken"', "set tcp-portrange 80-70", "next",
        'edit "appsvc"', "set app-service-type app-id", "set app-category 5", "next",
        'edit "odd"', "set tcp-portrange 443", "set new-knob 1", "next",
    ]))
    variants = service_variants(book.resolve(["mix", "gre", "icmp"]), 4)
    tcp = [v for v in variants if ScalarMatch(Key.L4PROTO, frozenset({"tcp"})) in v]
    assert {tuple(m.values for m in v if isinstance(m, RangeMatch)) for v in tcp} == {
        (((80, 80), (443, 443)),), (((8080, 8090),), ((1024, 65535),))}
    assert _by_protocol(variants)["udp"] == {Dim.DPORT: ((53, 53),)}
    assert _by_protocol(variants)["gre"] == {}
    assert _by_protocol(variants)["icmp"] == {}
    for name in ("broken", "appsvc", "odd", "nothing-by-this-name"):
        assert book.lookup(name).maybe and not book.lookup(name).boxes, name
    assert any("new-knob" in w for w in book.warnings)


def test_negated_service_is_the_exact_complement() -> None:
    book = _services("\n".join(['edit "web"', "set tcp-portrange 80 443", "next",
                                'edit "dns"', "set udp-portrange 53", "next"]))
    parts = _by_protocol(service_variants(book.resolve(["web", "dns"]), 4, negate=True))
    assert parts["tcp"] == {Dim.DPORT: ((0, 79), (81, 442), (444, 65535))}
    assert parts["udp"] == {Dim.DPORT: ((0, 52), (54, 65535))}
    assert parts["!tcp,udp"] == {}
    everything = _services('edit "ALL"\nset protocol IP\nnext')
    assert service_variants(everything.resolve(["ALL"]), 4, negate=True) == []


def test_vendor_data_and_conditional_wording() -> None:
    data = fortinet_data()
    assert "logtraffic" in data.policy.neutral and "groups" in data.policy.conditional
    assert not data.policy.neutral & set(data.policy.conditional)
    assert not data.policy.neutral & HANDLED and not set(data.policy.conditional) & HANDLED
    ztna = data.policy.conditional["ztna-status"]
    assert not ztna.applies(["disable"]) and ztna.applies(["enable"])
    match = conditional("FQDN object", [f"n{i}" for i in range(8)], "depends on DNS")
    assert match.reason == "FQDN object n0, n1, n2, n3, n4, n5 (+2 more): depends on DNS"
