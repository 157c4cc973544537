"""allow_snippet: the Junos lines that permit APNs, placed where they take effect."""

from __future__ import annotations

from pushaudit.firewalls.juniper_junos import PLATFORM
from pushaudit.firewalls.juniper_junos_build import SOURCE, SYNTAX
from pushaudit.firewalls.juniper_junos_snippet import ZONE_GUARD
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic

TABLE = Table("inet", "srx1", SOURCE, SYNTAX, SYNTAX)
TRAFFIC = Traffic(4, ("10.1.0.0/16",), ("17.249.0.0/16", "17.57.144.0/22"), (5223, 443), iif="trust", oif="untrust")


def _ref(chain: str, name: str, text: str = "") -> RuleRef:
    return RuleRef(SOURCE, "inet", "srx1", chain, 1, text or f"policy {name}: ...", line=10, comment=name)


def test_before_a_zone_pair_deny() -> None:
    chain = "from-zone trust to-zone untrust"
    lines = PLATFORM.allow_snippet(TABLE, chain, _ref(chain, "deny-printers"), TRAFFIC).splitlines()
    assert "set security address-book global address pushaudit-dst-17.249.0.0_16 17.249.0.0/16" in lines
    assert ("set security address-book global address-set pushaudit-apns-src address pushaudit-src-10.1.0.0_16"
            in lines)
    assert "set applications application pushaudit-tcp-5223 protocol tcp destination-port 5223" in lines
    assert ("set security policies from-zone trust to-zone untrust policy pushaudit-allow-apns "
            "match destination-address pushaudit-apns-dst") in lines
    assert "set security policies from-zone trust to-zone untrust policy pushaudit-allow-apns then permit" in lines
    assert lines[-1] == ("insert security policies from-zone trust to-zone untrust policy pushaudit-allow-apns "
                         "before policy deny-printers")


def test_default_policy_gets_a_zone_pair_policy_without_insert() -> None:
    ref = _ref("forward", "default-policy", "default-policy deny-all")
    text = PLATFORM.allow_snippet(TABLE, "forward", ref, TRAFFIC)
    assert "set security policies from-zone trust to-zone untrust policy pushaudit-allow-apns then permit" in text
    assert "insert" not in text


def test_global_deny_is_beaten_by_a_zone_pair_policy() -> None:
    text = PLATFORM.allow_snippet(TABLE, "global", _ref("global", "block-smb"), TRAFFIC)
    assert "from-zone trust to-zone untrust policy pushaudit-allow-apns" in text and "insert" not in text


def test_unknown_zones_give_a_global_policy_before_the_global_deny() -> None:
    traffic = Traffic(6, (), ("2620:149:a44::/48",), (5223,))
    lines = PLATFORM.allow_snippet(TABLE, "global", _ref("global", "deny-v6"), traffic).splitlines()
    assert "set security address-book global address pushaudit-dst-2620-149-a44--_48 2620:149:a44::/48" in lines
    assert "set security policies global policy pushaudit-allow-apns match source-address any" in lines
    assert lines[-1] == "insert security policies global policy pushaudit-allow-apns before policy deny-v6"


def test_interface_outside_zones_is_explained() -> None:
    ref = RuleRef(SOURCE, "inet", "srx1", "forward", 1, "iifname not in a security zone (a): dropped",
                  comment=ZONE_GUARD)
    traffic = Traffic(4, ("10.1.0.0/16",), ("17.0.0.0/8",), (443,), iif="ge-0/0/9.0", oif="untrust")
    text = PLATFORM.allow_snippet(TABLE, "forward", ref, traffic)
    assert text.startswith("# ge-0/0/9.0 is in no security zone")
