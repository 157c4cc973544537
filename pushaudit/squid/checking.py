"""What the Squid checks share: evaluating many requests, evidence from rules, and the verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pushaudit.findings import Evidence, Finding, Status
from pushaudit.squid.access import CHALLENGE, ListOutcome
from pushaudit.squid.decide import Decision
from pushaudit.squid.model import Directive, Port, Rule, SquidConfig

if TYPE_CHECKING:
    from pushaudit.checks.registry import Check
    from pushaudit.context import HostContext

SHOWN = 20  # how many failing requests a finding lists


def source_of(directive: Directive) -> str:
    """The snapshot path of the file a directive comes from (``files/etc/squid/squid.conf``)."""
    return "files/" + directive.file.lstrip("/")


def evidence_of(directive: Directive, note: str = "") -> Evidence:
    return Evidence(source=source_of(directive), text=directive.raw, line=directive.line, note=note)


def rule_evidence(rules: Iterable[Rule], config: SquidConfig, note: str = "decided") -> list[Evidence]:
    """Each rule, then the definitions of the ACLs it names (predefined ones have none)."""
    out: list[Evidence] = []
    seen: set[tuple[str, int]] = set()

    def add(directive: Directive, text: str) -> None:
        key = (directive.file, directive.line)
        if key not in seen:
            seen.add(key)
            out.append(evidence_of(directive, text))

    rules = list(rules)
    for rule in rules:
        add(rule.directive, note)
    for rule in rules:
        for ref in rule.acls:
            for directive in config.acls[ref.name].directives:
                add(directive, f"definition of acl {ref.name}")
    return out


@dataclass
class Item:
    label: str  # the request and what happened to it
    decision: Decision
    rules: list[Rule]  # the rules to show as evidence
    listener: Port | None = None  # the Squid port the request arrived on
    intercepted: bool = False


@dataclass
class Tally:
    evaluated: int = 0
    failed: list[Item] = field(default_factory=list)
    undecided: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        data: dict[str, Any] = {"evaluated": self.evaluated, "failed": len(self.failed)}
        data["undecided"] = len(self.undecided)
        if self.failed:
            data["failures"] = [i.label for i in self.failed[:SHOWN]]
        if self.undecided:
            data["undecided_requests"] = [
                f"{i.label}: {'; '.join(i.decision.unknowns) or 'undecided'}" for i in self.undecided[:SHOWN]
            ]
        if self.notes:
            data["notes"] = list(dict.fromkeys(self.notes))
        return data


@dataclass(frozen=True)
class Texts:
    what: str  # "Apple CONNECT requests refused by http_access"
    expected: str
    passed: str  # summary when everything passes


def conclude(
    check: Check,
    ctx: HostContext,
    config: SquidConfig,
    tally: Tally,
    *,
    texts: Texts,
    remediation: Callable[[Item], str],
) -> Finding:
    """FAIL on any failing request, else ERROR on any undecided one, else PASS."""
    details = tally.details()
    if config.warnings:
        details["squid_conf_warnings"] = config.warnings
    if tally.failed:
        first = tally.failed[0]
        evidence = rule_evidence((r for i in tally.failed[:3] for r in i.rules), config)
        rule = first.rules[0].directive.label() if first.rules else ""
        summary = f"{len(tally.failed)} of {tally.evaluated} {texts.what}; first: {first.label}"
        return check.finding(
            ctx, Status.FAIL, summary, expected=texts.expected, found=first.label, evidence=evidence,
            remediation=remediation(first), deciding_rule=rule, details=details,
        )
    if tally.undecided:
        first = tally.undecided[0]
        reasons = "; ".join(first.decision.unknowns) or "the rules depend on facts not in the snapshot"
        return check.finding(
            ctx, Status.ERROR, f"{len(tally.undecided)} of {tally.evaluated} requests cannot be decided: "
            f"{first.label}: {reasons}", expected=texts.expected, code="E-EVAL-UNKNOWN",
            evidence=rule_evidence(first.rules, config, "involved"), details=details,
        )
    if tally.evaluated == 0:  # e.g. netfilter keeps Apple away from the intercepting ports: nothing can go wrong
        why = "; ".join(dict.fromkeys(tally.notes)) or "no Apple request reaches Squid"
        return check.finding(ctx, Status.PASS, f"no Apple traffic reaches Squid on this path: {why}",
                             expected=texts.expected, details=details)
    return check.finding(ctx, Status.PASS, f"{texts.passed} ({tally.evaluated} requests evaluated)",
                         expected=texts.expected, details=details)


def describe_list(outcome: ListOutcome) -> str:
    """How an access list ended, in words, with the line that decided."""
    verdict = outcome.verdict
    if verdict is None:
        return "undecided (" + ("; ".join(outcome.unknowns) or "depends on unknown facts") + ")"
    rule = outcome.rule
    if verdict == CHALLENGE:
        hit = outcome.auth_hits[0] if outcome.auth_hits else None
        where = hit.rule.directive.label() if hit else "?"
        return f"answered 407 (proxy authentication, acl {hit.acl if hit else '?'}) at {where}"
    word = {"allow": "allowed", "deny": "denied"}.get(verdict, verdict)
    if rule is not None:
        return f"{word} by {rule.directive.label()}"
    return f"{word} by default (no {outcome.list_name} line matches)"
