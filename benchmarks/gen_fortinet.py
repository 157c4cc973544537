"""Render a Shape as the ``get``/``show`` outputs of a FortiGate (FortiOS 7.2, VDOMs disabled),
one text per command id of ``pushaudit/platforms/fortinet.yaml``.

Each zone is one physical interface (``port1`` is the WAN, the others follow in zone order) that
policies name directly, so ``system zone`` is empty. One address object per CIDR used (subnet
objects), address groups keep their nesting (FortiOS allows groups as members of groups), one
custom service per protocol and port range, service groups per protocol (a custom service carries
its protocol in ``tcp-portrange``/``udp-portrange``, so a shape group used by TCP and UDP rules
becomes ``<group>-tcp`` and ``<group>-udp``), nested like the shape's. One policy per rule, in
order, with ids 1..N. ``show`` leaves out settings at their default, so deny policies print no
``set action``.
"""

from __future__ import annotations

import ipaddress
import uuid

from benchmarks.services import ProtocolServices
from benchmarks.shape import FwRule, Shape, object_name

_NAMESPACE = uuid.UUID("6f1d3c2a-5b4e-4f00-9a7b-2c1e0d9f8a01")  # fixed: the same shape prints the same uuids
_PREDEFINED_SERVICES = (
    '    edit "ALL"', '        set category "General"', "        set protocol IP", "    next",
    '    edit "ALL_TCP"', '        set category "General"', "        set tcp-portrange 1-65535", "    next",
    '    edit "ALL_UDP"', '        set category "General"', "        set udp-portrange 1-65535", "    next",
)
_EMPTY = {
    "router_static6": "router static6",
    "firewall_address6": "firewall address6",
    "firewall_addrgrp6": "firewall addrgrp6",
    "firewall_wildcard_fqdn_custom": "firewall wildcard-fqdn custom",
    "firewall_ssl_ssh_profile": "firewall ssl-ssh-profile",
    "firewall_proxy_policy": "firewall proxy-policy",
}


def _q(*names: str) -> str:
    """Names as FortiOS quotes them: double quotes, backslash before ``"`` and ``\\``."""
    return " ".join('"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"' for n in names)


def _block(path: str, lines: list[str]) -> str:
    return "\n".join([f"config {path}", *lines, "end"]) + "\n"


