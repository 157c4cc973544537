"""Junos ``security policies``: zone-pair policies in configured order, global policies with
their from-zone/to-zone lists, and the default policy. Only reading; no resolution here."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.juniper_junos_setlines import SetConfig, Statement

GLOBAL_CHAIN = "global"
_LIST_MATCHES = {"source-address": "sources", "destination-address": "destinations", "application": "applications",
                 "dynamic-application": "dynamic_applications", "from-zone": "from_zones", "to-zone": "to_zones"}
# Match criteria that depend on things outside the configuration (users, URLs, devices).
_CONDITIONAL_MATCHES = {"source-identity": "user identity", "source-end-user-profile": "end-user profile",
                        "url-category": "URL category", "source-l3vpn-vrf-group": "L3VPN VRF group",
                        "destination-l3vpn-vrf-group": "L3VPN VRF group"}
_IGNORED_POLICY_KEYS = {"description", "report-skip"}
_IGNORED_TOP = {"pre-id-default-policy", "policy-rematch", "policy-stats", "traceoptions", "stateful-firewall-rule"}


def pair_chain(from_zone: str, to_zone: str) -> str:
    """Chain name of a zone pair; zone names cannot hold blanks, so it splits back cleanly."""
    return f"from-zone {from_zone} to-zone {to_zone}"


@dataclass
class Policy:
    name: str
    chain: str  # pair_chain(...) or GLOBAL_CHAIN
    source: str
    line: int
    sources: list[str] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    dynamic_applications: list[str] = field(default_factory=list)
    from_zones: list[str] = field(default_factory=list)  # global policies only
    to_zones: list[str] = field(default_factory=list)
    source_excluded: bool = False
    destination_excluded: bool = False
    conditions: list[str] = field(default_factory=list)  # undecidable criteria, as reasons
    action: str = ""  # permit | deny | reject ("" = none configured)
    action_issue: str = ""  # why a permit cannot be taken at face value
    effects: list[str] = field(default_factory=list)  # log, count, ssl-proxy profile ...
    description: str = ""
    inactive_line: int | None = None
    statements: int = 0
    inactive_leaves: list[int] = field(default_factory=list)  # lines switched off inside an active policy

    @property
    def zones(self) -> tuple[str, str] | None:
        if self.chain == GLOBAL_CHAIN:
            return None
        words = self.chain.split()
        return words[1], words[3]


@dataclass
class PolicySet:
    policies: dict[tuple[str, str], Policy] = field(default_factory=dict)  # (chain, name), in order
    chains: list[str] = field(default_factory=list)  # zone-pair chains in order of appearance
    default_action: str = "deny-all"
    default_line: int | None = None
    groups: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # chain -> (group, line)
    warnings: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # statements left out of the model

    by_chain: dict[str, list[Policy]] = field(default_factory=dict)
    by_chain_order: dict[str, None] = field(default_factory=dict)  # set of self.chains, for fast lookup

    def chain_policies(self, chain: str) -> list[Policy]:
        return self.by_chain.get(chain, [])


def load_policies(config: SetConfig) -> PolicySet:
    out = PolicySet()
    for st in config.under("security", "policies"):
        _statement(out, st)
    for policy in out.policies.values():
        if policy.inactive_line is not None and policy.statements:
            policy.inactive_line = None  # only some leaves were switched off; the policy stays
            out.warnings.append(f"{policy.source} line {policy.inactive_leaves[0]}: inactive statements of policy "
                                f"{policy.name} ({policy.chain}) are left out")
    return out


def _statement(out: PolicySet, st: Statement) -> None:
    words = st.words
    # words: security policies from-zone A to-zone B policy NAME ... | security policies global policy NAME ...
    if len(words) > 7 and words[2] == "from-zone" and words[4] == "to-zone" and words[6] == "policy":
        chain, name, rest = pair_chain(words[3], words[5]), words[7], words[8:]
    elif len(words) > 4 and words[2] == "global" and words[3] == "policy":
        chain, name, rest = GLOBAL_CHAIN, words[4], words[5:]
    else:
        _other(out, st)
        return
    policy = out.policies.get((chain, name))
    if policy is None:
        policy = out.policies[(chain, name)] = Policy(name, chain, st.source, st.line)
        out.by_chain.setdefault(chain, []).append(policy)
        if chain != GLOBAL_CHAIN and chain not in out.by_chain_order:
            out.by_chain_order[chain] = None
            out.chains.append(chain)
    if st.inactive_line is not None:
        # Inactive as a whole unless some statement of it stays active (then a leaf was switched off).
        policy.inactive_line = policy.inactive_line or st.inactive_line
        policy.inactive_leaves.append(st.line)
        return
    policy.statements += 1
    _policy_words(policy, list(rest), st)


def _other(out: PolicySet, st: Statement) -> None:
    """Statements of ``security policies`` that are not a policy's own."""
    words, kind = st.words, st.at(2)
    if kind == "from-zone" and st.at(4) == "to-zone":
        chain = pair_chain(st.at(3), st.at(5))
        if chain not in out.by_chain_order:
            out.by_chain_order[chain] = None
            out.chains.append(chain)
        if st.at(6) == "apply-groups":
            if st.active:
                out.groups.setdefault(chain, []).append((st.at(7), st.line))
            return
    elif kind == "global" and st.at(3) == "apply-groups":
        if st.active:
            out.groups.setdefault(GLOBAL_CHAIN, []).append((st.at(4), st.line))
        return
    elif kind == "default-policy":
        if st.active:
            out.default_action, out.default_line = st.at(3), st.line
        return
    elif kind == "apply-groups":
        if st.active:
            out.groups.setdefault("", []).append((st.at(3), st.line))
        return
    elif kind in _IGNORED_TOP:
        return
    message = f"{st.source} line {st.line}: security policies statement not understood: {' '.join(words[2:])}"
    out.warnings.append(message)
    out.unread.append(message)


