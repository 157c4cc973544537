"""Live per-host progress on a terminal; silence otherwise (cron, CI, pipes)."""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class QuietProgress:
    def step(self, host: str, text: str, done: int, total: int) -> None:
        pass

    def finished(self, host: str, ok: bool, text: str) -> None:
        pass

    def __enter__(self) -> QuietProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass


class LiveProgress:
    """One bar per host, updated from Nornir's worker threads."""

    def __init__(self, hosts: list[str]) -> None:
        self._lock = threading.Lock()
        self._progress = Progress(
            TextColumn("{task.fields[host]:<20}"),
            BarColumn(),
            TextColumn("{task.completed:>2.0f}/{task.total:<2.0f}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {
            h: self._progress.add_task("waiting", total=1, host=h) for h in hosts
        }

    def step(self, host: str, text: str, done: int, total: int) -> None:
        with self._lock:
            self._progress.update(self._tasks[host], description=text, completed=done, total=max(total, 1))

    def finished(self, host: str, ok: bool, text: str) -> None:
        with self._lock:
            task = self._tasks[host]
            total = self._progress.tasks[task].total or 1
            label = "[green]done[/green]" if ok else f"[red]ERROR[/red] {text[:60]}"
            self._progress.update(task, description=label, completed=total)

    def __enter__(self) -> LiveProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


def make_progress(hosts: list[str]) -> LiveProgress | QuietProgress:
    return LiveProgress(hosts) if sys.stderr.isatty() else QuietProgress()
