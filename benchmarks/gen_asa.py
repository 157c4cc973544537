"""Render a Shape as the ``show running-config ...`` outputs of a Cisco ASA (routed, single
context), one text per command id of ``pushaudit/platforms/cisco_asa.yaml`` plus the routes.

One extended ACL per ingress interface (``<nameif>_access_in``) holds the rules of every zone
pair leaving that zone, in order; address and service groups keep their nesting
(``group-object``); ports print as the names the ASA uses (443 as https, 80 as www).
"""

from __future__ import annotations

import ipaddress

from benchmarks.shape import FwRule, Shape, Zone

# Names the running configuration prints; the others stay numbers.
_TCP_UDP_NAMES = {443: "https", 80: "www", 53: "domain"}
_TCP_NAMES = {**_TCP_UDP_NAMES, 22: "ssh", 25: "smtp", 110: "pop3"}
_UDP_NAMES = {**_TCP_UDP_NAMES, 123: "ntp"}


def _port_name(port: int, proto: str) -> str:
    names = {"tcp": _TCP_NAMES, "udp": _UDP_NAMES}.get(proto, _TCP_UDP_NAMES)
    return names.get(port, str(port))


def _port_spec(item: str, proto: str) -> str:
    lo, hi = (int(x) for x in item.split("-"))
    if lo == hi:
        return f"eq {_port_name(lo, proto)}"
    return f"range {_port_name(lo, proto)} {_port_name(hi, proto)}"


def _net(cidr: str) -> str:
    net = ipaddress.ip_network(cidr)
    if net.prefixlen == 32:
        return f"host {net.network_address}"
    return f"{net.network_address} {net.netmask}"


class AsaRenderer:
    def __init__(self, shape: Shape, hostname: str) -> None:
        self.shape = shape
        self.hostname = hostname
        self.inline_groups: list[str] = []  # object-groups made for ACEs with several inline addresses
        self.objects: list[str] = []
        self.object_names: set[str] = set()

    def render(self) -> dict[str, str]:
        acl = self._access_lists()
        return {
            "show_version": self._version(),
            "running_config_names": "names\nname 172.16.0.10 web-server\nname 172.16.0.11 mail-server\n",
            "running_config_interface": self._interfaces(),
            "running_config_route": f"route outside 0.0.0.0 0.0.0.0 {self.shape.gateway} 1\n",
            "running_config_object": "\n".join(self.objects) + "\n",
            "running_config_object_group": self._groups(),
            "running_config_access_list": acl,
            "running_config_access_group": "".join(
                f"access-group {z.name}_access_in in interface {z.name}\n" for z in self._ingress_zones()),
            "running_config_nat": "",
        }

    def _version(self) -> str:
        return (f"Cisco Adaptive Security Appliance Software Version 9.16(4)\n"
                f"Device Manager Version 7.18(1)\n\n{self.hostname} up 42 days 3 hours\n")

    def _interfaces(self) -> str:
        out: list[str] = []
        for zone in self.shape.zones:
            iface = ipaddress.ip_interface(zone.address)
            out += [f"interface {zone.vendor_iface}", f" nameif {zone.name}", f" security-level {zone.security}",
                    f" ip address {iface.ip} {iface.network.netmask}", "!"]
        return "\n".join(out) + "\n"

    def _ingress_zones(self) -> list[Zone]:
        used = dict.fromkeys(r.src_zone for r in self.shape.rules)
        return [self.shape.zone(name) for name in used]

    def _groups(self) -> str:
        out: list[str] = []
        for group in self.shape.address_groups.values():
            out.append(f"object-group network {group.name}")
            out += [f" network-object {_net(m)}" for m in group.members]
            out += [f" group-object {c}" for c in group.children]
        for group in self.shape.service_groups.values():
            out.append(f"object-group service {group.name} tcp-udp")
            for member in group.members:
                out.append(f" port-object {_port_spec(member, 'tcp-udp')}")
            out += [f" group-object {c}" for c in group.children]
        out += self.inline_groups
        return "\n".join(out) + "\n"

    def _endpoint(self, items: list[str], rule: FwRule, side: str) -> str:
        if items == ["any"]:
            return "any"
        if len(items) == 1 and items[0].startswith("@"):
            return f"object-group {items[0][1:]}"
        if len(items) == 1:
            net = ipaddress.ip_network(items[0])
            if net.prefixlen < 32 and net.prefixlen % 8 == 0:  # some sites name every subnet
                name = f"NET-{net.network_address}-{net.prefixlen}"
                if name not in self.object_names:
                    self.object_names.add(name)
                    self.objects += [f"object network {name}", f" subnet {net.network_address} {net.netmask}"]
                return f"object {name}"
            return _net(items[0])
        name = f"INLINE-{rule.name}-{side}"
        self.inline_groups.append(f"object-group network {name}")
        self.inline_groups += [f" network-object {_net(i)}" for i in items]
        return f"object-group {name}"

    def _access_lists(self) -> str:
        out: list[str] = []
        for rule in self.shape.rules:
            acl = f"{rule.src_zone}_access_in"
            if rule.comment and rule.comment.startswith(("Apple", "legacy", "shadowed")):
                out.append(f"access-list {acl} remark {rule.comment}")
            src = self._endpoint(rule.sources, rule, "src")
            dst = self._endpoint(rule.destinations, rule, "dst")
            action = "permit" if rule.action == "permit" else "deny"
            if rule.proto == "ip" or not rule.ports:
                out.append(f"access-list {acl} extended {action} {rule.proto} {src} {dst}")
                continue
            first = rule.ports[0]
            if first.startswith("@"):
                ports = f"object-group {first[1:]}"
            elif len(rule.ports) == 1:
                ports = _port_spec(first, rule.proto)
            else:
                ports = f"object-group INLINE-{rule.name}-svc"
                self.inline_groups.append(f"object-group service INLINE-{rule.name}-svc {rule.proto}")
                self.inline_groups += [f" port-object {_port_spec(p, rule.proto)}" for p in rule.ports]
            out.append(f"access-list {acl} extended {action} {rule.proto} {src} {dst} {ports}")
        return "\n".join(out) + "\n"


def render_asa(shape: Shape, hostname: str = "fw-asa") -> dict[str, str]:
    """Command id -> output, as the collector stores them."""
    return AsaRenderer(shape, hostname).render()
