"""Which FindProxyForURL calls to make: every Apple host of the policy, the courier names and one
address in each Apple range, as https:// URLs (and http:// for the hosts Apple lists on port 80)."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.policy import Policy
from pushaudit.squid.paths import PLAIN_HTTP_PORT, first_address, representative


@dataclass(frozen=True)
class PacTarget:
    host: str  # the host argument of FindProxyForURL
    url: str  # the url argument
    entry: str  # the policy entry it stands for ("*.push.apple.com", "courier", "range 17.0.0.0/8")
    category: str  # push, activation, mdm, certificates, range
    proxy: str = "unknown"  # Apple's "supports proxies" column for the entry

    @property
    def port(self) -> int:
        """The port the device connects to (through a proxy: the CONNECT port)."""
        return PLAIN_HTTP_PORT if self.url.startswith("http://") else 443

    @property
    def is_tls(self) -> bool:
        return self.port != PLAIN_HTTP_PORT

    def call(self) -> tuple[str, str]:
        return self.url, self.host


def _url(scheme: str, host: str) -> str:
    return f"{scheme}://[{host}]/" if ":" in host else f"{scheme}://{host}/"


def pac_targets(policy: Policy) -> list[PacTarget]:
    """The calls, in a stable order, without duplicates."""
    out: dict[str, PacTarget] = {}

    def add(host: str, ports: list[int], entry: str, category: str, proxy: str = "unknown") -> None:
        if any(p != PLAIN_HTTP_PORT for p in ports):
            out.setdefault(_url("https", host), PacTarget(host, _url("https", host), entry, category, proxy))
        if PLAIN_HTTP_PORT in ports:
            out.setdefault(_url("http", host), PacTarget(host, _url("http", host), entry, category, proxy))

    courier = policy.courier
    add(courier.bare, [443], "courier", "push", "link")
    for name in courier.numbered_names(courier.probe_numbers[0]):
        add(name, [443], "numbered courier name", "push", "link")
    for rule in policy.hosts:
        if rule.protocol == "tcp":
            add(representative(rule, policy), rule.ports, rule.name, rule.category, rule.proxy)
    for network in policy.apple_ranges():
        add(str(first_address(network)), [443], f"range {network}", "range")
    return list(out.values())
