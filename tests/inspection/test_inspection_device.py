"""The emulator's PA-VM (tests/fixtures/devices/paloalto_panos/): its first decryption rule
No-Decrypt-Apple (trust and guest to untrust, destination grp-apple) protects Apple; the
disabled Decrypt-Test-All and Decrypt-Proxies-Out (proxies only) do not apply to the clients."""

from __future__ import annotations

from pathlib import Path

from inspection_harness import DEVICES, context, make_snapshot, reports, run_checks

from pushaudit.findings import Status
from pushaudit.inspection.decision import Answer
from pushaudit.platforms import load_platform

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


def _fortinet_snapshot(tmp_path: Path) -> object:
    """The emulator's FortiGate outputs (tests/fixtures/devices/fortinet) under the collector's ids."""
    commands = {spec.id: ((DEVICES / "fortinet" / f"{'_'.join(spec.command.split())}.txt").read_text(), 0)
                for spec in load_platform("fortinet").commands}
    return make_snapshot(tmp_path, "fortinet", commands, client_networks=CLIENTS)


def test_emulated_fortinet_passes(tmp_path: Path) -> None:
    """FGT-1: the "printers" address range hits the deny policy 3 first; the other clients reach Apple by
    policy 20 with certificate-inspection (never decrypted). Proxy-policy 1 "apple-no-auth" lets
    managed clients reach apple-all without login before the authenticated rule 2; the guest network
    matches no proxy-policy (refused, no login)."""
    ctx = context(_fortinet_snapshot(tmp_path))  # type: ignore[arg-type]
    findings = run_checks(ctx)
    assert findings["inspection.apple_not_decrypted"].status is Status.PASS
    assert findings["inspection.apple_not_authenticated"].status is Status.PASS
    decryption, authentication = reports(ctx)
    assert {d.answer for d in decryption.decisions} == {Answer.NO}
    assert {d.rule.comment for d in decryption.decisions if d.rule} == {"block-printers", "apple-push"}
    guest = {d.rule.comment for d in authentication.decisions if d.rule and d.network == "10.110.0.0/16"}
    managed = {d.rule.comment for d in authentication.decisions if d.rule and d.network == "10.1.0.0/16"}
    assert (guest, managed) == ({"(no proxy-policy)"}, {"apple-no-auth"})
    assert {d.answer for d in authentication.decisions} == {Answer.NO}
