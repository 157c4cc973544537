"""The whole pipeline on vendor firewalls: SSH collection from the device emulator, the platform's
parser, the shared flow engine, the firewall check and its vendor-syntax remediation."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_collect_vendor import run_collect
from vendor_helpers import PASSWORD, EmulatorFactory

from pushaudit.findings import Status
from pushaudit.inventory import ENV_PASSWORD
from pushaudit.policy.loader import load_policy
from pushaudit.runner import evaluate

pytestmark = [pytest.mark.timeout(240), pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields::")]

# What the emulator fixtures hold: the client network 10.1.0.0/16 behind each device, the verdict
# of firewall.apns_ports, the deciding rule's text and the vendor syntax of the fix.
EXPECTED = {
    "cisco_asa": (Status.FAIL, "access-list"),
    "juniper_junos": (Status.FAIL, "set security policies"),
    "paloalto_panos": (Status.FAIL, "set rulebase security rules"),
    "fortinet": (Status.FAIL, "config firewall policy"),
}


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_vendor_firewall_audit(platform: str, start_emulator: EmulatorFactory, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    emulators = {platform.replace("_", "-"): start_emulator(platform, secret=None)}
    snapshot = run_collect(tmp_path, emulators, [e.known_hosts_line() for e in emulators.values()])
    run = evaluate(snapshot, load_policy())
    (host,) = run.hosts
    finding = next(f for f in host.findings if f.check_id == "firewall.apns_ports")
    status, syntax = EXPECTED[platform]
    assert finding.status is status, (finding.summary, finding.code, finding.found)
    assert finding.deciding_rule and finding.evidence
    assert syntax in finding.remediation, finding.remediation
    # the offline re-evaluation of the same snapshot decides the same
    again = evaluate(snapshot)
    assert [f.to_dict() for f in again.hosts[0].findings] == [f.to_dict() for f in host.findings]
