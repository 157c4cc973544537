"""Interfaces and routes (``ip -j addr``/``ip -j route``): where a client network comes in,
which interface leads towards a destination, and which addresses are the host's own."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.netfilter.intervals import IntervalSet, intersect, normalize
from pushaudit.snapshot import HostSnapshot

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
_UNROUTABLE = {"unreachable", "blackhole", "prohibit", "throw"}


@dataclass(frozen=True)
class Route:
    lo: int
    hi: int
    prefixlen: int
    family: int
    dev: str | None  # None: no single interface (blackhole, multipath)
    metric: int = 0


@dataclass
class Topology:
    known: bool = False
    local: dict[int, IntervalSet] = field(default_factory=lambda: {4: (), 6: ()})
    routes: dict[int, list[Route]] = field(default_factory=lambda: {4: [], 6: []})
    warnings: list[str] = field(default_factory=list)
    # Addresses or routes the parser could not read (also warnings): the egress of some traffic
    # may be wrong, so checks that would pass say ERROR instead.
    unread: list[str] = field(default_factory=list)

    def skip(self, message: str) -> None:
        self.warnings.append(message)
        self.unread.append(message)

    def is_local(self, address: str) -> bool:
        try:
            addr = ipaddress.ip_address(address)
        except ValueError:
            return False
        return bool(intersect(self.local[addr.version], ((int(addr), int(addr)),)))

    def ingress_interface(self, net: IPNet) -> str | None:
        """The interface of the most specific route that holds the whole client network."""
        lo, hi = int(net.network_address), int(net.broadcast_address)
        holding = [r for r in self.routes[net.version] if r.lo <= lo and hi <= r.hi]
        if not holding:
            return None
        return _best(holding).dev

    def egress_split(self, family: int, dst: IntervalSet) -> list[tuple[IntervalSet, str | None]]:
        """Split destinations by the interface the longest-prefix route sends them out of."""
        routes = [r for r in self.routes[family] if intersect(((r.lo, r.hi),), dst)]
        cuts = sorted({b for r in routes for b in (r.lo, r.hi + 1)} | {lo for lo, _ in dst} | {hi + 1 for _, hi in dst})
        by_dev: dict[str | None, list[tuple[int, int]]] = {}
        for start, end in pairwise(cuts):
            piece = intersect(((start, end - 1),), dst)
            if not piece:
                continue
            holding = [r for r in routes if r.lo <= start <= r.hi]
            dev = _best(holding).dev if holding else None
            by_dev.setdefault(dev, []).extend(piece)
        return [(normalize(pieces), dev) for dev, pieces in by_dev.items()]


@dataclass
class PinnedTopology(Topology):
    """A topology whose ingress and/or egress the inventory fixed (host data ``ingress``/``egress``:
    an interface or zone name); what is not pinned is still found by routes."""

    ingress: str | None = None
    egress: str | None = None

    def ingress_interface(self, net: IPNet) -> str | None:
        return self.ingress if self.ingress else super().ingress_interface(net)

    def egress_split(self, family: int, dst: IntervalSet) -> list[tuple[IntervalSet, str | None]]:
        if self.egress:
            return [(dst, self.egress)] if dst else []
        return super().egress_split(family, dst)


def _best(routes: list[Route]) -> Route:
    return max(routes, key=lambda r: (r.prefixlen, -r.metric))


def parse_topology(addr_json: str, route_json: str) -> Topology:
    topo = Topology(known=True)
    local: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for iface in _load(addr_json, "ip_addr"):
        for info in iface.get("addr_info", []):
            try:
                addr = ipaddress.ip_address(str(info.get("local")))
            except ValueError:
                continue
            local[addr.version].append((int(addr), int(addr)))
    for entry in _load(route_json, "ip_route"):
        route = _route(entry)
        if route is None:
            continue
        if entry.get("table", "main") == "local" and entry.get("type") == "local":
            local[route.family].append((route.lo, route.hi))
        elif entry.get("table", "main") == "main" and entry.get("type", "unicast") in {"unicast", *_UNROUTABLE}:
            topo.routes[route.family].append(route)
    topo.local = {f: normalize(v) for f, v in local.items()}
    return topo


def _load(text: str, what: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError("E-PARSE-NETFILTER", f"{what}: not JSON ({exc.msg})", source=f"cmd:{what}") from exc
    if not isinstance(data, list):
        raise DataError("E-PARSE-NETFILTER", f"{what}: expected a JSON list", source=f"cmd:{what}")
    return [d for d in data if isinstance(d, dict)]


def _route(entry: dict[str, Any]) -> Route | None:
    dst = str(entry.get("dst", ""))
    if dst == "default":
        gateway = str(entry.get("gateway", ""))
        dst = "::/0" if ":" in gateway or "pref" in entry else "0.0.0.0/0"
    try:
        net = ipaddress.ip_network(dst, strict=False)
    except ValueError:
        return None
    dev = entry.get("dev") if entry.get("type", "unicast") not in _UNROUTABLE else None
    return Route(int(net.network_address), int(net.broadcast_address), net.prefixlen, net.version,
                 dev if isinstance(dev, str) else None, int(entry.get("metric", 0)))


def load_topology(snapshot: HostSnapshot) -> Topology:
    """Unknown (every interface match undecidable) when the commands were not collected."""
    if not (snapshot.has_command("ip_addr") and snapshot.has_command("ip_route")):
        return Topology(warnings=["ip_addr/ip_route not collected: interface matches are undecidable"])
    addr_record, addr_text = snapshot.command("ip_addr")
    route_record, route_text = snapshot.command("ip_route")
    if addr_record.exit_status != 0 or route_record.exit_status != 0:
        return Topology(warnings=["ip_addr/ip_route failed: interface matches are undecidable"])
    return parse_topology(addr_text, route_text)


def _build(ctx: HostContext) -> Topology:
    if ctx.facts.platform == "linux":
        return load_topology(ctx.snapshot)
    from pushaudit.firewalls import get_platform

    vendor = get_platform(ctx.facts.platform)
    if vendor is None:
        raise DataError("E-PLATFORM", f"pushaudit has no firewall model for platform {ctx.facts.platform!r}")
    return vendor.build_topology(ctx.snapshot, ctx.facts)


TOPOLOGY: ModelKey[Topology] = ModelKey("netfilter_topology", _build)