class FortinetRenderer:
    """Builds the outputs; objects are named as the policies first need them."""

    def __init__(self, shape: Shape, hostname: str) -> None:
        self.shape = shape
        self.hostname = hostname
        order = ["outside", *(z.name for z in shape.zones if z.name != "outside")]
        self.ports = {name: f"port{n}" for n, name in enumerate(order, start=1)}
        self.addresses: dict[str, str] = {}  # object name -> CIDR
        self.services = ProtocolServices(shape)

    def render(self) -> dict[str, str]:
        policies = self._policies()  # first: policies create the per-protocol services and groups
        groups = self._address_groups()
        out = {
            "system_status": self._status(),
            "system_interface": self._interfaces(),
            "system_zone": _block("system zone", []),
            "router_static": _block("router static", [
                "    edit 1", f"        set gateway {self.shape.gateway}",
                f"        set device {_q(self.ports['outside'])}", "    next"]),
            "firewall_address": self._addresses(),
            "firewall_addrgrp": groups,
            "firewall_service_custom": self._services(),
            "firewall_service_group": self._service_groups(),
            "firewall_policy": policies,
        }
        out.update({command_id: _block(path, []) for command_id, path in _EMPTY.items()})
        return out

    def _uuid(self, kind: str, name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.hostname}/{kind}/{name}"))

    def _status(self) -> str:
        return "\n".join([
            "Version: FortiGate-600E v7.2.8,build1639,240313 (GA.M)", "Security Level: 1",
            "Serial-Number: FG6H0E0000000001", f"Hostname: {self.hostname}", "Operation Mode: NAT",
            "Current virtual domain: root", "Max number of virtual domains: 10",
            "Virtual domains status: 1 in NAT mode, 0 in TP mode", "Virtual domain configuration: disable",
            "FIPS-CC mode: disable", "Current HA mode: standalone",
        ]) + "\n"

    def _interfaces(self) -> str:
        lines: list[str] = []
        for zone in sorted(self.shape.zones, key=lambda z: int(self.ports[z.name][4:])):
            port = self.ports[zone.name]
            iface = ipaddress.ip_interface(zone.address)
            role = "wan" if zone.name == "outside" else "dmz" if zone.name == "dmz" else "lan"
            lines += [f"    edit {_q(port)}", '        set vdom "root"', f"        set ip {iface.ip} {iface.netmask}",
                      "        set allowaccess ping", "        set type physical", f"        set alias {_q(zone.name)}",
                      f"        set role {role}", f"        set snmp-index {port[4:]}", "    next"]
        return _block("system interface", lines)

    def _address_name(self, cidr: str) -> str:
        name = object_name(cidr, "_")
        self.addresses[name] = str(ipaddress.ip_network(cidr))
        return name

    def _endpoint(self, items: list[str]) -> list[str]:
        if items == ["any"]:
            return ["all"]
        return list(dict.fromkeys(i[1:] if i.startswith("@") else self._address_name(i) for i in items))

    def _address_groups(self) -> str:
        lines: list[str] = []
        for group in self.shape.address_groups.values():
            members = list(dict.fromkeys([*(self._address_name(m) for m in group.members), *group.children]))
            lines += [f"    edit {_q(group.name)}", f"        set uuid {self._uuid('addrgrp', group.name)}",
                      f"        set member {_q(*members)}", "    next"]
        return _block("firewall addrgrp", lines)

    def _addresses(self) -> str:
        """Call after every address name was handed out (groups and policies)."""
        lines = ['    edit "none"', f"        set uuid {self._uuid('address', 'none')}",
                 "        set subnet 0.0.0.0 255.255.255.255", "    next",
                 '    edit "all"', f"        set uuid {self._uuid('address', 'all')}", "    next"]
        for name, cidr in self.addresses.items():
            net = ipaddress.ip_network(cidr)
            lines += [f"    edit {_q(name)}", f"        set uuid {self._uuid('address', name)}",
                      f"        set subnet {net.network_address} {net.netmask}", "    next"]
        return _block("firewall address", lines)

    def _services(self) -> str:
        lines = list(_PREDEFINED_SERVICES)
        for name, (proto, ports) in self.services.services.items():
            lines += [f"    edit {_q(name)}", f"        set {proto}-portrange {ports}", "    next"]
        return _block("firewall service custom", lines)

    def _service_groups(self) -> str:
        lines: list[str] = []
        for name in self.services.groups:
            lines += [f"    edit {_q(name)}", f"        set member {_q(*self.services.member_names(name))}", "    next"]
        return _block("firewall service group", lines)

    def _rule_services(self, rule: FwRule) -> list[str]:
        if rule.proto == "ip":
            return ["ALL"]
        if not rule.ports:
            return ["ALL_TCP" if rule.proto == "tcp" else "ALL_UDP"]
        return self.services.for_ports(rule.proto, rule.ports)

    def _policies(self) -> str:
        lines: list[str] = []
        for policy_id, rule in enumerate(self.shape.rules, start=1):
            lines += [f"    edit {policy_id}", f"        set name {_q(rule.name)}",
                      f"        set uuid {self._uuid('policy', rule.name)}",
                      f"        set srcintf {_q(self.ports[rule.src_zone])}",
                      f"        set dstintf {_q(self.ports[rule.dst_zone])}"]
            if rule.action == "permit":
                lines.append("        set action accept")
            lines += [f"        set srcaddr {_q(*self._endpoint(rule.sources))}",
                      f"        set dstaddr {_q(*self._endpoint(rule.destinations))}",
                      '        set schedule "always"', f"        set service {_q(*self._rule_services(rule))}",
                      "        set logtraffic all"]
            if rule.action == "permit" and rule.dst_zone == "outside":
                lines.append("        set nat enable")
            if rule.comment:
                lines.append(f"        set comments {_q(rule.comment)}")
            lines.append("    next")
        return _block("firewall policy", lines)


def render_fortinet(shape: Shape, hostname: str = "fw-fgt") -> dict[str, str]:
    """Command id -> output, as the collector stores them."""
    return FortinetRenderer(shape, hostname).render()
