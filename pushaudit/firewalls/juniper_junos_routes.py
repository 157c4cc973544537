"""Junos static routes (``routing-options static route`` and ``rib inet6.0``) resolved to the
security zone their next hop is in; routes whose zone cannot be told are kept as unresolved,
so that only traffic which would follow them is left undecided."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from pushaudit.firewalls.juniper_junos_setlines import Statement
from pushaudit.netfilter.ifaces import Route

if TYPE_CHECKING:
    from pushaudit.firewalls.juniper_junos_topology import JunosTopology


def static_route(topo: JunosTopology, st: Statement, connected: dict[int, list[Route]],
                  units: dict[str, str]) -> None:
    words = list(st.words[1:])
    if words[:2] == ["rib", "inet6.0"]:
        words = words[2:]
    if words[:2] != ["static", "route"] or len(words) < 4:
        return
    try:
        net = ipaddress.ip_network(words[2], strict=False)
    except ValueError:
        topo.skip(f"{st.source} line {st.line}: static route not understood: {st.text}")
        return
    how, value = words[3], words[4] if len(words) > 4 else ""
    reason = ""
    if how in ("discard", "reject"):
        dev: str | None = None
    elif how in ("next-hop", "qualified-next-hop") and value:
        dev = _next_hop_zone(value, net.version, connected, units)
        if dev is None:
            reason = f"the next hop {value} of static route {net} (line {st.line}) is on no known interface"
    elif how == "next-table" and value:
        dev, reason = None, f"static route {net} (line {st.line}) continues in table {value}, which is not modelled"
    else:
        return  # preference, tag, metric, resolve ...: attributes of a route given elsewhere
    route = Route(int(net.network_address), int(net.broadcast_address), net.prefixlen, net.version, dev)
    same = [r for r in topo.routes[net.version] if (r.lo, r.prefixlen) == (route.lo, route.prefixlen)]
    if any(r.dev != dev for r in same):
        # several next hops in different zones (ECMP): which zone a flow takes is not knowable here
        route = Route(route.lo, route.hi, route.prefixlen, route.family, None)
        topo.unresolved[route] = f"static route {net} (line {st.line}) has next hops in several zones"
        topo.routes[net.version] = [r for r in topo.routes[net.version] if r not in same]
    elif reason:
        topo.unresolved[route] = reason
    if route not in topo.routes[net.version]:
        topo.routes[net.version].append(route)


def _next_hop_zone(value: str, family: int, connected: dict[int, list[Route]], units: dict[str, str]) -> str | None:
    try:
        hop = ipaddress.ip_address(value)
    except ValueError:
        return units.get(value if "." in value else f"{value}.0")
    if hop.version != family:
        return None
    holding = [r for r in connected[family] if r.lo <= int(hop) <= r.hi]
    return max(holding, key=lambda r: r.prefixlen).dev if holding else None
