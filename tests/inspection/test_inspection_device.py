"""The emulator's PA-VM (tests/fixtures/devices/paloalto_panos/): its first decryption rule
No-Decrypt-Apple (trust and guest to untrust, destination grp-apple) protects Apple; the
disabled Decrypt-Test-All and Decrypt-Proxies-Out (proxies only) do not apply to the clients."""

from __future__ import annotations

from pathlib import Path

from inspection_harness import DEVICES, context, make_snapshot, reports, run_checks

from pushaudit.findings import Status
from pushaudit.inspection.decision import Answer

CLIENTS = ["10.1.0.0/16", "10.110.0.0/16"]


def _snapshot(tmp_path: Path, platform: str = "paloalto_panos") -> object:
    output = (DEVICES / "paloalto_panos" / "show_config_running.txt").read_text(encoding="utf-8")
    return make_snapshot(tmp_path, platform, {"config_running": (output, 0)}, client_networks=CLIENTS)


def test_emulated_panos_passes(tmp_path: Path) -> None:
    ctx = context(_snapshot(tmp_path))  # type: ignore[arg-type]
    findings = run_checks(ctx)
    tls = findings["inspection.apple_not_decrypted"]
    assert tls.status is Status.PASS, tls.summary
    assert tls.evidence[0].line == 775 and "No-Decrypt-Apple" in tls.evidence[0].text
    assert findings["inspection.apple_not_authenticated"].status is Status.NOT_APPLICABLE
    decryption, _ = reports(ctx)
    assert {d.network for d in decryption.decisions} == set(CLIENTS)
    assert {d.answer for d in decryption.decisions} == {Answer.NO}
    assert {d.rule.comment for d in decryption.decisions if d.rule} == {"No-Decrypt-Apple"}


def test_fortinet_is_declared_not_evaluated(tmp_path: Path) -> None:
    """FortiGate profiles are parsed but not evaluated yet: the checks say they do not apply to the
    platform (never a PASS)."""
    ctx = context(_snapshot(tmp_path, "fortinet"))  # type: ignore[arg-type]
    for finding in run_checks(ctx).values():
        assert finding.status is Status.NOT_APPLICABLE
        assert "does not evaluate it on fortinet" in finding.summary
