"""Where to send the CONNECT probes: the host's own client-facing forward Squid port."""

from __future__ import annotations

import ipaddress

from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.policy import Policy
from pushaudit.snapshot import HostFacts, HostSnapshot
from pushaudit.squid.source import SQUID


def _endpoint(address: str | None, port: int) -> str:
    """A wildcard listener is probed over loopback; IPv6 literals get brackets."""
    if address in (None, "", "0.0.0.0", "::"):  # noqa: S104 - parsing a listen address, not binding
        return f"127.0.0.1:{port}"
    try:
        if ipaddress.ip_address(address).version == 6:
            return f"[{address}]:{port}"
    except ValueError:
        pass
    return f"{address}:{port}"


def probe_endpoint(snapshot: HostSnapshot, facts: HostFacts, policy: Policy) -> tuple[str | None, str]:
    """(``addr:port`` or None, reason when None). ``data.proxy_probe`` in the inventory overrides."""
    override = facts.data.get("proxy_probe")
    if override:
        return str(override), ""
    snapshot.save()  # the parser reads pulled files through the snapshot on disk
    try:
        config = HostContext(snapshot, policy).get(SQUID)
    except DataError as exc:
        return None, f"squid.conf could not be parsed ({exc.message})"
    ports = [p for p in config.ports if p.client_facing_forward]
    if not ports:
        return None, "no client-facing forward http_port in squid.conf (Apple traffic cannot CONNECT here)"
    return _endpoint(ports[0].address, ports[0].port), ""
