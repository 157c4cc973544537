"""What the device emulator received: every command line, for read-only assertions."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Received:
    session: int
    mode: str  # the prompt mode the line was typed in (user, enable, exec, config)
    context: str  # configuration context (FortiGate "console"), "" outside configuration
    text: str
    configuration: bool  # entered configuration mode or was typed inside it


class CommandLog:
    """Thread-safe: the SSH server thread appends, the test thread reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Received] = []

    def add(self, entry: Received) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[Received]:
        with self._lock:
            return list(self._entries)

    def commands(self) -> list[str]:
        return [e.text for e in self.entries]

    def configuration_commands(self) -> list[str]:
        return [e.text for e in self.entries if e.configuration]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
