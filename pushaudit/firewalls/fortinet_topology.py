"""Where client networks enter a FortiGate and where Apple's ranges leave it, as the zone or
interface names its policies use: connected networks of ``system interface`` plus
``router static``/``router static6``; the inventory can name them outright instead."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.errors import DataError
from pushaudit.firewalls.fortinet_conf import Block
from pushaudit.firewalls.fortinet_interfaces import Interfaces
from pushaudit.netfilter.ifaces import IPNet, PinnedTopology, Route
from pushaudit.netfilter.intervals import IntervalSet, normalize

_DEFAULT_DISTANCE = 10
_DISTANCE = 1_000_000  # Route.metric = distance * _DISTANCE + priority: distance decides first


class FortinetTopology(PinnedTopology):
    """A Topology whose ingress/egress the inventory may fix (``data.ingress``/``data.egress``)."""


def connected_routes(interfaces: Interfaces) -> tuple[dict[int, list[Route]], dict[int, IntervalSet]]:
    """Routes of the networks on interfaces that are up and forward, and the FortiGate's own addresses."""
    routes: dict[int, list[Route]] = {4: [], 6: []}
    local: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for iface in interfaces.interfaces.values():
        if iface.up and iface.dynamic_default is not None:
            routes[4].append(Route(0, 2**32 - 1, 0, 4, iface.policy_name, iface.dynamic_default * _DISTANCE))
        for addr in iface.addresses:
            local[addr.version].append((int(addr.ip), int(addr.ip)))
            if iface.up and not iface.management_only:
                net = addr.network
                routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address),
                                                 net.prefixlen, net.version, iface.policy_name, 0))
    return routes, {f: normalize(v) for f, v in local.items()}


@dataclass
class StaticRoutes:
    routes: list[Route]
    warnings: list[str]
    uncertain: bool = False  # some route's destination or egress is unknown: so is all egress


def static_routes(section: Block, family: int, interfaces: Interfaces, source: str) -> StaticRoutes:
    out = StaticRoutes([], [])
    for entry in section.entries.values():
        if entry.value("status") == "disable":
            continue
        route = _route(entry, family, interfaces)
        if isinstance(route, Route):
            out.routes.append(route)
        else:
            out.warnings.append(f"{source} route {entry.name} (line {entry.line}): {route}; egress is unknown")
            out.uncertain = True
    return out


def _route(entry: Block, family: int, interfaces: Interfaces) -> Route | str:
    """The route, or why it cannot be placed."""
    problem = _unsupported(entry)
    if problem:
        return problem
    try:
        net = _destination(entry, family)
        metric = int(entry.value("distance", str(_DEFAULT_DISTANCE))) * _DISTANCE + int(entry.value("priority", "0"))
    except ValueError as exc:
        return f"not understood ({exc})"
    dev = _device(entry, interfaces)
    if isinstance(dev, _Unknown):
        return str(dev)
    return Route(int(net.network_address), int(net.broadcast_address), net.prefixlen, family, dev, metric)


def _unsupported(entry: Block) -> str:
    if entry.problems:
        return "; ".join(entry.problems)
    if entry.value("dstaddr") or entry.value("internet-service", "0") != "0":
        return "destination by address object or Internet Service is not read by pushaudit"
    if entry.value("vrf", "0") != "0":
        return f"route in VRF {entry.value('vrf')}"
    return ""


def _destination(entry: Block, family: int) -> IPNet:
    words = entry.values("dst")
    if family == 4:
        return ipaddress.IPv4Network("/".join(words[:2]) if words else "0.0.0.0/0", strict=False)
    return ipaddress.IPv6Network(words[0] if words else "::/0", strict=False)


class _Unknown(str):
    """Why a route's egress cannot be told."""


def _device(entry: Block, interfaces: Interfaces) -> str | None:
    """The policy name (zone or interface) the route leads out of; None for a blackhole."""
    if entry.enabled("blackhole"):
        return None
    zones = entry.values("sdwan-zone") or (["virtual-wan-link"] if entry.enabled("sdwan") else [])
    if len(zones) > 1:
        return _Unknown(f"SD-WAN route over several zones ({', '.join(zones)})")
    if zones:
        return zones[0]
    device = entry.value("device")
    if not device:
        return _Unknown("no device")
    iface = interfaces.interfaces.get(device)
    return iface.policy_name if iface is not None else device


def build_fortinet_topology(interfaces: Interfaces, statics: dict[int, Block | None], families: set[int],
                            data: dict[str, object]) -> FortinetTopology:
    """``statics``: router static blocks by family (None: not collected); ``families``: the client
    networks' families, whose egress must be known; ``data``: the inventory's host data."""
    routes, local = connected_routes(interfaces)
    topo = FortinetTopology(known=True, local=local, routes=routes)
    egress = _override(data, "egress")
    for family, section in statics.items():
        if section is None:
            if family in families and not egress:
                topo.known = False
                topo.warnings.append(f"router static{'6' if family == 6 else ''} was not collected or is unusable: "
                                     f"the IPv{family} egress zone is unknown (set data.egress to name it)")
            continue
        found = static_routes(section, family, interfaces, f"router static{'6' if family == 6 else ''}")
        topo.routes[family] += found.routes
        topo.warnings += found.warnings
        if found.uncertain and family in families:
            topo.known = False
    for family in sorted(families):
        if topo.known and not egress and not any(r.prefixlen == 0 for r in topo.routes[family]):
            # The default route may come from BGP, OSPF or DHCPv6, which the snapshot does not show:
            # "no route" would be a guess.
            topo.known = False
            topo.warnings.append(f"no IPv{family} default route in router static or on a DHCP/PPPoE interface: "
                                 "the egress is unknown (dynamic routing?); set data.egress to name it")
    topo.ingress, topo.egress = _override(data, "ingress"), egress
    for name in (n for n in (topo.ingress, topo.egress) if n and n not in interfaces.policy_names()):
        topo.warnings.append(f"inventory names {name}, which is neither an interface nor a zone of this FortiGate")
    if topo.egress:
        topo.known = True
    return topo


def _override(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DataError("E-DATA-MISSING", f"inventory data.{key} must be a zone or interface name, not {value!r}",
                        source="host.json")
    return value
