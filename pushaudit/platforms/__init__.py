"""Platform definitions as data: which commands to run, validated on load."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pushaudit.readonly import ReadOnlyViolation, check_read_only, check_vendor_read_only

ROLES = frozenset({"proxy", "firewall"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommandSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    command: str
    roles: list[str]
    read_timeout: float = 30.0

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = set(roles) - ROLES
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)}")
        return roles


class CollectorSpec(_Strict):
    name: str
    roles: list[str]


class Platform(_Strict):
    platform: str
    netmiko_device_type: str
    # posix: a shell; exit status from a marker echo. network_cli: a vendor CLI without exit
    # status; a command failed when its output matches one of error_patterns.
    shell: Literal["posix", "network_cli"] = "posix"
    error_patterns: list[str] = []
    # network_cli only: commands must start with one of these (e.g. "show ", "get ").
    read_only_prefixes: list[str] = []
    session_setup: list[str] = []
    commands: list[CommandSpec]
    collectors: list[CollectorSpec] = []
    notes: list[str] = []
    # Netmiko settings this platform needs to stay read-only (the inventory may still override).
    netmiko_extras: dict[str, Any] = {}

    @model_validator(mode="after")
    def _all_read_only(self) -> Platform:
        try:
            for line in [*self.session_setup, *(c.command for c in self.commands)]:
                if self.shell == "posix":
                    check_read_only(line)
                else:
                    check_vendor_read_only(line, self.read_only_prefixes, setup=line in self.session_setup)
        except ReadOnlyViolation as exc:
            raise ValueError(str(exc)) from exc
        return self

    def guard(self, command: str) -> None:
        """Refuse a command that is not read-only for this platform."""
        if self.shell == "posix":
            check_read_only(command)
        else:
            check_vendor_read_only(command, self.read_only_prefixes, setup=command in self.session_setup)

    def commands_for(self, role: str) -> list[CommandSpec]:
        return [c for c in self.commands if role in c.roles]

    def collectors_for(self, role: str) -> list[str]:
        return [c.name for c in self.collectors if role in c.roles]


class PlatformError(Exception):
    pass


@cache
def load_platform(name: str) -> Platform:
    """The platform definition shipped as ``pushaudit/platforms/<name>.yaml``."""
    if not name.replace("_", "").isalnum():
        raise PlatformError(f"invalid platform name {name!r}")
    ref = resources.files(__name__).joinpath(f"{name}.yaml")
    if not ref.is_file():
        raise PlatformError(f"no platform definition for {name!r} (known: {', '.join(known_platforms())})")
    try:
        return Platform.model_validate(yaml.safe_load(ref.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise PlatformError(f"platform file {name}.yaml is invalid: {exc}") from exc


def known_platforms() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml"))
