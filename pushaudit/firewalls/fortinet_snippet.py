"""The FortiOS CLI that adds a policy accepting APNs traffic, moved above the deciding policy."""

from __future__ import annotations

import ipaddress

from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic

POLICY_NAME = "apple-push-apns"


def _quoted(values: list[str]) -> str:
    return " ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def _next_id(table: Table) -> int:
    """An unused policy id: one above the highest the table holds."""
    ids = [r.ref.handle for c in table.chains.values() for r in c.rules
           if r.ref.handle is not None and r.ref.source == table.source]
    return max(ids, default=0) + 1


def _address_block(family: int, cidrs: tuple[str, ...], prefix: str) -> tuple[list[str], list[str]]:
    """(the config lines defining one object per CIDR, their names); no CIDRs: the predefined "all"."""
    if not cidrs:
        return [], ["all"]
    lines = [f"config firewall {'address' if family == 4 else 'address6'}"]
    names: list[str] = []
    for cidr in cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        name = f"{prefix}-{net}"
        names.append(name)
        value = f"{net.network_address} {net.netmask}" if family == 4 else str(net)
        key = "subnet" if family == 4 else "ip6"
        lines += [f"    edit {_quoted([name])}", f"        set {key} {value}", "    next"]
    return [*lines, "end"], names


def allow_snippet(table: Table, chain: str, before: RuleRef | None, traffic: Traffic) -> str:
    """Objects for the sources, destinations and ports, then the policy; ``move`` places it above
    ``before`` (None: the implicit deny decided, and a new policy already lands above it)."""
    del chain  # FortiGate has one policy list per VDOM
    new_id = _next_id(table)
    src_lines, src_names = _address_block(traffic.family, traffic.sources, "apns-src")
    dst_lines, dst_names = _address_block(traffic.family, traffic.destinations, "apns-dst")
    ports = " ".join(str(p) for p in traffic.ports)
    service = "apns-tcp-" + "-".join(str(p) for p in traffic.ports)
    six = "6" if traffic.family == 6 else ""
    lines = [*src_lines, *dst_lines,
             "config firewall service custom", f"    edit {_quoted([service])}", f"        set tcp-portrange {ports}",
             "    next", "end",
             "config firewall policy", f"    edit {new_id}", f"        set name {_quoted([POLICY_NAME])}",
             f"        set srcintf {_quoted([traffic.iif or 'any'])}",
             f"        set dstintf {_quoted([traffic.oif or 'any'])}",
             "        set action accept",
             f"        set srcaddr{six} {_quoted(src_names)}", f"        set dstaddr{six} {_quoted(dst_names)}",
             '        set schedule "always"', f"        set service {_quoted([service])}",
             '        set comments "Apple push (APNs): no TLS inspection, no authentication"',
             "    next"]
    if before is not None and before.handle is not None and before.source == table.source:
        lines.append(f"    move {new_id} before {before.handle}")
    lines.append("end")
    return "\n".join(lines)
