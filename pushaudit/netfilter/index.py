"""Find, for a box of packets, the next rule of a chain that can match any of them.

Per axis the rules' boundaries cut the axis into atoms. A rule is a bit in a Python int; for
a range of atoms the rules touching it are those active at its first atom plus those that
start inside it. Both come from block checkpoints (every ``_BLOCK`` atoms) plus a few sparse
toggles, so a lookup costs a handful of big-integer operations instead of a scan of the chain.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pushaudit.netfilter.intervals import IntervalSet
from pushaudit.netfilter.model import DIM_COUNT
from pushaudit.netfilter.space import Box, Cube

_BLOCK = 16
_EXACT_LIMIT = 8  # above this many intervals a cube's axis is looked up by its hull (then checked)


@dataclass
class _Axis:
    starts: list[int]  # first value of each atom, ascending, starts[0] == 0
    toggles: dict[int, list[int]]  # atom -> rules whose membership flips at the atom's start
    begins: dict[int, list[int]]  # atom -> rules with an interval beginning at the atom
    checkpoints: list[int] = field(default_factory=list)  # active rules at the start of each block
    block_begins: list[int] = field(default_factory=list)  # OR of ``begins`` over each block
    free: int = 0  # rules that do not constrain this axis
    cache: dict[IntervalSet, int] = field(default_factory=dict)

    def active_at(self, atom: int) -> int:
        block = atom // _BLOCK
        flipped: set[int] = set()
        for i in range(block * _BLOCK + 1, atom + 1):
            flipped.symmetric_difference_update(self.toggles.get(i, ()))
        return self.checkpoints[block] ^ bits_of(flipped)

    def begins_in(self, first: int, last: int) -> int:
        mask = 0
        loose: set[int] = set()
        i = first
        while i <= last:
            if i % _BLOCK == 0 and i + _BLOCK - 1 <= last:
                mask |= self.block_begins[i // _BLOCK]
                i += _BLOCK
            else:
                loose.update(self.begins.get(i, ()))
                i += 1
        return mask | bits_of(loose)

    def touching(self, intervals: IntervalSet) -> int:
        if intervals not in self.cache:
            spans = intervals if len(intervals) <= _EXACT_LIMIT else ((intervals[0][0], intervals[-1][1]),)
            mask = self.free
            for lo, hi in spans:
                first = bisect_right(self.starts, lo) - 1
                last = bisect_right(self.starts, hi) - 1
                mask |= self.active_at(first) | self.begins_in(first + 1, last)
            self.cache[intervals] = mask
        return self.cache[intervals]


class ChainIndex:
    """Rules of one chain that may match a cube, by position. Callers narrow it to the rules
    that matter to them (``among``) so one index serves every query and the shadow search."""

    def __init__(self, boxes: list[list[Box] | None]) -> None:
        """``boxes[i]``: the boxes of rule ``i`` (None: the rule can never matter)."""
        self.live = bits_of(position for position, rule_boxes in enumerate(boxes) if rule_boxes)
        self.axes = [_build_axis(boxes, axis) for axis in range(DIM_COUNT)]

    def next_rule(self, cube: Cube, start: int, among: int = -1) -> int | None:
        """Position of the first rule of ``among`` at or after ``start`` whose boxes may meet ``cube``."""
        mask = self.touching(cube, among >> start << start)
        if not mask:
            return None
        return (mask & -mask).bit_length() - 1

    def touching(self, cube: Cube, among: int) -> int:
        """The rules of ``among`` (a bit mask by position) whose boxes may meet ``cube``; exact
        when every axis of the cube has at most a few intervals, a superset otherwise."""
        mask = among & self.live
        for axis, index in enumerate(self.axes):
            if not mask:
                return 0
            mask &= index.touching(cube[axis])
        return mask


@dataclass(frozen=True)
class LiveIndex:
    """An index over some rules of a chain (``positions``, ascending), answering in chain positions."""

    positions: list[int]
    index: ChainIndex

    def next_rule(self, cube: Cube, start: int) -> int | None:
        found = self.index.next_rule(cube, bisect_left(self.positions, start))
        return None if found is None else self.positions[found]


def bits_of(positions: Iterable[int]) -> int:
    """An int with the given bits set, built in one go (each ``|= 1 << p`` copies the number)."""
    chosen = list(positions)
    if not chosen:
        return 0
    buf = bytearray((max(chosen) >> 3) + 1)
    for position in chosen:
        buf[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buf, "little")


def positions(mask: int) -> list[int]:
    """The set bits of ``mask``, lowest first (a string scan beats bit tricks on long ints)."""
    bits = bin(mask)[:1:-1]
    found: list[int] = []
    i = bits.find("1")
    while i >= 0:
        found.append(i)
        i = bits.find("1", i + 1)
    return found


def _build_axis(boxes: list[list[Box] | None], axis: int) -> _Axis:
    free: list[int] = []
    spans: list[tuple[int, IntervalSet]] = []
    cut_values = [0]
    for position, rule_boxes in enumerate(boxes):
        if not rule_boxes:
            continue
        if len(rule_boxes) == 1:
            merged = rule_boxes[0][axis]
            if merged is None:
                free.append(position)
                continue
            if len(merged) > 1 and not _disjoint(merged):
                merged = _union(sorted(merged))  # toggles pair up only over disjoint intervals
        else:
            limits = [b[axis] for b in rule_boxes]
            if any(limit is None for limit in limits):
                free.append(position)
                continue
            merged = _union(sorted({iv for limit in limits for iv in limit or ()}))
        spans.append((position, merged))
        for lo, hi in merged:
            cut_values.append(lo)
            cut_values.append(hi + 1)
    starts = sorted(set(cut_values))
    atom = {value: i for i, value in enumerate(starts)}  # every lo and hi + 1 is a cut
    toggles: defaultdict[int, list[int]] = defaultdict(list)
    begins: defaultdict[int, list[int]] = defaultdict(list)
    for position, intervals in spans:
        for lo, hi in intervals:
            first = atom[lo]
            toggles[first].append(position)
            begins[first].append(position)
            toggles[atom[hi + 1]].append(position)  # past the last atom: never read
    index = _Axis(starts, dict(toggles), dict(begins), free=bits_of(free))
    _checkpoint(index, (len(boxes) + 7) // 8)
    return index


def _checkpoint(index: _Axis, width: int) -> None:
    """Block summaries, swept in byte arrays: flipping one bit of a Python int would copy
    the whole (rule-count-bit) number every time."""
    active = bytearray(width)
    toggles, begins = index.toggles, index.begins
    atoms = len(index.starts)
    for block_start in range(0, atoms, _BLOCK):
        began = bytearray(width)
        for i in range(block_start, min(block_start + _BLOCK, atoms)):
            for position in toggles.get(i, ()):
                active[position >> 3] ^= 1 << (position & 7)
            for position in begins.get(i, ()):
                began[position >> 3] |= 1 << (position & 7)
            if i == block_start:
                index.checkpoints.append(int.from_bytes(active, "little"))
        index.block_begins.append(int.from_bytes(began, "little"))


def _disjoint(intervals: IntervalSet) -> bool:
    return all(intervals[k][1] + 1 < intervals[k + 1][0] for k in range(len(intervals) - 1))


def _union(intervals: list[tuple[int, int]]) -> IntervalSet:
    """Overlapping intervals (from several boxes of one rule) joined, so toggles stay paired."""
    out: list[list[int]] = []
    for lo, hi in intervals:
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)
