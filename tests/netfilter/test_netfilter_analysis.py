"""Interfaces and routes, shadowed rules, fix commands, and the APPLE_INTERCEPTION model."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable

import pytest

from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.interception import InterceptVerdict, RuleRef
from pushaudit.netfilter import APPLE_INTERCEPTION, INTERCEPTION_ANALYSIS, RULESET
from pushaudit.netfilter.ifaces import parse_topology
from pushaudit.netfilter.intervals import from_networks
from pushaudit.netfilter.iptables_save import parse_iptables_save
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic, allow_command, exclude_command
from pushaudit.netfilter.shadow import find_shadowed

from .conftest import FIXTURES, fixture_commands, interface_commands

NET = ipaddress.ip_network


# -- interfaces and routes -------------------------------------------------------------------------
def test_routes_pick_interfaces_by_longest_prefix() -> None:
    commands = interface_commands("fw1")
    topo = parse_topology(commands["ip_addr"][0], commands["ip_route"][0])
    assert topo.ingress_interface(NET("198.18.10.0/24")) == "lan0"
    assert topo.ingress_interface(NET("198.18.10.128/25")) == "lan0"
    assert topo.ingress_interface(NET("203.0.113.0/24")) is None
    assert topo.egress_split(4, from_networks([NET("198.19.4.0/22")])) == [(((0xC6130400, 0xC61307FF),), "wan0")]
    assert topo.is_local("198.18.20.1") and topo.is_local("127.0.0.53") and not topo.is_local("198.18.20.2")


def test_egress_split_follows_more_specific_routes_and_blackholes() -> None:
    topo = parse_topology("[]", json.dumps([
        {"dst": "default", "gateway": "192.0.2.1", "dev": "wan0"},
        {"dst": "198.19.5.0/24", "gateway": "192.0.2.9", "dev": "dmz0"},
        {"type": "blackhole", "dst": "198.19.6.0/24"},
        {"dst": "default", "gateway": "fe80::1", "dev": "wan6", "metric": 1024, "pref": "medium"},
    ]))
    legs = {dev: nets for nets, dev in topo.egress_split(4, from_networks([NET("198.19.4.0/22")]))}
    assert legs["dmz0"] == from_networks([NET("198.19.5.0/24")])
    assert legs[None] == from_networks([NET("198.19.6.0/24")])
    assert legs["wan0"] == from_networks([NET("198.19.4.0/24"), NET("198.19.7.0/24")])
    assert topo.egress_split(6, from_networks([NET("2620:149:a44::/48")]))[0][1] == "wan6"


def test_unparsable_ip_output_is_a_parse_error() -> None:
    with pytest.raises(DataError) as err:
        parse_topology("Object \"addr\" is unknown", "[]")
    assert err.value.code == "E-PARSE-NETFILTER"


# -- shadowed rules -------------------------------------------------------------------------------
def _filter(body: str) -> Table:
    text = f"*filter\n:FORWARD DROP [0:0]\n:SUB - [0:0]\n{body}\nCOMMIT\n"
    return parse_iptables_save(text, "cmd:iptables_save", 4, "iptables").tables[0]


@pytest.mark.parametrize(
    ("body", "shadowed", "by"),
    [
        # covered by the union of two earlier rules, neither alone
        ("-A FORWARD -p tcp --dport 1:2000 -j DROP\n-A FORWARD -p tcp --dport 2001:65535 -j ACCEPT\n"
         "-A FORWARD -p tcp -d 17.0.0.0/8 --dport 1999:2001 -j ACCEPT", [3], [[1, 2]]),
        # wildcard interface covers a concrete one; a different protocol does not
        ("-A FORWARD -i lan+ -j DROP\n-A FORWARD -i lan0 -p tcp -j ACCEPT\n-A FORWARD -i eth0 -j ACCEPT", [2], [[1]]),
        # a jump may come back, an unknown match may not hold, a narrower state does not cover
        ("-A FORWARD -j SUB\n-A FORWARD -m mark --mark 1 -j DROP\n"
         "-A FORWARD -m conntrack --ctstate NEW -j DROP\n-A FORWARD -p tcp -j ACCEPT", [], []),
        # negated earlier rule that excludes less than the later one
        ("-A FORWARD ! -i lan0 -j DROP\n-A FORWARD ! -i lan+ -p tcp -j ACCEPT", [2], [[1]]),
    ],
)
def test_shadowed_rules(body: str, shadowed: list[int], by: list[list[int]]) -> None:
    table = _filter(body)
    chain = table.chains["FORWARD"]
    found = find_shadowed(table, chain, chain.rules)
    assert [s.rule.index for s in found] == shadowed
    assert [[r.index for r in s.by] for s in found] == by


# -- fix commands ---------------------------------------------------------------------------------
def _ref(**kwargs: object) -> RuleRef:
    values: dict[str, object] = {"source": "cmd:nft_ruleset", "family": "inet", "table": "filter",
                                 "chain": "forward", "index": 3, "text": "x", "handle": 5}
    values.update(kwargs)
    return RuleRef(**values)  # type: ignore[arg-type]


def test_allow_commands_in_each_syntax() -> None:
    traffic = Traffic(4, ("198.18.10.0/24",), ("17.249.0.0/16", "17.252.0.0/16"), (5223, 443), "lan0", "wan0")
    nft = Table("inet", "filter", "cmd:nft_ruleset", "nft", "nft")
    assert allow_command(nft, "forward", _ref(), traffic) == (
        'nft insert rule inet filter forward handle 5 iifname "lan0" oifname "wan0" ip saddr 198.18.10.0/24 '
        'ip daddr { 17.249.0.0/16, 17.252.0.0/16 } tcp dport { 5223, 443 } accept comment "Apple push (APNs)"')
    assert allow_command(nft, "forward", None, traffic).startswith("nft add rule inet filter forward iifname")
    ipt = Table("ip", "filter", "cmd:iptables_save", "iptables", "iptables")
    single = Traffic(4, ("198.18.10.0/24",), ("17.0.0.0/8",), (2197,))
    assert allow_command(ipt, "FORWARD", _ref(index=7), single) == (
        "iptables -I FORWARD 7 -s 198.18.10.0/24 -d 17.0.0.0/8 -p tcp --dport 2197 -j ACCEPT")
    legacy6 = Table("ip6", "filter", "cmd:ip6tables_legacy_save", "iptables", "ip6tables-legacy")
    assert allow_command(legacy6, "FORWARD", None, Traffic(6, (), ("2620:149:a44::/48",), (443, 5223))) == (
        "ip6tables-legacy -A FORWARD -d 2620:149:a44::/48 -p tcp -m multiport --dports 443,5223 -j ACCEPT")


def test_exclusion_commands() -> None:
    nat = Table("ip", "nat", "cmd:iptables_save", "iptables", "iptables")
    assert exclude_command(nat, "PREROUTING", _ref(index=2), family=4, destinations=("17.0.0.0/8",),
                           base_chain=True) == "iptables -t nat -I PREROUTING 2 -d 17.0.0.0/8 -j RETURN"
    assert exclude_command(nat, "DIVERT", _ref(index=1), family=4, destinations=("17.0.0.0/8",),
                           base_chain=False).endswith("-j ACCEPT")
    nft = Table("inet", "proxy", "cmd:nft_ruleset", "nft", "nft")
    command = exclude_command(nft, "pre", _ref(handle=9), family=6, destinations=("2620:149:a44::/48",),
                              base_chain=True)
    assert command == "nft insert rule inet proxy pre handle 9 ip6 daddr 2620:149:a44::/48 return"


# -- the interception model -----------------------------------------------------------------------
def _proxy(make_context: Callable[..., HostContext], case: str, topology: str,
           networks: list[str]) -> HostContext:
    commands = {**fixture_commands(FIXTURES / case), **interface_commands(topology)}
    return make_context(role="proxy", client_networks=networks, commands=commands)


def test_apple_interception_per_port(make_context: Callable[..., HostContext]) -> None:
    excluded = _proxy(make_context, "redirect_exclusion", "proxy1", ["198.18.11.0/24"]).get(APPLE_INTERCEPTION)
    assert [(i.port, i.verdict) for i in excluded] == [(p, InterceptVerdict.NOT_INTERCEPTED) for p in
                                                       (5223, 443, 2197, 80)]
    assert all(i.rule is not None and i.rule.text == "ip daddr 198.19.0.0/16 return" for i in excluded)
    ctx = _proxy(make_context, "redirect_no_exclusion", "proxy3", ["198.18.13.0/24"])
    by_port = {i.port: i for i in ctx.get(APPLE_INTERCEPTION)}
    assert by_port[443].verdict is InterceptVerdict.INTERCEPTED
    assert (by_port[443].method, by_port[443].to_port) == ("redirect", 3130)
    assert by_port[443].rule is not None and by_port[443].rule.handle == 2
    assert by_port[443].example == "198.18.13.10:40000 -> 198.19.0.10:443"
    assert by_port[5223].verdict is InterceptVerdict.NOT_INTERCEPTED
    analysis = ctx.get(INTERCEPTION_ANALYSIS)
    assert analysis.other.verdict is InterceptVerdict.PARTIAL  # 443 only, of all other ports


def test_dnat_counts_only_to_a_local_address(make_context: Callable[..., HostContext]) -> None:
    ctx = _proxy(make_context, "dnat_targets", "proxy1", ["198.18.11.0/24"])
    by_port = {i.port: i for i in ctx.get(APPLE_INTERCEPTION)}
    assert (by_port[443].verdict, by_port[443].method, by_port[443].to_port) == (
        InterceptVerdict.INTERCEPTED, "dnat", 3130)
    assert by_port[2197].verdict is InterceptVerdict.INTERCEPTED  # 127.0.0.1 is the host's too
    assert by_port[5223].verdict is InterceptVerdict.NOT_INTERCEPTED
    assert any("another host" in r for r in by_port[5223].reasons)


def test_partial_and_unknown_interception(make_context: Callable[..., HostContext]) -> None:
    partial = _proxy(make_context, "partial_exclusion", "proxy1", ["198.18.11.0/24"]).get(APPLE_INTERCEPTION)
    assert {i.port: i.verdict for i in partial}[443] is InterceptVerdict.PARTIAL
    commands = {**fixture_commands(FIXTURES / "iptables_redirect"), **interface_commands("proxy3")}
    del commands["iptables_save"]
    unknown = make_context(role="proxy", client_networks=["198.18.13.0/24"], commands=commands)
    verdicts = {i.port: i for i in unknown.get(APPLE_INTERCEPTION)}
    assert verdicts[443].verdict is InterceptVerdict.UNKNOWN
    assert verdicts[443].rule is not None and "xt target REDIRECT" in verdicts[443].rule.text


def test_quiet_hosts_are_not_intercepted(make_context: Callable[..., HostContext]) -> None:
    no_clients = _proxy(make_context, "redirect_no_exclusion", "proxy3", [])
    assert {i.verdict for i in no_clients.get(APPLE_INTERCEPTION)} == {InterceptVerdict.NOT_INTERCEPTED}
    no_rules = _proxy(make_context, "lab_fw1", "proxy1", ["198.18.11.0/24"])
    assert no_rules.get(APPLE_INTERCEPTION)[0].reasons == ("no interception rules in the ruleset",)


def test_model_errors_are_cached_data_errors(make_context: Callable[..., HostContext]) -> None:
    ctx = make_context(role="proxy", client_networks=["198.18.11.0/24"], commands={})
    for _ in range(2):
        with pytest.raises(DataError) as err:
            ctx.get(APPLE_INTERCEPTION)
        assert err.value.code == "E-DATA-MISSING"
    with pytest.raises(DataError):
        ctx.get(RULESET)
    bad = make_context(role="proxy", client_networks=["not-a-net"],
                       commands=fixture_commands(FIXTURES / "redirect_exclusion"))
    with pytest.raises(DataError) as err:
        bad.get(APPLE_INTERCEPTION)
    assert "not-a-net" in err.value.message
