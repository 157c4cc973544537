"""The SRX policy lookup as one model table.

Base chain ``forward`` (hook forward, priority 0, policy = default-policy):
  1. traffic through an interface in no security zone is dropped (two guard rules);
  2. ``iifname A oifname B jump "from-zone A to-zone B"`` for each zone pair, in configured order;
     a zone-pair chain falls through when none of its policies matches;
  3. ``jump global`` (global policies, with their from-zone/to-zone lists as iif/oif matches);
  4. the default policy as an explicit last rule (so findings can name it).
Zone names stand where netfilter has interface names; the topology speaks the same names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.juniper_junos_addresses import AddressBooks
from pushaudit.firewalls.juniper_junos_alts import Objects
from pushaudit.firewalls.juniper_junos_apps import Applications
from pushaudit.firewalls.juniper_junos_policies import GLOBAL_CHAIN, Policy, PolicySet
from pushaudit.firewalls.juniper_junos_rules import policy_rules
from pushaudit.firewalls.juniper_junos_snippet import ZONE_GUARD
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Chain, Key, Rule, ScalarMatch, Table

SYNTAX = "juniper_junos"
BASE = "forward"
SOURCE = "cmd:configuration_security"
_DEFAULTS = {"deny-all": (Action.DROP, "drop"), "permit-all": (Action.ACCEPT, "accept")}


@dataclass
class BuiltTable:
    table: Table
    inactive: list[Policy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_table(name: str, policies: PolicySet, books: AddressBooks, apps: Applications,
                zones: set[str]) -> BuiltTable:
    table = Table("inet", name, SOURCE, SYNTAX, SYNTAX)
    action, policy_word = _DEFAULTS.get(policies.default_action, (Action.UNKNOWN, "drop"))
    base = Chain(BASE, hook="forward", priority=0, policy=policy_word, type="filter")
    table.chains[BASE] = base
    out = BuiltTable(table)
    objects = Objects(books, apps)
    base_rules: list[Rule] = []

    def base_rule(text: str, matches: tuple[ScalarMatch, ...], act: Action, target: str = "", *,
                  line: int | None = None, comment: str = "") -> None:
        ref = RuleRef(SOURCE, "inet", name, BASE, len(base_rules) + 1, text, line=line, comment=comment)
        base_rules.append(Rule(ref, matches, act, target=target))

    for chain_name, (group, line) in _groups(policies, ""):
        base_rule(f"security policies apply-groups {group}", (), Action.UNKNOWN, _group_reason(group, chain_name),
                  line=line)
    if zones:
        listed = ", ".join(sorted(zones))
        base_rule(f"iifname not in a security zone ({listed}): dropped",
                  (ScalarMatch(Key.IIFNAME, frozenset(zones), negate=True),), Action.DROP, comment=ZONE_GUARD)
        base_rule(f"oifname not in a security zone ({listed}): dropped",
                  (ScalarMatch(Key.OIFNAME, frozenset(zones), negate=True),), Action.DROP, comment=ZONE_GUARD)
    for chain_name in [*policies.chains, GLOBAL_CHAIN]:
        rules = _chain_rules(chain_name, policies, objects, name, out)
        if not rules:
            continue
        table.chains[chain_name] = Chain(chain_name, rules)
        zone_pair = tuple(chain_name.split()[1::2]) if chain_name != GLOBAL_CHAIN else ()
        matches = (ScalarMatch(Key.IIFNAME, frozenset({zone_pair[0]})),
                   ScalarMatch(Key.OIFNAME, frozenset({zone_pair[1]}))) if zone_pair else ()
        count = len({r.ref.index for r in rules})
        base_rule(f"{chain_name} (active policies: {count})", matches, Action.JUMP, chain_name,
                  line=rules[0].ref.line)
    configured = "" if policies.default_line is not None else " (Junos default, not configured)"
    target = "" if action is not Action.UNKNOWN else f"default-policy {policies.default_action} not understood"
    base_rule(f"default-policy {policies.default_action}{configured}", (), action, target,
              line=policies.default_line, comment="default-policy")
    base.rules = base_rules
    return out


def _chain_rules(chain: str, policies: PolicySet, objects: Objects, table: str, out: BuiltTable) -> list[Rule]:
    rules: list[Rule] = []
    for _, (group, line) in _groups(policies, chain):
        ref = RuleRef(SOURCE, "inet", table, chain, 0, f"{chain} apply-groups {group}", line=line)
        rules.append(Rule(ref, (), Action.UNKNOWN, target=_group_reason(group, chain)))
    index = 0
    for policy in policies.chain_policies(chain):
        if policy.inactive_line is not None:
            out.inactive.append(policy)
            out.warnings.append(f"{policy.source} line {policy.line}: policy {policy.name} ({chain}) is inactive "
                                f"(deactivate, line {policy.inactive_line}): left out")
            continue
        index += 1
        found = policy_rules(policy, objects, table, index)
        if not found:
            out.warnings.append(f"{policy.source} line {policy.line}: policy {policy.name} ({chain}) can never match "
                                "(no address family common to its source and destination, or everything excluded)")
        rules += found
    return rules


def _groups(policies: PolicySet, chain: str) -> list[tuple[str, tuple[str, int]]]:
    return [(chain, g) for g in policies.groups.get(chain, [])]


def _group_reason(group: str, chain: str) -> str:
    where = chain or "security policies"
    return (f"configuration group {group} is applied to {where}; its policies are not in '| display set' "
            "output (collect with '| display inheritance')")
