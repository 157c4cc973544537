"""The part of a fixture's expected point every firewall platform shares: the verdict, the
deciding rule (any RuleRef fields the fixture names) and the chain whose policy decided."""

from __future__ import annotations

from typing import Any

from pushaudit.netfilter.outcome import Outcome


def assert_decided(outcome: Outcome, point: dict[str, Any]) -> None:
    assert outcome.verdict.value == point["verdict"], outcome.decided_by()
    if "rule" in point:
        want = point["rule"]
        if want is None:
            assert outcome.rule is None, outcome.decided_by()
        else:
            assert outcome.rule is not None, outcome.decided_by()
            assert {k: getattr(outcome.rule, k) for k in want} == want, outcome.decided_by()
    if "policy" in point:
        assert outcome.policy_chain is not None and outcome.policy_chain.label() == point["policy"]
