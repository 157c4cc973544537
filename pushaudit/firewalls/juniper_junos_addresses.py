"""Junos address books: global, attached to zones (``address-book NAME attach zone Z``) and the
older per-zone books; addresses (prefix, range, wildcard, dns-name) and nested address-sets.

A name resolves to an ``AddressValue``: the IPv4 and IPv6 intervals it stands for plus the
reasons why some of its members cannot be decided from the configuration (FQDN objects,
undefined names, cycles). Those reasons become conditional matches, never guesses.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from pushaudit.firewalls.juniper_junos_setlines import SetConfig, Statement
from pushaudit.netfilter.intervals import Interval, IntervalSet, addr_max, normalize

GLOBAL = "global"
_WILDCARD_LIMIT = 4096  # intervals; a sparser wildcard mask is left undecided


@dataclass(frozen=True)
class AddressValue:
    v4: IntervalSet = ()
    v6: IntervalSet = ()
    conditions: tuple[str, ...] = ()  # why part of the value is undecidable

    def family(self, version: int) -> IntervalSet:
        return self.v4 if version == 4 else self.v6

    def union(self, other: AddressValue) -> AddressValue:
        return AddressValue(normalize(self.v4 + other.v4), normalize(self.v6 + other.v6),
                            tuple(dict.fromkeys(self.conditions + other.conditions)))


ANY = AddressValue(((0, addr_max(4)),), ((0, addr_max(6)),))
PREDEFINED = {"any": ANY, "any-ipv4": AddressValue(v4=ANY.v4), "any-ipv6": AddressValue(v6=ANY.v6)}


@dataclass
class Book:
    name: str
    zones: set[str] = field(default_factory=set)
    addresses: dict[str, AddressValue] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class AddressBooks:
    books: dict[str, Book] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _cache: dict[tuple[str, str], AddressValue] = field(default_factory=dict)
    _scopes: dict[str | None, list[Book]] = field(default_factory=dict)

    def scope(self, zone: str | None) -> list[Book]:
        """The books a policy of ``zone`` sees (None: a global policy sees the global book)."""
        found = self._scopes.get(zone)
        if found is None:
            found = [b for b in self.books.values() if zone is not None and zone in b.zones]
            found += [self.books[GLOBAL]] if GLOBAL in self.books else []
            self._scopes[zone] = found
        return found

    def resolve(self, names: list[str], zone: str | None) -> AddressValue:
        scope = self.scope(zone)
        values = [self._lookup(name, scope, ()) for name in names]
        value = values[0] if values else AddressValue()
        for other in values[1:]:
            value = value.union(other)
        return value

    def _lookup(self, name: str, scope: list[Book], stack: tuple[str, ...]) -> AddressValue:
        if name in PREDEFINED:
            return PREDEFINED[name]
        for book in scope:
            key = (book.name, name)
            if key in self._cache:
                return self._cache[key]
            if name in book.addresses:
                return book.addresses[name]
            if name in book.sets:
                if name in stack:
                    return AddressValue(conditions=(f"address-set {name} contains itself "
                                                    f"({' > '.join((*stack, name))})",))
                value = AddressValue()
                for member in book.sets[name]:
                    value = value.union(self._lookup(member, [book, *scope], (*stack, name)))
                self._cache[key] = value
                return value
        return AddressValue(conditions=(f"address {name} is not defined in the address books this policy sees",))


def load_address_books(config: SetConfig) -> AddressBooks:
    out = AddressBooks()
    for st in config.statements:
        if not st.active:
            continue
        if st.words[:2] == ("security", "address-book") and len(st.words) > 3:
            book = out.books.setdefault(st.words[2], Book(st.words[2]))
            _book_statement(out, book, st, 3)
        elif st.words[:3] == ("security", "zones", "security-zone") and st.at(4) == "address-book":
            zone = st.at(3)
            book = out.books.setdefault(f"zone {zone}", Book(f"zone {zone}", {zone}))
            _book_statement(out, book, st, 5)
    return out


def _book_statement(out: AddressBooks, book: Book, st: Statement, at: int) -> None:
    kind, name, rest = st.at(at), st.at(at + 1), st.words[at + 2:]
    if kind == "attach" and name == "zone" and rest:
        book.zones.add(rest[0])
    elif kind == "address" and name:
        if rest and rest[0] == "description":
            book.addresses.setdefault(name, AddressValue(conditions=(f"address {name} has no value",)))
            return
        book.addresses[name] = _address_value(name, list(rest), st, out.warnings)
    elif kind == "address-set" and name:
        members = book.sets.setdefault(name, [])
        if len(rest) == 2 and rest[0] in ("address", "address-set"):
            members.append(rest[1])
        elif not rest or rest[0] != "description":
            out.warnings.append(f"{st.source} line {st.line}: address-set statement not understood: {st.text}")
    elif kind != "description":
        out.warnings.append(f"{st.source} line {st.line}: address-book statement not understood: {st.text}")


_IPV4_PREFIX = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?$")


def _fast_ipv4(text: str) -> AddressValue | None:
    """``a.b.c.d[/n]`` without the ipaddress module, which is slow over tens of thousands."""
    found = _IPV4_PREFIX.match(text)
    if found is None:
        return None
    octets = [int(found.group(i)) for i in range(1, 5)]
    length = int(found.group(5)) if found.group(5) else 32
    if max(octets) > 255 or length > 32:
        return None
    value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    host_bits = (1 << (32 - length)) - 1
    low = value & ~host_bits & 0xFFFFFFFF
    return AddressValue(v4=((low, low | host_bits),))


def _address_value(name: str, rest: list[str], st: Statement, warnings: list[str]) -> AddressValue:
    if rest and rest[0] == "dns-name" and len(rest) > 1:
        families = {"ipv4-only": "IPv4 only", "ipv6-only": "IPv6 only"}
        extra = f", {families[rest[2]]}" if len(rest) > 2 and rest[2] in families else ""
        return AddressValue(conditions=(f"FQDN address {name} = {rest[1]}{extra}: depends on the firewall's DNS",))
    try:
        if rest and rest[0] == "range-address" and len(rest) >= 4 and rest[2] == "to":
            return _from_intervals(ipaddress.ip_address(rest[1]), ipaddress.ip_address(rest[3]))
        if rest and rest[0] == "wildcard-address" and len(rest) > 1:
            return _wildcard(name, rest[1])
        if rest:
            fast = _fast_ipv4(rest[0])
            if fast is not None:
                return fast
            net = ipaddress.ip_network(rest[0], strict=False)
            return _from_intervals(net.network_address, net.broadcast_address)
    except ValueError:
        pass
    warnings.append(f"{st.source} line {st.line}: address {name} not understood: {st.text}")
    return AddressValue(conditions=(f"address {name} could not be parsed ({' '.join(rest)})",))


def _from_intervals(lo: ipaddress.IPv4Address | ipaddress.IPv6Address,
                    hi: ipaddress.IPv4Address | ipaddress.IPv6Address) -> AddressValue:
    if lo.version != hi.version or int(lo) > int(hi):
        raise ValueError("bad range")
    span: IntervalSet = ((int(lo), int(hi)),)
    return AddressValue(v4=span) if lo.version == 4 else AddressValue(v6=span)


def _wildcard(name: str, text: str) -> AddressValue:
    """``A/M`` with a non-contiguous mask M: the addresses that equal A on M's set bits."""
    address_text, _, mask_text = text.partition("/")
    address = ipaddress.ip_address(address_text)
    bits = 32 if address.version == 4 else 128
    mask = int(ipaddress.ip_address(mask_text)) if "." in mask_text or ":" in mask_text else \
        ((1 << bits) - 1) ^ ((1 << (bits - int(mask_text))) - 1)
    free = [b for b in range(bits) if not mask >> b & 1]
    low_run = next((i for i, b in enumerate(free) if b != i), len(free))  # trailing free bits form intervals
    spread = free[low_run:]
    if len(spread) > _WILDCARD_LIMIT.bit_length() - 1:
        return AddressValue(conditions=(f"wildcard address {name} = {text} is too sparse to expand",))
    base = int(address) & mask
    width = (1 << low_run) - 1
    intervals: list[Interval] = []
    for combo in range(1 << len(spread)):
        value = base
        for i, bit in enumerate(spread):
            if combo >> i & 1:
                value |= 1 << bit
        intervals.append((value, value + width))
    span = normalize(intervals)
    return AddressValue(v4=span) if address.version == 4 else AddressValue(v6=span)
