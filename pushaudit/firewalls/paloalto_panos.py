"""Palo Alto PAN-OS: the XML of ``show config running`` (command id ``config_running``) as the
vendor-neutral rule model, the zone topology and fixes in PAN-OS CLI syntax.

What is read (one vsys, objects looked up in the vsys, then ``shared``): zones and their
interfaces; address objects (ip-netmask, ip-range, ip-wildcard, fqdn), static and dynamic address
groups, external dynamic lists and regions; services, service groups and the predefined
service-http/service-https; custom applications and application groups (for
``application-default``); the security rulebase in order with from/to zones, rule types,
negate-source/negate-destination and disabled rules; the default security rules and their
overrides; interface addresses and static routes; the decryption rulebase (not evaluated here,
see :func:`load_policy`). Rules are modelled by :mod:`paloalto_panos_rules`.

Inventory host data this platform reads:

``vsys``
    the vsys to audit (default ``vsys1``).
``ingress`` / ``egress``
    a zone or interface name: client networks enter there / Apple's ranges leave there,
    instead of what the interface addresses and static routes say.
``panorama_pushed_rules: none``
    the firewall is managed by Panorama but receives no security rules from it. Without this,
    a Panorama-managed firewall gets every verdict UNKNOWN: pushed pre-rules are not in the
    output and could decide first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from pushaudit.errors import DataError
from pushaudit.firewalls import FirewallPlatform
from pushaudit.firewalls.paloalto_panos_model import PanosPolicy
from pushaudit.firewalls.paloalto_panos_policy import find_vsys, read_policy
from pushaudit.firewalls.paloalto_panos_rules import SYNTAX, build_table, conditional
from pushaudit.firewalls.paloalto_panos_snippet import allow_snippet
from pushaudit.firewalls.paloalto_panos_topology import PanosTopology, read_topology
from pushaudit.firewalls.paloalto_panos_xml import ConfigDoc, parse_config
from pushaudit.gcpause import collector_paused
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.model import Ruleset
from pushaudit.snapshot import HostFacts, HostSnapshot

COMMAND = "config_running"
SOURCE = f"cmd:{COMMAND}"


@dataclass
class PanosConfig:
    doc: ConfigDoc
    device: ET.Element
    scopes: list[ET.Element]  # the vsys, then shared
    policy: PanosPolicy


# build_ruleset and build_topology of one host read the same (possibly large) XML once.
_PARSED: WeakKeyDictionary[HostSnapshot, PanosConfig] = WeakKeyDictionary()


def load_config(snapshot: HostSnapshot) -> PanosConfig:
    if snapshot in _PARSED:
        return _PARSED[snapshot]
    record, output = snapshot.command(COMMAND)
    if record.exit_status != 0:
        first = output.strip().splitlines()[:1]
        raise DataError("E-COLLECT-COMMAND", f"'{record.command}' failed (exit {record.exit_status})"
                        + (f": {first[0][:200]}" if first else ""), source=SOURCE)
    data = snapshot.facts.data
    vsys = str(data.get("vsys") or "vsys1")
    with collector_paused():
        doc = parse_config(output, SOURCE)
        device, vsys_el = find_vsys(doc, vsys)
        shared = doc.root.find("shared")
        policy = read_policy(doc, vsys)
    if str(data.get("panorama_pushed_rules", "")).lower() == "none":
        policy.unknown_before = ""
    config = PanosConfig(doc, device, [vsys_el] if shared is None else [vsys_el, shared], policy)
    _PARSED[snapshot] = config
    return config


def load_policy(snapshot: HostSnapshot) -> PanosPolicy:
    """The vendor model: security rules (``.disabled`` lists the disabled ones), decryption
    rules, default rules, zones and parse warnings."""
    return load_config(snapshot).policy


def build_ruleset(snapshot: HostSnapshot) -> Ruleset:
    policy = load_policy(snapshot)
    with collector_paused():
        table = build_table(policy)
    notes = [f"{policy.source}" + (f" line {r.line}" if r.line else "") +
             f": security rule {r.name} (rule {r.index}) is disabled and not evaluated" for r in policy.disabled]
    pushed = [f"{policy.source}: {policy.unknown_before}"] if policy.unknown_before else []
    return Ruleset(tables=[table], warnings=[*policy.warnings, *pushed, *notes])


def build_topology(snapshot: HostSnapshot, facts: HostFacts) -> Topology:
    config = load_config(snapshot)
    overrides = {k: str(facts.data[k]) for k in ("ingress", "egress") if facts.data.get(k)}
    return read_topology(config.doc, config.device, config.scopes, config.policy, overrides)


PLATFORM = FirewallPlatform(
    platform="paloalto_panos",
    syntax=SYNTAX,
    build_ruleset=build_ruleset,
    build_topology=build_topology,
    allow_snippet=allow_snippet,
)

__all__ = ["PLATFORM", "PanosTopology", "build_ruleset", "build_topology", "conditional", "load_policy"]
