"""End to end on the emulator's PA-VM outputs (tests/fixtures/devices/paloalto_panos/): a host
snapshot as the collector writes it, the platform's ruleset and topology, the forwarding
analysis with the project's own policy, and the real firewall.apns_ports check on top."""

from __future__ import annotations

from pathlib import Path

import pytest
from panos_harness import DEVICE, holding, make_snapshot, nets

from pushaudit.checks.firewall_apns_ports import FirewallApnsPorts
from pushaudit.context import HostContext
from pushaudit.findings import Status
from pushaudit.firewalls import get_platform
from pushaudit.firewalls.paloalto_panos import PLATFORM, load_policy
from pushaudit.netfilter.forwarding import ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.ifaces import TOPOLOGY
from pushaudit.netfilter.loader import RULESET
from pushaudit.netfilter.remediation import Traffic
from pushaudit.policy import load_policy as load_audit_policy
from pushaudit.snapshot import HostSnapshot

CLIENTS = ["10.1.0.0/16", "10.110.0.0/16"]


def device_snapshot(root: Path, data: dict[str, object] | None = None) -> HostSnapshot:
    commands = {cid: ((DEVICE / f"{name}.txt").read_text(encoding="utf-8"), 0)
                for cid, name in (("config_running", "show_config_running"), ("show_system_info", "show_system_info"))}
    return make_snapshot(root, commands, client_networks=CLIENTS, data=data)


