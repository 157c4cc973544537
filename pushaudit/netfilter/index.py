"""Find, for a box of packets, the next rule of a chain that can match any of them.

Per axis the rules' boundaries cut the axis into atoms. A rule is a bit in a Python int; for
a range of atoms the rules touching it are those active at its first atom plus those that
start inside it. Both come from block checkpoints (every ``_BLOCK`` atoms) plus a few sparse
toggles, so a lookup costs a handful of big-integer operations instead of a scan of the chain.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from pushaudit.netfilter.intervals import IntervalSet
from pushaudit.netfilter.model import DIM_COUNT
from pushaudit.netfilter.space import Box, Cube

_BLOCK = 64
_EXACT_LIMIT = 8  # above this many intervals a cube's axis is looked up by its hull (then checked)


@dataclass
class _Axis:
    starts: list[int]  # first value of each atom, ascending, starts[0] == 0
    toggles: list[int]  # per atom: rules whose membership flips at the atom's start
    begins: list[int]  # per atom: rules with an interval beginning at the atom
    checkpoints: list[int] = field(default_factory=list)  # active rules at the start of each block
    block_begins: list[int] = field(default_factory=list)  # OR of ``begins`` over each block
    free: int = 0  # rules that do not constrain this axis
    cache: dict[IntervalSet, int] = field(default_factory=dict)

    def active_at(self, atom: int) -> int:
        block = atom // _BLOCK
        mask = self.checkpoints[block]
        for i in range(block * _BLOCK + 1, atom + 1):
            mask ^= self.toggles[i]
        return mask

    def begins_in(self, first: int, last: int) -> int:
        mask = 0
        i = first
        while i <= last:
            if i % _BLOCK == 0 and i + _BLOCK - 1 <= last:
                mask |= self.block_begins[i // _BLOCK]
                i += _BLOCK
            else:
                mask |= self.begins[i]
                i += 1
        return mask

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
    """Rules of one chain (as seen at one hook) that may match, by position."""

    def __init__(self, boxes: list[list[Box] | None]) -> None:
        """``boxes[i]``: the boxes of rule ``i`` (None: the rule can never matter)."""
        self.live = 0
        for position, rule_boxes in enumerate(boxes):
            if rule_boxes:
                self.live |= 1 << position
        self.axes = [_build_axis(boxes, axis) for axis in range(DIM_COUNT)]

    def next_rule(self, cube: Cube, start: int) -> int | None:
        """Position of the first rule at or after ``start`` whose boxes may meet ``cube``."""
        mask = self.live >> start << start
        for axis, index in enumerate(self.axes):
            if not mask:
                return None
            mask &= index.touching(cube[axis])
        if not mask:
            return None
        return (mask & -mask).bit_length() - 1


def _build_axis(boxes: list[list[Box] | None], axis: int) -> _Axis:
    cuts: set[int] = {0}
    free = 0
    spans: list[tuple[int, IntervalSet]] = []
    for position, rule_boxes in enumerate(boxes):
        if not rule_boxes:
            continue
        limits = [b[axis] for b in rule_boxes]
        if any(limit is None for limit in limits):
            free |= 1 << position
            continue
        merged = tuple(sorted({iv for limit in limits if limit is not None for iv in limit}))
        spans.append((position, merged))
        for lo, hi in merged:
            cuts.update((lo, hi + 1))
    starts = sorted(cuts)
    toggles = [0] * len(starts)
    begins = [0] * len(starts)
    for position, intervals in spans:
        bit = 1 << position
        for lo, hi in _union(intervals):
            first = bisect_right(starts, lo) - 1
            toggles[first] ^= bit
            begins[first] |= bit
            after = bisect_right(starts, hi)
            if after < len(starts):
                toggles[after] ^= bit
    index = _Axis(starts, toggles, begins, free=free)
    active = 0
    for i in range(len(starts)):
        active ^= toggles[i]
        if i % _BLOCK == 0:
            index.checkpoints.append(active)
            index.block_begins.append(0)
        index.block_begins[-1] |= begins[i]
    return index


def _union(intervals: IntervalSet) -> list[tuple[int, int]]:
    """Overlapping intervals (from several boxes of one rule) joined, so toggles stay paired."""
    out: list[list[int]] = []
    for lo, hi in intervals:
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]
