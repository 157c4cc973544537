"""src/dst ACL values: networks, ranges and the question "is this address in it?"."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from pushaudit.squid.model import Acl
from pushaudit.squid.request import IPAddress, ip_literal
from pushaudit.squid.tri import Tri

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class IpRange:
    low: IPAddress
    high: IPAddress

    def __contains__(self, address: IPAddress) -> bool:
        same = self.low.version == self.high.version == address.version
        return same and int(self.low) <= int(address) <= int(self.high)


@lru_cache(maxsize=4096)
def _ip_spec(value: str) -> tuple[IPNet | IpRange, ...] | None:
    """Networks or a range for one src/dst value; None for a host name."""
    if value == "all":
        return (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
    base, _, mask = value.partition("/")
    if "-" in base:
        low, _, high = base.partition("-")
        lo, hi = ip_literal(low), ip_literal(high)
        return (IpRange(lo, hi),) if lo is not None and hi is not None else None
    try:
        return (ipaddress.ip_network(f"{base}/{mask}" if mask else base, strict=False),)
    except ValueError:
        return None


def networks(acl: Acl) -> list[IPNet]:
    """The CIDR networks of an IP-type ACL (ranges and names left out)."""
    return [n for v in acl.values for n in _ip_spec(v) or () if not isinstance(n, IpRange)]


def _in_spec(item: IPNet | IpRange, address: IPAddress) -> bool:
    if isinstance(item, IpRange):
        return address in item
    return item.version == address.version and address in item


def ip_in(acl: Acl, address: IPAddress) -> Tri:
    results: list[Tri] = []
    for value in acl.values:
        spec = _ip_spec(value)
        # None: a host name Squid resolved at startup; its address is not known here
        results.append(Tri.UNKNOWN if spec is None else Tri.of(any(_in_spec(i, address) for i in spec)))
    return Tri.any(results)
