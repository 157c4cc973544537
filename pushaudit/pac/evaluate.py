"""The ``PAC_AUDIT`` model: every PAC source of a host evaluated for every Apple target from every
client network, plus a second run with the courier names resolving, to see whether that changes
the answer (it must not: those names have no address by design)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.pac.dnsdata import DnsTable, dns_table
from pushaudit.pac.outcomes import Answers, CallOutcome, ContextJob, ContextOutcome, EngineFailure
from pushaudit.pac.routes import Route, RouteError, parse_routes
from pushaudit.pac.sandbox import evaluate_pac as run_engine
from pushaudit.pac.sources import Manifest, PacSource, read_manifest, source_text
from pushaudit.pac.targets import PacTarget, pac_targets
from pushaudit.policy import Policy
from pushaudit.squid.paths import ClientSource, client_sources, first_address


@dataclass(frozen=True)
class Decided:
    """The ``return`` that produced the answer, and the one that passed it on (if another)."""

    line: int
    text: str
    via_line: int | None = None
    via_text: str = ""


@dataclass(frozen=True)
class Evaluation:
    source: PacSource
    client: ClientSource
    target: PacTarget
    outcome: CallOutcome
    routes: tuple[Route, ...] | None  # None: the call failed or returned no proxy list
    problem: str = ""  # why routes is None
    decided: Decided | None = None


@dataclass
class SourceResult:
    source: PacSource
    text: str = ""
    problem: DataError | None = None  # the PAC could not be fetched
    load_error: EngineFailure | None = None
    notes: list[str] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    flipped: dict[tuple[str, str], CallOutcome] = field(default_factory=dict)  # (client, url) -> outcome

    def line_text(self, line: int | None) -> str:
        lines = self.text.splitlines()
        return lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""


@dataclass
class PacAudit:
    manifest: Manifest
    clients: list[ClientSource]
    targets: list[PacTarget]
    dns: DnsTable
    no_address: tuple[str, ...]  # the courier names without an address by design
    flip_address: str  # what they resolve to in the second run
    sources: list[SourceResult]


def courier_no_address(policy: Policy) -> tuple[str, ...]:
    return policy.courier.bare.lower(), policy.courier.target.lower()


def flip_address(policy: Policy, answers: Answers) -> str:
    """An address a numbered courier name resolved to, or the first address of the push range."""
    numbered = policy.courier.numbered_names(policy.courier.probe_numbers[0])[0].lower()
    answer = answers.get(numbered)
    return answer[0] if answer else str(first_address(policy.push_destinations()[0]))


def decided(outcome: CallOutcome, result: SourceResult) -> Decided | None:
    """The earliest return of the final run of returns that all carried the answer."""
    events = list(outcome.returns)
    if not events or (events[-1].kind, events[-1].text) != (outcome.kind, outcome.value):
        return None
    first = len(events) - 1
    while first > 0 and (events[first - 1].kind, events[first - 1].text) == (outcome.kind, outcome.value):
        first -= 1
    origin, outer = events[first], events[-1]
    via = outer.line if outer.line != origin.line else None
    return Decided(origin.line, result.line_text(origin.line), via, result.line_text(via))


def _evaluation(result: SourceResult, client: ClientSource, target: PacTarget, call: CallOutcome) -> Evaluation:
    if call.error is not None:
        return Evaluation(result.source, client, target, call, None, call.error.message)
    try:
        routes = parse_routes(call.kind, call.value)
    except RouteError as exc:
        return Evaluation(result.source, client, target, call, None, str(exc), decided(call, result))
    return Evaluation(result.source, client, target, call, routes, "", decided(call, result))


def _jobs(clients: list[ClientSource], calls: list[tuple[str, str]], answers: Answers) -> list[ContextJob]:
    return [ContextJob(str(c.address), answers, calls) for c in clients]


def _first_load_error(outcomes: list[ContextOutcome]) -> EngineFailure | None:
    return next((o.load_error for o in outcomes if o.load_error is not None), None)


def _evaluate_source(audit: PacAudit, result: SourceResult, now_ms: int) -> None:
    calls = [t.call() for t in audit.targets]
    outcomes = run_engine(result.text, _jobs(audit.clients, calls, audit.dns.answers), now_ms)
    result.load_error = _first_load_error(outcomes)
    if result.load_error is not None:
        return
    result.notes += sorted({o.note for o in outcomes if o.note})
    for client, outcome in zip(audit.clients, outcomes, strict=True):
        for target, call in zip(audit.targets, outcome.calls, strict=True):
            result.evaluations.append(_evaluation(result, client, target, call))
    _counterfactual(audit, result, now_ms)


def _counterfactual(audit: PacAudit, result: SourceResult, now_ms: int) -> None:
    """Evaluate again the calls that looked up a courier name, with that name resolving."""
    asked = [e for e in result.evaluations if any(x.name in audit.no_address for x in e.outcome.lookups)]
    if not asked:
        return
    answers: Answers = {**audit.dns.answers, **{name: [audit.flip_address] for name in audit.no_address}}
    for client in audit.clients:
        calls = [e.target.call() for e in asked if e.client == client]
        if not calls:
            continue
        (outcome,) = run_engine(result.text, _jobs([client], calls, answers), now_ms)
        for (url, _), call in zip(calls, outcome.calls, strict=True):
            result.flipped[(str(client.address), url)] = call


def build_pac_audit(ctx: HostContext) -> PacAudit:
    manifest = read_manifest(ctx.snapshot)
    table = dns_table(ctx.snapshot)
    audit = PacAudit(
        manifest, client_sources(ctx.facts), pac_targets(ctx.policy), table, courier_no_address(ctx.policy),
        flip_address(ctx.policy, table.answers), [],
    )  # fmt: skip
    for source in manifest.sources:
        result = SourceResult(source)
        audit.sources.append(result)
        try:
            result.text = source_text(ctx.snapshot, source)
        except DataError as exc:
            result.problem = exc
            continue
        _evaluate_source(audit, result, manifest.now_ms)
    return audit


PAC_AUDIT: ModelKey[PacAudit] = ModelKey("pac_audit", build_pac_audit)
