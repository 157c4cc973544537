"""Junos application terms: what one application matches (protocol, source and destination
ports) and the predefined ``junos-*`` applications of juniper_junos_apps.yaml, validated."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from pushaudit.netfilter.intervals import PORT_MAX, IntervalSet
from pushaudit.netfilter.values import proto_name

ALL_PORTS: IntervalSet = ((0, PORT_MAX),)
_PROTO_ALIASES = {"icmp6": "ipv6-icmp"}
_IGNORED = {"description", "inactivity-timeout", "application-protocol", "alg", "ttl-threshold"}
_PORT_KEYS = {"protocol", "source-port", "destination-port"}
_UNDECIDED = {"rpc-program-number", "uuid", "ether-type", "icmp-type", "icmp-code", "icmp6-type", "icmp6-code"}


@dataclass(frozen=True)
class Term:
    protocol: str  # tcp, udp, icmp, ... as values.proto_name spells it
    sports: IntervalSet = ALL_PORTS
    dports: IntervalSet = ALL_PORTS
    condition: str = ""  # set when the term narrows further in a way not modelled (RPC program, ...)


@dataclass(frozen=True)
class AppValue:
    terms: tuple[Term, ...] = ()
    conditions: tuple[str, ...] = ()
    any: bool = False  # the predefined "any": every packet

    def union(self, other: AppValue) -> AppValue:
        return AppValue(tuple(dict.fromkeys(self.terms + other.terms)),
                        tuple(dict.fromkeys(self.conditions + other.conditions)), self.any or other.any)


class DataFileError(ValueError):
    """juniper_junos_apps.yaml does not have the expected shape (a packaging bug)."""


def term_value(where: str, spec: dict[str, str]) -> AppValue:
    """One term; what narrows it beyond protocol and ports makes the term conditional."""
    narrower = [f"{key} {spec[key]} is not modelled" for key in spec if key in _UNDECIDED]
    narrower += [f"'{key}' not understood" for key in spec if key not in _UNDECIDED | _IGNORED | _PORT_KEYS]
    sports = port_range(spec.get("source-port", ""))
    dports = port_range(spec.get("destination-port", ""))
    if "protocol" not in spec or sports is None or dports is None:
        problem = "has no protocol" if "protocol" not in spec else "has a port pushaudit cannot read"
        return AppValue(conditions=(f"{where} {problem}",))
    condition = f"{where}: {'; '.join(narrower)}" if narrower else ""
    return AppValue((Term(_protocol(spec["protocol"]), sports, dports, condition),))


def _protocol(text: str) -> str:
    lowered = text.lower()
    return _PROTO_ALIASES.get(lowered, proto_name(lowered))


def port_range(text: str) -> IntervalSet | None:
    """``5223``, ``1024-65535``, ``https``; empty: every port."""
    if not text:
        return ALL_PORTS
    lo_text, _, hi_text = text.partition("-")
    lo, hi = _port(lo_text), _port(hi_text or lo_text)
    if lo is None or hi is None or lo > hi:
        return None
    return ((lo, hi),)


def _port(text: str) -> int | None:
    if text.isdigit():
        number = int(text)
        return number if number <= PORT_MAX else None
    return _port_names().get(text.lower())


@cache
def _data() -> dict[str, Any]:
    raw = yaml.safe_load(resources.files("pushaudit.firewalls").joinpath("juniper_junos_apps.yaml").read_text())
    if not isinstance(raw, dict) or not isinstance(raw.get("applications"), dict) \
            or not isinstance(raw.get("port-names"), dict):
        raise DataFileError("juniper_junos_apps.yaml: needs 'applications' and 'port-names' mappings")
    return raw


@cache
def _port_names() -> dict[str, int]:
    names = _data()["port-names"]
    if not all(isinstance(k, str) and isinstance(v, int) and 0 <= v <= PORT_MAX for k, v in names.items()):
        raise DataFileError("juniper_junos_apps.yaml: port-names must map names to port numbers")
    return dict(names)


@cache
def predefined() -> dict[str, AppValue]:
    """The predefined applications, validated: a bad entry is a packaging bug, so it raises."""
    out: dict[str, AppValue] = {}
    for name, terms in _data()["applications"].items():
        if not isinstance(name, str) or not name.startswith("junos-") or not isinstance(terms, list) or not terms:
            raise DataFileError(f"juniper_junos_apps.yaml: bad application {name!r}")
        value = AppValue()
        for spec in terms:
            if not isinstance(spec, dict) or "protocol" not in spec or \
                    set(spec) - {"protocol", "source-port", "destination-port"}:
                raise DataFileError(f"juniper_junos_apps.yaml: bad term in {name}: {spec!r}")
            term = term_value(name, {k: str(v) for k, v in spec.items()})
            problems = [*term.conditions, *(t.condition for t in term.terms if t.condition)]
            if problems:
                raise DataFileError(f"juniper_junos_apps.yaml: {name}: {'; '.join(problems)}")
            value = value.union(term)
        out[name] = value
    return out
