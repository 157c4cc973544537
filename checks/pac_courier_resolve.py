"""pac.courier_resolve: the PAC's answer for Apple push never depends on resolving the courier names."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.pac.evaluate import PAC_AUDIT, Evaluation, PacAudit, SourceResult
from pushaudit.pac.outcomes import Lookup
from pushaudit.pac.problems import SHOWN, Problem, call_problem, line_evidence, source_problem, where
from pushaudit.pac.remediation import pac_snippet
from pushaudit.pac.routes import RouteError, describe, parse_routes
from pushaudit.pac.sources import configured_sources


@dataclass(frozen=True)
class Item:
    result: SourceResult
    evaluation: Evaluation
    lookup: Lookup
    before: str  # the routes as the PAC answers (the name has no address)
    after: str  # the routes if the name resolved

    def sentence(self) -> str:
        x, target = self.lookup, self.evaluation.target
        return (f"{where(self.result, x.line)} calls {x.fn}() on {x.name} while deciding {target.host}: the name has "
                f"no address by design, so the PAC answers {self.before} (it would answer {self.after} if it "
                "resolved)")


@dataclass
class Tally:
    looked_up: list[tuple[SourceResult, Evaluation, Lookup]] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _routes_text(kind: str, value: str | None) -> str:
    try:
        return describe(parse_routes(kind, value))
    except RouteError:
        return f"{kind} {value!r}"


def _compare(audit: PacAudit, result: SourceResult, evaluation: Evaluation, tally: Tally) -> None:
    asked = [x for x in evaluation.outcome.lookups if x.name in audit.no_address]
    if not asked:
        return
    tally.looked_up += [(result, evaluation, x) for x in asked]
    flipped = result.flipped.get((str(evaluation.client.address), evaluation.target.url))
    if flipped is None or flipped.error is not None:
        why = flipped.error.message if flipped is not None and flipped.error else "not evaluated"
        tally.problems.append(Problem("E-PAC-ENGINE", f"{where(result, asked[0].line)}: the second evaluation of "
                                      f"{evaluation.target.url} failed: {why}"))
        return
    unknown = sorted({x.name for x in flipped.lookups if x.state == "unknown"})
    if unknown:
        tally.problems.append(Problem("E-DATA-MISSING", f"with {asked[0].name} resolving, the PAC looks up "
                                      f"{', '.join(unknown)}, whose answers were not collected"))
        return
    before = _routes_text(evaluation.outcome.kind, evaluation.outcome.value)
    after = _routes_text(flipped.kind, flipped.value)
    if before != after:
        tally.failed.append(Item(result, evaluation, asked[0], before, after))


@register
class PacCourierResolve(Check):
    spec = CheckSpec(
        id="pac.courier_resolve",
        title="The PAC file does not branch on resolving courier.push.apple.com",
        severity=Severity.HIGH,
        rationale="courier.push.apple.com is a CNAME to a name with no address, by design. A PAC that calls "
        "isResolvable(), dnsResolve() or isInNet() on it and branches on the answer sends Apple push down the "
        "branch meant for names that do not exist.",
        sources=("S7", "S5", "S3"),
        roles=frozenset({"proxy"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        if not configured_sources(ctx.facts):
            return [self.finding(ctx, Status.NOT_APPLICABLE, "the inventory names no pac_files or pac_urls for "
                                 "this host")]
        audit = ctx.get(PAC_AUDIT)
        names = " and ".join(audit.no_address)
        expected = (f"the route for Apple push is decided by name before any lookup; resolving {names} (which "
                    "have no address by design) never changes a route")
        tally = Tally()
        for result in audit.sources:
            problem = source_problem(result)
            if problem is not None:
                tally.problems.append(problem)
                continue
            for evaluation in result.evaluations:
                problem = call_problem(result, evaluation)
                if problem is not None and problem.code == "E-PAC-ENGINE":
                    tally.problems.append(problem)
                    continue
                _compare(audit, result, evaluation, tally)
        details: dict[str, object] = {
            "lookups": [f"{where(r, x.line)}: {x.fn}({x.name}) for {e.target.url} from {e.client.address}: {x.state}"
                        for r, e, x in tally.looked_up][:SHOWN],
            "resolving_address_in_second_run": audit.flip_address,
        }
        if tally.failed:
            return [self._fail(ctx, tally, expected, details)]
        if tally.problems:
            first = tally.problems[0]
            return [self.finding(ctx, Status.ERROR, first.message, expected=expected, code=first.code,
                                 evidence=first.evidence, details=details)]
        if tally.looked_up:
            _, _, x = tally.looked_up[0]
            summary = (f"the PAC looks up {x.name} ({x.fn}), but its routes are the same whether or not the name "
                       "resolves")
        else:
            summary = f"the PAC never resolves {names} while deciding Apple routes"
        return [self.finding(ctx, Status.PASS, summary, expected=expected, details=details)]

    def _fail(self, ctx: HostContext, tally: Tally, expected: str, details: dict[str, object]) -> Finding:
        first = tally.failed[0]
        more = len(tally.failed) - 1
        summary = first.sentence() + (f" ({more} more)" if more else "")
        evidence: list[Evidence] = []
        for item in tally.failed:
            ev = line_evidence(item.result, item.lookup.line, f"{item.lookup.fn}({item.lookup.name}): no address")
            if ev not in evidence and len(evidence) < 3:
                evidence.append(ev)
        decided = first.evaluation.decided
        if decided is not None:
            evidence.append(line_evidence(first.result, decided.line, f"then decided {first.evaluation.target.url}"))
        rule = f"{where(first.result, first.lookup.line)}: {first.result.line_text(first.lookup.line)}"
        remediation = (
            f"In {first.result.source.location}, decide Apple by name before line {first.lookup.line}, at the top "
            f"of FindProxyForURL (DIRECT is what Apple recommends; use the PROXY line meant for Apple instead only if "
            f"that proxy passes Apple through untouched):\n{pac_snippet(ctx.policy)}\n"
            f"Never test {first.lookup.name} with isResolvable(), dnsResolve() or isInNet(): it has no address by "
            "design."
        )
        found = "\n".join(i.sentence() for i in tally.failed[:SHOWN])
        return self.finding(ctx, Status.FAIL, summary, expected=expected, found=found, evidence=evidence,
                            remediation=remediation, deciding_rule=rule, details=details)
