"""Which Apple traffic reaches which intercepting Squid port, from the netfilter analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.interception import Interception, InterceptVerdict
from pushaudit.netfilter.intercept import APPLE_INTERCEPTION
from pushaudit.squid.model import Port, SquidConfig
from pushaudit.squid.paths import PLAIN_HTTP_PORT
from pushaudit.squid.request import IPAddress

FAMILY_VERSION = {"ip": 4, "ip6": 6}


@dataclass(frozen=True)
class Route:
    listener: Port
    apple_port: int  # destination port of the Apple traffic
    interception: Interception | None  # None: assumed, netfilter could not tell

    @property
    def tls(self) -> bool:
        return self.apple_port != PLAIN_HTTP_PORT

    def carries(self, address: IPAddress) -> bool:
        """Whether traffic to this address family is redirected (an ``ip`` table only takes IPv4)."""
        rule = self.interception.rule if self.interception else None
        family = rule.family if rule else "inet"
        return family not in FAMILY_VERSION or FAMILY_VERSION[family] == address.version

    def label(self) -> str:
        how = "assumed" if self.interception is None else self.interception.verdict.value
        return f"Apple TCP {self.apple_port} -> {self.listener.label()} ({how})"


@dataclass
class Routes:
    routes: list[Route] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # why some Apple traffic may or may not reach Squid
    error: DataError | None = None  # the netfilter analysis failed


def _assumed(config: SquidConfig, apple_port: int) -> list[Route]:
    """Worst case: Apple traffic on this port reaches every intercepting port that could take it."""
    tls = apple_port != PLAIN_HTTP_PORT
    return [Route(p, apple_port, None) for p in config.intercept_ports if (p.kind == "https_port") == tls]


def intercept_routes(ctx: HostContext, config: SquidConfig) -> Routes:
    out = Routes()
    if not config.intercept_ports:
        return out
    try:
        interceptions = ctx.get(APPLE_INTERCEPTION)
    except DataError as exc:
        out.error = exc
        out.notes.append(f"netfilter analysis unavailable ({exc.message}); assuming Apple traffic is intercepted")
        for apple_port in (443, PLAIN_HTTP_PORT):
            out.routes += _assumed(config, apple_port)
        return out
    for item in interceptions:
        if item.verdict == InterceptVerdict.NOT_INTERCEPTED:
            out.notes.append(f"Apple TCP {item.port} is not intercepted")
            continue
        if item.verdict == InterceptVerdict.UNKNOWN:
            out.undecided.append(f"Apple TCP {item.port}: netfilter cannot tell ({'; '.join(item.reasons)})")
            out.routes += _assumed(config, item.port)
            continue
        listeners = [p for p in config.intercept_ports if p.port == item.to_port]
        if not listeners:
            out.notes.append(f"Apple TCP {item.port} is redirected to port {item.to_port}, where no Squid port listens")
        out.routes += [Route(p, item.port, item) for p in listeners]
    return out
