"""FindProxyForURL's answer ("PROXY a:3128; DIRECT") as an ordered list of routes."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Port a browser assumes when an entry names none.
DEFAULT_PORTS = {"PROXY": 80, "HTTP": 80, "HTTPS": 443, "SOCKS": 1080, "SOCKS4": 1080, "SOCKS5": 1080}
HTTP_PROXIES = frozenset({"PROXY", "HTTP", "HTTPS"})
_ENTRY = re.compile(r"^(?P<kind>[A-Za-z0-9]+)(?:\s+(?P<target>\S+))?$")
_TARGET = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+))(?::(?P<port>\d{1,5}))?$")


class RouteError(ValueError):
    """The answer is not a proxy list a browser accepts."""


@dataclass(frozen=True)
class Route:
    kind: str  # DIRECT, PROXY, HTTP, HTTPS, SOCKS, SOCKS4, SOCKS5
    host: str = ""
    port: int = 0
    text: str = ""  # the entry as the PAC wrote it

    @property
    def is_direct(self) -> bool:
        return self.kind == "DIRECT"

    @property
    def is_http_proxy(self) -> bool:
        return self.kind in HTTP_PROXIES

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.host else ""

    def label(self) -> str:
        return self.kind if self.is_direct else f"{self.kind} {self.endpoint}"


def _route(entry: str) -> Route:
    found = _ENTRY.match(entry)
    if found is None:
        raise RouteError(f"{entry!r} is not a route (expected DIRECT, or PROXY host:port)")
    kind, target = found.group("kind").upper(), found.group("target")
    if kind == "DIRECT":
        if target:
            raise RouteError(f"{entry!r}: DIRECT takes no address")
        return Route("DIRECT", text=entry)
    if kind not in DEFAULT_PORTS:
        raise RouteError(f"{entry!r}: unknown route type {found.group('kind')!r}")
    parsed = _TARGET.match(target or "")
    if parsed is None:
        raise RouteError(f"{entry!r}: expected {kind} host:port")
    port = int(parsed.group("port") or DEFAULT_PORTS[kind])
    if not 0 < port < 65536:
        raise RouteError(f"{entry!r}: port {port} is out of range")
    return Route(kind, (parsed.group("v6") or parsed.group("host")).lower(), port, entry)


def parse_routes(kind: str, value: str | None) -> tuple[Route, ...]:
    """Routes in the order a browser tries them. A null answer means DIRECT; an empty string too.

    ``kind`` is the JavaScript type of the answer; anything but a string or null is refused.
    """
    if kind == "null":
        return (Route("DIRECT", text="null"),)
    if kind != "string" or value is None:
        shown = kind if kind in ("", "undefined") or value is None else f"{kind} {value}"
        raise RouteError(f"FindProxyForURL returned {shown or 'nothing'}, not a string")
    entries = [e.strip() for e in value.split(";")]
    entries = [e for e in entries if e]
    if not entries:
        return (Route("DIRECT", text=value),)
    return tuple(_route(" ".join(entry.split())) for entry in entries)


def describe(routes: tuple[Route, ...]) -> str:
    return "; ".join(r.label() for r in routes)
