"""STUB to be replaced by the DNS/probe work: CONNECT probes sent through a proxy's own Squid."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError


@dataclass(frozen=True)
class ProbeResult:
    name: str  # the host name in the CONNECT request
    port: int
    proxy: str  # "198.18.0.12:3128"
    connect_status: int | None  # status line of the proxy's answer to CONNECT (None: no answer)
    squid_error: str  # X-Squid-Error value, e.g. "ERR_CANNOT_FORWARD 0"; "" when absent
    tunnel_ok: bool  # 200 Connection established was received
    curl_exit: int | None
    source: str  # command id in the snapshot
    excerpt: str  # the lines of the output that show the outcome


def _build(ctx: HostContext) -> list[ProbeResult]:
    raise DataError("E-DATA-MISSING", "proxy probe parsing is not implemented yet")


PROXY_PROBES: ModelKey[list[ProbeResult]] = ModelKey("proxy_probes", _build)
