"""Typed services for the renderers whose platforms give every service a protocol (PAN-OS,
FortiOS, Junos): one service per protocol and port range, and each shape service group (which
has no protocol) split into one group per protocol, nesting kept."""

from __future__ import annotations

from collections.abc import Mapping

from benchmarks.shape import Shape


class ProtocolServices:
    def __init__(self, shape: Shape, builtin: Mapping[tuple[str, int], str] | None = None) -> None:
        self.shape = shape
        self.builtin = dict(builtin or {})  # (protocol, port) -> a predefined service's name
        self.services: dict[str, tuple[str, str]] = {}  # name -> (protocol, "443" or "1000-2000"; "" any port)
        self.groups: dict[str, list[tuple[bool, str]]] = {}  # name -> members as (is a group, name)

    def service(self, proto: str, item: str) -> str:
        """The service for ``item`` ("lo-hi") of ``proto``, made on first use."""
        lo, hi = (int(x) for x in item.split("-"))
        if lo == hi and (proto, lo) in self.builtin:
            return self.builtin[(proto, lo)]
        port = str(lo) if lo == hi else f"{lo}-{hi}"
        name = f"{proto}-{port}"
        self.services[name] = (proto, port)
        return name

    def any_port(self, proto: str) -> str:
        name = f"{proto}-all"
        self.services[name] = (proto, "")
        return name

    def group(self, group: str, proto: str) -> str:
        """The ``proto`` half of shape service group ``group`` (and of the groups it nests)."""
        name = f"{group}-{proto}"
        if name not in self.groups:
            source = self.shape.service_groups[group]
            members = [(False, self.service(proto, m)) for m in source.members]
            members += [(True, self.group(child, proto)) for child in source.children]
            self.groups[name] = list(dict.fromkeys(members))
        return name

    def member_names(self, name: str) -> list[str]:
        return [member for _, member in self.groups[name]]

    def for_ports(self, proto: str, ports: list[str]) -> list[str]:
        """A rule's port items ("@group" or "lo-hi") as service names, duplicates dropped."""
        return list(dict.fromkeys(self.group(p[1:], proto) if p.startswith("@") else self.service(proto, p)
                                  for p in ports))
