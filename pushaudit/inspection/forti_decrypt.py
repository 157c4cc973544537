"""FortiGate ``firewall policy`` as a decryption rule list: the policies in configuration order,
matched as the firewall model matches them (interfaces, addresses, services; disabled policies
left out; FQDN and Internet Service conditions stay conditional). An accepted policy decrypts
when its ssl-ssh-profile does deep inspection on the port and no ssl-exempt entry covers the
Apple destination or name; a deny policy decides "not decrypted" (the traffic never flows)."""

from __future__ import annotations

from dataclasses import replace

from pushaudit.firewalls.fortinet import load_config
from pushaudit.firewalls.fortinet_inspection import SslSshProfile
from pushaudit.firewalls.fortinet_load import CHAIN
from pushaudit.firewalls.fortinet_policy import PolicySummary
from pushaudit.inspection.engine import RuleList
from pushaudit.inspection.forti_exempt import (
    NameExemption,
    address_exemptions,
    conditional,
    name_exemption,
    wildcard_patterns,
)
from pushaudit.inspection.names import Cover
from pushaudit.inspection.targets import AppleTarget
from pushaudit.interception import RuleRef
from pushaudit.netfilter.intervals import normalize
from pushaudit.netfilter.model import Action, Dim, Match, RangeMatch, Rule, Ruleset
from pushaudit.snapshot import HostSnapshot

SYNTAX = "fortinet"
_DEFAULT_HTTPS_PORTS = (443,)  # FortiOS default of ``config https / set ports``


def family_of(matches: tuple[Match, ...]) -> int:
    return next((m.family for m in matches if isinstance(m, RangeMatch) and m.family), 4)


class FortiDecryption:
    """Builds the per-name rule list of one FortiGate (the parsed config is shared)."""

    def __init__(self, snapshot: HostSnapshot) -> None:
        config = load_config(snapshot)
        self.config = config
        self.vdom = config.vdom
        self.warnings = list(config.ruleset.warnings)
        self.patterns, notes = wildcard_patterns(snapshot, dict(snapshot.facts.data))
        self.warnings += notes
        chain = config.ruleset.tables[0].chains[CHAIN]
        self.rules: dict[RuleRef, list[Rule]] = {}
        for rule in chain.rules:
            self.rules.setdefault(rule.ref, []).append(rule)
        self.policies = [p for p in config.policies.policies if p.enabled]
        self.trailing = [r for r in chain.rules if r.ref.source != "cmd:firewall_policy"]  # intrazone allow
        self._cache: dict[tuple[Cover, ...], Ruleset] = {}

    def ref(self, policy: PolicySummary) -> RuleRef:
        """The policy's reference; ``table`` names its profile (the remediation edits that profile)."""
        profile = policy.ssl_ssh_profile
        text = policy.ref.text + (f" ssl-ssh-profile {profile}" if profile else "")
        if policy.action == "deny":
            text += " (deny: the traffic is dropped, so never decrypted)"
        return replace(policy.ref, table=profile or self.vdom, text=text)

    def profile(self, policy: PolicySummary) -> SslSshProfile | None:
        return self.config.ssl_ssh_profiles.get(policy.ssl_ssh_profile)

    def build(self, target: AppleTarget) -> Ruleset:
        exempt = {name: name_exemption(p, self.patterns, target.server_name)
                  for name, p in self.config.ssl_ssh_profiles.items() if p.decrypts}
        key = tuple(exempt[n].cover for n in sorted(exempt))
        if key in self._cache and not any(e.reasons for e in exempt.values()):
            return self._cache[key]
        rules = RuleList("cmd:firewall_policy", self.vdom, SYNTAX)
        for policy in self.policies:
            self._policy(rules, policy, exempt)
        for rule in self.trailing:
            rules.add(rule.ref, [rule.matches], False)
        default = RuleRef("cmd:firewall_policy", "inet", self.vdom, CHAIN, len(self.config.policies.policies) + 1,
                          "no policy matches: the implicit deny drops the traffic, nothing is decrypted",
                          comment="implicit deny")
        ruleset = rules.finish(default)
        self._cache[key] = ruleset
        return ruleset

    def _policy(self, rules: RuleList, policy: PolicySummary, exempt: dict[str, NameExemption]) -> None:
        ref = self.ref(policy)
        variants = [r.matches for r in self.rules.get(policy.ref, [])]
        if not variants:
            return
        first = self.rules[policy.ref][0]
        if first.action is Action.UNKNOWN:
            rules.add(ref, variants, None, first.target)
            return
        if first.action is Action.DROP or not policy.ssl_ssh_profile:
            rules.add(ref, variants, False)
            return
        profile = self.profile(policy)
        if profile is None:
            rules.add(ref, variants, None, f"policy {policy.policy_id}: ssl-ssh-profile {policy.ssl_ssh_profile} "
                      "is not in the collected 'show firewall ssl-ssh-profile'")
            return
        if not profile.decrypts:
            rules.add(ref, variants, False)
            return
        if not policy.utm:
            rules.add(ref, variants, None, f"policy {policy.policy_id}: deep-inspection profile {profile.name} "
                      "with utm-status not enabled; whether FortiOS applies it is not decided")
            return
        self._deep(rules, ref, profile, variants, exempt)

    def _deep(self, rules: RuleList, ref: RuleRef, profile: SslSshProfile, variants: list[tuple[Match, ...]],
              exempt: dict[str, NameExemption]) -> None:
        names = exempt[profile.name]
        cover = names.cover
        if cover is Cover.ALL:
            rules.add(ref, variants, False)
            return
        for family in (4, 6):
            addresses = address_exemptions(profile, self.config.addresses, family)
            own = [v for v in variants if family_of(v) == family]
            rules.add(ref, [(*v, *a) for v in own for a in addresses], False)
        if cover is Cover.SOME:
            rules.add(ref, [(*v, *conditional(names.reasons)) for v in variants], False)
        if profile.inspect_all == "deep-inspection":
            rules.add(ref, variants, True)
            return
        ports = normalize((p, p) for p in (profile.https_ports or _DEFAULT_HTTPS_PORTS))
        rules.add(ref, [(*v, RangeMatch(Dim.DPORT, ports)) for v in variants], True)
        rules.add(ref, variants, False)  # the policy's other ports: not HTTPS, not inspected

    def exemptions(self) -> list[RuleRef]:
        """Policies that pass Apple-relevant traffic with a non-decrypting or exempting profile."""
        out: list[RuleRef] = []
        for policy in self.policies:
            profile = self.profile(policy)
            if policy.action == "accept" and profile is not None and profile.exempt and profile.decrypts:
                out.append(self.ref(policy))
        return out
