"""Run a PAC file in the worker process with a deadline on every step.

dukpy cannot interrupt a running script, so the script runs in a child process (worker.py) that
reports each step as one JSON line; a step that misses its deadline gets the child killed and is
reported as a timeout. The outcomes are the types of outcomes.py.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pushaudit.pac import worker
from pushaudit.pac.instrument import LexError, instrument
from pushaudit.pac.outcomes import (
    CallOutcome,
    ContextJob,
    ContextOutcome,
    EngineFailure,
    Lookup,
    ReturnEvent,
)
from pushaudit.pac.runtime_js import runtime_source

START_S = 15.0  # interpreter start and dukpy import
LOAD_S = 5.0  # running the script's top level (twice: plain, then with returns tagged)
CALL_S = 3.0  # one FindProxyForURL call


@dataclass(frozen=True)
class Limits:
    start_s: float = START_S
    load_s: float = LOAD_S
    call_s: float = CALL_S


def _lookup(raw: dict[str, Any]) -> Lookup:
    return Lookup(raw["name"], raw["fn"], raw.get("line"), raw["state"], tuple(raw.get("answer") or ()))


def _failure(raw: dict[str, Any]) -> EngineFailure:
    return EngineFailure(str(raw.get("message") or "unknown engine error"), raw.get("line"))


def _call(url: str, host: str, record: dict[str, Any]) -> CallOutcome:
    if "error" in record:
        return CallOutcome(url, host, error=_failure(record["error"]))
    result = record["result"]
    returns = tuple(ReturnEvent(r["line"], r["kind"], r.get("text")) for r in result["rets"])
    return CallOutcome(
        url, host, result["kind"], result.get("value"), returns,
        tuple(_lookup(x) for x in result["lookups"]), tuple(result["alerts"]),
    )  # fmt: skip


class _Lines:
    """JSON lines from the worker, each awaited with its own deadline."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.stdout = proc.stdout
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stdout, selectors.EVENT_READ)

    def next(self, timeout: float) -> dict[str, Any] | None:
        """The next record; None when the worker ended; TimeoutError when the deadline passed."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise TimeoutError
            chunk = os.read(self.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        record: dict[str, Any] = json.loads(line)
        return record


def _job(code: str, jobs: list[ContextJob], now_ms: int, track_lines: bool) -> dict[str, Any]:
    job: dict[str, Any] = {
        "runtime": runtime_source(),
        "code": code,
        "now_ms": now_ms,
        "contexts": [{"client": j.client, "answers": j.answers, "calls": j.calls} for j in jobs],
    }
    if not track_lines:
        job["instrument_error"] = "not requested"
        return job
    try:
        job["instrumented"] = instrument(code).code
    except LexError as exc:
        job["instrument_error"] = str(exc)
    return job


def evaluate_pac(
    code: str, jobs: list[ContextJob], now_ms: int, limits: Limits | None = None, *, track_lines: bool = True
) -> list[ContextOutcome]:
    """Load the PAC once per context (client network) and run its calls; never raises for the PAC's faults.

    With ``track_lines`` the returns are tagged (instrument.py) so each call says which line decided.
    """
    limits = limits or Limits()
    outcomes = [ContextOutcome(j.client) for j in jobs]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, str(Path(worker.__file__))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
            env={**os.environ, "TZ": "UTC"}, start_new_session=True,
        )  # fmt: skip
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(_job(code, jobs, now_ms, track_lines)).encode("utf-8"))
            proc.stdin.close()
            _read(_Lines(proc), jobs, outcomes, limits)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            errors.seek(0)
            crash = errors.read().decode("utf-8", "replace").strip()
    _fill_missing(jobs, outcomes, crash)
    return outcomes


def _read(lines: _Lines, jobs: list[ContextJob], outcomes: list[ContextOutcome], limits: Limits) -> None:
    # what the worker owes next: ("start",), ("load", context) or ("call", context)
    pending: tuple[str, int] = ("start", 0)
    try:
        while True:
            wait = {"start": limits.start_s, "load": 2 * limits.load_s, "call": limits.call_s}[pending[0]]
            record = lines.next(wait)
            if record is None or record["type"] == "done":
                return
            if record["type"] == "ready":
                pending = ("load", 0)
                continue
            index = record["context"]
            out = outcomes[index]
            if record["type"] == "loaded":
                out.tracked, out.note = bool(record.get("tracked")), str(record.get("note") or "")
                out.load_lookups = [_lookup(x) for x in record.get("lookups") or []]
                out.load_error = _failure(record["error"]) if record.get("error") else None
            else:
                url, host = jobs[index].calls[record["call"]]
                out.calls.append(_call(url, host, record))
            more = out.load_error is None and len(out.calls) < len(jobs[index].calls)
            pending = ("call", index) if more else ("load", index + 1)
    except TimeoutError:
        _timed_out(jobs, outcomes, pending, limits)


def _timed_out(
    jobs: list[ContextJob], outcomes: list[ContextOutcome], pending: tuple[str, int], limits: Limits
) -> None:
    """Mark the step that hung; the steps after it are filled in as not evaluated."""
    step, index = pending
    if step == "call":
        out = outcomes[index]
        url, host = jobs[index].calls[len(out.calls)]
        message = f"FindProxyForURL({url!r}, {host!r}) did not return within {limits.call_s:g} s (an endless loop?)"
        out.calls.append(CallOutcome(url, host, error=EngineFailure(message, timeout=True)))
    elif index < len(outcomes):
        what = "the JavaScript engine did not start" if step == "start" else "the script's top level did not finish"
        outcomes[index].load_error = EngineFailure(f"{what} within its time limit", timeout=True)


def _fill_missing(jobs: list[ContextJob], outcomes: list[ContextOutcome], crash: str) -> None:
    reason = "not evaluated: the engine stopped earlier" + (f" ({crash.splitlines()[-1]})" if crash else "")
    for job, out in zip(jobs, outcomes, strict=True):
        if out.load_error is not None:
            continue
        for url, host in job.calls[len(out.calls) :]:
            out.calls.append(CallOutcome(url, host, error=EngineFailure(reason)))

