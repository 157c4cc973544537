"""Shared helpers for the Junos tests: fixture folders and device outputs turned into snapshots,
and queries answered per port with the deciding policy."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from command_outputs import split_outputs

from pushaudit.firewalls.juniper_junos import load_topology, parse_junos
from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.forwarding import analyse_forwarding
from pushaudit.netfilter.intervals import from_networks, normalize
from pushaudit.netfilter.model import Dim
from pushaudit.netfilter.outcome import ClassResult
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

TESTS = Path(__file__).resolve().parents[2]
FIXTURES = TESTS / "fixtures" / "firewalls" / "juniper_junos"
DEVICE = TESTS / "fixtures" / "devices" / "juniper_junos"
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network

# the emulator fixture file of each command id of pushaudit/platforms/juniper_junos.yaml
DEVICE_FILES = {
    "show_version": "show_version.txt",
    "configuration_security": "show_configuration_security_pipe_display_set.txt",
    "configuration_applications": "show_configuration_applications_pipe_display_set.txt",
    "configuration_interfaces": "show_configuration_interfaces_pipe_display_set.txt",
    "configuration_services_ssl": "show_configuration_services_ssl_pipe_display_set.txt",
}


def split_commands(text: str) -> dict[str, str]:
    """Outputs by command id (Junos fixtures give exit statuses to ``make_snapshot`` instead)."""
    found = split_outputs(text)
    failed = sorted(cid for cid, (_, status) in found.items() if status)
    if failed:
        raise ValueError(f"exit= markers in a Junos fixture ({', '.join(failed)}): pass status= to make_snapshot")
    return {cid: output for cid, (output, _) in found.items()}


def make_snapshot(root: Path, outputs: dict[str, str], *, client_networks: list[str] | None = None,
                  data: dict[str, Any] | None = None, status: dict[str, int | None] | None = None) -> HostSnapshot:
    facts = HostFacts(name="srx-under-test", hostname="192.0.2.10", port=22, platform="juniper_junos",
                      role="firewall", client_networks=client_networks or [], data=data or {},
                      connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    for command_id, output in outputs.items():
        exit_status = (status or {}).get(command_id, 0)
        snap.add_command(CommandRecord(command_id, command_id.replace("_", " "), "2026-01-01T00:00:00+00:00",
                                       0.1, exit_status, ""), output)
    snap.save()
    return HostSnapshot(root)


def device_outputs() -> dict[str, str]:
    return {cid: (DEVICE / name).read_text(encoding="utf-8") for cid, name in DEVICE_FILES.items()}


@dataclass(frozen=True)
class PortResult:
    verdicts: frozenset[str]
    rules: frozenset[str]  # policy names (RuleRef.comment) or rule texts of the deciding rules
    reasons: tuple[str, ...]


def rule_name(result: ClassResult) -> str:
    ref = result.outcome.rule
    if ref is None:
        return "(policy)" if result.outcome.policy_chain is not None else "(none)"
    return ref.comment or ref.text


def per_port(results: list[ClassResult], ports: list[int]) -> dict[int, PortResult]:
    out: dict[int, PortResult] = {}
    for port in ports:
        hits = [r for r in results if any(lo <= port <= hi for lo, hi in r.axis(Dim.DPORT))]
        out[port] = PortResult(frozenset(r.outcome.verdict.value for r in hits),
                               frozenset(rule_name(r) for r in hits),
                               tuple(r.outcome.reason for r in hits if r.outcome.reason))
    return out


def run_query(snap: HostSnapshot, spec: dict[str, Any]) -> list[ClassResult]:
    """``iif``/``oif`` given: one evaluation; otherwise the topology decides, as the check does."""
    firewall = parse_junos(snap)
    src = [ipaddress.ip_network(s) for s in spec["src"]]
    dst = [ipaddress.ip_network(d) for d in spec["dst"]]
    ports = [int(p) for p in spec["ports"]]
    if "iif" in spec or "oif" in spec:
        query = Query(src[0].version, from_networks(src), from_networks(dst), normalize((p, p) for p in ports),
                      PathKind.FORWARD, iif=spec.get("iif"), oif=spec.get("oif"), protocol=spec.get("protocol", "tcp"))
        return evaluate(firewall.ruleset, query)
    topology = load_topology(snap, snap.facts)
    analysis = analyse_forwarding(firewall.ruleset, topology, src, dst, ports)
    return [c.result for c in analysis.classes]
