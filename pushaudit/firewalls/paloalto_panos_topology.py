"""Where client networks enter and Apple's ranges leave a PAN-OS vsys, as zone names.

Connected networks come from the layer-3 interface addresses, static routes from the virtual
routers (or logical-router VRFs) that hold the vsys's interfaces; a route's interface is
replaced by the zone that interface belongs to. A route whose exit cannot be told (next-vr,
next-lr, FQDN next hop, a next hop on no connected network) makes the topology unknown, so
zone matches stay undecidable rather than guessed. ``ingress``/``egress`` overrides (zone or
interface names, from the inventory) replace the route lookups.
"""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET

from pushaudit.firewalls.paloalto_panos_model import PanosPolicy
from pushaudit.firewalls.paloalto_panos_policy import ZONE_TYPES
from pushaudit.firewalls.paloalto_panos_xml import ConfigDoc, entries, members, text
from pushaudit.netfilter.ifaces import PinnedTopology, Route
from pushaudit.netfilter.intervals import normalize

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
_ADDRESS_PATHS = ("ip/entry", "layer3/ip/entry", "ipv6/address/entry", "layer3/ipv6/address/entry")


class PanosTopology(PinnedTopology):
    """Zones found from interfaces and virtual-router routes, or pinned by the inventory."""


def read_topology(doc: ConfigDoc, device: ET.Element, scopes: list[ET.Element], policy: PanosPolicy,
                  overrides: dict[str, str]) -> PanosTopology:
    zone_of = {iface: zone for zone, ifaces in policy.zones.items() for iface in ifaces}
    # interfaces of the other vsys: traffic routed there meets that vsys's policy (undecidable here)
    foreign = {m for v in entries(device, "vsys") if v.get("name") != policy.vsys for z in entries(v, "zone")
               for kind in ZONE_TYPES for m in members(z.find("network"), kind) or []}
    # address objects an interface or route may name; the vsys hides shared (so it is read last)
    objects = {e.get("name", ""): text(e, "ip-netmask") or "" for s in reversed(scopes) for e in entries(s, "address")}
    topo = PanosTopology(known=True)
    addresses = _interface_addresses(doc, device, objects, topo)
    local: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for ifaces in addresses.values():
        for iface in ifaces:
            local[iface.version].append((int(iface.ip), int(iface.ip)))
    topo.local = {f: normalize(v) for f, v in local.items()}
    routers = _routers(device, set(zone_of))
    if len(routers) > 1:
        topo.warnings.append(f"{doc.source}: the vsys uses {len(routers)} virtual routers; their routes are merged")
    connected = [(iface, name) for name, ifaces in addresses.items() for iface in ifaces if name not in foreign
                 and (not routers or any(name in r_ifaces for _, r_ifaces in routers))]
    for iface, name in connected:
        net = iface.network
        topo.routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address), net.prefixlen,
                                              net.version, zone_of.get(name)))
    for router, _ in routers:
        for path in ("routing-table/ip/static-route", "routing-table/ipv6/static-route"):
            for route in entries(router, path):
                _static(doc, topo, route, objects=objects, connected=connected, zone_of=zone_of, foreign=foreign)
    if not any(topo.routes.values()):
        topo.warnings.append(f"{doc.source}: no layer-3 route for {policy.vsys} (virtual wire or layer 2?): "
                             "set host data ingress and egress")
        topo.known = False
    _apply_overrides(topo, overrides, policy, zone_of)
    return topo


def _interface_addresses(doc: ConfigDoc, device: ET.Element, objects: dict[str, str],
                         topo: PanosTopology) -> dict[str, list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]]:
    """Every layer-3 interface (subinterfaces too) with its addresses."""
    addresses: dict[str, list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]] = {}
    for entry in device.iterfind("network/interface//entry"):
        name = entry.get("name", "")
        for element in (e for path in _ADDRESS_PATHS for e in entry.findall(path)):
            value = element.get("name", "")
            try:
                addresses.setdefault(name, []).append(ipaddress.ip_interface(objects.get(value) or value))
            except ValueError:
                topo.skip(f"{doc.where(element)}: interface {name}: address {value} is not read")
        if entry.find("dhcp-client") is not None or entry.find("layer3/dhcp-client") is not None:
            topo.warnings.append(f"{doc.where(entry)}: interface {name} uses DHCP: its network is not in the config")
    return addresses


def _routers(device: ET.Element, vsys_ifaces: set[str]) -> list[tuple[ET.Element, set[str]]]:
    found = [*entries(device, "network/virtual-router"),
             *(vrf for lr in entries(device, "network/logical-router") for vrf in entries(lr, "vrf"))]
    with_ifaces = [(r, set(members(r, "interface") or [])) for r in found]
    return [(r, i) for r, i in with_ifaces if i & vsys_ifaces]


def _static(doc: ConfigDoc, topo: PanosTopology, route: ET.Element, *, objects: dict[str, str],
            connected: list[tuple[ipaddress.IPv4Interface | ipaddress.IPv6Interface, str]],
            zone_of: dict[str, str], foreign: set[str]) -> None:
    where = f"{doc.where(route)}: static route {route.get('name', '')}"
    destination = text(route, "destination") or ""
    table = route.find("route-table")
    if table is not None and len(table) and table[0].tag not in ("unicast", "both"):
        return  # multicast or no-install: not used for forwarding
    try:
        net = ipaddress.ip_network(objects.get(destination) or destination, strict=False)
    except ValueError:
        topo.warnings.append(f"{where}: destination {destination} is not read")
        topo.known = False
        return
    metric = int(text(route, "metric") or 10)
    exit_iface = text(route, "interface")
    hop = text(route, "nexthop/ip-address") or text(route, "nexthop/ipv6-address")
    if exit_iface in foreign:
        topo.warnings.append(f"{where}: leaves by {exit_iface}, an interface of another vsys; zones are undecidable")
        topo.known = False
        return
    if route.find("nexthop/discard") is not None:
        zone: str | None = None
    elif exit_iface:
        zone = zone_of.get(exit_iface)  # an interface in no zone: PAN-OS drops what it would route there
    elif hop and (on := [n for i, n in connected if _holds(i, objects.get(hop) or hop)]):
        zone = zone_of.get(on[0])
    else:
        nexthop = route.find("nexthop")
        kind = nexthop[0].tag if nexthop is not None and len(nexthop) else "none"
        topo.warnings.append(f"{where}: exit (next hop {kind} {hop or ''}) cannot be told; zones are undecidable")
        topo.known = False
        return
    topo.routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address), net.prefixlen,
                                          net.version, zone, metric))


def _holds(iface: ipaddress.IPv4Interface | ipaddress.IPv6Interface, hop: str) -> bool:
    try:
        return ipaddress.ip_address(hop) in iface.network
    except ValueError:
        return False


def _apply_overrides(topo: PanosTopology, overrides: dict[str, str], policy: PanosPolicy,
                     zone_of: dict[str, str]) -> None:
    for key in ("ingress", "egress"):
        value = overrides.get(key)
        if not value:
            continue
        zone = zone_of.get(value, value)
        if zone not in policy.zones:
            topo.warnings.append(f"host data {key}: {value} is neither a zone nor a zone interface of {policy.vsys}")
        setattr(topo, key, zone)
    if topo.egress:
        topo.known = True
