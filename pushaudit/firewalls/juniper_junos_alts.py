"""The ways one policy criterion can hold ("alternatives"): per address family for addresses,
per protocol and port set for applications, plus an undecidable part (FQDN objects, unknown
names) as a conditional match. A policy's rules are the combinations of its criteria's
alternatives (see juniper_junos_rules)."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.firewalls.juniper_junos_addresses import AddressBooks, AddressValue
from pushaudit.firewalls.juniper_junos_apps import Applications
from pushaudit.firewalls.juniper_junos_appterms import ALL_PORTS, AppValue
from pushaudit.netfilter.intervals import IntervalSet, addr_max, normalize
from pushaudit.netfilter.model import ConcatMatch, Dim, Key, Match, RangeMatch, ScalarMatch, UnknownMatch
from pushaudit.netfilter.values import PORT_PROTOCOLS


def conditional(kind: str, values: list[str] | tuple[str, ...], reason: str) -> UnknownMatch:
    """A match the snapshot cannot decide (FQDN, application identification, users, schedules).

    ``kind`` and ``values`` say what it is; ``reason`` is the sentence an engineer reads.
    Kept in one place so a dedicated conditional match type can replace it later.
    """
    del kind, values  # carried for the coming conditional match type; the reason says it all today
    return UnknownMatch(reason=reason)


@dataclass(frozen=True)
class Alt:
    """One way a criterion can hold: its family (None: either) and the matches that say so."""

    family: int | None
    matches: tuple[Match, ...]
    label: str = ""
    ranged: bool = False  # an address match of one family is present (it already restricts the family)


_FULL = {4: ((0, addr_max(4)),), 6: ((0, addr_max(6)),)}


def address_alts(value: AddressValue, dim: Dim, excluded: bool, what: str) -> list[Alt]:
    full = _FULL
    sets = {4: value.v4, 6: value.v6}
    fqdn = (conditional("address", value.conditions, "; ".join(value.conditions)),) if value.conditions else ()
    if excluded:
        # Not in (static or FQDN): outside the static part and (undecidably) outside the FQDN part.
        return [Alt(f, ((RangeMatch(dim, sets[f], f, negate=True),) if sets[f] else ()) + fqdn, f"IPv{f}",
                    bool(sets[f])) for f in (4, 6) if sets[f] != full[f]]
    if sets[4] == full[4] and sets[6] == full[6]:
        return [Alt(None, ())]
    alts = [Alt(f, () if sets[f] == full[f] else (RangeMatch(dim, sets[f], f),), f"IPv{f}", sets[f] != full[f])
            for f in (4, 6) if sets[f]]
    if fqdn:
        alts.append(Alt(None, fqdn, f"{what} FQDN/undecided"))
    return alts


def app_alts(value: AppValue) -> list[Alt]:
    if value.any:
        return [Alt(None, ())]
    per_proto: dict[str, list[tuple[IntervalSet, IntervalSet]]] = {}
    alts: list[Alt] = []
    for term in value.terms:
        ports = (term.sports, term.dports) if term.protocol in PORT_PROTOCOLS else (ALL_PORTS, ALL_PORTS)
        if term.condition:
            matches = (ScalarMatch(Key.L4PROTO, frozenset({term.protocol})), *_port_matches((ports,)),
                       conditional("application", [term.protocol], term.condition))
            alts.append(Alt(None, matches, "undecided applications"))
        else:
            per_proto.setdefault(term.protocol, []).append(ports)
    by_ports: dict[tuple[tuple[IntervalSet, IntervalSet], ...], list[str]] = {}
    for proto, boxes in per_proto.items():
        by_ports.setdefault(tuple(sorted(set(boxes))), []).append(proto)
    decided = [Alt(None, (ScalarMatch(Key.L4PROTO, frozenset(protos)), *_port_matches(boxes)), "/".join(protos))
               for boxes, protos in by_ports.items()]
    if value.conditions:
        alts.append(Alt(None, (conditional("application", value.conditions, "; ".join(value.conditions)),),
                        "undecided applications"))
    return decided + alts


def _port_matches(boxes: tuple[tuple[IntervalSet, IntervalSet], ...]) -> tuple[Match, ...]:
    sports = {s for s, _ in boxes}
    if len(sports) == 1:
        (only,) = sports
        dports = tuple(sorted({iv for _, d in boxes for iv in d}))
        merged = normalize(dports)
        found: list[Match] = []
        if only != ALL_PORTS:
            found.append(RangeMatch(Dim.SPORT, only))
        if merged != ALL_PORTS:
            found.append(RangeMatch(Dim.DPORT, merged))
        return tuple(found)
    return (ConcatMatch((Dim.SPORT, Dim.DPORT), (None, None), boxes),)


class Objects:
    """Address books and applications, with the alternatives of each criterion remembered:
    large rule bases name the same objects over and over."""

    def __init__(self, books: AddressBooks, apps: Applications) -> None:
        self.books = books
        self.apps = apps
        self._addresses: dict[tuple[tuple[str, ...], str | None, Dim, bool], tuple[Alt, ...]] = {}
        self._applications: dict[tuple[str, ...], tuple[Alt, ...]] = {}

    def address(self, names: list[str], zone: str | None, dim: Dim, excluded: bool) -> tuple[Alt, ...]:
        key = (tuple(names), zone, dim, excluded)
        found = self._addresses.get(key)
        if found is None:
            what = "source" if dim is Dim.SADDR else "destination"
            found = self._addresses[key] = tuple(address_alts(self.books.resolve(names, zone), dim, excluded, what))
        return found

    def application(self, names: list[str]) -> tuple[Alt, ...]:
        key = tuple(names)
        found = self._applications.get(key)
        if found is None:
            value = self.apps.resolve(names) if names else AppValue(any=True)
            found = self._applications[key] = tuple(app_alts(value))
        return found
