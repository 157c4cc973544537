"""``system interface`` and ``system zone``: addresses, admin access, and the zone a policy
names instead of its member interfaces."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.firewalls.fortinet_conf import Block

IPIface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
_DYNAMIC_DISTANCE = "5"  # FortiOS's default distance of a DHCP or PPPoE default route


@dataclass(frozen=True)
class Interface:
    name: str
    line: int
    addresses: tuple[IPIface, ...] = ()
    up: bool = True
    management_only: bool = False  # ``set dedicated-to management``: never forwards traffic
    allowaccess: tuple[str, ...] = ()  # admin services the FortiGate answers on this interface
    alias: str = ""
    role: str = ""
    kind: str = ""  # physical, vlan, tunnel, aggregate, loopback, ...
    parent: str = ""  # VLAN/tunnel parent interface
    zone: str | None = None
    # ``set mode dhcp|pppoe`` with ``defaultgw`` on: the distance of the IPv4 default route the
    # FortiGate learns on this interface (it is in no ``router static``); None otherwise.
    dynamic_default: int | None = None

    @property
    def policy_name(self) -> str:
        """The name firewall policies use for traffic on this interface: its zone, if any."""
        return self.zone or self.name


@dataclass(frozen=True)
class Zone:
    name: str
    line: int
    members: tuple[str, ...]
    intrazone_allow: bool
    intrazone_line: int | None = None


@dataclass
class Interfaces:
    interfaces: dict[str, Interface] = field(default_factory=dict)
    zones: dict[str, Zone] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # addresses not understood (also warnings)

    def policy_names(self) -> set[str]:
        """Every name a policy's srcintf/dstintf may use."""
        return {i.policy_name for i in self.interfaces.values()} | set(self.zones) | {"any"}

    def zone_of(self, interface: str) -> str | None:
        found = self.interfaces.get(interface)
        return found.zone if found is not None else None


def parse_interfaces(interfaces: Block | None, zones: Block | None) -> Interfaces:
    out = Interfaces()
    member_of: dict[str, str] = {}
    for entry in (zones.entries.values() if zones is not None else ()):
        intrazone = entry.settings.get("intrazone")
        zone = Zone(entry.name, entry.line, tuple(entry.values("interface")),
                    intrazone is not None and intrazone.values == ["allow"],
                    intrazone.line if intrazone is not None else None)
        out.zones[zone.name] = zone
        for member in zone.members:
            member_of[member] = zone.name
        out.warnings += [f"zone {entry.name}: {p}" for p in entry.problems]
    for entry in (interfaces.entries.values() if interfaces is not None else ()):
        out.interfaces[entry.name] = _interface(entry, member_of.get(entry.name), out.warnings, out.unread)
    for zone in out.zones.values():
        missing = [m for m in zone.members if m not in out.interfaces]
        if missing and interfaces is not None:
            out.warnings.append(f"zone {zone.name} names unknown interface(s) {', '.join(missing)}")
    return out


def _interface(entry: Block, zone: str | None, warnings: list[str], unread: list[str]) -> Interface:
    addresses: list[IPIface] = []
    for words in [entry.values("ip"), *(e.values("ip") for e in _sub(entry, "secondaryip"))]:
        addr = _v4(words, entry.name, unread)
        if addr is not None:
            addresses.append(addr)
    ipv6 = entry.blocks.get("ipv6")
    if ipv6 is not None:
        for text in [ipv6.value("ip6-address"), *(e.name for e in _sub(ipv6, "ip6-extra-addr"))]:
            if text and not text.startswith("::/"):
                try:
                    addresses.append(ipaddress.IPv6Interface(text))
                except ValueError:
                    unread.append(f"interface {entry.name}: IPv6 address {text} not understood")
    warnings += [f"interface {entry.name}: {p}" for p in entry.problems]
    return Interface(
        name=entry.name, line=entry.line, addresses=tuple(addresses), up=entry.value("status", "up") != "down",
        management_only=entry.value("dedicated-to") == "management", allowaccess=tuple(entry.values("allowaccess")),
        alias=entry.value("alias"), role=entry.value("role"), kind=entry.value("type"),
        parent=entry.value("interface"), zone=zone, dynamic_default=_dynamic_default(entry),
    )


def _dynamic_default(entry: Block) -> int | None:
    if entry.value("mode", "static") not in ("dhcp", "pppoe") or entry.value("defaultgw") == "disable":
        return None
    distance = entry.value("distance", _DYNAMIC_DISTANCE)
    return int(distance) if distance.isdigit() else int(_DYNAMIC_DISTANCE)


def _sub(entry: Block, name: str) -> list[Block]:
    block = entry.blocks.get(name)
    return list(block.entries.values()) if block is not None else []


def _v4(words: list[str], name: str, warnings: list[str]) -> ipaddress.IPv4Interface | None:
    if not words or words[0] == "0.0.0.0":  # noqa: S104 - FortiOS prints this for "no address"
        return None
    try:
        return ipaddress.IPv4Interface("/".join(words[:2]))
    except ValueError:
        warnings.append(f"interface {name}: address {' '.join(words)} not understood")
        return None
