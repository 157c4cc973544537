"""Build the lab's namespaces, veths, bridge, addresses and routes from topology.py."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from pathlib import Path

from pushaudit.lab import topology as topo
from pushaudit.lab.shell import in_ns, run
from pushaudit.lab.state import Journal, LabError

log = logging.getLogger(__name__)

ETC_NETNS = Path("/etc/netns")


def existing_namespaces() -> set[str]:
    out = run(["ip", "-j", "netns", "list"], check=False).stdout.strip()
    if not out:
        return set()
    return {entry["name"] for entry in json.loads(out)}


def build(journal: Journal) -> None:
    """Create every namespace and link; each creation is journalled before the next."""
    present = existing_namespaces() & set(topo.namespace_names())
    if present:
        raise LabError(
            f"namespaces {', '.join(sorted(present))} already exist but this state dir did not "
            "create them; run `pushaudit lab down` with the state dir that did, or delete them by hand"
        )
    for ns in topo.NAMESPACES:
        run(["ip", "netns", "add", ns.name])
        journal.add_namespace(ns.name)
        run(["ip", "-n", ns.name, "link", "set", "lo", "up"])
    _build_switch(journal)
    for p2p in topo.POINT_TO_POINT:
        run(["ip", "-n", p2p.ns_a, "link", "add", p2p.if_a, "type", "veth",
             "peer", "name", p2p.if_b, "netns", p2p.ns_b])  # fmt: skip
    for ns in topo.NAMESPACES:
        _configure(ns)


def _build_switch(journal: Journal) -> None:
    sw = topo.SWITCH_NS
    run(["ip", "-n", sw, "link", "add", topo.BRIDGE, "type", "bridge"])
    run(["ip", "-n", sw, "link", "set", topo.BRIDGE, "up"])
    run(["ip", "link", "add", topo.ROOT_LINK, "type", "veth", "peer", "name", topo.ROOT_BRIDGE_PORT, "netns", sw])
    journal.add_root_link(topo.ROOT_LINK)
    run(["ip", "-n", sw, "link", "set", topo.ROOT_BRIDGE_PORT, "master", topo.BRIDGE, "up"])
    run(["ip", "addr", "add", topo.ROOT_ADDRESS, "dev", topo.ROOT_LINK])
    run(["ip", "link", "set", topo.ROOT_LINK, "up"])
    for port in topo.BRIDGE_PORTS:
        run(["ip", "-n", port.ns, "link", "add", port.ifname, "type", "veth",
             "peer", "name", port.port, "netns", sw])  # fmt: skip
        run(["ip", "-n", sw, "link", "set", port.port, "master", topo.BRIDGE, "up"])


def _configure(ns: topo.Namespace) -> None:
    for ifname, cidrs in ns.addresses.items():
        for cidr in cidrs:
            run(["ip", "-n", ns.name, "addr", "add", cidr, "dev", ifname])
        run(["ip", "-n", ns.name, "link", "set", ifname, "up"])
    for route in ns.routes:
        run(["ip", "-n", ns.name, "route", "add", *route])
    forward = "1" if ns.ip_forward else "0"
    run(in_ns(ns.name, ["sysctl", "-q", "-w", f"net.ipv4.ip_forward={forward}"]))


def write_etc_netns(journal: Journal) -> None:
    """/etc/netns/<ns>/{hostname,hosts,resolv.conf}: `ip netns exec` mounts them over /etc."""
    for name in topo.etc_netns_names():
        ns = topo.namespace(name)
        folder = ETC_NETNS / name
        if folder.exists():
            raise LabError(f"{folder} already exists and is not the lab's; remove it first")
        folder.mkdir(parents=True)
        journal.add_etc_netns(name)
        if ns.resolver:
            (folder / "resolv.conf").write_text(f"nameserver {ns.resolver}\n", encoding="ascii")
        if ns.uts_hostname:
            (folder / "hostname").write_text(ns.uts_hostname + "\n", encoding="ascii")
            # sudo looks the host name up; without this line it stalls on DNS
            hosts = f"127.0.0.1 localhost\n127.0.1.1 {ns.uts_hostname}\n"
            (folder / "hosts").write_text(hosts, encoding="ascii")


def remove_etc_netns(names: list[str]) -> None:
    for name in names:
        if name.startswith("pa-") and "/" not in name:
            shutil.rmtree(ETC_NETNS / name, ignore_errors=True)
    with contextlib.suppress(OSError):
        ETC_NETNS.rmdir()  # only when no one else keeps files there


def remove(journal: Journal) -> list[str]:
    """Delete the journalled namespaces and root links; veths inside die with them."""
    notes: list[str] = []
    present = existing_namespaces()
    for name in journal.state.namespaces:
        if name not in present:
            continue
        left = run(["ip", "netns", "pids", name], check=False).stdout.split()
        if left:
            notes.append(f"namespace {name} still holds pids {' '.join(left)} (not recorded by the lab, left running)")
        run(["ip", "netns", "del", name], check=False)
    for link in journal.state.root_links:
        if run(["ip", "link", "show", "dev", link], check=False).returncode == 0:
            run(["ip", "link", "del", link], check=False)
    return notes
