"""One Junos policy as model rules.

A policy matches when its source, destination and application criteria all hold; each of
those is a union (IPv4 and IPv6 addresses, FQDN objects, applications of several protocols)
that one model rule cannot always express. The policy then becomes several contiguous rules
with the same action, one per combination ("variant"): first-match semantics are unchanged
because a union of adjacent rules with one action decides exactly as the policy does.
"""

from __future__ import annotations

from itertools import product

from pushaudit.firewalls.juniper_junos_alts import Alt, Objects, conditional
from pushaudit.firewalls.juniper_junos_policies import GLOBAL_CHAIN, Policy
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Dim, Key, Match, Rule, ScalarMatch


def policy_rules(policy: Policy, objects: Objects, table: str, index: int) -> list[Rule]:
    ref = RuleRef(policy.source, "inet", table, policy.chain, index, summary(policy), line=policy.line,
                  comment=policy.name)
    problem = _incomplete(policy)
    if problem:
        return [Rule(ref, (), Action.UNKNOWN, target=f"policy {policy.name}: {problem}")]
    zones = policy.zones
    common = _common_matches(policy)
    action, target, reject = _action(policy)
    effects = tuple(policy.effects)
    variants = [v for v in product(objects.address(policy.sources, zones[0] if zones else None, Dim.SADDR,
                                                   policy.source_excluded),
                                   objects.address(policy.destinations, zones[1] if zones else None, Dim.DADDR,
                                                   policy.destination_excluded),
                                   objects.application(policy.applications)) if _compatible(v[0], v[1])]
    rules: list[Rule] = []
    for s, d, a in variants:
        family = s.family or d.family
        matches: list[Match] = [*s.matches, *d.matches, *a.matches, *common]
        if family is not None and not (s.ranged or d.ranged):
            matches.insert(0, ScalarMatch(Key.NFPROTO, frozenset({f"ipv{family}"})))
        if len(variants) == 1:
            rules.append(Rule(ref, tuple(matches), action, target=target, reject=reject, effects=effects))
            continue
        parts = [x.label for x, alts in ((s, {v[0] for v in variants}), (d, {v[1] for v in variants}),
                                           (a, {v[2] for v in variants})) if len(alts) > 1 and x.label]
        text = f"{ref.text} [{', '.join(dict.fromkeys(parts))} part]"
        variant_ref = RuleRef(ref.source, ref.family, ref.table, ref.chain, ref.index, text, line=ref.line,
                              comment=ref.comment)
        rules.append(Rule(variant_ref, tuple(matches), action, target=target, reject=reject, effects=effects))
    return rules


def _compatible(a: Alt, b: Alt) -> bool:
    return a.family is None or b.family is None or a.family == b.family


def _incomplete(policy: Policy) -> str:
    missing = [what for what, values in (("source-address", policy.sources),
                                          ("destination-address", policy.destinations)) if not values]
    if not policy.applications and not policy.dynamic_applications:
        missing.append("application")
    if missing:
        return f"no match {', '.join(missing)} (Junos would not commit this; a configuration group may supply it)"
    if not policy.action:
        return "no 'then permit', 'then deny' or 'then reject'"
    return ""


def _common_matches(policy: Policy) -> list[Match]:
    found: list[Match] = []
    if policy.chain == GLOBAL_CHAIN:
        if policy.from_zones and "any" not in policy.from_zones:
            found.append(ScalarMatch(Key.IIFNAME, frozenset(policy.from_zones)))
        if policy.to_zones and "any" not in policy.to_zones:
            found.append(ScalarMatch(Key.OIFNAME, frozenset(policy.to_zones)))
    dynamic = [d for d in policy.dynamic_applications if d not in ("any", "none")]
    if dynamic:
        names = ", ".join(dynamic)
        found.append(conditional("dynamic-application", dynamic,
                                 f"dynamic-application {names} (AppID): matches only if AppID identifies it"))
    found += [conditional("policy", [policy.name], reason) for reason in policy.conditions]
    return found


def _action(policy: Policy) -> tuple[Action, str, bool]:
    if policy.action == "permit":
        if policy.action_issue:
            return Action.UNKNOWN, f"policy {policy.name}: {policy.action_issue}", False
        return Action.ACCEPT, "", False
    if policy.action_issue:
        return Action.UNKNOWN, f"policy {policy.name}: {policy.action_issue}", False
    return Action.DROP, "", policy.action == "reject"


def summary(policy: Policy) -> str:
    """One line for a multi-line policy: its name, criteria and action."""
    parts = [f"policy {policy.name}: match"]
    if policy.chain == GLOBAL_CHAIN:
        parts += [f"from-zone {' '.join(policy.from_zones or ['any'])}",
                  f"to-zone {' '.join(policy.to_zones or ['any'])}"]
    parts.append(("source-address-excluded " if policy.source_excluded else "source-address ")
                 + " ".join(policy.sources))
    parts.append(("destination-address-excluded " if policy.destination_excluded else "destination-address ")
                 + " ".join(policy.destinations))
    if policy.applications:
        parts.append("application " + " ".join(policy.applications))
    if policy.dynamic_applications:
        parts.append("dynamic-application " + " ".join(policy.dynamic_applications))
    return " ".join(parts) + f"; then {policy.action or '(none)'}"
