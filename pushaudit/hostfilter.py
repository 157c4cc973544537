"""``--filter`` expressions: ``role=proxy,zone=dc1`` (all terms must hold), values may be globs.

Keys: name, hostname, platform, group (any group, inherited ones included) and any host data key
(role, zone, team, ...). ``key!=value`` negates a term.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from nornir.core.inventory import Host


class FilterError(ValueError):
    pass


def _values(host: Host, key: str) -> list[str]:
    if key == "name":
        return [host.name]
    if key == "hostname":
        return [host.hostname or ""]
    if key == "platform":
        return [host.platform or ""]
    if key == "group":
        return [g.name for g in host.extended_groups()]
    value = host.get(key)
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def parse_filter(expr: str) -> Callable[[Host], bool]:
    terms: list[tuple[str, str, bool]] = []
    for raw in expr.split(","):
        term = raw.strip()
        if not term:
            continue
        negate = "!=" in term
        key, sep, value = term.partition("!=" if negate else "=")
        if not sep or not key.strip() or not value.strip():
            raise FilterError(f"bad filter term {term!r}: expected key=value or key!=value")
        terms.append((key.strip(), value.strip(), negate))
    if not terms:
        raise FilterError("empty filter expression")

    def matches(host: Host) -> bool:
        for key, pattern, negate in terms:
            hit = any(fnmatch.fnmatchcase(v, pattern) for v in _values(host, key))
            if hit == negate:
                return False
        return True

    return matches
