"""Helpers for the Cisco ASA tests: fixture folders and emulator outputs turned into host
snapshots, and lookups of the class that holds one packet."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pushaudit.netfilter.forwarding import FlowClass, ForwardingAnalysis
from pushaudit.netfilter.model import Dim
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

TESTS = Path(__file__).resolve().parents[2]
FIXTURES = TESTS / "fixtures" / "firewalls" / "cisco_asa"
DEVICE = TESTS / "fixtures" / "devices" / "cisco_asa"
PLATFORM_FILE = TESTS.parent / "pushaudit" / "platforms" / "cisco_asa.yaml"
PACKET = re.compile(r"^\[?([\d.:a-fA-F]+?)\]?:(\d+) -> \[?([\d.:a-fA-F]+?)\]?:(\d+)$")

Commands = dict[str, tuple[str, int | None]]


def device_commands() -> Commands:
    """The emulator's outputs under the command ids cisco_asa.yaml gives them."""
    spec = yaml.safe_load(PLATFORM_FILE.read_text(encoding="utf-8"))
    out: Commands = {}
    for command in spec["commands"]:
        path = DEVICE / (command["command"].replace(" ", "_") + ".txt")
        out[command["id"]] = (path.read_text(encoding="utf-8"), 0)
    return out


def make_snapshot(root: Path, commands: Mapping[str, tuple[str, int | None]], *,
                  client_networks: list[str] | None = None, data: dict[str, Any] | None = None,
                  name: str = "asa1") -> HostSnapshot:
    facts = HostFacts(name=name, hostname="192.0.2.1", port=22, platform="cisco_asa", role="firewall",
                      client_networks=list(client_networks or []), data=dict(data or {}),
                      connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    for command_id, (output, status) in commands.items():
        record = CommandRecord(command_id, command_id.replace("_", " "), "2026-01-01T00:00:00+00:00", 0.1, status, "")
        snap.add_command(record, output)
    snap.save()
    return HostSnapshot(root)


def networks(items: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(i) for i in items]


def holding(analysis: ForwardingAnalysis, packet: str) -> FlowClass:
    """The one class of the analysis that contains ``packet`` (``a:sport -> b:dport``)."""
    m = PACKET.match(packet)
    assert m, f"bad packet {packet!r}"
    point = {Dim.SADDR: int(ipaddress.ip_address(m[1])), Dim.SPORT: int(m[2]),
             Dim.DADDR: int(ipaddress.ip_address(m[3])), Dim.DPORT: int(m[4])}
    family = ipaddress.ip_address(m[1]).version
    found = [c for c in analysis.classes if c.result.family == family and any(
        all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in c.result.cubes)]
    assert len(found) == 1, f"{packet} is in {len(found)} classes"
    return found[0]


def ref_key(chain: str, index: int) -> dict[str, Any]:
    return {"chain": chain, "index": index}
