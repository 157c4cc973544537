"""The Junos configuration that permits APNs traffic, placed so it takes effect.

Zone-pair policies are looked up before global policies and the default policy, so a permit at
the end of the right zone pair wins over a global deny or the default; a deny inside the zone
pair needs the permit inserted before it (``insert ... before policy``).
"""

from __future__ import annotations

from pushaudit.firewalls.juniper_junos_policies import GLOBAL_CHAIN
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic

POLICY = "pushaudit-allow-apns"
APPS = "pushaudit-apns"
ZONE_GUARD = "interface outside every security zone"  # comment of the rules that model SRX's drop


def allow_snippet(table: Table, chain: str, before: RuleRef | None, traffic: Traffic) -> str:
    del table  # one device per table; the configuration lines carry no device name
    if before is not None and before.comment == ZONE_GUARD:
        unzoned = traffic.iif if "iifname" in before.text else traffic.oif
        return (f"# {unzoned or 'the interface'} is in no security zone, so the SRX drops its traffic: add it to "
                "the right zone (set security zones security-zone <zone> interfaces <unit>)")
    lines = [*_addresses("src", traffic.sources), *_addresses("dst", traffic.destinations), *_applications(traffic)]
    match = [f"match source-address {_set_name('src', traffic.sources)}",
             f"match destination-address {_set_name('dst', traffic.destinations)}",
             f"match application {APPS}", "then permit"]
    in_pair = chain.startswith("from-zone ")
    if in_pair or (traffic.iif and traffic.oif):
        where = chain if in_pair else f"from-zone {traffic.iif} to-zone {traffic.oif}"
        lines += [f"set security policies {where} policy {POLICY} {m}" for m in match]
        if in_pair and before is not None and before.comment:
            lines.append(f"insert security policies {where} policy {POLICY} before policy {before.comment}")
        return "\n".join(lines)
    # Zones unknown: a global policy, before the global policy that denies (if one did).
    zones = [f"match from-zone {traffic.iif}"] if traffic.iif else []
    zones += [f"match to-zone {traffic.oif}"] if traffic.oif else []
    lines += [f"set security policies global policy {POLICY} {m}" for m in [*zones, *match]]
    if chain == GLOBAL_CHAIN and before is not None and before.comment:
        lines.append(f"insert security policies global policy {POLICY} before policy {before.comment}")
    return "\n".join(lines)


def _object_name(kind: str, cidr: str) -> str:
    return f"pushaudit-{kind}-" + cidr.replace("/", "_").replace(":", "-")


def _set_name(kind: str, cidrs: tuple[str, ...]) -> str:
    return f"pushaudit-apns-{kind}" if cidrs else "any"


def _addresses(kind: str, cidrs: tuple[str, ...]) -> list[str]:
    book = "set security address-book global"
    lines = [f"{book} address {_object_name(kind, c)} {c}" for c in cidrs]
    lines += [f"{book} address-set {_set_name(kind, cidrs)} address {_object_name(kind, c)}" for c in cidrs]
    return lines


def _applications(traffic: Traffic) -> list[str]:
    lines: list[str] = []
    for port in traffic.ports:
        name = f"pushaudit-tcp-{port}"
        lines.append(f"set applications application {name} protocol tcp destination-port {port}")
        lines.append(f"set applications application-set {APPS} application {name}")
    return lines
