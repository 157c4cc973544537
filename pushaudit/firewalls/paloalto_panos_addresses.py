"""Address members of PAN-OS rules: objects, nested static groups, dynamic groups, external
lists, regions and literal addresses, resolved to interval sets per IP family.

Lookup follows PAN-OS: the vsys first, then ``shared``. What the configuration cannot tell
(FQDN objects, addresses registered at run time, list contents, GeoIP) is kept as a reason in
``AddrSet.unknown`` so the rule becomes undecidable for the addresses it might hold.
"""

from __future__ import annotations

import ipaddress
import socket
import xml.etree.ElementTree as ET

from pushaudit.firewalls.paloalto_panos_data import panos_data
from pushaudit.firewalls.paloalto_panos_model import ANY, AddrSet
from pushaudit.firewalls.paloalto_panos_tagfilter import TagFilterError, parse_tag_filter
from pushaudit.firewalls.paloalto_panos_xml import ConfigDoc, entries, members, text
from pushaudit.netfilter.intervals import Interval, normalize

_MAX_WILDCARD_BLOCKS = 4096
EMPTY = AddrSet()


class AddressBook:
    """Resolves address member names of one vsys (with ``shared`` behind it)."""

    def __init__(self, doc: ConfigDoc, scopes: list[ET.Element]) -> None:
        self.doc = doc
        self.warnings: list[str] = []
        self.objects: dict[str, ET.Element] = {}
        self.groups: dict[str, ET.Element] = {}
        self.edls: set[str] = set(panos_data().predefined_edls)
        self.regions: dict[str, ET.Element] = {}
        for scope in scopes:  # the vsys first: its names hide shared ones
            for kind, table in (("address", self.objects), ("address-group", self.groups),
                                ("region", self.regions)):
                for entry in entries(scope, kind):
                    table.setdefault(entry.get("name", ""), entry)
            self.edls.update(e.get("name", "") for e in entries(scope, "external-list"))
        self._cache: dict[str, AddrSet] = {}
        self._lists: dict[tuple[str, ...], AddrSet] = {}
        self._referrer: int | None = None

    def resolve(self, names: list[str], line: int | None = None) -> AddrSet:
        """The addresses of a rule's member list (``line``: the rule's, for warnings)."""
        self._referrer = line
        key = tuple(names)  # rules repeat the same lists: resolve (and merge) each list once
        if key not in self._lists:
            if ANY in names:
                self._lists[key] = AddrSet(any=True)
            else:
                self._lists[key] = AddrSet.merge([self.member(name, ()) for name in names]) if names else EMPTY
        return self._lists[key]

    def member(self, name: str, stack: tuple[str, ...]) -> AddrSet:
        if name in self._cache:
            return self._cache[name]
        if name in stack:
            cycle = " -> ".join((*stack[stack.index(name):], name))
            self.warnings.append(f"{self.doc.where(self.groups[name])}: address group cycle {cycle}")
            return AddrSet(unknown=(f"address group cycle {cycle}",))
        result = self._lookup(name, stack)
        self._cache[name] = result
        return result

    def _lookup(self, name: str, stack: tuple[str, ...]) -> AddrSet:
        if name in self.objects:
            return self._object(name, self.objects[name])
        if name in self.groups:
            return self._group(name, self.groups[name], (*stack, name))
        if name in self.edls:
            return AddrSet(unknown=(f"external dynamic list {name}: its addresses are fetched at run time",))
        if name in self.regions:
            return literal_list(members(self.regions[name], "address") or [])
        return literal_address(name) or self._unnamed(name)

    def _unnamed(self, name: str) -> AddrSet:
        """A member that is no object, group, list, custom region nor address."""
        if len(name) == 2 and name.isalpha() and name.isupper():
            return AddrSet(unknown=(f"region {name}: depends on the firewall's GeoIP data",))
        where = f" line {self._referrer}" if self._referrer is not None else ""
        self.warnings.append(f"{self.doc.source}{where}: address {name} is not defined in the configuration")
        return AddrSet(unknown=(f"address {name} is not defined in the configuration",))

    def _object(self, name: str, entry: ET.Element) -> AddrSet:
        for kind in ("ip-netmask", "ip-range"):
            value = text(entry, kind)
            if value is not None:
                found = literal_address(value)
                if found is not None:
                    return found
                self.warnings.append(f"{self.doc.where(entry)}: address {name}: cannot read {kind} {value}")
                return AddrSet(unknown=(f"address {name} ({kind} {value}) could not be read",))
        wildcard = text(entry, "ip-wildcard")
        if wildcard is not None:
            found = wildcard_address(wildcard)
            if found is None:
                self.warnings.append(f"{self.doc.where(entry)}: address {name}: ip-wildcard {wildcard} not expanded")
                return AddrSet(unknown=(f"address {name} (ip-wildcard {wildcard}) could not be expanded",))
            return found
        fqdn = text(entry, "fqdn")
        if fqdn is not None:
            return AddrSet(unknown=(f"FQDN object {name} = {fqdn}: its addresses depend on the firewall's DNS",))
        self.warnings.append(f"{self.doc.where(entry)}: address {name} has no type pushaudit reads")
        return AddrSet(unknown=(f"address {name} has an unsupported type",))

    def _group(self, name: str, entry: ET.Element, stack: tuple[str, ...]) -> AddrSet:
        static = members(entry, "static")
        if static is not None:
            return AddrSet.merge([self.member(member, stack) for member in static]) if static else EMPTY
        expression = text(entry, "dynamic/filter")
        if expression is None:
            self.warnings.append(f"{self.doc.where(entry)}: address group {name} is neither static nor dynamic")
            return AddrSet(unknown=(f"address group {name} could not be read",))
        runtime = (f"dynamic address group {name} (filter {expression}): addresses registered at run time "
                   "(User-ID, VM monitoring, API) are not in the configuration",)
        try:
            wanted = parse_tag_filter(expression)
        except TagFilterError as exc:
            self.warnings.append(f"{self.doc.where(entry)}: dynamic address group {name}: {exc}")
            return AddrSet(unknown=runtime)
        tagged = [self.member(n, stack) for n, obj in self.objects.items() if wanted(set(members(obj, "tag") or []))]
        return AddrSet.merge([AddrSet(unknown=runtime), *tagged])


