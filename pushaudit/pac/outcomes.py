"""What one PAC evaluation produced: per client network, the load outcome and every call's answer."""

from __future__ import annotations

from dataclasses import dataclass, field

Answers = dict[str, list[str] | None]  # name -> addresses; None: the resolver failed; absent: not collected


@dataclass(frozen=True)
class EngineFailure:
    message: str
    line: int | None = None
    timeout: bool = False


@dataclass(frozen=True)
class ReturnEvent:
    line: int
    kind: str  # typeof the value, or "null"
    text: str | None


@dataclass(frozen=True)
class Lookup:
    name: str
    fn: str  # dnsResolve, isResolvable, isInNet, ...
    line: int | None
    state: str  # resolved, no-address, failed, unknown (not collected), invalid (not a DNS name)
    answer: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallOutcome:
    url: str
    host: str
    kind: str = ""  # typeof the result ("string", "null", "undefined", ...)
    value: str | None = None
    returns: tuple[ReturnEvent, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    alerts: tuple[str, ...] = ()
    error: EngineFailure | None = None


@dataclass(frozen=True)
class ContextJob:
    client: str  # what myIpAddress() answers
    answers: Answers
    calls: list[tuple[str, str]]  # (url, host)


@dataclass
class ContextOutcome:
    client: str
    load_error: EngineFailure | None = None
    tracked: bool = False  # returns are tagged with their lines
    note: str = ""
    load_lookups: list[Lookup] = field(default_factory=list)
    calls: list[CallOutcome] = field(default_factory=list)
