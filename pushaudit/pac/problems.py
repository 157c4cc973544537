"""What keeps a PAC evaluation from being judged, as coded problems, and PAC lines as evidence."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.findings import Evidence
from pushaudit.pac.evaluate import Evaluation, SourceResult

SHOWN = 20  # how many items a finding lists


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    evidence: tuple[Evidence, ...] = ()


def line_evidence(result: SourceResult, line: int | None, note: str) -> Evidence:
    text = result.line_text(line) if line is not None else result.text.strip()[:400]
    return Evidence(source=result.source.evidence_source, text=text, line=line, note=note)


def where(result: SourceResult, line: int | None) -> str:
    return f"{result.source.location}:{line}" if line is not None else result.source.location


def source_problem(result: SourceResult) -> Problem | None:
    """The PAC could not be fetched, does not load, or defines no FindProxyForURL."""
    if result.problem is not None:
        exc = result.problem
        return Problem(exc.code, exc.message, (Evidence(exc.source, exc.message, exc.line),))
    failure = result.load_error
    if failure is None:
        return None
    message = f"{where(result, failure.line)}: the PAC does not load: {failure.message}"
    evidence = line_evidence(result, failure.line, "JavaScript engine: " + failure.message)
    return Problem("E-PAC-ENGINE", message, (evidence,))


def call_problem(result: SourceResult, evaluation: Evaluation) -> Problem | None:
    """The call threw, timed out, returned no proxy list, or used a DNS answer that was not collected."""
    outcome = evaluation.outcome
    label = f"FindProxyForURL({evaluation.target.url!r}, {evaluation.target.host!r}) from {evaluation.client.address}"
    if outcome.error is not None:
        line = outcome.error.line
        message = f"{where(result, line)}: {label} failed: {outcome.error.message}"
        evidence = line_evidence(result, line, "JavaScript engine: " + outcome.error.message)
        return Problem("E-PAC-ENGINE", message, (evidence,))
    if evaluation.routes is None:
        line = evaluation.decided.line if evaluation.decided else None
        message = f"{where(result, line)}: {label}: {evaluation.problem}"
        return Problem("E-PAC-ENGINE", message, (line_evidence(result, line, evaluation.problem),))
    unknown = sorted({x.name for x in outcome.lookups if x.state == "unknown"})
    if unknown:
        lines = sorted({x.line for x in outcome.lookups if x.state == "unknown" and x.line is not None})
        message = (f"{label} depends on DNS answers that were not collected on the host: {', '.join(unknown)} "
                   "(run the audit again to collect them)")
        shown = tuple(line_evidence(result, line, "looks up a name with no recorded answer") for line in lines)
        return Problem("E-DATA-MISSING", message, shown)
    return None
