"""What is being decided: the request as each ACL sees it, and how names resolve."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pushaudit.squid.model import Port

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class Resolver(Protocol):
    """DNS as Squid would see it. ``()`` means "no address"; ``None`` means "not known"."""

    def forward(self, name: str) -> tuple[IPAddress, ...] | None: ...

    def reverse(self, address: IPAddress) -> tuple[str, ...] | None: ...


@dataclass(frozen=True)
class StaticResolver:
    """Answers from a table; names absent from it are unknown (never guessed)."""

    answers: Mapping[str, tuple[IPAddress, ...]] = field(default_factory=dict)
    pointers: Mapping[IPAddress, tuple[str, ...]] = field(default_factory=dict)

    def forward(self, name: str) -> tuple[IPAddress, ...] | None:
        literal = ip_literal(name)
        if literal is not None:
            return (literal,)
        return self.answers.get(name.lower().rstrip("."))

    def reverse(self, address: IPAddress) -> tuple[str, ...] | None:
        return self.pointers.get(address)


def authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class ExplicitRequest:
    """A client talking to a forward port: ``CONNECT host:port`` (or ``GET http://host/``)."""

    host: str
    port: int
    client: IPAddress
    listener: Port
    method: str = "CONNECT"
    sni: str | None = None  # the TLS server name inside the tunnel (default: the host)

    @property
    def url(self) -> str:
        if self.method == "CONNECT":
            return authority(self.host, self.port)
        suffix = "" if self.port == 80 else f":{self.port}"
        return f"http://{self.host}{suffix}/"

    def label(self) -> str:
        return f"{self.method} {self.url} from {self.client} on {self.listener.label()}"


@dataclass(frozen=True)
class InterceptedRequest:
    """A connection redirected to an intercepting port: TLS with an SNI, or plain HTTP with a Host."""

    dst: IPAddress
    port: int
    client: IPAddress
    listener: Port
    name: str | None  # the SNI (TLS) or Host header (HTTP); None: the client sent none
    tls: bool = True

    def label(self) -> str:
        what = f"TLS (SNI {self.name or 'none'})" if self.tls else f"HTTP (Host {self.name or 'none'})"
        return f"{what} {self.client} -> {authority(str(self.dst), self.port)} intercepted on {self.listener.label()}"


@dataclass(frozen=True)
class MatchContext:
    """One transaction at one moment, as Squid's ACLs see it."""

    method: str
    host: str  # the request URL host: a name, or an IP for intercepted step-1 requests
    port: int
    url: str
    client: IPAddress
    listener: Port
    resolver: Resolver
    intercepted: bool = False
    original_dst: IPAddress | None = None
    step: int = 1
    server_name: str = ""  # what ssl::server_name sees at this step
    path: str = ""  # URL path (empty for CONNECT)
