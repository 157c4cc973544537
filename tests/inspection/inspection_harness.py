"""Helpers for the inspection tests: host snapshots from fixture folders or device outputs, and
the two checks run on them with the project's policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pushaudit.context import HostContext
from pushaudit.findings import Finding
from pushaudit.inspection.decision import InspectionReport
from pushaudit.inspection.models import AUTHENTICATION, DECRYPTION
from pushaudit.policy import load_policy
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures" / "inspection"
DEVICES = TESTS / "fixtures" / "devices"
DEFAULT_COMMAND = {"paloalto_panos": "config_running"}


def make_snapshot(root: Path, platform: str, commands: dict[str, tuple[str, int]], *,
                  client_networks: list[str], data: dict[str, Any] | None = None) -> HostSnapshot:
    facts = HostFacts(name="fw", hostname="192.0.2.20", port=22, platform=platform, role="firewall",
                      client_networks=client_networks, data=data or {}, connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    for command_id, (output, status) in commands.items():
        snap.add_command(CommandRecord(command_id, command_id, "2026-01-01T00:00:00+00:00", 0.1, status, ""), output)
    snap.save()
    return HostSnapshot(root)


def context(snap: HostSnapshot) -> HostContext:
    return HostContext(snap, load_policy())


def reports(ctx: HostContext) -> tuple[InspectionReport, InspectionReport]:
    return ctx.get(DECRYPTION), ctx.get(AUTHENTICATION)


def run_checks(ctx: HostContext) -> dict[str, Finding]:
    from pushaudit.checks.inspection_auth import AppleNotAuthenticated
    from pushaudit.checks.inspection_tls import AppleNotDecrypted
    from pushaudit.checks.registry import evaluate_host

    findings = evaluate_host(ctx, [AppleNotDecrypted(), AppleNotAuthenticated()])
    return {f.check_id: f for f in findings}
