"""Running system tools for the lab: one-shot commands, namespaced commands and daemons."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pushaudit.lab.state import LabError, ProcessRecord

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


def in_ns(ns: str, argv: Sequence[str]) -> list[str]:
    """``argv`` run inside namespace ``ns`` with its /etc/netns/<ns> files bind-mounted."""
    return ["ip", "netns", "exec", ns, *argv]


@dataclass(frozen=True)
class Daemon:
    """A started daemon, what it must listen on ((proto, "addr:port") pairs) and its log."""

    record: ProcessRecord
    listeners: tuple[tuple[str, str], ...]
    log_file: Path


def run(
    argv: Sequence[str],
    *,
    check: bool = True,
    input_text: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; on failure raise LabError quoting its output."""
    log.debug("run: %s", " ".join(argv))
    try:
        done = subprocess.run(
            list(argv),
            input=input_text,
            stdin=None if input_text is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LabError(f"{argv[0]}: command not found (is its package installed?)") from exc
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"timed out after {timeout:.0f} s: {' '.join(argv)}") from exc
    if check and done.returncode != 0:
        words = (done.stderr.strip() or done.stdout.strip() or "(no output)").splitlines()
        raise LabError(f"failed (exit {done.returncode}): {' '.join(argv)}\n  " + "\n  ".join(words[-15:]))
    return done


def start_ticks(pid: int) -> int | None:
    """The process start time in clock ticks, or None when ``pid`` is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    # the command name (field 2) may hold spaces; fields after the last ')' are fixed
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def is_alive(record: ProcessRecord) -> bool:
    """True when the recorded process still runs (same PID and same start time)."""
    return start_ticks(record.pid) == record.start_ticks


def spawn(name: str, ns: str, argv: Sequence[str], log_file: Path) -> ProcessRecord:
    """Start a daemon in the foreground mode of its tool; stdio never reaches the caller."""
    log.debug("spawn %s in %s: %s", name, ns, " ".join(argv))
    with log_file.open("ab") as out:
        proc = subprocess.Popen(
            in_ns(ns, argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the caller's terminal must not reach the lab
        )
    ticks = start_ticks(proc.pid)
    if ticks is None:
        raise LabError(f"{name}: exited at once; see {log_file}")
    return ProcessRecord(name=name, ns=ns, pid=proc.pid, start_ticks=ticks)


def stop_processes(records: Sequence[ProcessRecord], grace_s: float) -> list[str]:
    """TERM the recorded processes that still run, KILL those that outlive ``grace_s``."""
    notes: list[str] = []
    alive = [r for r in records if is_alive(r)]
    for record in alive:
        try:
            os.kill(record.pid, 15)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + grace_s
    while alive and time.monotonic() < deadline:
        _reap(alive)
        alive = [r for r in alive if is_alive(r)]
        if alive:
            time.sleep(0.05)
    for record in alive:
        try:
            os.kill(record.pid, 9)
            notes.append(f"killed {record.name} (pid {record.pid}) after {grace_s:.0f} s")
        except ProcessLookupError:
            continue
    _reap(alive)
    return notes


def _reap(records: Sequence[ProcessRecord]) -> None:
    """Collect exit statuses of our own children so they do not linger as zombies."""
    for record in records:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(record.pid, os.WNOHANG)


def wait_for_listeners(
    ns: str,
    wanted: Sequence[tuple[str, str]],
    what: str,
    *,
    process: ProcessRecord | None = None,
    log_file: Path | None = None,
    timeout: float = 15.0,
) -> None:
    """Wait until every (proto, "addr:port") in ``wanted`` listens inside ``ns``.

    Fails early when ``process`` dies; the error quotes the end of ``log_file``.
    """
    deadline = time.monotonic() + timeout
    while True:
        out = run(in_ns(ns, ["ss", "-Hlntu"]), check=False).stdout
        rows = [line.split() for line in out.splitlines() if line.strip()]
        listening = {(row[0], row[4]) for row in rows if len(row) > 4}
        missing = [(proto, addr) for proto, addr in wanted if (proto, addr) not in listening]
        if not missing:
            return
        died = process is not None and not is_alive(process)
        if died or time.monotonic() > deadline:
            shown = ", ".join(f"{p} {a}" for p, a in missing)
            reason = "exited" if died else f"is not listening on {shown} after {timeout:.0f} s"
            raise LabError(f"{what} in {ns} {reason}{_tail(log_file)}")
        time.sleep(0.05)


def _tail(log_file: Path | None, lines: int = 12) -> str:
    if log_file is None or not log_file.exists():
        return ""
    text = log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    return f"; last lines of {log_file}:\n  " + "\n  ".join(text)


def wait_ready(daemons: Sequence[Daemon]) -> None:
    for daemon in daemons:
        record = daemon.record
        wait_for_listeners(
            record.ns, daemon.listeners, record.name, process=record, log_file=daemon.log_file
        )
