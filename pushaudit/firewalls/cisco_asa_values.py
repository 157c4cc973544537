"""Values of ASA configuration: address sets, service terms and the conditions the snapshot
cannot decide (FQDN objects, time ranges, identity), plus the literal address and port forms."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from pushaudit.firewalls.cisco_asa_names import asa_names
from pushaudit.netfilter.intervals import IntervalSet, addr_max, normalize, subtract
from pushaudit.netfilter.model import UnknownMatch

PORT_TOP = 65535
CONDITION_KINDS = frozenset({"fqdn", "time-range", "identity", "icmp-type", "unresolved", "interface",
                             "same-security", "unparsed"})


class AsaSyntaxError(ValueError):
    """A configuration line, or part of one, that this parser does not understand."""


@dataclass(frozen=True)
class Condition:
    """Part of a match whose outcome depends on something the snapshot does not hold."""

    kind: str  # one of CONDITION_KINDS
    values: tuple[str, ...]
    reason: str  # what a network engineer reads in the finding
    family: int | None = None  # an FQDN object restricted to v4 or v6


def conditional(kind: str, values: Sequence[str], reason: str) -> UnknownMatch:
    """The one place a condition becomes a match: undecidable, so the evaluator follows it both
    ways and reports UNKNOWN (never a silent PASS) where the two ways differ."""
    if kind not in CONDITION_KINDS:
        raise ValueError(f"unknown condition kind {kind!r}")
    if not values:
        raise ValueError("a condition names what it depends on")
    return UnknownMatch(reason=reason)


@dataclass(frozen=True)
class AddrSet:
    """Addresses an ACE side matches: decided intervals per family plus undecidable parts."""

    v4: IntervalSet = ()
    v6: IntervalSet = ()
    conditions: tuple[Condition, ...] = ()

    def union(self, other: AddrSet) -> AddrSet:
        return AddrSet(normalize(self.v4 + other.v4), normalize(self.v6 + other.v6),
                       tuple(dict.fromkeys(self.conditions + other.conditions)))

    @property
    def is_any(self) -> bool:
        return self.v4 == ANY4.v4 and self.v6 == ANY6.v6 and not self.conditions

    @property
    def is_empty(self) -> bool:
        return not (self.v4 or self.v6 or self.conditions)


ANY4 = AddrSet(v4=((0, addr_max(4)),))
ANY6 = AddrSet(v6=((0, addr_max(6)),))
ANY = ANY4.union(ANY6)


def unresolved(kind: str, name: str, why: str) -> Condition:
    return Condition("unresolved", (name,), f"{kind} {name} {why}: what it matches is unknown")


# Large configurations repeat the same literals; parsing each once keeps a 20,000-ACE dump fast.
# Bounded: a fleet run parses thousands of configurations in one process.
@lru_cache(maxsize=1 << 16)
def network(text: str) -> AddrSet:
    """``10.1.0.0/16`` style (v6 prefixes, or v4 after mask conversion); AsaSyntaxError if not."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise AsaSyntaxError(f"not an address: {text}") from exc
    span = ((int(net.network_address), int(net.broadcast_address)),)
    return AddrSet(v4=span) if net.version == 4 else AddrSet(v6=span)


@lru_cache(maxsize=1 << 16)
def host(address: str) -> AddrSet:
    value = _ipv4_int(address)
    if value is not None:
        return AddrSet(v4=((value, value),))
    try:
        addr = ipaddress.ip_address(address)
    except ValueError as exc:
        raise AsaSyntaxError(f"not a host address: {address}") from exc
    return network(f"{addr}/{addr.max_prefixlen}")


@lru_cache(maxsize=1 << 16)
def masked(address: str, mask: str) -> AddrSet:
    """An IPv4 address with a dotted netmask (a contiguous mask, as the ASA requires)."""
    value, bits = _ipv4_int(address), _ipv4_int(mask)
    inverse = (~bits & 0xFFFFFFFF) if bits is not None else 1
    if value is None or bits is None or inverse & (inverse + 1):
        raise AsaSyntaxError(f"not an IPv4 address and netmask: {address} {mask}")
    low = value & bits
    return AddrSet(v4=((low, low | inverse),))


_DOTTED = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")


@lru_cache(maxsize=1 << 16)  # addresses and masks recur in thousands of lines
def _ipv4_int(text: str) -> int | None:
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except OSError:
        pass  # leading zeros (010.1.1.1) and the like: the slow path decides
    found = _DOTTED.fullmatch(text)
    if found is None:
        return None
    a, b, c, d = (int(p) for p in found.groups())
    if max(a, b, c, d) > 255:
        return None
    return (a << 24) | (b << 16) | (c << 8) | d


def address_range(first: str, last: str) -> AddrSet:
    lo, hi = host(first), host(last)
    if bool(lo.v4) != bool(hi.v4):
        raise AsaSyntaxError(f"range mixes address families: {first} {last}")
    if lo.v4:
        return AddrSet(v4=normalize([(lo.v4[0][0], hi.v4[0][1])]))
    return AddrSet(v6=normalize([(lo.v6[0][0], hi.v6[0][1])]))


def is_ipv4(text: str) -> bool:
    return _ipv4_int(text) is not None


@dataclass(frozen=True)
class ServiceTerm:
    """Protocols and ports one service entry matches (None: not restricted)."""

    protocols: frozenset[str] | None = None
    sports: IntervalSet | None = None
    dports: IntervalSet | None = None
    condition: Condition | None = None


def port_value(word: str) -> int:
    number = asa_names().port(word)
    if number is None:
        raise AsaSyntaxError(f"unknown port name {word!r}")
    return number


def port_operator(words: Sequence[str], at: int) -> tuple[IntervalSet, int] | None:
    """A port operator at ``words[at]`` (eq, neq, lt, gt, range): its ports and the next
    position; None when no operator is there."""
    op = words[at] if at < len(words) else ""
    if op not in ("eq", "neq", "lt", "gt", "range"):
        return None
    if at + 1 >= len(words) or (op == "range" and at + 2 >= len(words)):
        raise AsaSyntaxError(f"port operator {op} without a port")
    first = port_value(words[at + 1])
    if op == "range":
        last = port_value(words[at + 2])
        if last < first:
            raise AsaSyntaxError(f"empty port range {first} {last}")
        return ((first, last),), at + 3
    return _operator_ports(op, first), at + 2


@cache
def _operator_ports(op: str, port: int) -> IntervalSet:
    if op == "eq":
        return ((port, port),)
    if op == "neq":
        return subtract(((0, PORT_TOP),), ((port, port),))
    return normalize([(0, port - 1)] if op == "lt" else [(port + 1, PORT_TOP)])