def run_analysis(snap: HostSnapshot) -> ForwardingAnalysis:
    policy = load_audit_policy()
    ruleset = PLATFORM.build_ruleset(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    return analyse_forwarding(ruleset, topology, nets(CLIENTS), policy.push_destinations(), list(policy.apns.ports))


def test_registry_finds_the_platform() -> None:
    assert get_platform("paloalto_panos") is PLATFORM
    assert PLATFORM.syntax == "paloalto_panos"


def test_verdicts_on_the_emulated_firewall(tmp_path: Path) -> None:
    analysis = run_analysis(device_snapshot(tmp_path))
    assert not analysis.unroutable
    assert not analysis.shadowed
    # the printers (range-printers) are blocked outright by the first rule
    printers = holding(analysis, "10.1.40.20:40000 -> 17.57.144.10:5223")
    assert printers.result.outcome.verdict.value == "drop"
    assert printers.result.outcome.rule is not None
    assert (printers.result.outcome.rule.comment, printers.result.outcome.rule.line) == ("Block-Quarantine", 384)
    assert (printers.iif, printers.oif) == ("trust", "untrust")
    # every other client might be quarantined at run time (dynamic address group)
    client = holding(analysis, "10.1.0.10:40000 -> 17.249.0.10:5223").result.outcome
    assert client.verdict.value == "unknown"
    assert client.rule is not None and client.rule.comment == "Block-Quarantine"
    assert "dynamic address group dag-quarantine" in client.reason
    # guests: App-ID decides; on 443 Guest-Web (ssl, application-default) is the fallback
    for port, fallback in ((5223, "interzone-default"), (2197, "interzone-default"), (443, "Guest-Web")):
        guest = holding(analysis, f"10.110.0.10:40000 -> 17.57.144.10:{port}")
        outcome = guest.result.outcome
        assert (guest.iif, outcome.verdict.value) == ("guest", "unknown")
        assert outcome.rule is not None and outcome.rule.comment == "Allow-Apple-Push"
        assert "application apple-push-notifications, ssl" in outcome.reason
        assert fallback in outcome.reason.split("if not,")[1]


def test_vendor_model_of_the_emulated_firewall(tmp_path: Path) -> None:
    policy = load_policy(device_snapshot(tmp_path))
    assert [r.name for r in policy.disabled] == ["Allow-Apple-Push-Old"]
    assert [(r.name, r.action, r.disabled) for r in policy.decryption] == [
        ("No-Decrypt-Apple", "no-decrypt", False), ("No-Decrypt-Finance-Health", "no-decrypt", False),
        ("Decrypt-Test-All", "decrypt", True), ("Decrypt-Proxies-Out", "decrypt", False)]
    no_decrypt = policy.decryption[0]
    assert no_decrypt.match.destination.v4 == ((17 << 24, (18 << 24) - 1),)  # grp-apple: 17.0.0.0/8 ...
    assert len(no_decrypt.match.destination.unknown) == 2  # ... and two FQDN objects
    assert policy.decryption[1].categories == ("financial-services", "health-and-medicine")
    assert policy.decryption[3].profile == "decrypt-strict"
    assert set(policy.zones) == {"untrust", "trust", "guest", "dmz"}


def test_inventory_overrides_zones(tmp_path: Path) -> None:
    snap = device_snapshot(tmp_path, data={"ingress": "ethernet1/2.110", "egress": "dmz"})
    topology = PLATFORM.build_topology(snap, snap.facts)
    assert topology.ingress_interface(nets(["10.1.0.0/16"])[0]) == "guest"  # the interface's zone
    analysis = run_analysis(snap)
    # guest -> dmz: no rule, interzone-default
    assert {c.oif for c in analysis.classes} == {"dmz"}
    assert {c.result.outcome.verdict.value for c in analysis.classes} == {"drop"}


def test_the_real_check_on_the_emulated_firewall(tmp_path: Path) -> None:
    """firewall.apns_ports itself, with this platform's models in the context (the lead wires
    RULESET/TOPOLOGY to the platform; here the context is handed the models directly)."""
    snap = device_snapshot(tmp_path)
    ctx = HostContext(snap, load_audit_policy())
    ctx._cache[RULESET.name] = PLATFORM.build_ruleset(snap)
    ctx._cache[TOPOLOGY.name] = PLATFORM.build_topology(snap, snap.facts)
    [finding] = FirewallApnsPorts().run(ctx)
    # the printers' addresses are dropped (decided): FAIL outweighs the undecidable classes
    assert finding.status is Status.FAIL
    assert finding.summary == "APNs port(s) 443, 2197, 5223 blocked"
    assert finding.deciding_rule.startswith("inet vsys1 security rule 1: Block-Quarantine: from trust to any")
    assert finding.deciding_rule.endswith("(line 384)")
    assert [(e.source, e.line) for e in finding.evidence] == [("cmd:config_running", 384)]
    verdicts = {(c["source"], c["verdict"]) for c in finding.details["classes"]}
    assert verdicts == {("10.1.0.0/16", "drop"), ("10.1.0.0/16", "unknown"), ("10.110.0.0/16", "unknown")}
    # the fix the platform proposes for that drop, in PAN-OS syntax
    outcome = next(c for c in run_analysis(snap).classes if c.result.outcome.verdict.value == "drop").result.outcome
    assert outcome.rule is not None
    table = ctx.get(RULESET).find_table(outcome.rule.source, outcome.rule.family, outcome.rule.table)
    assert table is not None
    traffic = Traffic(4, ("10.1.0.0/16",), ("17.57.144.0/22",), (5223, 443, 2197), "trust", "untrust")
    fix = PLATFORM.allow_snippet(table, outcome.rule.chain, outcome.rule, traffic)
    assert fix.splitlines() == [
        "set service pushaudit-apns-tcp-443-2197-5223 protocol tcp port 443,2197,5223",
        "set rulebase security rules pushaudit-apns-trust-untrust-v4 from trust to untrust source 10.1.0.0/16 "
        "destination 17.57.144.0/22 source-user any category any application any "
        'service pushaudit-apns-tcp-443-2197-5223 action allow description "Apple push notifications (APNs), '
        'added after a pushaudit finding"',
        "move rulebase security rules pushaudit-apns-trust-untrust-v4 before Block-Quarantine",
    ]


@pytest.mark.parametrize("data", [{"panorama_pushed_rules": "none"}, {}])
def test_panorama_override_only_matters_when_managed(tmp_path: Path, data: dict[str, object]) -> None:
    snap = device_snapshot(tmp_path, data=data)
    assert load_policy(snap).unknown_before == ""


def test_guest_network_depends_on_stated_conditions(tmp_path: Path) -> None:
    """The guest network meets no drop, only rules keyed on App-ID or dynamic objects: the check
    fails closed and names each condition instead of guessing (and the dispatch finds PAN-OS)."""
    commands = {cid: ((DEVICE / f"{name}.txt").read_text(encoding="utf-8"), 0)
                for cid, name in (("config_running", "show_config_running"), ("show_system_info", "show_system_info"))}
    snap = make_snapshot(tmp_path, commands, client_networks=["10.110.0.0/16"])
    [finding] = FirewallApnsPorts().run(HostContext(snap, load_audit_policy()))
    assert finding.status is Status.ERROR and finding.code == "E-EVAL-UNKNOWN"
    assert finding.summary.startswith("APNs forwarding depends on ")
    conditions = finding.details["conditions"]
    assert conditions and all(c["condition"] and c["rule"] for c in conditions)
    assert any("App-ID" in c["condition"] or "application" in c["condition"] for c in conditions), conditions
