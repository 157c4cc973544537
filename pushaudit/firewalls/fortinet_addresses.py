"""Address objects and (nested, excluding) address groups of both families, resolved to
AddressSets; FQDN, geography and dynamic objects become conditions."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pushaudit.firewalls.fortinet_addrset import AddressSet, union_all
from pushaudit.firewalls.fortinet_conf import Block
from pushaudit.firewalls.fortinet_match import Condition
from pushaudit.netfilter.intervals import IntervalSet

_MAX_WILDCARD_BITS = 12  # a wildcard mask with more scattered bits stays undecidable
_DNS = "matches only the addresses the FortiGate's DNS resolves it to"
_WILDCARD_DNS = "matches only addresses the FortiGate learned from DNS answers for matching names"
_GEO = "depends on FortiGuard's geo-IP database"
_DYNAMIC = "filled at run time (SDN connector, MAC or FSSO) and not in the snapshot"
_DYNAMIC_KINDS = frozenset({"dynamic", "mac", "route-tag", "template"})
# What a missing object means when the command that defines such objects was not collected.
_PREDEFINED = {"all": "everything", "none": "nothing"}


class AddressBook:
    """``firewall address``/``addrgrp`` (IPv4) and ``address6``/``addrgrp6`` (IPv6)."""

    def __init__(self, objects: dict[int, Block | None], groups: dict[int, Block | None]) -> None:
        self.objects = objects
        self.groups = groups
        self.warnings: list[str] = []
        self._cache: dict[tuple[int, str], AddressSet] = {}
        self._resolving: list[tuple[int, str]] = []

    def resolve(self, names: Sequence[str], family: int) -> AddressSet:
        """The union of the named objects or groups."""
        if not names:
            return AddressSet(family)
        return union_all(family, [self.lookup(name, family) for name in names])

    def lookup(self, name: str, family: int) -> AddressSet:
        key = (family, name)
        if key in self._cache:
            return self._cache[key]
        if key in self._resolving:
            path = " -> ".join(n for _, n in self._resolving)
            self._warn(f"address group {name} contains itself (cycle through {path})")
            return AddressSet.conditional(family, Condition("address group", name, "is nested in itself"))
        self._resolving.append(key)
        try:
            found = self._find(name, family)
        finally:
            self._resolving.pop()
        self._cache[key] = found
        return found

    def _find(self, name: str, family: int) -> AddressSet:
        objects, groups = self.objects.get(family), self.groups.get(family)
        if objects is not None and name in objects.entries:
            return self._object(objects.entries[name], family)
        if groups is not None and name in groups.entries:
            return self._group(groups.entries[name], family)
        if name in _PREDEFINED and (objects is None or groups is None):
            return AddressSet.everything(family) if name == "all" else AddressSet(family)
        what = "address6" if family == 6 else "address"
        if objects is None or groups is None:
            reason = f"show firewall {what}/addrgrp{'6' if family == 6 else ''} was not collected"
        else:
            reason = f"not defined in show firewall {what} or its groups (a VIP or an object pushaudit does not read)"
            self._warn(f"IPv{family} address {name} is not defined")
        return AddressSet.conditional(family, Condition(f"IPv{family} address", name, reason))

    def _group(self, entry: Block, family: int) -> AddressSet:
        if entry.problems:
            return self._not_understood(entry, family, "address group", entry.problems)
        category = entry.value("category", "default")
        if category != "default":
            return AddressSet.conditional(family, Condition("address group", entry.name,
                                                            f"{category} group: {_DYNAMIC}"))
        members = self.resolve(entry.values("member"), family)
        if entry.enabled("exclude"):
            members = members.minus(self.resolve(entry.values("exclude-member"), family))
        return members

    def _object(self, entry: Block, family: int) -> AddressSet:
        if entry.problems:
            return self._not_understood(entry, family, "address", entry.problems)
        kind = entry.value("type", "ipmask" if family == 4 else "ipprefix")
        try:
            known = _static_range(entry, kind, family)
        except ValueError as exc:
            return self._not_understood(entry, family, "address", [str(exc)])
        if known is not None:
            return AddressSet(family, known)
        return AddressSet.conditional(family, _object_condition(entry, kind))

    def _not_understood(self, entry: Block, family: int, what: str, problems: list[str]) -> AddressSet:
        self._warn(f"{what} {entry.name} (line {entry.line}): {'; '.join(problems)}")
        return AddressSet.conditional(family, Condition(what, entry.name, "not understood by pushaudit"))

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def _static_range(entry: Block, kind: str, family: int) -> IntervalSet | None:
    """The addresses of an object whose members do not change at run time; None otherwise."""
    if kind in ("ipmask", "interface-subnet") and family == 4:
        words = entry.values("subnet")
        return (v4_subnet(words),) if words else ((0, 0xFFFFFFFF),)  # FortiOS's default: everything
    if kind == "ipprefix" and family == 6:
        net6 = ipaddress.IPv6Network(entry.value("ip6", "::/0"), strict=False)
        return ((int(net6.network_address), int(net6.broadcast_address)),)
    if kind == "iprange":
        ends = [ipaddress.ip_address(entry.value(k)) for k in ("start-ip", "end-ip")]
        if any(a.version != family for a in ends):
            raise ValueError(f"iprange of {entry.name} is not IPv{family}")
        lo, hi = (int(a) for a in ends)
        if hi < lo:
            raise ValueError(f"start-ip after end-ip in {entry.name}")
        return ((lo, hi),)
    if kind == "wildcard" and family == 4:
        return _wildcard(entry.values("wildcard"))
    return None


def v4_subnet(words: list[str]) -> tuple[int, int]:
    """``10.1.0.0 255.255.0.0`` or ``10.1.0.0/16`` as an interval (host bits ignored, as FortiOS does)."""
    text, _, prefix = words[0].partition("/")
    addr = int(ipaddress.IPv4Address(text))
    if prefix:
        if not prefix.isdigit() or int(prefix) > 32:
            raise ValueError(f"prefix length {prefix} is not understood")
        mask = (0xFFFFFFFF << (32 - int(prefix))) & 0xFFFFFFFF
    elif len(words) == 2:
        mask = int(ipaddress.IPv4Address(words[1]))
    else:
        raise ValueError(f"subnet {' '.join(words)} is not understood")
    free = ~mask & 0xFFFFFFFF
    if free & (free + 1):
        raise ValueError(f"netmask {words[1]} is not contiguous")
    return addr & mask, (addr & mask) | free


def _wildcard(words: list[str]) -> IntervalSet | None:
    """``set wildcard 10.0.3.0 255.0.255.0``: the mask's set bits must match, the rest are free."""
    if len(words) != 2:
        raise ValueError("wildcard needs an address and a mask")
    addr, mask = (int(ipaddress.IPv4Address(w)) for w in words)
    free = ~mask & 0xFFFFFFFF
    run = 0  # free bits from bit 0 up: each combination of the others is one interval
    while run < 32 and free >> run & 1:
        run += 1
    scattered = [b for b in range(run, 32) if free >> b & 1]
    if len(scattered) > _MAX_WILDCARD_BITS:
        return None
    base, width = addr & mask, (1 << run) - 1
    out = []
    for combo in range(1 << len(scattered)):
        value = base | sum(1 << bit for i, bit in enumerate(scattered) if combo >> i & 1)
        out.append((value, value | width))
    return tuple(sorted(out))


def _object_condition(entry: Block, kind: str) -> Condition:
    if kind == "fqdn":
        return Condition("FQDN object", f"{entry.name} = {entry.value('fqdn')}", _DNS)
    if kind == "wildcard-fqdn":
        return Condition("wildcard FQDN object", f"{entry.name} = {entry.value('wildcard-fqdn')}", _WILDCARD_DNS)
    if kind == "geography":
        return Condition("geography object", f"{entry.name} = country {entry.value('country')}", _GEO)
    if kind == "wildcard":
        return Condition("wildcard object", f"{entry.name} = {' '.join(entry.values('wildcard'))}",
                         "its mask has too many scattered bits to expand")
    if kind in _DYNAMIC_KINDS:
        return Condition(f"{kind} object", entry.name, _DYNAMIC)
    return Condition("address object", entry.name, f"type {kind} is not understood by pushaudit")