def _policy_words(policy: Policy, rest: list[str], st: Statement) -> None:
    head = rest[0] if rest else ""
    if head == "match" and len(rest) > 1:
        _match(policy, rest[1], rest[2:], st)
    elif head == "then" and len(rest) > 1:
        _then(policy, rest[1], rest[2:])
    elif head == "description":
        policy.description = " ".join(rest[1:])
    elif head == "scheduler-name":
        policy.conditions.append(f"schedule {' '.join(rest[1:])}: the policy applies only at scheduled times")
    elif head not in _IGNORED_POLICY_KEYS:
        policy.conditions.append(f"policy statement not understood (line {st.line}): {' '.join(rest)}")


def _match(policy: Policy, key: str, values: list[str], st: Statement) -> None:
    if key in _LIST_MATCHES and len(values) == 1:
        getattr(policy, _LIST_MATCHES[key]).append(values[0])
    elif key == "source-address-excluded" and not values:
        policy.source_excluded = True
    elif key == "destination-address-excluded" and not values:
        policy.destination_excluded = True
    elif key in _CONDITIONAL_MATCHES:
        policy.conditions.append(f"{key} {' '.join(values)} ({_CONDITIONAL_MATCHES[key]}): "
                                 "permitted only if the firewall identifies it")
    else:
        policy.conditions.append(f"match {key} {' '.join(values)} not understood (line {st.line})")


def _then(policy: Policy, verb: str, rest: list[str]) -> None:
    if verb in ("permit", "deny", "reject"):
        policy.action = verb
        if verb == "permit" and rest:
            _permit_options(policy, rest)
        elif rest:
            policy.effects.append(f"{verb} {' '.join(rest)}")
    elif verb in ("log", "count"):
        policy.effects.append(" ".join([verb, *rest]))
    else:
        policy.action_issue = f"action 'then {verb} {' '.join(rest)}' not understood"


def _permit_options(policy: Policy, rest: list[str]) -> None:
    option = rest[0]
    if option == "application-services" and rest[1:3] == ["ssl-proxy", "profile-name"] and len(rest) > 3:
        policy.effects.append(f"ssl-proxy profile {rest[3]}")
    elif option in ("application-services", "tunnel", "services-offload", "tcp-options"):
        policy.effects.append(" ".join(rest))
    elif option == "firewall-authentication":
        policy.action_issue = "permit only after firewall user authentication (firewall-authentication)"
    elif option == "destination-address":
        policy.action_issue = f"permit with 'destination-address {' '.join(rest[1:])}': depends on NAT"
    else:
        policy.action_issue = f"permit option '{' '.join(rest)}' not understood"
