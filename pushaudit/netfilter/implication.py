"""When an earlier rule takes every packet a later rule could match, as far as the
non-numeric matches (protocol, interfaces, conntrack state, flags, family) go."""

from __future__ import annotations

from pushaudit.netfilter.model import FlagsMatch, Key, RangeMatch, Rule, ScalarMatch, Table


def rule_family(table: Table, rule: Rule) -> int | None:
    """The address family a rule can match (None: both)."""
    if table.family in ("ip", "ip6"):
        return 4 if table.family == "ip" else 6
    for match in rule.matches:
        if isinstance(match, RangeMatch) and match.family is not None:
            return match.family
        if isinstance(match, ScalarMatch) and match.key is Key.NFPROTO and not match.negate and len(match.values) == 1:
            return 4 if "ipv4" in match.values else 6
    return None


def _scalars(rule: Rule, family: int | None) -> dict[Key, list[ScalarMatch]]:
    found: dict[Key, list[ScalarMatch]] = {}
    for match in rule.matches:
        if isinstance(match, ScalarMatch):
            found.setdefault(match.key, []).append(match)
    if family is not None:  # a table of one family only ever sees that family
        found.setdefault(Key.NFPROTO, []).append(ScalarMatch(Key.NFPROTO, frozenset({f"ipv{family}"})))
    return found


def implies(rule: Rule, prior: Rule, family: int | None) -> bool:
    """Every packet ``rule`` can match also passes ``prior``'s non-numeric matches."""
    mine = _scalars(rule, family)
    for match in prior.matches:
        if isinstance(match, FlagsMatch) and match not in rule.matches:
            return False
        if isinstance(match, ScalarMatch) and not _covered(mine.get(match.key, []), match):
            return False
    return True


def _covered(constraints: list[ScalarMatch], outer: ScalarMatch) -> bool:
    positive = [c for c in constraints if not c.negate]
    if positive:
        allowed = set.intersection(*(set(c.values) for c in positive))
        return all(_value_passes(v, outer) for v in allowed)
    if outer.negate:  # every name ``outer`` refuses must be refused by ``constraints`` too
        excluded = [p for c in constraints for p in c.values]
        return all(any(_pattern_covers(p, value) for p in excluded) for value in outer.values)
    return False


def _pattern_covers(pattern: str, value: str) -> bool:
    """Does ``pattern`` match every name ``value`` stands for?"""
    if not pattern.endswith("*"):
        return pattern == value
    stem = pattern[:-1]
    return value[:-1].startswith(stem) if value.endswith("*") else value.startswith(stem)


def _value_passes(value: str, outer: ScalarMatch) -> bool:
    """Does every name ``value`` stands for (``lan*``: all that start with lan) pass ``outer``?"""
    if not value.endswith("*"):
        return outer.accepts(value)
    stem = value[:-1]
    if outer.negate:
        return not any(p.startswith(stem) or (p.endswith("*") and stem.startswith(p[:-1])) for p in outer.values)
    return any(p.endswith("*") and stem.startswith(p[:-1]) for p in outer.values)
