"""The ASA's literal names for protocols, ports, ICMP types and log levels, loaded from
``cisco_asa_data.yaml`` and validated once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pushaudit.netfilter.values import PROTO_NAMES

PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PortName(_Strict):
    port: int = Field(ge=0, le=65535)
    protocols: list[Literal["tcp", "udp", "sctp"]] = Field(min_length=1)


class AsaNames(_Strict):
    protocols: dict[str, int | None]
    ports: dict[str, PortName]
    icmp_types: dict[str, int]
    log_levels: list[str] = Field(min_length=8, max_length=8)

    def protocol(self, word: str) -> str | None:
        """The model's protocol name (``tcp``, ``esp``, ...) for an ASA protocol word; ``ip`` is
        every protocol and gives ``""``; None when the word is no protocol."""
        text = word.lower()
        number: int | None
        if text.isdigit():
            number = int(text)
            if number > 255:
                return None
        elif text in self.protocols:
            number = self.protocols[text]
        else:
            return None
        if not number:  # ``ip`` or protocol 0: any protocol
            return ""
        return PROTO_NAMES.get(number, str(number))

    def port(self, word: str) -> int | None:
        text = word.lower()
        if text.isdigit():
            number = int(text)
            return number if number <= 65535 else None
        entry = self.ports.get(text)
        return entry.port if entry is not None else None

    def is_icmp_type(self, word: str) -> bool:
        return (word.isdigit() and int(word) <= 255) or word.lower() in self.icmp_types

    def is_log_level(self, word: str) -> bool:
        return (word.isdigit() and int(word) <= 7) or word.lower() in self.log_levels


class NamesDataError(Exception):
    """The shipped data file is broken (a packaging bug, not a device problem)."""


@cache
def asa_names() -> AsaNames:
    text = resources.files(__package__ or "pushaudit.firewalls").joinpath("cisco_asa_data.yaml").read_text("utf-8")
    try:
        names = AsaNames.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise NamesDataError(f"cisco_asa_data.yaml is invalid: {exc}") from exc
    bad = [n for n, v in names.protocols.items() if v is not None and not 0 <= v <= 255]
    if bad:
        raise NamesDataError(f"cisco_asa_data.yaml: protocol numbers out of range: {bad}")
    return names
