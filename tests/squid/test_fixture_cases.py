"""Every folder under tests/fixtures/squid/ is a case: an etc/ tree and the verdicts it must get."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from squid_harness import FIXTURES, address, context_for, squid_checks

from pushaudit.checks.registry import evaluate_host
from pushaudit.findings import Finding
from pushaudit.squid.decide import Decision, decide_explicit, decide_intercepted, expected_status
from pushaudit.squid.model import SquidConfig
from pushaudit.squid.request import ExplicitRequest, InterceptedRequest
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.source import SQUID

CASES = sorted(p for p in FIXTURES.iterdir() if (p / "expected.yaml").is_file())


def _text(finding: Finding) -> str:
    parts = [finding.summary, finding.found, finding.remediation, finding.deciding_rule, str(finding.details)]
    parts += [f"{e.source}:{e.line} {e.text} {e.note}" for e in finding.evidence]
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_checks_give_expected_verdicts(case: Path, tmp_path: Path) -> None:
    ctx, spec = context_for(case, tmp_path)
    findings = {f.check_id: f for f in evaluate_host(ctx, squid_checks())}
    for check_id, want in spec["checks"].items():
        got = findings[check_id]
        assert got.status.value == want["status"], f"{check_id}: {got.summary}\n{got.details}"
        if "deciding" in want:
            assert got.deciding_rule.startswith(want["deciding"] + ":"), got.deciding_rule
        if "code" in want:
            assert got.code == want["code"]
        if got.status.value == "FAIL":
            assert got.evidence, "a FAIL must show the lines that decided"
            assert got.remediation, "a FAIL must say what to change"
        for key in ("summary", "found", "remediation", "evidence", "details"):
            for needle in want.get(f"{key}_contains", []):
                haystack = _text(got) if key in ("evidence", "details") else getattr(got, key)
                assert needle in haystack, f"{check_id}: {needle!r} not in {key}:\n{haystack}"


def _listener(config: SquidConfig, spec: str) -> Any:
    return next(p for p in config.ports if f"{p.address}:{p.port}" == spec or str(p.port) == spec)


def _decide(config: SquidConfig, query: dict[str, Any], ctx: Any) -> Decision:
    resolver = policy_resolver(ctx.policy, ctx.snapshot)
    if "explicit" in query:
        q = query["explicit"]
        request = ExplicitRequest(q["host"], q["port"], address(q["client"]), _listener(config, q["listener"]),
                                  q.get("method", "CONNECT"), q.get("sni"))
        return decide_explicit(config, request, resolver)
    q = query["intercepted"]
    redirected = InterceptedRequest(address(q["dst"]), q["port"], address(q["client"]),
                                    _listener(config, q["listener"]), q.get("name"), q.get("tls", True))
    return decide_intercepted(config, redirected, resolver)


def _check_query(decision: Decision, want: dict[str, Any], config: SquidConfig, ctx: Any) -> None:
    if "verdict" in want:
        assert decision.verdict == want["verdict"], decision.access.unknowns
    if "rule" in want:
        rule = decision.access.rule
        assert rule is not None and rule.directive.where == want["rule"]
    if "auth_reached" in want:
        assert decision.auth_reached.value == want["auth_reached"]
    if "forwarding" in want:
        assert decision.forwarding is not None
        assert list(decision.forwarding.candidates or []) == want["forwarding"]
    if "resolves_name" in want:
        assert decision.resolves_name.value == want["resolves_name"]
    if "host_verified" in want:
        assert decision.host_verified is not None and decision.host_verified.value == want["host_verified"]
    if "bump" in want:
        assert decision.bump is not None
        assert f"{decision.bump.final}@{decision.bump.step}" == want["bump"], decision.bump.describe()
    if "bump_rule" in want:
        assert decision.bump is not None
        assert decision.bump.steps[-1].outcome.rule is not None
        assert decision.bump.steps[-1].outcome.rule.directive.where == want["bump_rule"]
    if "status" in want:
        assert expected_status(decision, policy_resolver(ctx.policy, ctx.snapshot), config.version) == want["status"]


QUERIES = [(c, i) for c in CASES for i, _ in enumerate(__import__("yaml").safe_load((c / "expected.yaml").read_text())
                                                       .get("queries", []))]


@pytest.mark.parametrize(("case", "index"), QUERIES, ids=[f"{c.name}-q{i}" for c, i in QUERIES])
def test_decision_queries(case: Path, index: int, tmp_path: Path) -> None:
    ctx, spec = context_for(case, tmp_path)
    config = ctx.get(SQUID)
    query = spec["queries"][index]
    _check_query(_decide(config, query, ctx), query["expect"], config, ctx)
