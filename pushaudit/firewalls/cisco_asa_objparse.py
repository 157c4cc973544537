"""Definitions from ``show running-config names`` and ``... object`` (and the group records
cisco_asa_groups fills); members are not expanded here, see cisco_asa_objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from pushaudit.firewalls.cisco_asa_services import service_entry
from pushaudit.firewalls.cisco_asa_source import Block, Line, Output
from pushaudit.firewalls.cisco_asa_values import (
    AddrSet,
    AsaSyntaxError,
    Condition,
    ServiceTerm,
    address_range,
    host,
    masked,
    network,
)
from pushaudit.netfilter.intervals import IntervalSet

MemberValue = AddrSet | str | tuple[ServiceTerm, ...] | IntervalSet | frozenset[str] | None


@dataclass(frozen=True)
class Member:
    kind: str  # addr | object | group | terms | ports | protocols | type
    value: MemberValue
    line: int

    # typed views of ``value``, by kind
    def addresses(self) -> AddrSet:
        assert isinstance(self.value, AddrSet)
        return self.value

    def terms(self) -> tuple[ServiceTerm, ...]:
        assert self.kind == "terms"
        return cast(tuple[ServiceTerm, ...], self.value)

    def ports(self) -> IntervalSet:
        assert self.kind == "ports"
        return cast(IntervalSet, self.value)


@dataclass
class GroupDef:
    name: str
    kind: str  # network | service | protocol | icmp-type | user | security | ...
    proto: str | None  # typed service group: tcp | udp | tcp-udp
    line: int
    members: list[Member] = field(default_factory=list)
    problems: list[Condition] = field(default_factory=list)


@dataclass
class ObjectDefs:
    names: dict[str, str] = field(default_factory=dict)  # name -> address
    networks: dict[str, AddrSet] = field(default_factory=dict)
    services: dict[str, tuple[ServiceTerm, ...]] = field(default_factory=dict)
    groups: dict[str, GroupDef] = field(default_factory=dict)


def parse_names(output: Output, defs: ObjectDefs) -> None:
    for line in output.lines:
        words = line.words
        if words[0] == "name" and len(words) >= 3:
            defs.names[words[2]] = words[1]
        elif words[0] not in ("names", "!"):
            output.warn(line, f"not a name definition: {line.text.strip()}")


def parse_objects(output: Output, defs: ObjectDefs) -> None:
    for block in output.blocks():
        words = block.head.words
        if len(words) != 3 or words[0] != "object" or words[1] not in ("network", "service"):
            output.warn(block.head, f"not an object definition: {block.head.text}")
            continue
        if words[1] == "network":
            defs.networks[words[2]] = _network_object(output, block, defs)
        else:
            defs.services[words[2]] = _service_object(output, block)


def _network_object(output: Output, block: Block, defs: ObjectDefs) -> AddrSet:
    name = block.head.words[2]
    found: AddrSet | None = None
    for line in block.body:
        words = line.words
        if words[0] in ("description", "nat"):
            continue
        try:
            found = _object_value(name, words, defs)
        except AsaSyntaxError as exc:
            output.warn(line, f"object network {name}: {exc}")
            return broken("object", name, output, line)
    if found is None:
        output.warn(block.head, f"object network {name} has no address")
        return AddrSet()
    return found


def _object_value(name: str, words: list[str], defs: ObjectDefs) -> AddrSet:
    kind, args = words[0], words[1:]
    if kind == "host" and len(args) == 1:
        return host(defs.names.get(args[0], args[0]))
    if kind == "subnet" and len(args) == 2:
        return masked(args[0], args[1])
    if kind == "subnet" and len(args) == 1:
        return network(args[0])
    if kind == "range" and len(args) == 2:
        return address_range(args[0], args[1])
    if kind == "fqdn" and args:
        family = {"v4": 4, "v6": 6}.get(args[0]) if len(args) == 2 else None
        fqdn = args[-1]
        reason = f"FQDN object {name} = {fqdn}: matches only the addresses the firewall's DNS returns for it"
        return AddrSet(conditions=(Condition("fqdn", (fqdn,), reason, family),))
    raise AsaSyntaxError(f"unknown object value: {' '.join(words)}")


def _service_object(output: Output, block: Block) -> tuple[ServiceTerm, ...]:
    name = block.head.words[2]
    terms: tuple[ServiceTerm, ...] = ()
    for line in block.body:
        words = line.words
        if words[0] == "description":
            continue
        try:
            if words[0] != "service":
                raise AsaSyntaxError(f"unknown service object line: {line.text.strip()}")
            terms = (service_entry(words, 1),)
        except AsaSyntaxError as exc:
            output.warn(line, f"object service {name}: {exc}")
            return (ServiceTerm(condition=broken("object", name, output, line).conditions[0]),)
    if not terms:
        output.warn(block.head, f"object service {name} has no service")
    return terms


def broken(kind: str, name: str, output: Output, line: Line) -> AddrSet:
    """A definition line not understood: whatever refers to it is undecidable."""
    reason = f"{kind} {name} ({output.source} line {line.number}) is not understood: what it matches is unknown"
    return AddrSet(conditions=(Condition("unparsed", (name,), reason),))
