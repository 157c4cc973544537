"""Juniper SRX (Junos): security policies from ``| display set`` output as the generic rule model.

Commands read (ids of pushaudit/platforms/juniper_junos.yaml):
  configuration_security      zones, address books, policies (required)
  configuration_applications  custom applications and application-sets (required; may be empty)
  configuration_interfaces    interface unit addresses, for the topology (optional)
  configuration_routing_options  static routes, for the egress zone (optional; without it the
                              zone towards Apple is unknown unless the inventory pins it)
  show_version                the device's host name, used as the table name (optional)

Static and destination NAT form a prerouting stage: traffic whose destination they rewrite is
reported as rewritten (undecided), since the policy lookup then sees another destination.
Policies are looked up as the SRX does: the zone pair's policies in order, then global policies,
then ``default-policy`` (deny-all unless configured); ``deactivate``d policies are left out and
listed in ``JunosFirewall.inactive``. FQDN addresses, dynamic-application, user identity, URL
category and schedules become conditional matches (undecidable, never silently true or false).

Inventory overrides (host ``data``), zone or interface-unit names:
  ingress: trust        every client network enters in this zone
  egress: untrust       Apple's ranges leave through this zone (use it when routing-options is
                        not collected, or to override what the routes say)
Where neither the configuration nor the inventory tells a zone, the topology raises
DataError(E-DATA-MISSING) saying which of the two to supply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from pushaudit.errors import DataError
from pushaudit.firewalls import FirewallPlatform
from pushaudit.firewalls.juniper_junos_addresses import load_address_books
from pushaudit.firewalls.juniper_junos_alts import conditional
from pushaudit.firewalls.juniper_junos_apps import load_applications
from pushaudit.firewalls.juniper_junos_build import SYNTAX, build_table
from pushaudit.firewalls.juniper_junos_nat import add_nat
from pushaudit.firewalls.juniper_junos_policies import Policy, PolicySet, load_policies
from pushaudit.firewalls.juniper_junos_setlines import SetConfig, parse_set_output
from pushaudit.firewalls.juniper_junos_snippet import allow_snippet
from pushaudit.firewalls.juniper_junos_topology import JunosTopology, build_junos_topology, zone_of_interfaces
from pushaudit.gcpause import collector_paused
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.model import Ruleset
from pushaudit.snapshot import HostFacts, HostSnapshot

__all__ = ["PLATFORM", "JunosFirewall", "build_ruleset", "build_topology", "conditional", "load_topology",
           "parse_junos"]

SECURITY = "configuration_security"
APPLICATIONS = "configuration_applications"
INTERFACES = "configuration_interfaces"
ROUTING = "configuration_routing_options"
# command id -> first word every statement of it starts with
_ROOTS = {SECURITY: "security", APPLICATIONS: "applications", INTERFACES: "interfaces", ROUTING: "routing-options"}
_HOSTNAME = re.compile(r"^Hostname:\s*(\S+)", re.MULTILINE)


@dataclass
class JunosFirewall:
    """Everything parsed from one SRX: the model ruleset plus what it leaves out."""

    hostname: str
    config: SetConfig
    policies: PolicySet
    ruleset: Ruleset
    inactive: list[Policy] = field(default_factory=list)  # deactivated policies, not in the ruleset


# build_ruleset and build_topology of one host both read configuration_security (a large
# output): each command is parsed once per snapshot object.
_PARSED: WeakKeyDictionary[HostSnapshot, dict[str, SetConfig]] = WeakKeyDictionary()


def read_config(snapshot: HostSnapshot, command_ids: list[str], required: set[str]) -> SetConfig:
    """The statements of the given commands; a failed or missing required one is a DataError."""
    config = SetConfig()
    for command_id in command_ids:
        if not snapshot.has_command(command_id):
            if command_id in required:
                raise DataError("E-DATA-MISSING", f"command {command_id!r} was not collected on this host",
                                source=f"cmd:{command_id}")
            continue
        parsed = _PARSED.setdefault(snapshot, {})
        if command_id not in parsed:
            parsed[command_id] = _read_command(snapshot, command_id)
        config.statements += parsed[command_id].statements
        config.warnings += parsed[command_id].warnings
        config.unread += parsed[command_id].unread
    return config


def _read_command(snapshot: HostSnapshot, command_id: str) -> SetConfig:
    record, output = snapshot.command(command_id)
    source = f"cmd:{command_id}"
    if record.exit_status != 0:
        raise DataError("E-COLLECT-COMMAND", f"'{record.command}' failed (exit {record.exit_status}): "
                        f"{record.error or output.strip()[:120]}", source=source)
    if command_id == SECURITY and not output.strip():
        raise DataError("E-PARSE-FIREWALL", f"'{record.command}' printed nothing", source=source)
    config = parse_set_output(output, source)
    _check_root(config, 0, command_id, source)
    return config


def _check_root(config: SetConfig, start: int, command_id: str, source: str) -> None:
    root = _ROOTS[command_id]
    added = config.statements[start:]
    stray = [s for s in added if s.words[0] != root]
    if added and len(stray) * 2 > len(added):
        raise DataError("E-PARSE-FIREWALL", f"{source}: not Junos '{root}' configuration "
                        f"(line {stray[0].line}: {stray[0].text[:80]!r})", source=source, line=stray[0].line)
    config.warnings += [f"{source} line {s.line}: not under '{root}', ignored" for s in stray[:20]]
    config.unread += [f"{source} line {s.line}: not under '{root}'" for s in stray]
    if stray:
        config.statements[start:] = [s for s in added if s.words[0] == root]


def hostname(snapshot: HostSnapshot) -> str:
    if snapshot.has_command("show_version"):
        record, output = snapshot.command("show_version")
        found = _HOSTNAME.search(output)
        if record.exit_status == 0 and found:
            return found.group(1)
    return snapshot.facts.name


def parse_junos(snapshot: HostSnapshot) -> JunosFirewall:
    with collector_paused():
        return _parse(snapshot)


def _parse(snapshot: HostSnapshot) -> JunosFirewall:
    config = read_config(snapshot, [SECURITY, APPLICATIONS], {SECURITY, APPLICATIONS})
    policies = load_policies(config)
    books = load_address_books(config)
    apps = load_applications(config)
    units, zones = zone_of_interfaces(config)
    name = hostname(snapshot)
    built = build_table(name, policies, books, apps, zones)
    nat_warnings = add_nat(built.table, config, books, units)
    warnings = [*config.warnings, *policies.warnings, *books.warnings, *apps.warnings, *built.warnings,
                *nat_warnings]
    ruleset = Ruleset(tables=[built.table], warnings=warnings, unread=[*config.unread, *policies.unread])
    return JunosFirewall(name, config, policies, ruleset, built.inactive)


def build_ruleset(snapshot: HostSnapshot) -> Ruleset:
    return parse_junos(snapshot).ruleset


def build_topology(snapshot: HostSnapshot, facts: HostFacts) -> Topology:
    return load_topology(snapshot, facts)


def load_topology(snapshot: HostSnapshot, facts: HostFacts) -> JunosTopology:
    config = read_config(snapshot, [SECURITY, INTERFACES, ROUTING], {SECURITY})
    ingress, egress = facts.data.get("ingress"), facts.data.get("egress")
    for key, value in (("ingress", ingress), ("egress", egress)):
        if value is not None and not isinstance(value, str):
            raise DataError("E-DATA-MISSING", f"inventory {key} must be a zone or interface name", source="host.json")
    return build_junos_topology(config, routing_collected=snapshot.has_command(ROUTING),
                                ingress=ingress, egress=egress)


PLATFORM = FirewallPlatform(
    platform="juniper_junos",
    syntax=SYNTAX,
    build_ruleset=build_ruleset,
    build_topology=build_topology,
    allow_snippet=allow_snippet,
)
