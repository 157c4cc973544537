"""Where traffic enters and leaves a Junos SRX, in security-zone names (what policies match).

Interface units (``interfaces IFD unit N family inet|inet6 address``) give connected routes,
``security zones security-zone Z interfaces IFD.N`` names their zone, and static routes
(``routing-options static route`` and ``rib inet6.0``) resolve through them. Without the
routing configuration only connected networks are known, so egress stays undecided.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.errors import DataError
from pushaudit.firewalls.juniper_junos_routes import static_route
from pushaudit.firewalls.juniper_junos_setlines import SetConfig
from pushaudit.netfilter.ifaces import IPNet, Route, Topology
from pushaudit.netfilter.intervals import IntervalSet, normalize


@dataclass
class JunosTopology(Topology):
    """Zones where traffic enters and leaves, pinned by the inventory or found by routes.

    What the configuration cannot tell raises DataError(E-DATA-MISSING) naming the way out
    (collect routing-options, or pin the zone in the inventory), so the check reports the cause.
    """

    ingress: str | None = None
    egress: str | None = None
    routing_collected: bool = False
    zones: dict[str, str] = field(default_factory=dict)  # interface unit -> zone
    unresolved: dict[Route, str] = field(default_factory=dict)  # routes (dev None) whose zone is unknown

    def ingress_interface(self, net: IPNet) -> str | None:
        if self.ingress is not None:
            return self.ingress
        found = super().ingress_interface(net)
        if found is None:
            raise DataError("E-DATA-MISSING", f"client network {net} is behind no interface or static route of "
                            "the firewall; set 'ingress: <zone>' in the inventory", source="host.json")
        return found

    def egress_split(self, family: int, dst: IntervalSet) -> list[tuple[IntervalSet, str | None]]:
        if self.egress is not None:
            return [(dst, self.egress)]
        if not self.routing_collected:
            raise DataError("E-DATA-MISSING", "routing-options was not collected, so the zone towards Apple is "
                            "unknown; collect configuration_routing_options or set 'egress: <zone>' in the inventory",
                            source="cmd:configuration_routing_options")
        legs = super().egress_split(family, dst)
        for piece, dev in legs:
            reason = self._unresolved_reason(family, piece) if dev is None else ""
            if reason:
                raise DataError("E-DATA-MISSING", f"{reason}; set 'egress: <zone>' in the inventory",
                                source="cmd:configuration_routing_options")
        return legs

    def _unresolved_reason(self, family: int, piece: IntervalSet) -> str:
        for lo, _ in piece:
            holding = [r for r in self.routes[family] if r.lo <= lo <= r.hi]
            best = max(holding, key=lambda r: r.prefixlen) if holding else None
            if best is not None and best in self.unresolved:
                return self.unresolved[best]
        return ""


def zone_of_interfaces(config: SetConfig) -> tuple[dict[str, str], set[str]]:
    """Interface unit -> security zone, and every zone name."""
    units: dict[str, str] = {}
    zones: set[str] = set()
    for st in config.under("security", "zones", "security-zone"):
        if not st.active or not st.at(3):
            continue
        zones.add(st.at(3))
        if st.at(4) == "interfaces" and st.at(5):
            units[_unit(st.at(5))] = st.at(3)
    return units, zones


def _unit(name: str) -> str:
    return name if "." in name else f"{name}.0"


@dataclass
class _Addresses:
    units: dict[str, list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)  # devices ("ge-0/0/3") and units ("ge-0/0/1.10")


def _interface_addresses(config: SetConfig, topo: Topology) -> _Addresses:
    out = _Addresses()
    for st in config.under("interfaces"):
        if not st.active:
            continue
        device = st.at(1)
        if st.at(2) == "disable":
            out.disabled.add(device)
        elif st.at(2) == "unit" and st.at(3):
            unit = f"{device}.{st.at(3)}"
            rest = st.words[4:]
            if rest[:1] == ("disable",):
                out.disabled.add(unit)
            elif rest[:1] == ("family",) and len(rest) >= 4 and rest[1] in ("inet", "inet6") and rest[2] == "address":
                try:
                    out.units.setdefault(unit, []).append(ipaddress.ip_interface(rest[3]))
                except ValueError:
                    topo.skip(f"{st.source} line {st.line}: interface address not understood: {st.text}")
            elif rest[:1] == ("family",) and len(rest) >= 3 and rest[2] in ("dhcp", "dhcp-client", "dhcpv6-client"):
                topo.warnings.append(f"{st.source} line {st.line}: {unit} takes its address from DHCP: "
                                "its network and default route are not in the configuration")
    return out


def build_junos_topology(config: SetConfig, *, routing_collected: bool, ingress: str | None,
                         egress: str | None) -> JunosTopology:
    units, zones = zone_of_interfaces(config)
    topo = JunosTopology(known=True, routing_collected=routing_collected, zones=units)
    addresses = _interface_addresses(config, topo)
    local: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for unit, ifaces in addresses.units.items():
        if unit in addresses.disabled or unit.split(".")[0] in addresses.disabled:
            continue
        for iface in ifaces:
            local[iface.version].append((int(iface.ip), int(iface.ip)))
            net = iface.network
            topo.routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address),
                                                  net.prefixlen, net.version, units.get(unit, unit)))
    topo.local = {f: normalize(v) for f, v in local.items()}
    connected = {f: list(r) for f, r in topo.routes.items()}
    for st in config.statements:
        if st.active and st.words[:1] == ("routing-options",):
            static_route(topo, st, connected, units)
        elif st.active and st.words[:1] == ("routing-instances",) and st.at(2) == "routing-options":
            topo.skip(f"{st.source} line {st.line}: routes of routing-instance {st.at(1)} are not modelled")
    topo.ingress = _pinned(ingress, "ingress", units, zones)
    topo.egress = _pinned(egress, "egress", units, zones)
    return topo


def _pinned(name: str | None, what: str, units: dict[str, str], zones: set[str]) -> str | None:
    if name is None:
        return None
    if name in zones:
        return name
    if _unit(name) in units:
        return units[_unit(name)]
    known = ", ".join(sorted(zones)) or "none"
    raise DataError("E-DATA-MISSING", f"inventory {what} {name!r} is neither a security zone nor an interface "
                    f"in one (zones: {known})", source="host.json")
