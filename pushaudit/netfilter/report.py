"""Words and evidence for findings about netfilter rules."""

from __future__ import annotations

from pushaudit.findings import Evidence
from pushaudit.interception import RuleRef
from pushaudit.netfilter.outcome import ChainId, Outcome


def rule_line(ref: RuleRef) -> str:
    """``inet filter forward rule 3 (handle 5): <rule text> (line 12)``."""
    where = f" (line {ref.line})" if ref.line is not None else ""
    return f"{ref.label()}: {ref.text}{where}"


def decided_line(outcome: Outcome) -> str:
    if outcome.rule is not None:
        return rule_line(outcome.rule)
    return outcome.decided_by()


def rule_evidence(ref: RuleRef, note: str) -> Evidence:
    return Evidence(source=ref.source, text=ref.text, line=ref.line, note=f"{ref.label()}: {note}")


def policy_evidence(chain: ChainId, policy: str, note: str) -> Evidence:
    return Evidence(source=chain.source, text=f"chain {chain.label()} policy {policy}", note=note)


def outcome_evidence(outcome: Outcome, note: str) -> Evidence:
    if outcome.rule is not None:
        return rule_evidence(outcome.rule, note)
    if outcome.policy_chain is not None:
        return policy_evidence(outcome.policy_chain, "drop", note)
    source = outcome.steps[-1].chain.source if outcome.steps else "cmd:nft_ruleset"
    return Evidence(source=source, text=outcome.decided_by(), note=note)
