"""Which requests to evaluate: Apple hosts and ports from the policy, from each client network."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.errors import DataError
from pushaudit.policy import Policy
from pushaudit.policy.model import HostRule
from pushaudit.snapshot import HostFacts
from pushaudit.squid.request import IPAddress

PLAIN_HTTP_PORT = 80


@dataclass(frozen=True)
class AppleTarget:
    name: str  # the name a device asks for (a representative one for wildcard entries)
    port: int
    entry: str  # the policy entry it stands for, e.g. "*.push.apple.com"
    sni: str  # the TLS server name the device sends
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        stands_for = f" (for {self.entry})" if self.entry != self.name else ""
        return f"{self.name}:{self.port}{stands_for}"

    @property
    def is_tls(self) -> bool:
        return self.port != PLAIN_HTTP_PORT


@dataclass(frozen=True)
class ClientSource:
    network: str
    address: IPAddress


def representative(rule: HostRule, policy: Policy) -> str:
    """A concrete name for a policy entry: a numbered courier name under ``*.push.apple.com``."""
    if not rule.is_wildcard:
        return rule.name
    number = policy.courier.probe_numbers[0]
    for name in policy.courier.numbered_names(number):
        if name.endswith("." + rule.domain):
            return name
    return "host." + rule.domain


def sni_for(name: str, policy: Policy) -> str:
    """Devices send the courier SNI on every courier connection, numbered or not."""
    courier = policy.courier
    numbered = {n for k in (courier.n_min, *courier.probe_numbers) for n in courier.numbered_names(k)}
    return courier.tls_sni if name == courier.bare or name in numbered else name


def apple_targets(policy: Policy) -> list[AppleTarget]:
    """Every (name, TCP port) the policy lists, plus the bare courier name on 443 and 5223."""
    targets: dict[tuple[str, int], AppleTarget] = {}
    for rule in policy.hosts:
        if rule.protocol != "tcp":
            continue
        name = representative(rule, policy)
        for port in rule.ports:
            key = (name, port)
            if key not in targets:
                sources = tuple(rule.sources)
                targets[key] = AppleTarget(name, port, rule.name, sni_for(name, policy), sources)
    bare = policy.courier.bare
    for port in (443, 5223):
        if (bare, port) not in targets:
            targets[(bare, port)] = AppleTarget(bare, port, bare, policy.courier.tls_sni, tuple(policy.courier.sources))
    return list(targets.values())


def client_sources(facts: HostFacts) -> list[ClientSource]:
    """One representative address (the first host address) per client network of the inventory."""
    if not facts.client_networks:
        raise DataError(
            "E-DATA-MISSING",
            f"{facts.name} has no client_networks in the inventory; the Squid checks need them to know "
            "which src ACLs Apple devices match",
        )
    out: list[ClientSource] = []
    for text in facts.client_networks:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise DataError("E-DATA-MISSING", f"client network {text!r} is not a network") from exc
        out.append(ClientSource(str(network), first_address(network)))
    return out


def apple_addresses(policy: Policy) -> list[IPAddress]:
    """A representative destination (the first host address) in each Apple range."""
    return [first_address(net) for net in policy.apple_ranges()]


def first_address(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> IPAddress:
    """The first host address of a network (the address itself for a /32 or /128)."""
    if network.num_addresses <= 2:
        return network.network_address
    return network.network_address + 1
