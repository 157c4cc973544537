"""Read a FortiGate's collected ``show`` outputs from the snapshot into one parsed model.

Required commands (policy, objects, interfaces, zones) that are missing, failed, truncated or
not FortiOS output stop the model (DataError). Optional ones (IPv6 objects, static routes,
TLS profiles, proxy policies) only add a warning when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.firewalls.fortinet_addresses import AddressBook
from pushaudit.firewalls.fortinet_conf import Block, parse_config
from pushaudit.firewalls.fortinet_inspection import (
    ProxyPolicy,
    SslSshProfile,
    parse_proxy_policies,
    parse_ssl_ssh_profiles,
)
from pushaudit.firewalls.fortinet_interfaces import Interfaces, parse_interfaces
from pushaudit.firewalls.fortinet_policy import PolicyBuilder, PolicyChain, PolicySummary
from pushaudit.firewalls.fortinet_services import ServiceBook
from pushaudit.gcpause import collector_paused
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Chain, Key, Rule, Ruleset, ScalarMatch, Table
from pushaudit.snapshot import HostSnapshot

CHAIN = "firewall-policy"
SYNTAX = "fortinet"

# command id -> the config block its output holds
SECTIONS = {
    "system_interface": "system interface",
    "system_zone": "system zone",
    "firewall_address": "firewall address",
    "firewall_addrgrp": "firewall addrgrp",
    "firewall_address6": "firewall address6",
    "firewall_addrgrp6": "firewall addrgrp6",
    "firewall_service_custom": "firewall service custom",
    "firewall_service_group": "firewall service group",
    "firewall_policy": "firewall policy",
    "firewall_ssl_ssh_profile": "firewall ssl-ssh-profile",
    "firewall_proxy_policy": "firewall proxy-policy",
    "router_static": "router static",
    "router_static6": "router static6",
}


@dataclass
class FortigateConfig:
    hostname: str
    vdom: str
    ruleset: Ruleset
    policies: PolicyChain
    interfaces: Interfaces
    addresses: AddressBook
    services: ServiceBook
    ssl_ssh_profiles: dict[str, SslSshProfile] = field(default_factory=dict)
    proxy_policies: list[ProxyPolicy] = field(default_factory=list)

    @property
    def disabled_policies(self) -> list[PolicySummary]:
        return self.policies.disabled


class SnapshotReader:
    """Command outputs as config blocks, with the snapshot's failures turned into errors or warnings."""

    def __init__(self, snapshot: HostSnapshot) -> None:
        self.snapshot = snapshot
        self.warnings: list[str] = []
        self.unread: list[str] = []

    def section(self, command_id: str, *, required: bool) -> Block | None:
        source = f"cmd:{command_id}"
        if not self.snapshot.has_command(command_id):
            self._absent(required, command_id, "was not collected", "E-DATA-MISSING")
            return None
        record, output = self.snapshot.command(command_id)
        if record.exit_status != 0:
            why = f"failed (exit {record.exit_status}{': ' + record.error if record.error else ''})"
            self._absent(required, command_id, why, "E-COLLECT-COMMAND")
            return None
        parsed = parse_config(output, source)
        self.warnings += parsed.warnings
        block = parsed.section(SECTIONS[command_id])
        why = ""
        if block is None:
            first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "")[:80]
            why = f"holds no 'config {SECTIONS[command_id]}' block (not FortiOS output?): {first!r}"
        elif not parsed.complete:
            why = "ends inside a config block (truncated)"
        if not why:
            return block
        if required:
            raise DataError("E-PARSE-FIREWALL", f"'{record.command}' output {why}", source=source)
        self.warnings.append(f"{source}: output {why}; ignored")
        self.unread.append(f"{source}: output {why}")
        return None

    def _absent(self, required: bool, command_id: str, why: str, code: str) -> None:
        if required:
            raise DataError(code, f"command {command_id} {why}", source=f"cmd:{command_id}")
        self.warnings.append(f"cmd:{command_id}: {why}")

    def system_status(self) -> tuple[str, str]:
        """(hostname, current VDOM); DataError when VDOMs are enabled."""
        if not self.snapshot.has_command("system_status"):
            self.warnings.append("cmd:system_status: was not collected (VDOM mode not checked)")
            return "", "root"
        record, output = self.snapshot.command("system_status")
        if record.exit_status != 0:
            raise DataError("E-COLLECT-COMMAND", f"'{record.command}' failed (exit {record.exit_status}): "
                            f"{output.strip()[:120]}", source="cmd:system_status")
        fields = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in output.splitlines())}
        mode = fields.get("Virtual domain configuration")
        if mode is None:  # a truncated or foreign output must not pass for a device without VDOMs
            raise DataError("E-PARSE-FIREWALL", "'get system status' does not say whether VDOMs are enabled "
                            "(no 'Virtual domain configuration' line)", source="cmd:system_status")
        if mode != "disable":
            raise DataError("E-DATA-MISSING", f"VDOMs are enabled ({mode}): the collected commands show one VDOM "
                            "only, and pushaudit reads FortiGates without VDOMs", source="cmd:system_status")
        return fields.get("Hostname", ""), fields.get("Current virtual domain", "") or "root"

    def interfaces(self) -> Interfaces:
        return parse_interfaces(self.section("system_interface", required=True),
                                self.section("system_zone", required=True))


