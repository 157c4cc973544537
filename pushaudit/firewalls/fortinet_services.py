"""Custom services and (nested) service groups resolved to protocol/port boxes.

A service is a union of boxes (protocol, source ports, destination ports, destination range);
``tcp-portrange 8080-8443:1024-65535`` is destination 8080-8443 from source 1024-65535.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from pushaudit.firewalls.fortinet_conf import Block
from pushaudit.firewalls.fortinet_data import fortinet_data
from pushaudit.firewalls.fortinet_match import Condition
from pushaudit.netfilter.intervals import PORT_MAX, IntervalSet, normalize
from pushaudit.netfilter.values import proto_name

ALL_PORTS: IntervalSet = ((0, PORT_MAX),)
_RANGES = {"tcp-portrange": "tcp", "udp-portrange": "udp", "sctp-portrange": "sctp", "udplite-portrange": "udplite"}
_HANDLED = frozenset({"protocol", "protocol-number", "icmptype", "icmpcode", "iprange", "fqdn", "proxy",
                      "app-service-type", *_RANGES})
_PORT_PROTOCOLS = frozenset({"TCP/UDP/SCTP", "TCP/UDP/UDP-Lite/SCTP", "ALL", "HTTP", "FTP", "CONNECT",
                             "SOCKS-TCP", "SOCKS-UDP"})


@dataclass(frozen=True)
class ServiceBox:
    protocol: str | None  # None: every IP protocol
    dports: IntervalSet | None = None  # None: the protocol has no ports, or any
    sports: IntervalSet = ALL_PORTS
    daddr: IntervalSet | None = None  # ``set iprange`` (IPv4 only)
    condition: Condition | None = None  # e.g. an ICMP type the model cannot express


@dataclass(frozen=True)
class ServiceSet:
    boxes: tuple[ServiceBox, ...] = ()
    maybe: tuple[Condition, ...] = ()  # services whose packets cannot be told

    def union(self, other: ServiceSet) -> ServiceSet:
        return ServiceSet(self.boxes + other.boxes, self.maybe + other.maybe)


ANY_SERVICE = ServiceSet((ServiceBox(None),))


class ServiceBook:
    """``firewall service custom`` and ``firewall service group``."""

    def __init__(self, custom: Block | None, groups: Block | None) -> None:
        self.custom = custom
        self.groups = groups
        self.warnings: list[str] = []
        self._cache: dict[str, ServiceSet] = {}
        self._resolving: list[str] = []

    def resolve(self, names: Sequence[str]) -> ServiceSet:
        result = ServiceSet()
        for name in names:
            result = result.union(self.lookup(name))
        return result

    def lookup(self, name: str) -> ServiceSet:
        if name in self._cache:
            return self._cache[name]
        if name in self._resolving:
            self._warn(f"service group {name} contains itself (cycle through {' -> '.join(self._resolving)})")
            return _unsure(name, "is nested in itself")
        self._resolving.append(name)
        try:
            found = self._find(name)
        finally:
            self._resolving.pop()
        self._cache[name] = found
        return found

    def _find(self, name: str) -> ServiceSet:
        if self.custom is not None and name in self.custom.entries:
            return self._custom(self.custom.entries[name])
        if self.groups is not None and name in self.groups.entries:
            group = self.groups.entries[name]
            if group.problems:
                return self._not_understood(group, group.problems)
            return self.resolve(group.values("member"))
        self._warn(f"service {name} is not defined")
        return _unsure(name, "not defined in show firewall service custom or group")

    def _custom(self, entry: Block) -> ServiceSet:
        unknown = [k for k in entry.settings if k not in _HANDLED and k not in fortinet_data().service.neutral]
        problems = entry.problems + [f"setting {k} is not understood" for k in unknown]
        if problems:
            return self._not_understood(entry, problems)
        if entry.value("app-service-type", "disable") != "disable":
            return _unsure(entry.name, f"application service ({entry.value('app-service-type')}): "
                           "permitted only if the FortiGate identifies the application")
        try:
            boxes = _boxes(entry)
        except ValueError as exc:
            return self._not_understood(entry, [str(exc)])
        if entry.value("fqdn"):
            cond = Condition("service", f"{entry.name} (fqdn {entry.value('fqdn')})",
                             "limited to the addresses the FortiGate's DNS resolves the name to")
            return ServiceSet(tuple(ServiceBox(b.protocol, b.dports, b.sports, b.daddr, cond) for b in boxes))
        if not boxes:
            self._warn(f"service {entry.name} (line {entry.line}) has no port range: it matches nothing")
        return ServiceSet(boxes)

    def _not_understood(self, entry: Block, problems: list[str]) -> ServiceSet:
        self._warn(f"service {entry.name} (line {entry.line}): {'; '.join(problems)}")
        return _unsure(entry.name, "not understood by pushaudit")

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def _unsure(name: str, reason: str) -> ServiceSet:
    return ServiceSet((), (Condition("service", name, reason),))


def _boxes(entry: Block) -> tuple[ServiceBox, ...]:
    protocol = entry.value("protocol", "TCP/UDP/SCTP")
    daddr = _iprange(entry.value("iprange"))
    if protocol in ("ICMP", "ICMP6"):
        name = "icmp" if protocol == "ICMP" else "ipv6-icmp"
        kind = entry.value("icmptype")
        cond = Condition("ICMP service", f"{entry.name} (type {kind})", "the rule model has no ICMP types")
        return (ServiceBox(name, daddr=daddr, condition=cond if kind else None),)
    if protocol == "IP":
        number = int(entry.value("protocol-number", "0"))
        return (ServiceBox(proto_name(number) if number else None, daddr=daddr),)
    if protocol not in _PORT_PROTOCOLS:
        raise ValueError(f"protocol {protocol} is not understood")
    boxes: list[ServiceBox] = []
    for key, name in _RANGES.items():
        by_source: dict[IntervalSet, list[tuple[int, int]]] = {}
        for item in entry.values(key):
            dports, sports = _port_entry(item)
            by_source.setdefault(sports, []).append(dports)
        boxes += [ServiceBox(name, normalize(d), s, daddr) for s, d in by_source.items()]
    if not boxes and protocol == "ALL":  # a proxy service without ranges: every port
        boxes.append(ServiceBox("tcp", ALL_PORTS, ALL_PORTS, daddr))
    return tuple(boxes)


def _port_entry(text: str) -> tuple[tuple[int, int], IntervalSet]:
    """``80``, ``80-90``, ``80:1024-65535`` -> (destination range, source ports)."""
    dst, _, src = text.partition(":")
    dports = _port_range(dst)
    return dports, ((_port_range(src),) if src else ALL_PORTS)


def _port_range(text: str) -> tuple[int, int]:
    lo_text, _, hi_text = text.partition("-")
    if not lo_text.isdigit() or (hi_text and not hi_text.isdigit()):
        raise ValueError(f"port range {text!r} is not understood")
    lo, hi = int(lo_text), int(hi_text or lo_text)
    if not 0 <= lo <= hi <= PORT_MAX:
        raise ValueError(f"port range {text!r} is out of order or bounds")
    return lo, hi


def _iprange(text: str) -> IntervalSet | None:
    """``set iprange 10.0.0.1-10.0.0.9`` (or one address); 0.0.0.0 means no limit."""
    if not text or text == "0.0.0.0":  # noqa: S104 - FortiOS's "no limit"
        return None
    lo, _, hi = text.partition("-")
    first, last = ipaddress.IPv4Address(lo), ipaddress.IPv4Address(hi or lo)
    return ((int(first), int(last)),)
