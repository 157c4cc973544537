"""Cisco ASA (routed, single context) in the vendor-neutral rule model.

Reads the command outputs ``pushaudit/platforms/cisco_asa.yaml`` collects: access-lists,
access-groups and interfaces (required), names, objects and object-groups (references to
anything missing become undecidable), and, when collected, static routes from
``running_config_route`` (``show running-config route``) and ``running_config_ipv6``
(``show running-config ipv6``). One table ``inet <hostname>``; its base chains model the
ASA's lookup (see cisco_asa_policy); every ACL referenced by an access-group is a regular
chain whose rules carry the ASA's own line numbers (``show access-list`` numbering, remarks
included). ``inactive`` ACEs are left out and listed in ``AsaRuleset.inactive``.

NAT is not read: since ASA 8.3 access-lists match real (untranslated) addresses, so the
client networks and Apple's ranges are what the ACEs compare.

Undecidable parts are explicit (``conditional`` in cisco_asa_values): FQDN objects, time
ranges, identity (user / security-group) matches, ICMP types, same-security-traffic, and
anything not understood, so a check reports ERROR rather than a guess.

Topology: each named interface's connected networks, plus static routes when collected.
Without routes the egress interface is unknown (the rules only need it for outbound ACLs and
security levels). The inventory can pin both ends in the host's ``data``::

    data:
      ingress: inside    # nameif where the client networks enter
      egress: outside    # nameif where Apple's ranges leave (then routes are not needed)
"""

from __future__ import annotations

import re

from pushaudit.errors import DataError
from pushaudit.firewalls import FirewallPlatform
from pushaudit.firewalls.cisco_asa_acl import parse_access_lists
from pushaudit.firewalls.cisco_asa_groups import parse_object_groups
from pushaudit.firewalls.cisco_asa_interfaces import parse_interfaces
from pushaudit.firewalls.cisco_asa_objects import ObjectTable
from pushaudit.firewalls.cisco_asa_objparse import ObjectDefs, parse_names, parse_objects
from pushaudit.firewalls.cisco_asa_policy import (
    IN_CHAIN,
    OUT_CHAIN,
    AsaRuleset,
    AsaTable,
    add_base_chains,
    parse_access_groups,
)
from pushaudit.firewalls.cisco_asa_rules import SideCache, acl_chain
from pushaudit.firewalls.cisco_asa_snippet import allow_snippet
from pushaudit.firewalls.cisco_asa_source import Output, read_output, require_vendor
from pushaudit.firewalls.cisco_asa_topology import INTERFACE_COMMAND, build_asa_topology
from pushaudit.firewalls.cisco_asa_values import conditional
from pushaudit.gcpause import collector_paused
from pushaudit.snapshot import HostSnapshot

__all__ = ["IN_CHAIN", "OUT_CHAIN", "PLATFORM", "AsaRuleset", "AsaTable", "build_ruleset", "conditional"]

SYNTAX = "cisco_asa"
ACL_COMMAND = "running_config_access_list"
GROUP_COMMAND = "running_config_access_group"
_OBJECT_PARSERS = (("running_config_names", parse_names), ("running_config_object", parse_objects),
                   ("running_config_object_group", parse_object_groups))
_UPTIME = re.compile(r"^(\S+) up \d+ ", re.MULTILINE)


def build_ruleset(snapshot: HostSnapshot) -> AsaRuleset:
    with collector_paused():
        return _build(snapshot)


def _build(snapshot: HostSnapshot) -> AsaRuleset:
    warnings: list[str] = []
    hostname = _check_version(snapshot, warnings) or snapshot.facts.name
    outputs: list[Output] = []
    acl_out = _required(snapshot, ACL_COMMAND, "access-list ", warnings=warnings, outputs=outputs)
    group_out = _required(snapshot, GROUP_COMMAND, "access-group ", warnings=warnings, outputs=outputs)
    iface_out = _required(snapshot, INTERFACE_COMMAND, "interface ", warnings=warnings, outputs=outputs)
    defs = ObjectDefs()
    for command_id, parse in _OBJECT_PARSERS:
        output = read_output(snapshot, command_id, required=False, warnings=warnings)
        if output is not None:
            parse(output, defs)
            outputs.append(output)
    interfaces = parse_interfaces(iface_out)
    objects = ObjectTable(defs, {i.nameif: i.own_addresses() for i in interfaces if i.nameif})
    groups = parse_access_groups(group_out)
    acls = parse_access_lists(acl_out, objects, {g.acl for g in groups})
    table = AsaTable(family="inet", name=hostname, source=acl_out.source, syntax=SYNTAX, tool=SYNTAX,
                     acl_sizes={name: acl.size for name, acl in acls.items()},
                     object_names={*defs.networks, *defs.services, *defs.groups})
    ruleset = AsaRuleset(tables=[table], warnings=warnings)
    add_base_chains(table, groups, acls, interfaces, sources=(group_out.source, iface_out.source))
    sides: SideCache = {}
    for name in dict.fromkeys(g.acl for g in groups):
        if name in acls and "extended" in acls[name].types:
            table.chains[name] = acl_chain(acls[name], hostname, acl_out.source, ruleset.inactive, sides)
    for output in outputs:
        warnings += output.all_warnings()
        ruleset.unread += output.unread
    warnings += [f"objects: {note}" for note in objects.notes]
    return ruleset


def _required(snapshot: HostSnapshot, command_id: str, prefix: str, *, warnings: list[str],
              outputs: list[Output]) -> Output:
    output = read_output(snapshot, command_id, required=True, warnings=warnings)
    assert output is not None
    require_vendor(output, (prefix,), f"{prefix.strip()} configuration")
    outputs.append(output)
    return output


def _check_version(snapshot: HostSnapshot, warnings: list[str]) -> str | None:
    """The hostname from ``show version``; DataError when the device says it is no ASA."""
    if not snapshot.has_command("show_version"):
        return None
    record, text = snapshot.command("show_version")
    if record.exit_status != 0 or not text.strip():
        warnings.append("cmd:show_version: failed or empty; the platform is taken on trust")
        return None
    if "Adaptive Security Appliance" not in text:
        raise DataError("E-PARSE-FIREWALL", "show version does not describe a Cisco Adaptive Security Appliance",
                        source="cmd:show_version")
    found = _UPTIME.search(text)
    return found.group(1) if found else None


PLATFORM = FirewallPlatform(
    platform="cisco_asa",
    syntax=SYNTAX,
    build_ruleset=build_ruleset,
    build_topology=build_asa_topology,
    allow_snippet=allow_snippet,
)
