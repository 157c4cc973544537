"""DNS answers for the model: real dig outputs, and the policy's facts about the courier names."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from squid_harness import FIXTURES, build_snapshot, policy_for

from pushaudit.squid.resolver import dig_addresses, policy_resolver

DIG = FIXTURES / "dst-by-address" / "commands"


def test_dig_answers_become_addresses_or_no_address() -> None:
    numbered = dig_addresses((DIG / "dns_1-courier.push.apple.com.txt").read_text())
    assert numbered == (ipaddress.ip_address("17.57.146.166"), ipaddress.ip_address("17.57.146.165"))
    assert dig_addresses((DIG / "dns_courier.push.apple.com.txt").read_text()) == ()  # CNAME, then NODATA
    assert dig_addresses((DIG / "dns_courier-push-apple.com.akadns.net.txt").read_text()) == ()


def test_unusable_dig_output_is_unknown_not_empty() -> None:
    assert dig_addresses(";; connection timed out; no servers could be reached\n") is None
    servfail = ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 1\n"
    assert dig_addresses(servfail) is None
    assert dig_addresses("") is None
    nxdomain = ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2\n;; ANSWER SECTION:\n"
    assert dig_addresses(nxdomain) == ()


def test_policy_resolver_knows_the_courier_names_and_nothing_else(tmp_path: Path) -> None:
    policy = policy_for("builtin")
    bare = policy_resolver(policy)
    assert bare.forward("courier.push.apple.com") == ()
    assert bare.forward("Courier-Push-Apple.com.akadns.net.") == ()
    assert bare.forward("albert.apple.com") is None
    assert bare.forward("17.1.2.3") == (ipaddress.ip_address("17.1.2.3"),)
    snapshot = build_snapshot(FIXTURES / "dst-by-address", tmp_path, {"host": {}})
    collected = policy_resolver(policy, snapshot)
    assert collected.forward("1-courier.push.apple.com") == numbered_addresses()


def numbered_addresses() -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]:
    return (ipaddress.ip_address("17.57.146.166"), ipaddress.ip_address("17.57.146.165"))
