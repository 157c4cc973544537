"""Conditions: parts of a FortiGate match the snapshot cannot decide (FQDN and geography
objects, Internet Service Database entries, schedules, users), and the one function that
turns them into rule-model matches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pushaudit.netfilter.model import UnknownMatch

_MAX_VALUES = 6  # a reason names this many values, then counts the rest


@dataclass(frozen=True)
class Condition:
    """``kind value: reason``, e.g. ``FQDN object apple = *.apple.com: depends on the FortiGate's DNS``."""

    kind: str
    value: str
    reason: str
    negated: bool = False

    def inverted(self) -> Condition:
        return Condition(self.kind, self.value, self.reason, not self.negated)


def conditional(kind: str, values: Sequence[str], reason: str) -> UnknownMatch:
    """The match for something only the running FortiGate can decide. Kept in one place so the
    rule model can later carry these as a dedicated conditional match instead."""
    shown = ", ".join(values[:_MAX_VALUES])
    if len(values) > _MAX_VALUES:
        shown += f" (+{len(values) - _MAX_VALUES} more)"
    return UnknownMatch(reason=f"{kind} {shown}: {reason}")


def condition_matches(conditions: Iterable[Condition]) -> tuple[UnknownMatch, ...]:
    """One match per (kind, reason), naming every value that shares them."""
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for cond in conditions:
        values = grouped.setdefault((cond.kind, cond.reason, cond.negated), [])
        if cond.value not in values:
            values.append(cond.value)
    return tuple(
        conditional(f"not {kind}" if negated else kind, values, reason)
        for (kind, reason, negated), values in grouped.items()
    )
