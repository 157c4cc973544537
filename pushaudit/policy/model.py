"""Typed policy models. Unknown keys are errors, so a typo in a user's file is caught on load."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str
    url: str
    grade: Literal["A", "A-tr", "A-3p", "V", "C", "U"]


class Ranges(_Strict):
    apple: list[IPNet]
    apns: list[IPNet]
    sources: list[str]
    note: str = ""

    @field_validator("apple", "apns", mode="before")
    @classmethod
    def _strict_networks(cls, value: list[str]) -> list[IPNet]:
        return [ipaddress.ip_network(v, strict=True) for v in value]


class ApnsRequirements(_Strict):
    ports: list[int] = Field(min_length=1)
    destination: Literal["apns", "apple"] = "apns"
    sources: list[str]
    notes: list[str] = []

    @field_validator("ports")
    @classmethod
    def _valid_ports(cls, ports: list[int]) -> list[int]:
        for port in ports:
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is outside 1..65535")
        return ports


class ProxyRules(_Strict):
    tls_interception: Literal["forbidden", "allowed"]
    proxy_authentication: Literal["forbidden", "allowed"]
    sources: list[str]
    note: str = ""


class CourierFacts(_Strict):
    bare: str
    target: str
    numbered: list[str] = Field(min_length=1)
    n_min: int = Field(ge=0)
    n_max: int = Field(ge=0)
    probe_numbers: list[int] = Field(min_length=1)
    tls_sni: str
    sources: list[str]
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> CourierFacts:
        if self.n_min > self.n_max:
            raise ValueError("n_min is greater than n_max")
        for n in self.probe_numbers:
            if not self.n_min <= n <= self.n_max:
                raise ValueError(f"probe number {n} is outside n_min..n_max")
        for form in self.numbered:
            if "{n}" not in form:
                raise ValueError(f"numbered form {form!r} has no {{n}} placeholder")
        return self

    def numbered_names(self, n: int) -> list[str]:
        return [form.format(n=n) for form in self.numbered]


class HostRule(_Strict):
    name: str
    category: str
    ports: list[int]
    protocol: Literal["tcp", "udp"] = "tcp"
    proxy: Literal["yes", "no", "unknown", "link"]
    purpose: str = ""
    sources: list[str]

    @property
    def is_wildcard(self) -> bool:
        return self.name.startswith("*.")

    @property
    def domain(self) -> str:
        """The name without its wildcard label: ``*.push.apple.com`` -> ``push.apple.com``."""
        return self.name[2:] if self.is_wildcard else self.name


class Policy(_Strict):
    version: str
    name: str
    sources: dict[str, Source]
    ranges: Ranges
    apns: ApnsRequirements
    proxy_rules: ProxyRules
    courier: CourierFacts
    hosts: list[HostRule]

    @model_validator(mode="after")
    def _sources_exist(self) -> Policy:
        cited: list[tuple[str, list[str]]] = [
            ("ranges", self.ranges.sources),
            ("apns", self.apns.sources),
            ("proxy_rules", self.proxy_rules.sources),
            ("courier", self.courier.sources),
        ]
        cited += [(f"hosts[{h.name}]", h.sources) for h in self.hosts]
        for where, refs in cited:
            if not refs:
                raise ValueError(f"{where} cites no source")
            for ref in refs:
                if ref not in self.sources:
                    raise ValueError(f"{where} cites unknown source {ref!r}")
        names = [h.name for h in self.hosts]
        if len(names) != len(set(names)):
            raise ValueError("hosts lists a name twice")
        return self

    def push_destinations(self) -> list[IPNet]:
        """The ranges the firewall must open for APNs, as the policy chooses."""
        return list(self.ranges.apns if self.apns.destination == "apns" else self.ranges.apple)

    def apple_ranges(self) -> list[IPNet]:
        """Every range that is Apple's (the whole block plus the narrower APNs ranges)."""
        nets = list(self.ranges.apple)
        nets += [n for n in self.ranges.apns if not any(n.subnet_of(a) for a in nets if a.version == n.version)]  # type: ignore[arg-type]
        return nets

    def source_titles(self, refs: list[str] | tuple[str, ...]) -> list[str]:
        return [f"{r}: {self.sources[r].title} <{self.sources[r].url}>" for r in refs if r in self.sources]
