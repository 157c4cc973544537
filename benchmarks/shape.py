"""A vendor-neutral firewall policy drawn at random (seeded): zones, nested address groups,
service groups and an ordered rule list with shadowed rules and Apple-related rules.

Each renderer (nftables JSON, Cisco ASA config, PAN-OS XML) writes the same shape in its own
syntax, so the platforms are measured on comparable work.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

APPLE_BLOCKS = ["17.249.0.0/16", "17.252.0.0/16", "17.57.144.0/22", "17.188.128.0/18", "17.188.20.0/23"]
_PUBLIC_POOLS = ["23.0.0.0/8", "34.0.0.0/8", "52.0.0.0/8", "104.16.0.0/12", "151.101.0.0/16", "185.0.0.0/8",
                 "17.0.0.0/8"]
_COMMON_PORTS = [22, 25, 53, 80, 110, 123, 143, 389, 443, 445, 465, 587, 636, 993, 995, 1433, 1521, 2197,
                 3306, 3389, 5223, 5432, 5900, 8080, 8443, 9000]


@dataclass(frozen=True)
class Zone:
    name: str  # zone (PAN-OS), nameif (ASA)
    iface: str  # interface name as nft and ip(8) print it
    vendor_iface: str  # the vendor's interface name (GigabitEthernet0/1, ethernet1/1)
    address: str  # the firewall's own address, "10.1.0.1/16"
    security: int  # ASA security level
    networks: tuple[str, ...]  # client networks behind the zone (empty for outside)


@dataclass(frozen=True)
class PortRange:
    lo: int
    hi: int


@dataclass
class Group:
    """A named address or service group; ``children`` nest other groups of the same kind."""

    name: str
    members: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@dataclass
class FwRule:
    name: str
    src_zone: str
    dst_zone: str
    sources: list[str]  # "any", CIDRs or "@group"
    destinations: list[str]
    proto: str  # tcp, udp or ip (any protocol, no ports)
    ports: list[str]  # "@service-group" or "lo-hi"; empty: any port
    action: str  # permit | deny
    comment: str = ""


@dataclass
class Shape:
    zones: list[Zone]
    address_groups: dict[str, Group]
    service_groups: dict[str, Group]  # members are "lo-hi" port ranges (protocol from the rule)
    rules: list[FwRule]
    gateway: str  # next hop of the default route, on the outside zone

    @property
    def client_networks(self) -> list[str]:
        return [n for z in self.zones if z.name.startswith("inside") for n in z.networks]

    def zone(self, name: str) -> Zone:
        return next(z for z in self.zones if z.name == name)

    def flat_addresses(self, name: str) -> list[str]:
        """A group's CIDRs with nested groups expanded (for syntaxes without nesting)."""
        group = self.address_groups[name]
        out = list(group.members)
        for child in group.children:
            out += self.flat_addresses(child)
        return list(dict.fromkeys(out))

    def flat_ports(self, name: str) -> list[str]:
        group = self.service_groups[name]
        out = list(group.members)
        for child in group.children:
            out += self.flat_ports(child)
        return list(dict.fromkeys(out))


def object_name(cidr: str, sep: str = "-") -> str:
    """An address object's name for a CIDR, as sites often write them: H-<ip> or N-<net><sep><len>."""
    net = ipaddress.ip_network(cidr)
    return f"H-{net.network_address}" if net.prefixlen == net.max_prefixlen else \
        f"N-{net.network_address}{sep}{net.prefixlen}"


def make_zones(inside: int = 3, sites: int = 6) -> list[Zone]:
    """Inside zones hold the client networks; site zones (branch links) only add interfaces,
    ACLs and rules, as on a head-end firewall."""
    zones = [Zone(f"inside{i}", f"lan{i}", f"GigabitEthernet0/{i}", f"10.{i}.0.1/16", 100, (f"10.{i}.0.0/16",))
             for i in range(1, inside + 1)]
    zones += [Zone(f"site{j:02d}", f"site{j}", f"GigabitEthernet1/{j}", f"10.{100 + j}.0.1/16", 80,
                   (f"10.{100 + j}.0.0/16",)) for j in range(1, sites + 1)]
    zones.append(Zone("dmz", "dmz0", f"GigabitEthernet0/{inside + 1}", "172.16.0.1/24", 50, ("172.16.0.0/24",)))
    zones.append(Zone("outside", "wan0", "GigabitEthernet0/0", "203.0.113.1/24", 0, ()))
    return zones


