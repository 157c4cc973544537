"""Service members of PAN-OS rules (objects, nested groups, predefined services) and the ports
``application-default`` stands for (custom applications, groups, the data file's App-IDs)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pushaudit.firewalls.paloalto_panos_data import PROTOCOLS, app_port, panos_data, port_list
from pushaudit.firewalls.paloalto_panos_model import ANY, PortSpec, ServiceSet
from pushaudit.firewalls.paloalto_panos_xml import ConfigDoc, entries, members, text

APPLICATION_DEFAULT = "application-default"


def _group_members(entry: ET.Element) -> list[str]:
    found = members(entry, "members")  # PAN-OS 9 and later; older releases list <member> directly
    return found if found is not None else [(m.text or "").strip() for m in entry.findall("member")]


class _Book:
    def __init__(self, doc: ConfigDoc, scopes: list[ET.Element], objects: str, groups: str) -> None:
        self.doc = doc
        self.warnings: list[str] = []
        self.objects: dict[str, ET.Element] = {}
        self.groups: dict[str, ET.Element] = {}
        for scope in scopes:  # the vsys first: its names hide shared ones
            for entry in entries(scope, objects):
                self.objects.setdefault(entry.get("name", ""), entry)
            for entry in entries(scope, groups):
                self.groups.setdefault(entry.get("name", ""), entry)

    def cycle(self, name: str, stack: tuple[str, ...], what: str) -> ServiceSet | None:
        if name not in stack:
            return None
        cycle = " -> ".join((*stack[stack.index(name):], name))
        self.warnings.append(f"{self.doc.where(self.groups[name])}: {what} cycle {cycle}")
        return ServiceSet(unknown=(f"{what} cycle {cycle}",))


class ServiceBook(_Book):
    """Resolves service member names of one vsys (with ``shared`` behind it)."""

    def __init__(self, doc: ConfigDoc, scopes: list[ET.Element]) -> None:
        super().__init__(doc, scopes, "service", "service-group")
        self._cache: dict[str, ServiceSet] = {}
        self._lists: dict[tuple[str, ...], ServiceSet] = {}
        self._referrer: int | None = None

    def resolve(self, names: list[str], line: int | None = None) -> ServiceSet:
        """The services of a rule's member list (``line``: the rule's, for warnings)."""
        self._referrer = line
        key = tuple(names)
        if key not in self._lists:
            if ANY in names:
                self._lists[key] = ServiceSet(any=True)
            else:
                parts = [self.member(name, ()) for name in names]
                self._lists[key] = ServiceSet.merge(parts) if parts else ServiceSet()
        return self._lists[key]

    def member(self, name: str, stack: tuple[str, ...]) -> ServiceSet:
        if name in self._cache:
            return self._cache[name]
        looped = self.cycle(name, stack, "service group")
        if looped is not None:
            return looped
        if name in self.objects:
            result = self._object(name, self.objects[name])
        elif name in self.groups:
            parts = [self.member(member, (*stack, name)) for member in _group_members(self.groups[name])]
            result = ServiceSet.merge(parts) if parts else ServiceSet()
        elif (predefined := panos_data().services(name)) is not None:
            result = ServiceSet(ports=predefined)
        else:
            where = f" line {self._referrer}" if self._referrer is not None else ""
            self.warnings.append(f"{self.doc.source}{where}: service {name} is not defined in the configuration")
            result = ServiceSet(unknown=(f"service {name} is not defined in the configuration",))
        self._cache[name] = result
        return result

    def _object(self, name: str, entry: ET.Element) -> ServiceSet:
        for protocol in PROTOCOLS:
            proto = entry.find(f"protocol/{protocol}")
            if proto is None:
                continue
            dports = port_list(text(proto, "port") or "")
            source = text(proto, "source-port")
            sports = port_list(source) if source else None
            if dports is None or (source and sports is None):
                self.warnings.append(f"{self.doc.where(entry)}: service {name}: cannot read its ports")
                return ServiceSet(unknown=(f"service {name}: ports could not be read",))
            return ServiceSet(ports=(PortSpec(protocol, dports, sports),))
        self.warnings.append(f"{self.doc.where(entry)}: service {name} has no protocol pushaudit reads")
        return ServiceSet(unknown=(f"service {name}: unsupported protocol",))


class ApplicationBook(_Book):
    """Custom applications and application groups: the standard ports of an application list."""

    def __init__(self, doc: ConfigDoc, scopes: list[ET.Element]) -> None:
        super().__init__(doc, scopes, "application", "application-group")
        self.filters = {e.get("name", "") for s in scopes for e in entries(s, "application-filter")}

    def expand(self, names: list[str], stack: tuple[str, ...] = ()) -> list[str]:
        """Application names with groups expanded (cycles cut, with a warning)."""
        out: list[str] = []
        for name in names:
            if name in self.groups:
                if self.cycle(name, stack, "application group") is None:
                    out += self.expand(_group_members(self.groups[name]), (*stack, name))
            else:
                out.append(name)
        return list(dict.fromkeys(out))

    def default_ports(self, applications: list[str]) -> ServiceSet:
        """What ``service application-default`` allows for these applications."""
        if ANY in applications:
            return ServiceSet(unknown=("application-default with application any: the ports depend on App-ID",))
        ports: list[PortSpec] = []
        for app in self.expand(applications):
            found = self._custom(app) if app in self.objects else panos_data().app_ports(app)
            if app in self.filters or found is None:
                why = f"the standard ports of application {app} are not known to pushaudit"
                return ServiceSet(unknown=(f"service application-default: {why}",))
            ports += found
        return ServiceSet(ports=tuple(dict.fromkeys(ports)))

    def _custom(self, app: str) -> tuple[PortSpec, ...] | None:
        specs = members(self.objects[app], "default/port")
        if not specs:
            return None
        parsed = [app_port(s) for s in specs]
        return None if any(p is None for p in parsed) else tuple(p for p in parsed if p is not None)


__all__ = ["APPLICATION_DEFAULT", "ApplicationBook", "ServiceBook"]