def load_config(snapshot: HostSnapshot) -> FortigateConfig:
    with collector_paused():
        return _load(snapshot)


def _load(snapshot: HostSnapshot) -> FortigateConfig:
    reader = SnapshotReader(snapshot)
    hostname, vdom = reader.system_status()
    interfaces = reader.interfaces()
    addresses = AddressBook(
        {4: reader.section("firewall_address", required=True), 6: reader.section("firewall_address6", required=False)},
        {4: reader.section("firewall_addrgrp", required=True), 6: reader.section("firewall_addrgrp6", required=False)},
    )
    services = ServiceBook(reader.section("firewall_service_custom", required=True),
                           reader.section("firewall_service_group", required=True))
    policy_section = reader.section("firewall_policy", required=True)
    assert policy_section is not None
    if policy_section.problems:
        raise DataError("E-PARSE-FIREWALL", "'show firewall policy' has lines outside any policy: "
                        + "; ".join(policy_section.problems[:3]), source="cmd:firewall_policy")
    builder = PolicyBuilder(addresses, services, interfaces, source="cmd:firewall_policy", table=vdom, chain=CHAIN)
    policies = builder.build(policy_section)
    chain = Chain(CHAIN, policies.rules + _intrazone(interfaces, vdom, len(policies.policies)),
                  hook="forward", priority=0, policy="drop", type="filter")
    table = Table("inet", vdom, "cmd:firewall_policy", SYNTAX, SYNTAX, chains={CHAIN: chain})
    profiles = parse_ssl_ssh_profiles(reader.section("firewall_ssl_ssh_profile", required=False))
    proxies = parse_proxy_policies(reader.section("firewall_proxy_policy", required=False), "cmd:firewall_proxy_policy")
    warnings = [*reader.warnings, *interfaces.warnings, *interfaces.unread, *addresses.warnings, *services.warnings,
                *policies.warnings]
    return FortigateConfig(
        hostname=hostname, vdom=vdom, ruleset=Ruleset([table], list(dict.fromkeys(warnings)), unread=reader.unread),
        policies=policies,
        interfaces=interfaces, addresses=addresses, services=services, ssl_ssh_profiles=profiles,
        proxy_policies=proxies,
    )


def _intrazone(interfaces: Interfaces, vdom: str, count: int) -> list[Rule]:
    """``set intrazone allow``: traffic between a zone's own interfaces passes without a policy.
    Placed after every policy (pushaudit's reading: explicit policies are looked up first)."""
    rules: list[Rule] = []
    for zone in interfaces.zones.values():
        if zone.intrazone_allow:
            ref = RuleRef("cmd:system_zone", "inet", vdom, CHAIN, count + len(rules) + 1,
                          f'zone "{zone.name}": set intrazone allow', line=zone.intrazone_line,
                          comment="intrazone allow")
            names = frozenset({zone.name})
            rules.append(Rule(ref, (ScalarMatch(Key.IIFNAME, names), ScalarMatch(Key.OIFNAME, names)), Action.ACCEPT))
    return rules


def _build(ctx: HostContext) -> FortigateConfig:
    return load_config(ctx.snapshot)


FORTIGATE_CONFIG: ModelKey[FortigateConfig] = ModelKey("fortinet_config", _build)
