"""Sets of integers as sorted, disjoint, inclusive intervals: the arithmetic of header fields."""

from __future__ import annotations

import ipaddress
from bisect import bisect_left
from collections.abc import Iterable

Interval = tuple[int, int]
IntervalSet = tuple[Interval, ...]

EMPTY: IntervalSet = ()
PORT_MAX = 65535


def addr_max(family: int) -> int:
    return (1 << 32) - 1 if family == 4 else (1 << 128) - 1


def normalize(items: Iterable[Interval]) -> IntervalSet:
    """Sort, drop empty intervals and merge overlapping or adjacent ones."""
    out: list[list[int]] = []
    for lo, hi in sorted(i for i in items if i[0] <= i[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _hi(interval: Interval) -> int:
    return interval[1]


_SHORT = 4  # a set this small is applied to a long one by binary search, not by a merge walk
_LONG = 32


def intersect(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    if len(a) > len(b):
        a, b = b, a
    if len(a) <= _SHORT and len(b) >= _LONG:
        found: list[Interval] = []
        for lo, hi in a:
            j = bisect_left(b, lo, key=_hi)  # first interval of b ending at or after lo
            while j < len(b) and b[j][0] <= hi:
                found.append((max(lo, b[j][0]), min(hi, b[j][1])))
                j += 1
        return tuple(found)
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    if len(b) <= _SHORT and len(a) >= _LONG:
        return _subtract_few(a, b)
    out: list[Interval] = []
    j = 0
    for lo, hi in a:
        cur = lo
        while j < len(b) and b[j][1] < cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] <= hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0] - 1))
            cur = max(cur, b[k][1] + 1)
            k += 1
        if cur <= hi:
            out.append((cur, hi))
    return tuple(out)


def _subtract_few(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    """Cut a few intervals out of a long set: only the touched stretch is rebuilt."""
    current = a
    for lo, hi in b:
        first = bisect_left(current, lo, key=_hi)
        last = first
        kept: list[Interval] = []
        while last < len(current) and current[last][0] <= hi:
            c_lo, c_hi = current[last]
            if c_lo < lo:
                kept.append((c_lo, lo - 1))
            if c_hi > hi:
                kept.append((hi + 1, c_hi))
            last += 1
        if last > first:
            current = current[:first] + tuple(kept) + current[last:]
    return current


def complement(a: IntervalSet, top: int) -> IntervalSet:
    return subtract(((0, top),), a)


def covers(outer: IntervalSet, inner: IntervalSet) -> bool:
    return not subtract(inner, outer)


def overlaps(a: IntervalSet, b: IntervalSet) -> bool:
    return bool(intersect(a, b))


def size(a: IntervalSet) -> int:
    return sum(hi - lo + 1 for lo, hi in a)


def from_networks(nets: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> IntervalSet:
    return normalize((int(n.network_address), int(n.broadcast_address)) for n in nets)


def to_networks(a: IntervalSet, family: int) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The smallest list of CIDR blocks that covers exactly the set."""
    nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for lo, hi in a:
        if family == 4:
            nets.extend(ipaddress.summarize_address_range(ipaddress.IPv4Address(lo), ipaddress.IPv4Address(hi)))
        else:
            nets.extend(ipaddress.summarize_address_range(ipaddress.IPv6Address(lo), ipaddress.IPv6Address(hi)))
    return nets


def addr_text(value: int, family: int) -> str:
    return str(ipaddress.IPv4Address(value) if family == 4 else ipaddress.IPv6Address(value))


def describe_addrs(a: IntervalSet, family: int, limit: int = 6) -> str:
    nets = [str(n) for n in to_networks(a, family)]
    text = ", ".join(nets[:limit])
    return text + (f", ... ({len(nets)} blocks)" if len(nets) > limit else "")


def describe_ports(a: IntervalSet) -> str:
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in a)
