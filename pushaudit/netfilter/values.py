"""Literal values shared by the nft and iptables parsers: addresses, ports, protocol names."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from pushaudit.netfilter.intervals import Interval

# IANA protocol numbers the tools print as names.
PROTO_NAMES: dict[int, str] = {
    1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 33: "dccp", 41: "ipv6", 47: "gre",
    50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp", 136: "udplite",
}
PROTO_ALIASES = {"icmpv6": "ipv6-icmp", "ipv6-icmp": "ipv6-icmp", "6": "tcp", "17": "udp"}

# Services that appear as names in rules; anything else is looked up nowhere (fail closed).
SERVICES: dict[str, int] = {
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "www": 80,
    "pop3": 110, "ntp": 123, "imap": 143, "imap2": 143, "snmp": 161, "ldap": 389, "https": 443,
    "submission": 587, "imaps": 993, "pop3s": 995, "squid": 3128, "http-alt": 8080,
    "webcache": 8080, "apns": 2195, "apns-feedback": 2196,
}

PORT_PROTOCOLS = frozenset({"tcp", "udp", "udplite", "sctp", "dccp"})


def proto_name(value: str | int) -> str:
    text = str(value).strip().lower()
    if text.isdigit():
        return PROTO_NAMES.get(int(text), text)
    return PROTO_ALIASES.get(text, text)


def port_number(value: str | int) -> int | None:
    text = str(value).strip().lower()
    if text.isdigit():
        number = int(text)
        return number if 0 <= number <= 65535 else None
    return SERVICES.get(text)


def port_interval(text: str, sep: str = ":") -> Interval | None:
    """``443``, ``1000:2000``, ``1000:`` or ``:1023`` (iptables) / ``1000-2000`` (nft)."""
    if sep in text:
        lo_text, hi_text = text.split(sep, 1)
        lo = port_number(lo_text) if lo_text else 0
        hi = port_number(hi_text) if hi_text else 65535
    else:
        lo = hi = port_number(text)
    if lo is None or hi is None or lo > hi:
        return None
    return (lo, hi)


def address_interval(text: str) -> tuple[Interval, int] | None:
    """An address or CIDR block (host bits allowed, as iptables does) and its family."""
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return (int(net.network_address), int(net.broadcast_address)), net.version


@lru_cache(maxsize=1 << 16)  # the same addresses recur in many rules and sets
def address_value(text: str) -> tuple[int, int] | None:
    """A single address and its family."""
    text = text.strip()
    # inet_pton is strict (no leading zeros, no scope ids) and many times faster than ipaddress
    for family, version in ((socket.AF_INET, 4), (socket.AF_INET6, 6)):
        try:
            return int.from_bytes(socket.inet_pton(family, text), "big"), version
        except OSError:
            continue
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    return int(addr), addr.version