class _Drawer:
    def __init__(self, rng: random.Random, zones: list[Zone]) -> None:
        self.rng = rng
        self.zones = zones
        self.address_groups: dict[str, Group] = {}
        self.service_groups: dict[str, Group] = {}
        self.levels: dict[str, int] = {}  # address group -> nesting level

    def cidr_in(self, pool: str, shortest: int, longest: int) -> str:
        net = ipaddress.ip_network(pool)
        plen = self.rng.randint(max(shortest, net.prefixlen), longest)
        offset = self.rng.randrange(net.num_addresses)
        return str(ipaddress.ip_network((int(net.network_address) + offset, plen), strict=False))

    def public(self) -> str:
        if self.rng.random() < 0.06:
            return self.cidr_in(self.rng.choice(APPLE_BLOCKS), 20, 32)
        return self.cidr_in(self.rng.choice(_PUBLIC_POOLS), 14, 32)

    def inside(self, zone: Zone) -> str:
        return self.cidr_in(zone.networks[0], 20, 32) if zone.networks else self.public()

    def address_group(self, zone: Zone | None) -> str:
        """A new group or an existing one reused. Groups nest at most two levels deep, as
        ASA sites tend to (hosts, then site groups, then region groups)."""
        if self.address_groups and self.rng.random() < 0.5:
            return self.rng.choice(list(self.address_groups))
        name = f"ADDR-{len(self.address_groups) + 1:05d}"
        level = self.rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
        below = [g for g, lvl in self.levels.items() if lvl == level - 1]
        if not below:
            level = 0
        children = self.rng.sample(below, min(len(below), self.rng.randint(1, 2))) if level else []
        size = self.rng.randint(1, 8) if level == 0 else self.rng.randint(0, 3)
        members = [self.inside(zone) if zone else self.public() for _ in range(size)]
        self.address_groups[name] = Group(name, members, children)
        self.levels[name] = level
        return name

    def service_group(self) -> str:
        if self.service_groups and self.rng.random() < 0.6:
            return self.rng.choice(list(self.service_groups))
        name = f"SVC-{len(self.service_groups) + 1:04d}"
        members = [self.port_range() for _ in range(self.rng.randint(1, 5))]
        flat = [g for g, group in self.service_groups.items() if not group.children]
        children = self.rng.sample(flat, 1) if flat and self.rng.random() < 0.3 else []
        self.service_groups[name] = Group(name, members, children)
        return name

    def port_range(self) -> str:
        if self.rng.random() < 0.8:
            port = self.rng.choice(_COMMON_PORTS)
            return f"{port}-{port}"
        lo = self.rng.randint(1024, 60000)
        return f"{lo}-{lo + self.rng.randint(1, 2000)}"

    def endpoint(self, zone: Zone, inside: bool) -> list[str]:
        roll = self.rng.random()
        if roll < 0.15:
            return ["any"]
        if roll < 0.55:
            return ["@" + self.address_group(zone if inside else None)]
        return [self.inside(zone) if inside else self.public() for _ in range(self.rng.randint(1, 3))]


def make_shape(rules: int, seed: int, inside_zones: int = 3, sites: int = 6) -> Shape:
    """``rules`` ordered rules over inside->outside (most), site->outside, inside->dmz,
    site->inside, dmz->outside and outside->dmz, with a few fixed Apple rules and about 3%
    rules shadowed by an earlier one."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, nothing secret
    zones = make_zones(inside_zones, sites)
    drawer = _Drawer(rng, zones)
    inside = [z.name for z in zones if z.name.startswith("inside")]
    branches = [z.name for z in zones if z.name.startswith("site")]
    pairs = [(z, "outside") for z in inside] * 6 + [(b, "outside") for b in branches] * 2
    pairs += [(z, "dmz") for z in inside] + [(b, rng.choice(inside)) for b in branches]
    pairs += [("dmz", "outside"), ("outside", "dmz")]
    out: list[FwRule] = []
    apple_at = {rng.randrange(max(rules, 1)): pair for pair in pairs[:inside_zones]}
    for n in range(rules):
        name = f"rule-{n + 1:05d}"
        if n in apple_at:
            out.append(_apple_rule(rng, name, *apple_at[n]))
            continue
        if out and rng.random() < 0.03:
            out.append(_shadowed_copy(rng, name, rng.choice(out)))
            continue
        src_zone, dst_zone = rng.choice(pairs)
        proto = rng.choices(["tcp", "udp", "ip"], weights=[80, 15, 5])[0]
        ports: list[str] = []
        if proto != "ip":
            ports = ["@" + drawer.service_group()] if rng.random() < 0.4 else [drawer.port_range()]
        out.append(FwRule(name, src_zone, dst_zone, drawer.endpoint(_zone(zones, src_zone), True),
                          drawer.endpoint(_zone(zones, dst_zone), dst_zone != "outside"), proto, ports,
                          "permit" if rng.random() < 0.75 else "deny", f"generated {n + 1}"))
    return Shape(zones, drawer.address_groups, drawer.service_groups, out, gateway="203.0.113.254")


def _zone(zones: list[Zone], name: str) -> Zone:
    return next(z for z in zones if z.name == name)


def _apple_rule(rng: random.Random, name: str, src_zone: str, dst_zone: str) -> FwRule:
    """Apple push rules as sites write them: sometimes the legacy-port block first."""
    if rng.random() < 0.5:
        return FwRule(name, src_zone, dst_zone, ["any"], ["any"], "tcp", ["2195-2199"], "deny", "legacy APNs ports")
    return FwRule(name, src_zone, dst_zone, ["any"], ["17.0.0.0/8"], "tcp", ["443-443", "5223-5223"], "permit",
                  "Apple push")


def _shadowed_copy(rng: random.Random, name: str, earlier: FwRule) -> FwRule:
    """A rule matching a subset of an earlier one: it can never decide anything."""
    ports = earlier.ports
    if ports and not ports[0].startswith("@"):
        ports = [ports[0]]
    action = "deny" if earlier.action == "permit" and rng.random() < 0.5 else earlier.action
    return FwRule(name, earlier.src_zone, earlier.dst_zone, earlier.sources, earlier.destinations, earlier.proto,
                  ports, action, f"shadowed by {earlier.name}")
