"""The fix for a FAIL in ASA syntax: an ACE permitting the blocked traffic, inserted above the
deciding ACE (``access-list X line N``) or appended to the ACL whose implicit deny decided,
with object-groups for several destinations and for the ports."""

from __future__ import annotations

import ipaddress

from pushaudit.firewalls.cisco_asa_policy import IN_CHAIN, OUT_CHAIN, AsaTable
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic

_REMARK = "Apple push notifications (APNs) - added as pushaudit suggested"
NEW_ACL = "PUSHAUDIT-APNS-IN"


def allow_snippet(table: Table, chain: str, before: RuleRef | None, traffic: Traffic) -> str:
    taken = set(table.object_names) if isinstance(table, AsaTable) else set()
    lines: list[str] = []
    src = _addresses(traffic.sources, traffic.family, "PUSHAUDIT-APNS-SRC", taken, lines)
    dst = _addresses(traffic.destinations, traffic.family, "PUSHAUDIT-APNS-DST", taken, lines)
    ports = _ports(traffic.ports, taken, lines)
    ace = f"extended permit tcp {src} {dst} {ports}"
    acl, position, note = _placement(table, chain, before, traffic)
    if acl is None:
        return f"! {note}"
    if position is not None:
        # the ACE first, then the remark at the same line: the remark ends up right above it
        lines += [f"access-list {acl} line {position} {ace}", f"access-list {acl} line {position} remark {_REMARK}"]
    else:
        lines += [f"access-list {acl} remark {_REMARK}", f"access-list {acl} {ace}"]
    if note:
        lines = [f"! {note}", *lines]
    if acl == NEW_ACL and isinstance(table, AsaTable) and acl not in table.acl_sizes:
        lines.append(f"access-group {acl} in interface {traffic.iif or '<interface the clients enter on>'}")
    return "\n".join(lines)


def _placement(table: Table, chain: str, before: RuleRef | None,
               traffic: Traffic) -> tuple[str | None, int | None, str]:
    """(ACL to edit, line to insert at or None to append, a note for the engineer)."""
    asa = table if isinstance(table, AsaTable) else None
    if chain not in (IN_CHAIN, OUT_CHAIN):
        return chain, before.index if before is not None else None, ""
    if chain == OUT_CHAIN and before is not None and before.comment:
        return before.comment, None, ""  # the outbound ACL's implicit deny
    if before is not None:
        return None, None, (f"{before.text}. No access-list entry can change this: bring the interface into "
                            "service or move the clients to a data interface.")
    if asa is None:
        return NEW_ACL, None, ""
    acl = asa.inbound.get(traffic.iif or "") or asa.global_acl
    if acl is not None:
        return acl, None, ""
    return NEW_ACL, None, (f"applying an access-group to {traffic.iif or 'an interface'} ends its security-level "
                           "implicit permit: add entries for the other traffic it must pass before applying it")


def _addresses(cidrs: tuple[str, ...], family: int, base: str, taken: set[str], lines: list[str]) -> str:
    if not cidrs:
        return "any4" if family == 4 else "any6"
    nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    if len(nets) == 1:
        return _inline(nets[0])
    name = _fresh(base, taken)
    lines.append(f"object-group network {name}")
    lines += [f" network-object {_inline(n)}" for n in nets]
    return f"object-group {name}"


def _inline(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    if net.prefixlen == net.max_prefixlen:
        return f"host {net.network_address}"
    if net.version == 4:
        return f"{net.network_address} {net.netmask}"
    return str(net)


def _ports(ports: tuple[int, ...], taken: set[str], lines: list[str]) -> str:
    if len(ports) == 1:
        return f"eq {ports[0]}"
    name = _fresh("PUSHAUDIT-APNS-TCP", taken)
    lines.append(f"object-group service {name} tcp")
    lines += [f" port-object eq {p}" for p in ports]
    return f"object-group {name}"


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name
