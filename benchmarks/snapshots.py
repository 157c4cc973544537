"""Generated configurations written as pushaudit snapshots, and the per-platform pipeline
(parse, topology) that reads them back.

``linux`` (nftables) always exists; a vendor platform exists when its
``pushaudit/firewalls/<platform>.py`` does (``get_platform``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.gen_asa import render_asa
from benchmarks.gen_fortinet import render_fortinet
from benchmarks.gen_junos import render_junos
from benchmarks.gen_nft import render_ip_addr, render_ip_route, render_nft
from benchmarks.gen_panos import render_panos
from benchmarks.shape import Shape, make_shape
from pushaudit.firewalls import get_platform
from pushaudit.netfilter.ifaces import Topology, load_topology
from pushaudit.netfilter.loader import load_ruleset
from pushaudit.netfilter.model import Ruleset
from pushaudit.platforms import PlatformError, load_platform
from pushaudit.policy.loader import load_policy, policy_to_yaml
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot, Snapshot, now_iso

PLATFORMS = ("linux", "cisco_asa", "paloalto_panos", "fortinet", "juniper_junos")


def render_linux(shape: Shape, hostname: str) -> dict[str, str]:
    del hostname  # nft output does not carry it
    return {"nft_ruleset": render_nft(shape), "ip_addr": render_ip_addr(shape), "ip_route": render_ip_route(shape),
            "sysctl_ip_forward": "1\n"}


_RENDERERS: dict[str, Callable[[Shape, str], dict[str, str]]] = {
    "linux": render_linux, "cisco_asa": render_asa, "paloalto_panos": render_panos, "fortinet": render_fortinet,
    "juniper_junos": render_junos,
}


@dataclass(frozen=True)
class Pipeline:
    platform: str
    build_ruleset: Callable[[HostSnapshot], Ruleset]
    build_topology: Callable[[HostSnapshot, HostFacts], Topology]


def _linux_topology(snapshot: HostSnapshot, facts: HostFacts) -> Topology:
    del facts
    return load_topology(snapshot)


def pipeline(platform: str) -> Pipeline | str:
    """The platform's parse and topology functions, or why they are not available."""
    if platform == "linux":
        return Pipeline("linux", load_ruleset, _linux_topology)
    try:
        found = get_platform(platform)
    except Exception as exc:  # a half-written module must not stop the other platforms
        return f"not available: {type(exc).__name__}: {exc}"
    if found is None:
        return f"not available: no pushaudit/firewalls/{platform}.py"
    return Pipeline(platform, found.build_ruleset, found.build_topology)


def _command_texts(platform: str) -> dict[str, str]:
    try:
        return {c.id: c.command for c in load_platform(platform).commands}
    except PlatformError:
        return {}


def new_snapshot(root: Path, hosts: list[str]) -> Snapshot:
    snapshot = Snapshot.create(root, {"pushaudit_version": "bench", "started": now_iso(), "inventory": "generated",
                                      "hosts": hosts})
    (root / "policy.yaml").write_text(policy_to_yaml(load_policy()), encoding="utf-8")
    return snapshot


def store_host(root: Path, platform: str, client_networks: list[str], outputs: dict[str, str],
               name: str | None = None) -> HostSnapshot:
    """A firewall host folder holding ``outputs`` (command id -> text) as the collector stores them."""
    facts = HostFacts(name=name or root.name, hostname="192.0.2.1", port=22, platform=platform, role="firewall",
                      client_networks=client_networks, connection=Connection(ok=True))
    host = HostSnapshot.create(root, facts)
    texts = _command_texts(platform)
    for command_id, output in outputs.items():
        record = CommandRecord(command_id, texts.get(command_id, command_id), now_iso(), 0.1, 0, "")
        host.add_command(record, output)
    host.save()
    return host


def write_host(snapshot: Snapshot, name: str, platform: str, shape: Shape) -> HostSnapshot:
    """One firewall host of ``platform`` holding ``shape`` as that platform prints it."""
    return store_host(snapshot.host_dir(name), platform, shape.client_networks, _RENDERERS[platform](shape, name),
                      name)


def generate_host(root: Path, platform: str, rules: int, seed: int) -> Path:
    """A one-host snapshot with a ``rules``-rule firewall; returns the snapshot folder."""
    name = f"{platform.replace('_', '-')}-{rules}"
    snapshot = new_snapshot(root, [name])
    write_host(snapshot, name, platform, make_shape(rules, seed))
    return root