def literal_address(value: str) -> AddrSet | None:
    """``10.0.0.1``, ``10.0.0.0/8``, ``2001:db8::/32`` or ``10.0.0.1-10.0.0.9`` (host bits of a
    prefix are ignored, as PAN-OS does)."""
    value = value.strip()
    if "-" in value:
        lo_text, hi_text = value.split("-", 1)
        lo, hi = _address(lo_text.strip()), _address(hi_text.strip())
        if lo is None or hi is None or lo[1] != hi[1] or lo[0] > hi[0]:
            return None
        return _one(lo[1], (lo[0], hi[0]))
    host, slash, length = value.partition("/")
    found = _address(host)
    if found is None:
        return None
    number, version = found
    bits = 32 if version == 4 else 128
    if not slash:
        return _one(version, (number, number))
    if not length.isdigit() or int(length) > bits:
        return None
    span = (1 << (bits - int(length))) - 1
    return _one(version, (number & ~span, number | span))


def _address(text: str) -> tuple[int, int] | None:
    """An address as (number, version); inet_pton is strict and much faster than ipaddress."""
    for family, version in ((socket.AF_INET, 4), (socket.AF_INET6, 6)):
        try:
            return int.from_bytes(socket.inet_pton(family, text), "big"), version
        except OSError:
            continue
    return None


def literal_list(values: list[str]) -> AddrSet:
    parts = [literal_address(v) or AddrSet(unknown=(f"address {v} could not be read",)) for v in values]
    return AddrSet.merge(parts) if parts else EMPTY


def wildcard_address(value: str) -> AddrSet | None:
    """``10.0.1.0/0.255.0.255`` (address/wildcard mask, IPv4) as the blocks it covers."""
    base_text, _, mask_text = value.partition("/")
    try:
        base, mask = int(ipaddress.IPv4Address(base_text)), int(ipaddress.IPv4Address(mask_text))
    except ValueError:
        return None
    run = 0  # the wildcard bits contiguous from bit 0: one interval per combination of the others
    while mask >> run.bit_length() & 1:
        run = (run << 1) | 1
    free = [bit for bit in range(32) if mask >> bit & 1 and not run >> bit & 1]
    if len(free) > _MAX_WILDCARD_BLOCKS.bit_length() - 1:
        return None
    start = base & ~mask & 0xFFFFFFFF
    blocks: list[Interval] = []
    for combo in range(1 << len(free)):
        lo = start | sum(1 << bit for i, bit in enumerate(free) if combo >> i & 1)
        blocks.append((lo, lo | run))
    return AddrSet(v4=normalize(blocks))


def _one(version: int, interval: Interval) -> AddrSet:
    return AddrSet(v4=(interval,)) if version == 4 else AddrSet(v6=(interval,))
