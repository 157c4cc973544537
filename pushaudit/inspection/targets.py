"""The Apple traffic the inspection checks ask about: names (SNI), the ranges they live in and
the TLS ports they use, taken from the policy."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.policy import Policy

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
TLS_PORTS = (443, 5223, 2197)  # the ports Apple devices and MDM servers speak TLS on


@dataclass(frozen=True)
class AppleTarget:
    """One Apple name: the SNI a device sends, where it connects and on which TLS ports."""

    name: str
    category: str
    destinations: tuple[IPNet, ...]
    ports: tuple[int, ...]
    sni: str = ""  # the server name the device sends, when it differs from ``name``

    @property
    def server_name(self) -> str:
        return self.sni or self.name


def apple_targets(policy: Policy) -> list[AppleTarget]:
    """Every policy host with a TLS port, plus the courier names (bare and numbered): devices
    connect to a numbered name but send the bare courier name as SNI."""
    push = tuple(policy.push_destinations())
    apple = tuple(policy.apple_ranges())
    found: dict[str, AppleTarget] = {}
    for host in policy.hosts:
        ports = tuple(p for p in host.ports if p in TLS_PORTS and host.protocol == "tcp")
        if ports:
            dests = push if host.category == "push" else apple
            found.setdefault(host.name, AppleTarget(host.name, host.category, dests, ports))
    courier = policy.courier
    courier_ports = tuple(p for p in policy.apns.ports if p in (443, 5223))
    names = [courier.bare, *courier.numbered_names(courier.probe_numbers[0])]
    for name in names:
        if name not in found:
            found[name] = AppleTarget(name, "push", push, courier_ports, sni=courier.tls_sni)
    return list(found.values())
