"""The lab's fixed topology as data: namespaces, links, addresses, routes and audited hosts.

Nothing here touches the system; netns.py turns it into ``ip`` commands. The names and
addresses are part of the lab's contract (the inventory and the lead's tests use them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SWITCH_NS = "pa-sw"
BRIDGE = "br0"
ROOT_LINK = "pa-lab0"
ROOT_ADDRESS = "198.18.0.1/24"
BACKBONE = "198.18.0.0/24"
APPLE_NET = "198.19.0.0/16"

RESOLVER = "198.18.0.53"
AUTHORITATIVE = "198.18.0.54"
FILTERING_RESOLVER = "198.18.0.55"

APPLE_COURIER_ADDRESSES = ("198.19.5.36", "198.19.5.37")
APPLE_PORTS_TLS = (443, 5223, 2197)
APPLE_PORT_HTTP = 80

SSH_USER = "pushaudit"


@dataclass(frozen=True)
class Namespace:
    """One network namespace with its addresses, routes and sysctls (links are separate)."""

    name: str
    addresses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # interface -> CIDRs
    routes: tuple[tuple[str, ...], ...] = ()  # each an `ip route add` argument tuple
    ip_forward: bool = False
    uts_hostname: str = ""
    resolver: str = ""  # nameserver for /etc/netns/<ns>/resolv.conf; "" = no file


@dataclass(frozen=True)
class BridgePort:
    """A veth from ``ns`` (interface ``ifname``) to the backbone bridge (port ``port``)."""

    ns: str
    ifname: str
    port: str


@dataclass(frozen=True)
class PointToPoint:
    """A veth pair straight between two namespaces."""

    ns_a: str
    if_a: str
    ns_b: str
    if_b: str


@dataclass(frozen=True)
class AuditedHost:
    """A namespace the audit reaches over SSH: its inventory name and management address."""

    ns: str
    name: str
    mgmt_address: str


def _via(gateway: str, *nets: str) -> tuple[tuple[str, ...], ...]:
    return tuple((net, "via", gateway) for net in nets)


NAMESPACES: tuple[Namespace, ...] = (
    Namespace(SWITCH_NS),
    Namespace(
        "pa-dns",
        addresses={"eth0": ("198.18.0.53/24", "198.18.0.54/24", "198.18.0.55/24")},
        # return paths so clients behind the routing proxies can use the resolver
        routes=_via("198.18.0.11", "198.18.11.0/24") + _via("198.18.0.13", "198.18.13.0/24"),
    ),
    Namespace(
        "pa-apple",
        addresses={
            "eth0": ("198.19.5.36/16", "198.19.5.37/16", "198.18.0.200/24"),
            "eth1": ("198.18.20.2/24",),
        },
        routes=(
            *_via("198.18.20.1", "198.18.10.0/24"),
            *_via("198.18.0.11", "198.18.11.0/24"),
            *_via("198.18.0.13", "198.18.13.0/24"),
            # answer for every lab "Apple" address (activation hosts, api.push, ...) without listing them
            ("local", APPLE_NET, "dev", "lo"),
        ),
    ),
    Namespace(
        "pa-proxy1",
        addresses={"eth0": ("198.18.0.11/24",), "lan0": ("198.18.11.1/24",)},
        routes=((APPLE_NET, "dev", "eth0"),),
        ip_forward=True,
        uts_hostname="lab-proxy1",
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-proxy2",
        addresses={"eth0": ("198.18.0.12/24",)},
        routes=((APPLE_NET, "dev", "eth0"),),
        uts_hostname="lab-proxy2",
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-proxy3",
        addresses={"eth0": ("198.18.0.13/24",), "lan0": ("198.18.13.1/24",)},
        routes=((APPLE_NET, "dev", "eth0"),),
        ip_forward=True,
        uts_hostname="lab-proxy3",
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-proxy4",
        addresses={"eth0": ("198.18.0.14/24",)},
        routes=((APPLE_NET, "dev", "eth0"),),
        uts_hostname="lab-proxy4",
        resolver=FILTERING_RESOLVER,
    ),
    Namespace(
        "pa-fw1",
        addresses={
            "eth0": ("198.18.0.21/24",),
            "lan0": ("198.18.10.1/24",),
            "wan0": ("198.18.20.1/24",),
        },
        routes=_via("198.18.20.2", APPLE_NET),
        ip_forward=True,
        uts_hostname="lab-fw1",
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-c0",
        addresses={"eth0": ("198.18.10.10/24",)},
        routes=_via("198.18.10.1", APPLE_NET),
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-c1",
        addresses={"eth0": ("198.18.11.10/24",)},
        routes=_via("198.18.11.1", APPLE_NET, BACKBONE),
        resolver=RESOLVER,
    ),
    Namespace(
        "pa-c3",
        addresses={"eth0": ("198.18.13.10/24",)},
        routes=_via("198.18.13.1", APPLE_NET, BACKBONE),
        resolver=RESOLVER,
    ),
)

BRIDGE_PORTS: tuple[BridgePort, ...] = (
    BridgePort("pa-dns", "eth0", "p-dns"),
    BridgePort("pa-apple", "eth0", "p-apple"),
    BridgePort("pa-proxy1", "eth0", "p-proxy1"),
    BridgePort("pa-proxy2", "eth0", "p-proxy2"),
    BridgePort("pa-proxy3", "eth0", "p-proxy3"),
    BridgePort("pa-proxy4", "eth0", "p-proxy4"),
    BridgePort("pa-fw1", "eth0", "p-fw1"),
)
ROOT_BRIDGE_PORT = "p-root"

POINT_TO_POINT: tuple[PointToPoint, ...] = (
    PointToPoint("pa-proxy1", "lan0", "pa-c1", "eth0"),
    PointToPoint("pa-proxy3", "lan0", "pa-c3", "eth0"),
    PointToPoint("pa-fw1", "lan0", "pa-c0", "eth0"),
    PointToPoint("pa-fw1", "wan0", "pa-apple", "eth1"),
)

AUDITED_HOSTS: tuple[AuditedHost, ...] = (
    AuditedHost("pa-proxy1", "lab-proxy1", "198.18.0.11"),
    AuditedHost("pa-proxy2", "lab-proxy2", "198.18.0.12"),
    AuditedHost("pa-proxy3", "lab-proxy3", "198.18.0.13"),
    AuditedHost("pa-proxy4", "lab-proxy4", "198.18.0.14"),
    AuditedHost("pa-fw1", "lab-fw1", "198.18.0.21"),
)

SQUID_NAMESPACES = ("pa-proxy1", "pa-proxy2", "pa-proxy3", "pa-proxy4")
# namespaces whose nftables ruleset the lab loads from /etc/netns/<ns>/nftables.conf
NFT_NAMESPACES = ("pa-proxy1", "pa-proxy3", "pa-fw1")


def namespace(name: str) -> Namespace:
    for ns in NAMESPACES:
        if ns.name == name:
            return ns
    raise KeyError(name)


def namespace_names() -> tuple[str, ...]:
    return tuple(ns.name for ns in NAMESPACES)


def etc_netns_names() -> tuple[str, ...]:
    """Namespaces that get an /etc/netns/<ns>/ folder (hostname, hosts, resolv.conf, ...)."""
    return tuple(ns.name for ns in NAMESPACES if ns.resolver or ns.uts_hostname)
