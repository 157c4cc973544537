"""pac.apple_routes: the PAC sends Apple hosts DIRECT, or to a proxy that passes them through."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.pac.evaluate import PAC_AUDIT, Evaluation, SourceResult
from pushaudit.pac.peer import PeerVerdict, judge_proxy
from pushaudit.pac.problems import SHOWN, Problem, call_problem, line_evidence, source_problem, where
from pushaudit.pac.remediation import direct_advice
from pushaudit.pac.routes import describe
from pushaudit.pac.sources import configured_sources
from pushaudit.squid.tri import Tri

EXPECTED = (
    "every Apple activation, MDM and push request gets DIRECT, or a first proxy that passes it through: "
    "allowed without proxy authentication, not decrypted, and for courier.push.apple.com not resolved by "
    "the proxy itself"
)


@dataclass(frozen=True)
class Item:
    result: SourceResult
    evaluation: Evaluation
    verdict: PeerVerdict

    @property
    def line(self) -> int | None:
        return self.evaluation.decided.line if self.evaluation.decided else None

    def sentence(self) -> str:
        ev = self.evaluation
        route = ev.routes[0] if ev.routes else None
        target = route.endpoint if route else "?"
        peer = f" ({self.verdict.peer})" if self.verdict.peer and self.verdict.peer != target else ""
        return (f"{where(self.result, self.line)} sends {ev.target.host} ({ev.target.url}, client "
                f"{ev.client.address}) to {target}{peer}, which {self.verdict.reason}")


@dataclass
class Tally:
    evaluated: int = 0
    direct: int = 0
    proxied: int = 0
    failed: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _judge(ctx: HostContext, result: SourceResult, evaluation: Evaluation, tally: Tally) -> None:
    problem = call_problem(result, evaluation)
    if problem is not None or not evaluation.routes:
        tally.problems += [problem] if problem else []
        return
    first = evaluation.routes[0]
    if first.is_direct:
        tally.direct += 1
        return
    verdict = judge_proxy(ctx, first, evaluation.target, evaluation.client.address)
    tally.notes += verdict.notes
    if verdict.ok is Tri.NO:
        tally.failed.append(Item(result, evaluation, verdict))
    elif verdict.ok is Tri.UNKNOWN:
        text = Item(result, evaluation, verdict).sentence()
        tally.problems.append(Problem(verdict.code or "E-EVAL-UNKNOWN", text, verdict.evidence))
    else:
        tally.proxied += 1
        if evaluation.target.proxy == "no":
            tally.notes.append(f"{evaluation.target.host} goes through {first.endpoint}; Apple does not list it "
                               "as supporting proxies")


def _details(tally: Tally, results: list[SourceResult]) -> dict[str, object]:
    data: dict[str, object] = {
        "evaluated": tally.evaluated, "direct": tally.direct, "proxied_ok": tally.proxied,
        "failed": len(tally.failed), "problems": [p.message for p in tally.problems[:SHOWN]],
        "routes": [
            f"{e.client.address} {e.target.url} -> {describe(e.routes) if e.routes else e.problem}"
            + (f" (line {e.decided.line})" if e.decided else "")
            for r in results for e in r.evaluations
        ][: SHOWN * 5],
    }
    notes = list(dict.fromkeys(tally.notes + [n for r in results for n in r.notes]))
    if notes:
        data["notes"] = notes
    return data


@register
class PacAppleRoutes(Check):
    spec = CheckSpec(
        id="pac.apple_routes",
        title="The PAC file sends Apple hosts DIRECT or to a proxy that passes them through",
        severity=Severity.CRITICAL,
        rationale="Devices ask the PAC file which way to go. Apple requires no TLS interception and no proxy "
        "authentication for its hosts, and a proxy that forwards DIRECT cannot carry the bare courier name; a PAC "
        "that sends activation, MDM or push traffic to such a proxy breaks them for every device it serves.",
        sources=("S1", "S2", "S3", "S7"),
        roles=frozenset({"proxy"}),
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        if not configured_sources(ctx.facts):
            return [self.finding(ctx, Status.NOT_APPLICABLE, "the inventory names no pac_files or pac_urls for "
                                 "this host")]
        audit = ctx.get(PAC_AUDIT)
        tally = Tally()
        for result in audit.sources:
            problem = source_problem(result)
            if problem is not None:
                tally.problems.append(problem)
                continue
            for evaluation in result.evaluations:
                tally.evaluated += 1
                _judge(ctx, result, evaluation, tally)
        details = _details(tally, audit.sources)
        details["evaluated_at"] = audit.manifest.evaluated_at + " (time functions see this instant, in UTC)"
        if audit.dns.notes:  # answers the PAC got as "no address" because the host's resolver failed
            details["dns_notes"] = dict(sorted(audit.dns.notes.items()))
        if tally.failed:
            return [self._fail(ctx, tally, details)]
        if tally.problems:
            first = tally.problems[0]
            more = len(tally.problems) - 1
            summary = first.message + (f" (and {more} more)" if more else "")
            return [self.finding(ctx, Status.ERROR, summary, expected=EXPECTED, code=first.code,
                                 evidence=first.evidence, details=details)]
        summary = (f"{tally.evaluated} Apple requests from {len(audit.clients)} client network(s): {tally.direct} "
                   f"DIRECT, {tally.proxied} through proxies that pass them through")
        return [self.finding(ctx, Status.PASS, summary, expected=EXPECTED, details=details)]

    def _fail(self, ctx: HostContext, tally: Tally, details: dict[str, object]) -> Finding:
        first = tally.failed[0]
        more = len(tally.failed) - 1
        summary = first.sentence() + (f" ({more} more of {tally.evaluated} Apple requests fail)" if more else "")
        evidence: list[Evidence] = []
        seen: set[tuple[str, int | None]] = set()
        for item in tally.failed:
            key = (item.result.source.location, item.line)
            if key not in seen and len(seen) < 3:
                seen.add(key)
                evidence.append(line_evidence(item.result, item.line, f"decided {item.evaluation.target.url}"))
        for item in tally.failed[:3]:
            evidence += [e for e in item.verdict.evidence if e not in evidence]
        decided = first.evaluation.decided
        rule = f"{where(first.result, first.line)}: {decided.text}" if decided else first.result.source.location
        found = "\n".join(i.sentence() for i in tally.failed[:SHOWN])
        remediation = direct_advice(ctx.policy, first.result.source.location)
        if first.verdict.peer:
            remediation += (f"\nOr keep the proxy for Apple and fix {first.verdict.peer} instead: it "
                            f"{first.verdict.reason} (see that host's proxy.auth_order, proxy.tls_bump and "
                            "proxy.courier_squash findings).")
        return self.finding(ctx, Status.FAIL, summary, expected=EXPECTED, found=found, evidence=evidence,
                            remediation=remediation, deciding_rule=rule, details=details)
