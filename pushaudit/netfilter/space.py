"""Packet sets as unions of boxes over (source, destination, source port, destination port).

A cube gives each axis an interval set; a rule's numeric matches form a box (``None`` on an
axis the rule does not constrain). Splitting cubes at rule boxes yields equivalence classes
bounded only by the boundaries that appear in the rules, without enumerating packets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.netfilter.intervals import IntervalSet, addr_text, intersect, normalize, subtract
from pushaudit.netfilter.model import DIM_COUNT, Dim

Cube = tuple[IntervalSet, ...]  # one interval set per Dim
Box = tuple[IntervalSet | None, ...]
Region = list[Cube]

FULL_BOX: Box = (None,) * DIM_COUNT


def make_cube(saddr: IntervalSet, daddr: IntervalSet, sport: IntervalSet, dport: IntervalSet) -> Cube:
    return (saddr, daddr, sport, dport)


def box_and(a: Box, b: Box) -> Box | None:
    out: list[IntervalSet | None] = []
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            out.append(y if x is None else x)
            continue
        both = intersect(x, y)
        if not both:
            return None
        out.append(both)
    return tuple(out)


def cube_and(cube: Cube, box: Box) -> Cube | None:
    out: list[IntervalSet] = []
    for axis, limit in zip(cube, box, strict=True):
        part = axis if limit is None else intersect(axis, limit)
        if not part:
            return None
        out.append(part)
    return tuple(out)


def cube_minus(cube: Cube, box: Box) -> Region:
    """Disjoint cubes covering ``cube`` outside ``box``."""
    pieces: Region = []
    current = list(cube)
    for axis, limit in enumerate(box):
        if limit is None:
            continue
        outside = subtract(current[axis], limit)
        if outside:
            pieces.append((*current[:axis], outside, *current[axis + 1:]))
        inside = intersect(current[axis], limit)
        if not inside:
            return pieces  # no overlap on this axis: the pieces so far already cover the cube
        current[axis] = inside
    return pieces


def split(region: Region, boxes: list[Box]) -> tuple[Region, Region]:
    """(packets inside the union of boxes, packets outside), both as disjoint cubes."""
    hit: Region = []
    rest = region
    for box in boxes:
        remaining: Region = []
        for cube in rest:
            inside = cube_and(cube, box)
            if inside is None:
                remaining.append(cube)
                continue
            hit.append(inside)
            remaining.extend(cube_minus(cube, box))
        rest = remaining
    return hit, rest


def merge(region: Region) -> Region:
    """Join cubes that differ on one axis only (keeps reports and later splits small)."""
    if len(region) < 2:
        return region
    changed = True
    cubes = list(dict.fromkeys(region))
    rounds = 0
    while changed and len(cubes) > 1 and rounds < 3:  # later rounds rarely pay for their hashing
        rounds += 1
        changed = False
        for axis in range(DIM_COUNT):
            groups: dict[tuple[IntervalSet, ...], list[IntervalSet]] = {}
            for cube in cubes:
                key = cube[:axis] + cube[axis + 1:]
                groups.setdefault(key, []).append(cube[axis])
            if len(groups) < len(cubes):
                changed = True
                cubes = [
                    (*key[:axis], normalize(iv for axis_set in sets for iv in axis_set), *key[axis:])
                    for key, sets in groups.items()
                ]
    return cubes


@dataclass(frozen=True)
class Packet:
    family: int
    src: int
    sport: int
    dst: int
    dport: int

    @property
    def src_text(self) -> str:
        return addr_text(self.src, self.family)

    @property
    def dst_text(self) -> str:
        return addr_text(self.dst, self.family)

    def __str__(self) -> str:
        if self.family == 6:
            return f"[{self.src_text}]:{self.sport} -> [{self.dst_text}]:{self.dport}"
        return f"{self.src_text}:{self.sport} -> {self.dst_text}:{self.dport}"


# Documentation addresses read better in an example than the edge of a huge class (0.0.0.10).
_SHOWCASE = {4: int(ipaddress.IPv4Address("203.0.113.10")), 6: int(ipaddress.IPv6Address("2001:db8::10"))}


def _pick(axis: IntervalSet, offset: int, preferred: int | None = None) -> int:
    if preferred is not None and intersect(axis, ((preferred, preferred),)):
        return preferred
    lo, hi = axis[0]
    return lo + min(offset, hi - lo)


def example_packet(cube: Cube, family: int) -> Packet:
    """A concrete packet of the class: a host address rather than a network address."""
    dst = cube[Dim.DADDR]
    wide = sum(hi - lo for lo, hi in dst) > (1 << (24 if family == 4 else 100))
    return Packet(
        family=family,
        src=_pick(cube[Dim.SADDR], 10),
        sport=_pick(cube[Dim.SPORT], 0, preferred=40000),
        dst=_pick(dst, 10, preferred=_SHOWCASE[family] if wide else None),
        dport=_pick(cube[Dim.DPORT], 0),
    )
