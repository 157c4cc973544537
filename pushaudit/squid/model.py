"""The parsed Squid configuration: every modelled directive keeps its file, line and raw text."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal

PortMode = Literal["forward", "intercept", "tproxy", "accel"]


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]  # tokens after the name; quoted tokens keep their quotes
    file: str
    line: int  # first physical line of the logical line
    raw: str  # the logical line as Squid processes it

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def label(self) -> str:
        return f"{self.where}: {self.raw}"


@dataclass(frozen=True)
class SquidVersion:
    major: int
    minor: int
    text: str

    def at_least(self, major: int, minor: int = 0) -> bool:
        return (self.major, self.minor) >= (major, minor)

    @property
    def dns_failure_error(self) -> str:
        """The error page a DIRECT request for a name without addresses gets (bug 5294, fixed in 6.3)."""
        return "ERR_DNS_FAIL" if self.at_least(6, 3) else "ERR_CANNOT_FORWARD"


@dataclass(frozen=True)
class Port:
    kind: Literal["http_port", "https_port"]
    address: str | None  # None: every address
    port: int
    mode: PortMode
    ssl_bump: bool
    tls_cert: str | None
    name: str
    options: tuple[str, ...]
    directive: Directive

    @property
    def is_loopback(self) -> bool:
        if self.address is None:
            return False
        if self.address == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.address).is_loopback
        except ValueError:
            return False  # a host name: assume reachable

    @property
    def intercepting(self) -> bool:
        return self.mode in ("intercept", "tproxy")

    @property
    def client_facing_forward(self) -> bool:
        return self.mode == "forward" and not self.is_loopback

    def label(self) -> str:
        where = f"{self.address}:{self.port}" if self.address else str(self.port)
        return f"{self.kind} {where} ({self.mode}{', ssl-bump' if self.ssl_bump else ''})"


@dataclass(frozen=True)
class AclLine:
    """One ``acl`` line (or a predefined default); lines with the same name add values."""

    values: tuple[str, ...]
    flags: tuple[str, ...] = ()
    icase: tuple[bool, ...] = ()  # regex types: case-insensitivity of each value
    directive: Directive | None = None  # None for Squid's built-in definitions
    files: tuple[str, ...] = ()  # files the values were read from


# ACL types whose evaluation asks the client for credentials or calls an identity helper.
AUTH_TYPES = frozenset({"proxy_auth", "proxy_auth_regex", "external", "ident", "ident_regex"})


@dataclass
class Acl:
    name: str
    type: str
    lines: list[AclLine] = field(default_factory=list)
    predefined: bool = False

    @property
    def values(self) -> list[str]:
        return [v for line in self.lines for v in line.values]

    @property
    def directives(self) -> list[Directive]:
        return [line.directive for line in self.lines if line.directive is not None]

    @property
    def is_auth(self) -> bool:
        return self.type in AUTH_TYPES


@dataclass(frozen=True)
class AclRef:
    name: str
    negated: bool = False

    def __str__(self) -> str:
        return f"!{self.name}" if self.negated else self.name


@dataclass(frozen=True)
class Rule:
    """One line of an ordered access list (http_access, ssl_bump, never_direct, ...)."""

    action: str  # allow/deny, or the ssl_bump action
    acls: tuple[AclRef, ...]
    directive: Directive
    target: str = ""  # cache_peer_access: the peer name


@dataclass(frozen=True)
class CachePeer:
    host: str
    type: str  # parent, sibling, multicast
    http_port: int
    name: str
    options: tuple[str, ...]
    directive: Directive


@dataclass
class SquidConfig:
    main_file: str
    files: list[str] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    acls: dict[str, Acl] = field(default_factory=dict)
    http_access: list[Rule] = field(default_factory=list)
    ssl_bump: list[Rule] = field(default_factory=list)
    always_direct: list[Rule] = field(default_factory=list)
    never_direct: list[Rule] = field(default_factory=list)
    cache_peers: list[CachePeer] = field(default_factory=list)
    cache_peer_access: dict[str, list[Rule]] = field(default_factory=dict)
    switches: dict[str, tuple[bool, Directive]] = field(default_factory=dict)  # on/off directives
    dns_nameservers: list[str] = field(default_factory=list)
    auth_params: list[Directive] = field(default_factory=list)
    version: SquidVersion | None = None
    warnings: list[str] = field(default_factory=list)

    def switch(self, name: str) -> bool:
        """Value of an on/off directive, with Squid's default when it is not set."""
        if name in self.switches:
            return self.switches[name][0]
        return SWITCH_DEFAULTS[name]

    def switch_directive(self, name: str) -> Directive | None:
        return self.switches[name][1] if name in self.switches else None

    @property
    def forward_ports(self) -> list[Port]:
        return [p for p in self.ports if p.client_facing_forward]

    @property
    def intercept_ports(self) -> list[Port]:
        return [p for p in self.ports if p.intercepting]

    def peer(self, name: str) -> CachePeer | None:
        return next((p for p in self.cache_peers if p.name == name), None)


SWITCH_DEFAULTS: dict[str, bool] = {
    "nonhierarchical_direct": True,
    "prefer_direct": False,
    "host_verify_strict": False,
    "client_dst_passthru": True,
}
