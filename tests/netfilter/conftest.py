"""Shared helpers for the netfilter tests: fixture folders turned into host snapshots."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pushaudit.context import HostContext
from pushaudit.policy import Policy, load_policy
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netfilter"

# fixture file -> command id the collector uses
COMMAND_FILES = {
    "ruleset.json": ("nft_ruleset", "sudo -n nft -j list ruleset"),
    "iptables-save.txt": ("iptables_save", "sudo -n iptables-save"),
    "iptables-legacy-save.txt": ("iptables_legacy_save", "sudo -n iptables-legacy-save"),
    "ip-addr.json": ("ip_addr", "ip -j addr show"),
    "ip-route.json": ("ip_route", "ip -j route show table all"),
}


def lab_policy(tmp_path: Path) -> Policy:
    """The lab's override: Apple is 198.19.0.0/16, APNs two blocks inside it."""
    override = tmp_path / "lab-policy.yaml"
    override.write_text(
        'ranges: {apple: ["198.19.0.0/16"], apns: ["198.19.4.0/22", "198.19.16.0/20"], note: "lab"}\n'
    )
    return load_policy([override])


def build_snapshot(root: Path, *, role: str, client_networks: list[str],
                   commands: dict[str, tuple[str, int | None]]) -> HostSnapshot:
    """A host snapshot with the given command outputs: id -> (output, exit status)."""
    facts = HostFacts(name="h1", hostname="192.0.2.1", port=22, platform="linux", role=role,
                      client_networks=client_networks, connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    for command_id, (output, status) in commands.items():
        command = next((c for i, c in COMMAND_FILES.values() if i == command_id), command_id)
        snap.add_command(CommandRecord(command_id, command, "2026-01-01T00:00:00+00:00", 0.1, status, ""), output)
    snap.save()
    return snap


def fixture_commands(case: Path) -> dict[str, tuple[str, int | None]]:
    return {cid: ((case / name).read_text(), 0) for name, (cid, _) in COMMAND_FILES.items()
            if (case / name).exists()}


TOPOLOGIES: dict[str, tuple[list[tuple[str, str, int]], list[dict[str, Any]]]] = {
    # name: (interfaces with address/prefix, extra main-table routes), as in the lab
    "fw1": ([("eth0", "198.18.0.21", 24), ("lan0", "198.18.10.1", 24), ("wan0", "198.18.20.1", 24)],
            [{"dst": "198.19.0.0/16", "gateway": "198.18.20.2", "dev": "wan0"}]),
    "fw1_noroute": ([("eth0", "198.18.0.21", 24), ("lan0", "198.18.10.1", 24), ("wan0", "198.18.20.1", 24)], []),
    "proxy1": ([("eth0", "198.18.0.11", 24), ("lan0", "198.18.11.1", 24)],
               [{"dst": "198.19.0.0/16", "dev": "eth0", "scope": "link"}]),
    "proxy3": ([("eth0", "198.18.0.13", 24), ("lan0", "198.18.13.1", 24)],
               [{"dst": "198.19.0.0/16", "dev": "eth0", "scope": "link"}]),
}


def interface_commands(topology: str) -> dict[str, tuple[str, int | None]]:
    """``ip -j addr``/``ip -j route`` output shaped like iproute2's for a lab host."""
    ifaces, routes = TOPOLOGIES[topology]
    ifaces = [("lo", "127.0.0.1", 8), *ifaces]
    addr = [{"ifindex": i + 1, "ifname": n, "addr_info": [{"family": "inet", "local": a, "prefixlen": p}]}
            for i, (n, a, p) in enumerate(ifaces)]
    route: list[dict[str, Any]] = []
    for name, address, plen in ifaces[1:]:
        network = ipaddress.ip_interface(f"{address}/{plen}").network
        route.append({"dst": str(network), "dev": name, "protocol": "kernel", "scope": "link", "prefsrc": address})
    route += routes
    route.append({"type": "local", "dst": "127.0.0.0/8", "dev": "lo", "table": "local"})
    route += [{"type": "local", "dst": a, "dev": n, "table": "local"} for n, a, _ in ifaces[1:]]
    return {"ip_addr": (json.dumps(addr), 0), "ip_route": (json.dumps(route), 0)}


@pytest.fixture
def make_context(tmp_path: Path) -> Callable[..., HostContext]:
    counter = iter(range(1000))

    def make(*, role: str, client_networks: list[str], commands: dict[str, tuple[str, int | None]],
             policy: Policy | None = None) -> HostContext:
        root = tmp_path / f"host{next(counter)}"
        build_snapshot(root, role=role, client_networks=client_networks, commands=commands)
        return HostContext(HostSnapshot(root), policy or lab_policy(tmp_path))

    return make
