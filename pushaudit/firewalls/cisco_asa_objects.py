"""``names``, ``object network|service`` and ``object-group ...`` definitions, resolved on
demand to address sets and service terms. Nested groups are expanded with cycle detection;
anything undefined, cyclic or not understood resolves to an explicit undecidable condition."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.cisco_asa_objparse import GroupDef, Member, ObjectDefs
from pushaudit.firewalls.cisco_asa_values import (
    AddrSet,
    AsaSyntaxError,
    Condition,
    ServiceTerm,
    host,
    unresolved,
)
from pushaudit.netfilter.intervals import IntervalSet, normalize

PORT_GROUP_TYPES = {"tcp": frozenset({"tcp"}), "udp": frozenset({"udp"}), "tcp-udp": frozenset({"tcp", "udp"})}


@dataclass
class ObjectTable:
    """Definitions plus memoised resolution. ``interfaces``: nameif -> the interface's own
    addresses, for the ``interface NAME`` address form."""

    defs: ObjectDefs
    interfaces: dict[str, AddrSet] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)  # problems met while resolving, in order
    _leaves: dict[tuple[str, str], tuple[list[Member], list[Condition]]] = field(default_factory=dict)
    _addrs: dict[str, AddrSet] = field(default_factory=dict)

    # -- addresses ----------------------------------------------------------------------
    def name_address(self, word: str) -> str | None:
        """``name 10.1.5.10 proxy1``: the address a name stands for."""
        return self.defs.names.get(word)

    def host(self, word: str) -> AddrSet:
        return host(self.defs.names.get(word, word))

    def network_object(self, name: str) -> AddrSet:
        found = self.defs.networks.get(name)
        if found is None:
            kind = "is a service object, not a network object" if name in self.defs.services else "is not defined"
            return AddrSet(conditions=(self._note(unresolved("object", name, kind)),))
        return found

    def network_group(self, name: str) -> AddrSet:
        if name not in self._addrs:
            self._addrs[name] = self._network_group(name)
        return self._addrs[name]

    def _network_group(self, name: str) -> AddrSet:
        members, problems = self._expand(name, "network")
        parts = [m.addresses() if m.kind == "addr" else self.network_object(str(m.value))
                 for m in members if m.kind in ("addr", "object")]
        # one merge for the whole group: big groups would be quadratic member by member
        return AddrSet(normalize(iv for p in parts for iv in p.v4), normalize(iv for p in parts for iv in p.v6),
                       tuple(dict.fromkeys([*problems, *(c for p in parts for c in p.conditions)])))

    def interface(self, nameif: str) -> AddrSet:
        found = self.interfaces.get(nameif)
        if found is None:
            reason = f"addresses of interface {nameif} (not in the collected interface configuration)"
            return AddrSet(conditions=(Condition("interface", (nameif,), reason),))
        return found

    # -- services -------------------------------------------------------------------------
    def service_object(self, name: str) -> tuple[ServiceTerm, ...]:
        found = self.defs.services.get(name)
        if found is None:
            return (ServiceTerm(condition=self._note(unresolved("service object", name, "is not defined"))),)
        return found

    def service_group(self, name: str) -> tuple[ServiceTerm, ...]:
        """An untyped (``service-object``) group, or a typed port group used as a service."""
        group = self.defs.groups.get(name)
        if group is not None and group.proto in PORT_GROUP_TYPES:
            protocols, ports = self.port_group(name)
            return (ServiceTerm(protocols, dports=ports),)
        members, problems = self._expand(name, "service")
        terms = [ServiceTerm(condition=c) for c in problems]
        for member in members:
            if member.kind == "terms":
                terms.extend(member.terms())
            elif member.kind == "object":
                terms.extend(self.service_object(str(member.value)))
        return tuple(terms)

    def is_port_group(self, name: str) -> bool:
        group = self.defs.groups.get(name)
        return group is not None and group.kind == "service" and group.proto in PORT_GROUP_TYPES

    def port_group(self, name: str) -> tuple[frozenset[str], IntervalSet]:
        """A typed group (``object-group service X tcp`` with ``port-object``): protocols, ports."""
        group = self.defs.groups[name]
        members, problems = self._expand(name, "service")
        if problems:
            raise AsaSyntaxError("; ".join(p.reason for p in problems))
        ports = normalize(iv for m in members if m.kind == "ports" for iv in m.ports())
        return PORT_GROUP_TYPES[group.proto or "tcp"], ports

    def protocol_group(self, name: str) -> frozenset[str] | None:
        members, problems = self._expand(name, "protocol")
        if problems:
            raise AsaSyntaxError("; ".join(p.reason for p in problems))
        found: set[str] = set()
        for member in members:
            if member.value is None:
                return None  # protocol-object ip
            assert isinstance(member.value, frozenset)
            found |= member.value
        return frozenset(found)

    def icmp_group(self, name: str) -> Condition:
        members, problems = self._expand(name, "icmp-type")
        types = [str(m.value) for m in members]
        reason = f"ICMP types of object-group {name}: ICMP types are not modelled"
        return Condition("icmp-type", tuple(types) or (name,), "; ".join([reason, *(p.reason for p in problems)]))

    def kind_of(self, name: str) -> str | None:
        group = self.defs.groups.get(name)
        return group.kind if group is not None else None

    def _note(self, condition: Condition) -> Condition:
        self.notes[condition.reason] = None
        return condition

    # -- nesting --------------------------------------------------------------------------
    def _expand(self, name: str, kind: str) -> tuple[list[Member], list[Condition]]:
        """Leaf members of a group and its nested groups; cycles and bad references become
        conditions (a real ASA refuses both, so they mean the snapshot is incomplete)."""
        key = (name, kind)
        if key not in self._leaves:
            self._leaves[key] = self._walk(name, kind, ())
        return self._leaves[key]

    def _walk(self, name: str, kind: str, path: tuple[str, ...]) -> tuple[list[Member], list[Condition]]:
        group: GroupDef | None = self.defs.groups.get(name)
        if name in path:
            chain = " > ".join((*path, name))
            return [], [self._note(unresolved("object-group", name, f"contains itself ({chain})"))]
        if group is None or group.kind != kind:
            why = "is not defined" if group is None else f"is a {group.kind} group, not a {kind} group"
            return [], [self._note(unresolved("object-group", name, why))]
        members: list[Member] = []
        problems = list(group.problems)
        for member in group.members:
            if member.kind != "group":
                members.append(member)
                continue
            nested, nested_problems = self._walk(str(member.value), kind, (*path, name))
            members += nested
            problems += nested_problems
        return members, problems
