"""The two netfilter checks on fixture snapshots (tests/fixtures/netfilter/checks/<case>/expected.yaml).

A case reuses the dumps of an evaluator fixture (``ruleset_from``), adds a lab-like
interface/route table (``interfaces``) and extra command outputs, runs the check through the
registry loop and compares the finding with ``expect``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pushaudit.checks.registry import all_checks, evaluate_host
from pushaudit.context import HostContext
from pushaudit.findings import Finding

from .conftest import FIXTURES, fixture_commands, interface_commands

CASES_DIR = FIXTURES / "checks"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.yaml").exists())


def _commands(spec: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    commands = fixture_commands(FIXTURES / spec["ruleset_from"]) if "ruleset_from" in spec else {}
    for omitted in spec.get("omit", []):
        commands.pop(omitted)
    if spec.get("interfaces"):
        commands.update(interface_commands(spec["interfaces"]))
    for command_id, extra in spec.get("commands", {}).items():
        commands[command_id] = (extra["output"], extra.get("exit", 0))
    return commands


def _run(spec: dict[str, Any], make_context: Callable[..., HostContext]) -> Finding:
    ctx = make_context(role=spec["role"], client_networks=spec["client_networks"], commands=_commands(spec))
    check = next(c for c in all_checks() if c.spec.id == spec["check"])
    findings = evaluate_host(ctx, [check])
    assert len(findings) == 1
    return findings[0]


def _contains_all(text: str, parts: list[str], what: str) -> None:
    for part in parts:
        assert part in text, f"{what}: {part!r} not in {text!r}"


@pytest.mark.parametrize("case", CASES)
def test_check_case(case: str, make_context: Callable[..., HostContext]) -> None:
    spec = yaml.safe_load((CASES_DIR / case / "expected.yaml").read_text())
    finding = _run(spec, make_context)
    want = spec["expect"]
    assert finding.status.value == want["status"], (finding.summary, finding.details.get("traceback"))
    assert finding.code == want.get("code", "")
    _contains_all(finding.summary, want.get("summary_contains", []), "summary")
    _contains_all(finding.deciding_rule, want.get("deciding_rule_contains", []), "deciding_rule")
    _contains_all(finding.found, want.get("found_contains", []), "found")
    _contains_all(finding.expected, want.get("expected_contains", []), "expected")
    _contains_all(finding.remediation, want.get("remediation_contains", []), "remediation")
    evidence = "\n".join(f"{e.source} {e.line} {e.text} {e.note}" for e in finding.evidence)
    _contains_all(evidence, want.get("evidence_contains", []), "evidence")
    shadowed = "\n".join(finding.details.get("shadowed", []))
    _contains_all(shadowed, want.get("shadowed_contains", []), "shadowed")
    if "shadowed_count" in want:
        assert len(finding.details.get("shadowed", [])) == want["shadowed_count"]
    for absent in want.get("remediation_absent", []):
        assert absent not in finding.remediation


def test_checks_are_registered_with_policy_sources() -> None:
    from pushaudit.policy import load_policy

    policy = load_policy()
    ids = {c.spec.id: c for c in all_checks()}
    for check_id, role in (("firewall.apns_ports", "firewall"), ("proxy.interception_excludes_apple", "proxy")):
        spec = ids[check_id].spec
        assert spec.roles == frozenset({role})
        assert spec.severity.value == "critical"
        assert all(ref in policy.sources for ref in spec.sources)


def test_finding_round_trips_through_json(make_context: Callable[..., HostContext]) -> None:
    spec = yaml.safe_load((CASES_DIR / "fw_lab_fw1" / "expected.yaml").read_text())
    finding = _run(spec, make_context)
    assert Finding.from_dict(finding.to_dict()) == finding
