"""Address sets of one family with an undecidable part: what is certainly in the set, and
stretches that are in it only if a condition holds (an FQDN resolves there, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.firewalls.fortinet_match import Condition
from pushaudit.netfilter.intervals import IntervalSet, addr_max, complement, intersect, normalize, subtract


@dataclass(frozen=True)
class Maybe:
    """Addresses in ``within`` belong to the set only if the conditions hold."""

    within: IntervalSet
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AddressSet:
    family: int
    known: IntervalSet = ()
    maybe: tuple[Maybe, ...] = ()

    @classmethod
    def everything(cls, family: int) -> AddressSet:
        return cls(family, ((0, addr_max(family)),))

    @classmethod
    def conditional(cls, family: int, condition: Condition, within: IntervalSet | None = None) -> AddressSet:
        span = ((0, addr_max(family)),) if within is None else within
        return cls(family, (), (Maybe(span, (condition,)),))

    @property
    def empty(self) -> bool:
        return not self.known and not self.maybe

    def union(self, other: AddressSet) -> AddressSet:
        return union_all(self.family, [self, other])

    def minus(self, other: AddressSet) -> AddressSet:
        """``exclude-member``: what is in self and not in other."""
        base = subtract(self.known, other.known)
        unsure = normalize(iv for m in other.maybe for iv in m.within)
        maybe = [Maybe(intersect(base, m.within), tuple(c.inverted() for c in m.conditions)) for m in other.maybe]
        maybe += [Maybe(subtract(m.within, other.known), m.conditions) for m in self.maybe]
        return AddressSet(self.family, subtract(base, unsure), _trim(maybe, ()))

    def negated(self) -> AddressSet:
        """``srcaddr-negate``/``dstaddr-negate``: every address of the family not in the set."""
        unsure = normalize(iv for m in self.maybe for iv in m.within)
        known = complement(normalize((*self.known, *unsure)), addr_max(self.family))
        maybe = [Maybe(subtract(m.within, self.known), tuple(c.inverted() for c in m.conditions))
                 for m in self.maybe]
        return AddressSet(self.family, known, _trim(maybe, ()))

    def collapsed(self) -> AddressSet:
        """At most one undecidable stretch (keeps the rules a policy expands into few)."""
        if len(self.maybe) < 2:
            return self
        within = normalize(iv for m in self.maybe for iv in m.within)
        conditions = tuple(dict.fromkeys(c for m in self.maybe for c in m.conditions))
        return AddressSet(self.family, self.known, (Maybe(within, conditions),))


def union_all(family: int, sets: list[AddressSet]) -> AddressSet:
    if len(sets) == 1:
        return sets[0]
    # A stretch that is also known stays as it is: the known part is matched first anyway.
    with_known = [one.known for one in sets if one.known]
    known = with_known[0] if len(with_known) == 1 else normalize(iv for k in with_known for iv in k)
    return AddressSet(family, known, tuple(m for one in sets for m in one.maybe))


def _trim(maybe: tuple[Maybe, ...] | list[Maybe], known: IntervalSet) -> tuple[Maybe, ...]:
    out = []
    for item in maybe:
        within = subtract(item.within, known) if known else item.within
        if within:
            out.append(Maybe(within, item.conditions))
    return tuple(out)
