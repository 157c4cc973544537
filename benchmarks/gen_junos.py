"""Render a Shape as the ``show configuration ... | display set`` outputs of a Juniper SRX
(Junos), one text per command id of ``pushaudit/platforms/juniper_junos.yaml``.

Every zone is a security zone on its own ``ge-0/0/N`` unit 0 (outside is ge-0/0/0). Addresses
live in the global address book; address groups become address-sets that keep their nesting
(``address-set`` members). A service group becomes one application-set per protocol it is
used with (a Junos application carries its protocol), nested like the group. Policies are
grouped by zone pair, in the order of the shape's rules within each pair; a rule with several
addresses or ports lists several ``match`` values, and a rule of protocol ``ip`` matches
``application any``. The explicit ``default-policy deny-all`` is what Junos does anyway.
"""

from __future__ import annotations

import ipaddress

from benchmarks.services import ProtocolServices
from benchmarks.shape import FwRule, Shape, object_name

# Predefined applications used for a single port, where pushaudit's table
# (pushaudit/firewalls/juniper_junos_apps.yaml) defines them exactly as Junos does.
BUILTIN_APPS: dict[tuple[str, int], str] = {
    ("tcp", 22): "junos-ssh", ("tcp", 25): "junos-smtp", ("tcp", 53): "junos-dns-tcp", ("udp", 53): "junos-dns-udp",
    ("tcp", 80): "junos-http", ("tcp", 110): "junos-pop3", ("udp", 123): "junos-ntp", ("tcp", 143): "junos-imap",
    ("tcp", 389): "junos-ldap", ("tcp", 443): "junos-https", ("tcp", 993): "junos-imaps",
}


def _quoted(text: str) -> str:
    """A value as ``display set`` prints it: quoted when it holds blanks or quotes."""
    if text and not any(c.isspace() or c in '"\\;{}#' for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class JunosRenderer:
    """Builds the outputs; address objects and applications are made as rules name them."""

    def __init__(self, shape: Shape, hostname: str) -> None:
        self.shape = shape
        self.hostname = hostname
        self.addresses: dict[str, str] = {}  # address name -> prefix
        self.applications = ProtocolServices(shape, BUILTIN_APPS)
        self.units: dict[str, str] = {
            z.name: f"ge-0/0/{n}" for n, z in enumerate(sorted(shape.zones, key=lambda z: z.name != "outside"))}

    def render(self) -> dict[str, str]:
        policies = self._policies()  # first: policies create the addresses and applications
        route = f"set routing-options static route 0.0.0.0/0 next-hop {self.shape.gateway}\n"
        return {
            "show_version": self._version(),
            "configuration_security": _lines([*self._address_book(), *policies, *self._zones()]),
            "configuration_applications": _lines(self._applications()),
            "configuration_interfaces": _lines(self._interfaces()),
            "configuration_routing_options": route,
            "configuration_services_ssl": "",
        }

    def _version(self) -> str:
        return (f"Hostname: {self.hostname}\nModel: srx4600\nJunos: 23.4R2-S3.9\n"
                "JUNOS Software Release [23.4R2-S3.9]\n")

    def _interfaces(self) -> list[str]:
        out: list[str] = []
        for zone in self.shape.zones:
            unit = self.units[zone.name]
            out += [f"set interfaces {unit} description {_quoted(zone.name)}",
                    f"set interfaces {unit} unit 0 family inet address {zone.address}"]
        return out

    def _zones(self) -> list[str]:
        out: list[str] = []
        for zone in self.shape.zones:
            head = f"set security zones security-zone {zone.name}"
            if zone.name != "outside":
                out.append(f"{head} host-inbound-traffic system-services ping")
            out.append(f"{head} interfaces {self.units[zone.name]}.0")
        return out

    # addresses

    def _address_name(self, cidr: str) -> str:
        name = object_name(cidr, "-")
        self.addresses[name] = str(ipaddress.ip_network(cidr))
        return name

    def _address_book(self) -> list[str]:
        head = "set security address-book global"
        set_lines: list[str] = []
        for group in self.shape.address_groups.values():
            set_lines += [f"{head} address-set {group.name} address {self._address_name(m)}" for m in group.members]
            set_lines += [f"{head} address-set {group.name} address-set {c}" for c in group.children]
        return [f"{head} address {n} {p}" for n, p in self.addresses.items()] + set_lines

    def _endpoint(self, items: list[str]) -> list[str]:
        if items == ["any"]:
            return ["any"]
        return [i[1:] if i.startswith("@") else self._address_name(i) for i in items]

    # applications

    def _rule_applications(self, rule: FwRule) -> list[str]:
        if rule.proto == "ip":
            return ["any"]
        if not rule.ports:  # every port of the protocol
            return [self.applications.any_port(rule.proto)]
        return self.applications.for_ports(rule.proto, rule.ports)

    def _applications(self) -> list[str]:
        out: list[str] = []
        for name, (proto, port) in self.applications.services.items():
            out.append(f"set applications application {name} protocol {proto}")
            if port:
                out.append(f"set applications application {name} destination-port {port}")
        for name, members in self.applications.groups.items():
            out += [f"set applications application-set {name} {'application-set' if nested else 'application'} {m}"
                    for nested, m in members]
        return out

    # policies

    def _policies(self) -> list[str]:
        by_pair: dict[tuple[str, str], list[FwRule]] = {}
        for rule in self.shape.rules:  # pairs in order of first use, rules in shape order within each
            by_pair.setdefault((rule.src_zone, rule.dst_zone), []).append(rule)
        out: list[str] = []
        for (src_zone, dst_zone), rules in by_pair.items():
            for rule in rules:
                head = f"set security policies from-zone {src_zone} to-zone {dst_zone} policy {rule.name}"
                if rule.comment:
                    out.append(f"{head} description {_quoted(rule.comment)}")
                out += [f"{head} match source-address {a}" for a in self._endpoint(rule.sources)]
                out += [f"{head} match destination-address {a}" for a in self._endpoint(rule.destinations)]
                out += [f"{head} match application {a}" for a in self._rule_applications(rule)]
                out.append(f"{head} then {'permit' if rule.action == 'permit' else 'deny'}")
        out.append("set security policies default-policy deny-all")
        return out


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def render_junos(shape: Shape, hostname: str = "fw-srx") -> dict[str, str]:
    """Command id -> output, as the collector stores them."""
    return JunosRenderer(shape, hostname).render()
