"""Pausing Python's cyclic garbage collector around bulk work.

Parsing a 20,000-rule firewall or analysing it allocates hundreds of thousands of small,
acyclic objects; the generational collector would walk the growing heap again and again for
nothing (half the parse time, and a full pass over a large heap costs a second). Reference
counting still frees everything as usual. The collector is process-wide state, so nested or
concurrent pauses (Nornir threads) are counted: it comes back when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                # Survivors go straight to the oldest generation instead of being traversed
                # at once by the next young-generation collection.
                gc.freeze()
                gc.unfreeze()
                if self.was_enabled:
                    gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    _PAUSES.enter()
    try:
        yield
    finally:
        _PAUSES.leave()
