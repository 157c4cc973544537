"""Fixture folders tests/fixtures/inspection/<platform>/<case>/: config.txt (the device output,
or several after ``#### pushaudit:command <id>`` lines) and expected.yaml (verdicts of the two
checks and the decisions per client network and Apple name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from command_outputs import split_outputs
from inspection_harness import FIXTURES, context, make_snapshot, reports, run_checks

from pushaudit.inspection.decision import Decision

DEFAULT_COMMAND = {"paloalto_panos": "config_running", "fortinet": "config"}
CASES = sorted(p for p in FIXTURES.glob("*/*") if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_fixture(case: Path, tmp_path: Path) -> None:
    platform = case.parent.name
    expected: dict[str, Any] = yaml.safe_load((case / "expected.yaml").read_text())
    host = expected.get("host", {})
    outputs = split_outputs((case / "config.txt").read_text(), DEFAULT_COMMAND[platform])
    snap = make_snapshot(tmp_path, platform, outputs, client_networks=host["client_networks"], data=host.get("data"))
    ctx = context(snap)
    findings = run_checks(ctx)
    for check_id, want in expected.get("checks", {}).items():
        got = findings[check_id]
        assert got.status.value == want["status"], (check_id, got.summary)
        assert got.code == want.get("code", got.code)
        assert want.get("summary_contains", "") in got.summary
        assert want.get("deciding_rule_contains", "") in got.deciding_rule
        for text in want.get("remediation_contains", []):
            assert text in got.remediation, got.remediation
        for text in want.get("evidence_contains", []):
            assert any(text in e.text for e in got.evidence), got.evidence
        if "evidence_lines" in want:
            assert [e.line for e in got.evidence] == want["evidence_lines"]
    if expected.get("decisions"):
        decryption, authentication = reports(ctx)
        by_kind = {"decryption": decryption.decisions, "authentication": authentication.decisions}
        for item in expected["decisions"]:
            found = _pick(by_kind[item["kind"]], item["network"], item["name"])
            assert {d.answer.value for d in found} == {item["answer"]}, found
            assert {d.rule.comment if d.rule else "" for d in found} == {item["rule"]}, found


def _pick(decisions: list[Decision], network: str, name: str) -> list[Decision]:
    found = [d for d in decisions if d.network == network and d.name == name]
    assert found, f"no decision for {network} {name}"
    return found
