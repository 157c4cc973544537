"""Helpers for the PAN-OS tests: fixture folders and device outputs turned into host snapshots,
and the forwarding analysis the firewall check runs, driven by the platform module."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

from pushaudit.firewalls.paloalto_panos import PLATFORM
from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis, analyse_forwarding
from pushaudit.netfilter.model import Dim
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

TESTS = Path(__file__).resolve().parents[2]
FIXTURES = TESTS / "fixtures" / "firewalls" / "paloalto_panos"
DEVICE = TESTS / "fixtures" / "devices" / "paloalto_panos"
COMMANDS = {"config_running": "show config running", "show_system_info": "show system info"}
_PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


def make_snapshot(root: Path, commands: dict[str, tuple[str, int]], *, client_networks: list[str] | None = None,
                  data: dict[str, Any] | None = None) -> HostSnapshot:
    facts = HostFacts(name="pa-fw", hostname="192.0.2.20", port=22, platform="paloalto_panos", role="firewall",
                      client_networks=client_networks or [], data=data or {}, connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    for command_id, (output, status) in commands.items():
        record = CommandRecord(command_id, COMMANDS.get(command_id, command_id), "2026-01-01T00:00:00+00:00", 0.2,
                               status, "")
        snap.add_command(record, output)
    snap.save()
    return HostSnapshot(root)  # read back, as a check would


def nets(values: list[str]) -> list[IPNet]:
    return [ipaddress.ip_network(v) for v in values]


def analyse(snap: HostSnapshot, networks: list[str], destinations: list[str], ports: list[int]) -> ForwardingAnalysis:
    ruleset = PLATFORM.build_ruleset(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    return analyse_forwarding(ruleset, topology, nets(networks), nets(destinations), ports)


def holding(analysis: ForwardingAnalysis, packet: str) -> FlowClass:
    """The one class of the analysis that holds a concrete packet."""
    m = _PACKET.match(packet)
    assert m, f"bad packet {packet!r}"
    src, dst = ipaddress.ip_address(m[1]), ipaddress.ip_address(m[3])
    point = {Dim.SADDR: int(src), Dim.SPORT: int(m[2]), Dim.DADDR: int(dst), Dim.DPORT: int(m[4])}
    found = [c for c in analysis.classes if c.result.family == src.version and any(
        all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in c.result.cubes)]
    assert len(found) == 1, f"{packet} is in {len(found)} classes"
    return found[0]
