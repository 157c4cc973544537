"""Where traffic enters and leaves an ASA: connected networks of the named interfaces, static
routes when they were collected, and the inventory's ``ingress``/``egress`` override."""

from __future__ import annotations

from pushaudit.firewalls.cisco_asa_interfaces import AsaInterface, StaticRoute, parse_interfaces, parse_routes
from pushaudit.firewalls.cisco_asa_source import read_output
from pushaudit.netfilter.ifaces import PinnedTopology, Route, Topology
from pushaudit.netfilter.intervals import normalize
from pushaudit.snapshot import HostFacts, HostSnapshot

# ``show running-config route`` and ``show running-config ipv6`` (its ``ipv6 route`` lines).
ROUTE_COMMANDS = ("running_config_route", "running_config_ipv6")
INTERFACE_COMMAND = "running_config_interface"




def build_asa_topology(snapshot: HostSnapshot, facts: HostFacts) -> Topology:
    warnings: list[str] = []
    output = read_output(snapshot, INTERFACE_COMMAND, required=False, warnings=warnings)
    interfaces = parse_interfaces(output) if output is not None else []
    if output is not None:
        warnings += output.all_warnings()
    routes, collected = _static_routes(snapshot, warnings)
    if collected and _ipv6_routes_missing(snapshot, interfaces):
        collected = False
        warnings.append("IPv6 static routes not collected (show running-config ipv6)")
    topo = PinnedTopology(known=collected and output is not None, warnings=warnings)
    _fill(topo, interfaces, routes)
    if not collected:
        warnings.append("static routes not collected (show running-config route): the egress interface is "
                        "unknown; set the host's inventory data 'egress' to the interface towards Apple")
    for key in ("ingress", "egress"):
        value = facts.data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            warnings.append(f"inventory data {key!r} must be an interface name; ignored")
            continue
        if value not in {i.nameif for i in interfaces}:
            warnings.append(f"inventory data {key}={value!r} names no interface of this ASA")
        setattr(topo, key, value)
    if topo.egress:
        topo.known = True  # routes no longer matter: Apple's ranges leave where the inventory says
    return topo


def _static_routes(snapshot: HostSnapshot, warnings: list[str]) -> tuple[list[StaticRoute], bool]:
    routes: list[StaticRoute] = []
    collected = False
    for command_id in ROUTE_COMMANDS:
        if not snapshot.has_command(command_id):
            continue
        output = read_output(snapshot, command_id, required=False, warnings=warnings)
        if output is None:
            continue
        collected = collected or command_id == ROUTE_COMMANDS[0]
        routes += parse_routes(output)
        warnings += output.all_warnings()
    return routes, collected


def _ipv6_routes_missing(snapshot: HostSnapshot, interfaces: list[AsaInterface]) -> bool:
    """IPv6 interfaces but no ``ipv6 route`` source: IPv6 egress cannot be told."""
    has_v6 = any(a.version == 6 for i in interfaces if i.nameif and not i.shutdown for a in i.addresses)
    return has_v6 and not snapshot.has_command(ROUTE_COMMANDS[1])


def _fill(topo: Topology, interfaces: list[AsaInterface], routes: list[StaticRoute]) -> None:
    up = {i.nameif: i for i in interfaces if i.nameif and not i.shutdown}
    local: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for name, iface in up.items():
        for address in iface.addresses:
            net = address.network
            topo.routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address),
                                                  net.prefixlen, net.version, name, 0))
            local[net.version].append((int(address.ip), int(address.ip)))
        if iface.dynamic:
            topo.warnings.append(f"interface {name} gets its address by {iface.dynamic}: its network is unknown")
    for route in routes:
        if route.nameif in up and up[route.nameif].management_only:
            continue  # a management-only interface has its own routing table (ASA 9.5+)
        if route.nameif != "Null0" and route.nameif not in up:
            topo.warnings.append(f"{route.source} line {route.line.number}: route via {route.nameif}, which is "
                                 "down or unnamed; ignored")
            continue
        net = route.network
        dev = None if route.nameif == "Null0" else route.nameif
        topo.routes[net.version].append(Route(int(net.network_address), int(net.broadcast_address),
                                              net.prefixlen, net.version, dev, route.metric))
    topo.local = {family: normalize(spans) for family, spans in local.items()}
