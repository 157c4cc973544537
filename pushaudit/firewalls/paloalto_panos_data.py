"""PAN-OS vendor knowledge kept as data (paloalto_panos_data.yaml), validated on load."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from pushaudit.firewalls.paloalto_panos_model import PortSpec
from pushaudit.netfilter.intervals import IntervalSet, normalize

PROTOCOLS = ("tcp", "udp", "sctp")


class PanosData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    predefined_services: dict[str, list[str]]
    application_default_ports: dict[str, list[str]]
    predefined_edls: list[str]
    security_rule_ignored_fields: list[str]

    @field_validator("predefined_services", "application_default_ports")
    @classmethod
    def _valid_ports(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, specs in value.items():
            for spec in specs:
                if app_port(spec) is None:
                    raise ValueError(f"{name}: {spec!r} is not <protocol>/<ports>")
        return value

    def services(self, name: str) -> tuple[PortSpec, ...] | None:
        specs = self.predefined_services.get(name)
        return None if specs is None else tuple(p for p in map(app_port, specs) if p is not None)

    def app_ports(self, app: str) -> tuple[PortSpec, ...] | None:
        specs = self.application_default_ports.get(app)
        return None if specs is None else tuple(p for p in map(app_port, specs) if p is not None)


def port_list(text: str) -> IntervalSet | None:
    """``80,8080-8090``: a PAN-OS port list; None when any part is not a port or range."""
    out: list[tuple[int, int]] = []
    for part in text.replace(" ", "").split(","):
        lo_text, dash, hi_text = part.partition("-")
        if not lo_text.isdigit() or (dash and not hi_text.isdigit()):
            return None
        lo, hi = int(lo_text), int(hi_text or lo_text)
        if not 0 <= lo <= hi <= 65535:
            return None
        out.append((lo, hi))
    return normalize(out) if out else None


def app_port(spec: str) -> PortSpec | None:
    """``tcp/443,8443``: a protocol and its ports, as applications declare default ports."""
    protocol, _, ports = spec.strip().lower().partition("/")
    values = port_list(ports) if protocol in PROTOCOLS else None
    return None if values is None else PortSpec(protocol, values)


@cache
def panos_data() -> PanosData:
    text = resources.files("pushaudit.firewalls").joinpath("paloalto_panos_data.yaml").read_text(encoding="utf-8")
    return PanosData.model_validate(yaml.safe_load(text))
