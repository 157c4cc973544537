"""Junos applications: custom ``applications application`` (with or without terms), nested
``application-set``s, and the predefined ``junos-*`` applications (juniper_junos_appterms).

A name resolves to an ``AppValue``: the (protocol, source ports, destination ports) terms it
matches plus the reasons why some of it cannot be decided (unknown names, RPC programs, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.juniper_junos_appterms import AppValue, predefined, term_value
from pushaudit.firewalls.juniper_junos_setlines import SetConfig


@dataclass
class Applications:
    custom: dict[str, AppValue] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _cache: dict[str, AppValue] = field(default_factory=dict)
    _resolved: dict[tuple[str, ...], AppValue] = field(default_factory=dict)

    def resolve(self, names: list[str]) -> AppValue:
        key = tuple(names)
        if key not in self._resolved:
            values = [self._lookup(name, ()) for name in names]
            value = values[0] if values else AppValue()
            for other in values[1:]:
                value = value.union(other)
            self._resolved[key] = value
        return self._resolved[key]

    def _lookup(self, name: str, stack: tuple[str, ...]) -> AppValue:
        if name == "any":
            return AppValue(any=True)
        if name in self.sets:
            return self._set(name, stack)
        found = self.custom.get(name) or predefined().get(name)
        if found is not None:
            return found
        why = "is not in pushaudit's table of predefined applications" if name.startswith("junos-") \
            else "is not defined under 'applications'"
        return AppValue(conditions=(f"application {name} {why}",))

    def _set(self, name: str, stack: tuple[str, ...]) -> AppValue:
        if name in self._cache:
            return self._cache[name]
        if name in stack:
            return AppValue(conditions=(f"application-set {name} contains itself ({' > '.join((*stack, name))})",))
        value = AppValue()
        for member in self.sets[name]:
            value = value.union(self._lookup(member, (*stack, name)))
        self._cache[name] = value
        return value

def load_applications(config: SetConfig) -> Applications:
    out = Applications()
    attrs: dict[str, dict[str, dict[str, str]]] = {}  # application -> term ("" = the application) -> attr
    for st in config.under("applications"):
        if not st.active:
            continue
        kind, name = st.at(1), st.at(2)
        if kind == "application-set" and name:
            members = out.sets.setdefault(name, [])
            if st.at(3) in ("application", "application-set") and len(st.words) == 5:
                members.append(st.words[4])
            elif st.at(3) != "description":
                out.warnings.append(f"{st.source} line {st.line}: application-set statement not understood")
        elif kind == "application" and name:
            rest = list(st.words[3:])
            term = ""
            if rest[:1] == ["term"] and len(rest) > 1:
                term, rest = rest[1], rest[2:]
            slot = attrs.setdefault(name, {}).setdefault(term, {})
            for key, value in zip(rest[::2], rest[1::2], strict=False):
                slot[key] = value
            if len(rest) % 2:
                slot[rest[-1]] = ""
        else:
            out.warnings.append(f"{st.source} line {st.line}: applications statement not understood")
    for name, terms in attrs.items():
        out.custom[name] = _custom(name, terms)
    return out

def _custom(name: str, terms: dict[str, dict[str, str]]) -> AppValue:
    named = {t: a for t, a in terms.items() if t}
    value = AppValue()
    for term_name, spec in (named or terms).items():
        where = f"application {name}" + (f" term {term_name}" if term_name else "")
        value = value.union(term_value(where, spec))
    return value
