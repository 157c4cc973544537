"""Render a Shape as ``nft -j list ruleset`` output (plus ``ip -j addr``/``ip -j route``).

Layout of a typical Linux firewall: ``inet filter forward`` (policy drop) accepts established
traffic, then dispatches each zone pair to its own regular chain; nested address groups become
flat named interval sets; a small ``ip nat prerouting`` chain publishes DMZ servers.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from benchmarks.shape import FwRule, Shape


def _addr(cidr: str) -> Any:
    net = ipaddress.ip_network(cidr)
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return {"prefix": {"addr": str(net.network_address), "len": net.prefixlen}}


def _port(item: str) -> Any:
    lo, hi = (int(x) for x in item.split("-"))
    return lo if lo == hi else {"range": [lo, hi]}


def _match(left: Any, right: Any, op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": left, "right": right}}


def _payload(protocol: str, name: str) -> dict[str, Any]:
    return {"payload": {"protocol": protocol, "field": name}}


class NftRenderer:
    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.items: list[dict[str, Any]] = [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5",
                                                          "json_schema_version": 1}}]
        self.handle = 0

    def _next(self) -> int:
        self.handle += 1
        return self.handle

    def _rule(self, family: str, table: str, chain: str, expr: list[Any], comment: str = "") -> None:
        body: dict[str, Any] = {"family": family, "table": table, "chain": chain, "handle": self._next(),
                                "expr": expr}
        if comment:
            body["comment"] = comment
        self.items.append({"rule": body})

    def render(self) -> str:
        shape = self.shape
        self.items.append({"table": {"family": "inet", "name": "filter", "handle": self._next()}})
        for name in shape.address_groups:
            elems = [_addr(c) for c in shape.flat_addresses(name)]
            self.items.append({"set": {"family": "inet", "name": name.lower(), "table": "filter",
                                       "type": "ipv4_addr", "handle": self._next(), "flags": ["interval"],
                                       "elem": elems}})
        base = {"family": "inet", "table": "filter", "type": "filter", "policy": "drop"}
        self.items.append({"chain": {**base, "name": "input", "handle": self._next(), "hook": "input", "prio": 0}})
        self.items.append({"chain": {**base, "name": "forward", "handle": self._next(), "hook": "forward",
                                     "prio": 0}})
        pairs = list(dict.fromkeys((r.src_zone, r.dst_zone) for r in shape.rules))
        for src, dst in pairs:
            self.items.append({"chain": {"family": "inet", "table": "filter", "name": f"{src}_to_{dst}",
                                         "handle": self._next()}})
        self._rule("inet", "filter", "input", [_match({"meta": {"key": "iifname"}}, "lo"), {"accept": None}])
        self._rule("inet", "filter", "input", [_match({"ct": {"key": "state"}}, ["established", "related"], "in"),
                                               {"accept": None}])
        self._rule("inet", "filter", "forward",
                   [_match({"ct": {"key": "state"}}, ["established", "related"], "in"), {"accept": None}])
        self._rule("inet", "filter", "forward", [_match({"ct": {"key": "state"}}, "invalid", "in"), {"drop": None}])
        for src, dst in pairs:
            expr = [_match({"meta": {"key": "iifname"}}, shape.zone(src).iface),
                    _match({"meta": {"key": "oifname"}}, shape.zone(dst).iface),
                    {"jump": {"target": f"{src}_to_{dst}"}}]
            self._rule("inet", "filter", "forward", expr)
        for rule in shape.rules:
            self._rule("inet", "filter", f"{rule.src_zone}_to_{rule.dst_zone}", self._expr(rule), rule.comment)
        self._nat()
        return json.dumps({"nftables": self.items}, separators=(",", ":"))

    def _endpoint(self, items: list[str], which: str) -> list[Any]:
        if items == ["any"]:
            return []
        if len(items) == 1 and items[0].startswith("@"):
            right: Any = "@" + items[0][1:].lower()
        elif len(items) == 1:
            right = _addr(items[0])
        else:
            right = {"set": [_addr(i) for i in items]}
        return [_match(_payload("ip", which), right)]

    def _expr(self, rule: FwRule) -> list[Any]:
        expr = self._endpoint(rule.sources, "saddr") + self._endpoint(rule.destinations, "daddr")
        if rule.proto != "ip":
            ports = [p for item in rule.ports for p in
                     (self.shape.flat_ports(item[1:]) if item.startswith("@") else [item])]
            if ports:
                right = _port(ports[0]) if len(ports) == 1 else {"set": [_port(p) for p in ports]}
                expr.append(_match(_payload(rule.proto, "dport"), right))
            else:
                expr.append(_match({"meta": {"key": "l4proto"}}, rule.proto))
        expr.append({"counter": {"packets": 0, "bytes": 0}})
        expr.append({"accept": None} if rule.action == "permit" else {"drop": None})
        return expr

    def _nat(self) -> None:
        self.items.append({"table": {"family": "ip", "name": "nat", "handle": self._next()}})
        self.items.append({"chain": {"family": "ip", "table": "nat", "name": "prerouting", "handle": self._next(),
                                     "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}})
        wan = self.shape.zone("outside").iface
        for n, port in enumerate((80, 443, 25), start=10):
            expr = [_match({"meta": {"key": "iifname"}}, wan), _match(_payload("ip", "daddr"), f"203.0.113.{n}"),
                    _match(_payload("tcp", "dport"), port), {"dnat": {"addr": f"172.16.0.{n}"}}]
            self._rule("ip", "nat", "prerouting", expr)


def render_nft(shape: Shape) -> str:
    return NftRenderer(shape).render()


def render_ip_addr(shape: Shape) -> str:
    ifaces = [{"ifindex": 1, "ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}]}]
    for n, zone in enumerate(shape.zones, start=2):
        iface = ipaddress.ip_interface(zone.address)
        ifaces.append({"ifindex": n, "ifname": zone.iface,
                       "addr_info": [{"family": "inet", "local": str(iface.ip), "prefixlen": iface.network.prefixlen}]})
    return json.dumps(ifaces)


def render_ip_route(shape: Shape) -> str:
    routes: list[dict[str, Any]] = [{"dst": "default", "gateway": shape.gateway, "dev": shape.zone("outside").iface,
                                     "protocol": "static"}]
    for zone in shape.zones:
        iface = ipaddress.ip_interface(zone.address)
        routes.append({"dst": str(iface.network), "dev": zone.iface, "protocol": "kernel", "scope": "link",
                       "prefsrc": str(iface.ip)})
        routes.append({"type": "local", "dst": str(iface.ip), "dev": zone.iface, "table": "local"})
    routes.append({"type": "local", "dst": "127.0.0.0/8", "dev": "lo", "table": "local"})
    return json.dumps(routes)
