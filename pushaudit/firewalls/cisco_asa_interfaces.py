"""``show running-config interface`` (nameif, security-level, addresses, shutdown,
management-only) and static ``route`` / ``ipv6 route`` lines."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.firewalls.cisco_asa_source import Block, Line, Output
from pushaudit.firewalls.cisco_asa_values import AddrSet, host

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
IPIface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
_DYNAMIC = frozenset({"dhcp", "pppoe"})


@dataclass
class AsaInterface:
    hardware: str
    line: Line
    nameif: str | None = None
    level: int | None = None
    level_line: Line | None = None
    addresses: list[IPIface] = field(default_factory=list)
    shutdown: bool = False
    management_only: bool = False
    dynamic: str = ""  # dhcp / pppoe / autoconfig: the address is not in the configuration

    @property
    def security_level(self) -> int:
        """Without a security-level line the ASA gives ``inside`` 100 and every other name 0."""
        if self.level is not None:
            return self.level
        return 100 if self.nameif == "inside" else 0

    def own_addresses(self) -> AddrSet:
        found = AddrSet()
        for iface in self.addresses:
            found = found.union(host(str(iface.ip)))
        return found


def parse_interfaces(output: Output) -> list[AsaInterface]:
    found: list[AsaInterface] = []
    for block in output.blocks():
        words = block.head.words
        if words[0] != "interface" or len(words) != 2:
            output.warn(block.head, f"not an interface block: {block.head.text}")
            continue
        found.append(_interface(output, block))
    return found


def _interface(output: Output, block: Block) -> AsaInterface:
    iface = AsaInterface(block.head.words[1], block.head)
    for line in block.body:
        words = line.words
        try:
            _interface_line(iface, line, words)
        except ValueError as exc:
            output.warn(line, f"interface {iface.hardware}: {exc}")
    return iface


def _interface_line(iface: AsaInterface, line: Line, words: list[str]) -> None:
    if words[0] == "nameif" and len(words) == 2:
        iface.nameif = words[1]
    elif words[0] == "security-level" and len(words) == 2:
        iface.level, iface.level_line = int(words[1]), line
    elif words[0] == "shutdown":
        iface.shutdown = True
    elif words[0] == "management-only":
        iface.management_only = True
    elif words[:2] == ["ip", "address"] and len(words) >= 3:
        if words[2] in _DYNAMIC:
            iface.dynamic = words[2]
        else:
            iface.addresses.append(ipaddress.IPv4Interface(f"{words[2]}/{words[3] if len(words) > 3 else ''}"))
    elif words[:2] == ["ipv6", "address"] and len(words) >= 3:
        if words[2] == "autoconfig":
            iface.dynamic = iface.dynamic or "autoconfig"
        elif "link-local" not in words:
            iface.addresses.append(ipaddress.IPv6Interface(words[2]))


@dataclass(frozen=True)
class StaticRoute:
    nameif: str  # Null0 for a discard route
    network: IPNet
    gateway: str
    metric: int
    line: Line
    source: str


def parse_routes(output: Output) -> list[StaticRoute]:
    """``route IF NET MASK GW [METRIC] [track N | tunneled]`` and ``ipv6 route IF PFX GW [METRIC]``."""
    routes: list[StaticRoute] = []
    for line in output.lines:
        words = line.words
        v6 = words[:2] == ["ipv6", "route"]
        args = words[2:] if v6 else words[1:]
        if not (v6 or words[0] == "route") or len(args) < (3 if v6 else 4):
            if words[0] not in ("!", "ipv6"):
                output.warn(line, f"not a route: {line.text.strip()}")
            continue
        if "tunneled" in args:
            continue  # default route for VPN traffic only
        try:
            net = ipaddress.ip_network(args[1] if v6 else _v4_net(args[1], args[2]), strict=False)
        except ValueError:
            output.warn(line, f"route with a bad destination: {line.text.strip()}")
            continue
        rest = args[2:] if v6 else args[3:]
        metric = int(rest[1]) if len(rest) > 1 and rest[1].isdigit() else 1
        routes.append(StaticRoute(args[0], net, rest[0], metric, line, output.source))
    return routes


def _v4_net(address: str, mask: str) -> str:
    # the running config may abbreviate "0.0.0.0 0.0.0.0" as "0 0"
    zero = str(ipaddress.IPv4Address(0))
    return f"{zero if address == '0' else address}/{zero if mask == '0' else mask}"
