"""FortiGate ``firewall proxy-policy`` (explicit and transparent web proxy) as an authentication
rule list: first match in configuration order; an accept entry with ``groups`` or ``users``
demands a login, one without lets the traffic through unauthenticated, a deny refuses it (no
login either). Not applicable when no enabled web proxy-policy names users or groups."""

from __future__ import annotations

from pushaudit.firewalls.fortinet import load_config
from pushaudit.firewalls.fortinet_inspection import ProxyPolicy
from pushaudit.firewalls.fortinet_load import FortigateConfig
from pushaudit.firewalls.fortinet_pieces import Variant, address_variants
from pushaudit.inspection.engine import RuleList
from pushaudit.inspection.forti_decrypt import SYNTAX
from pushaudit.inspection.targets import AppleTarget
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Dim, Key, Match, Ruleset, ScalarMatch, UnknownMatch
from pushaudit.snapshot import HostSnapshot

_WEB = ("explicit-web", "transparent-web")
_AUTH_KEYS = ("groups", "users")
_ANY_SERVICE = ("webproxy", "ALL")  # the predefined proxy service and "any": every port


class FortiAuthentication:
    def __init__(self, snapshot: HostSnapshot) -> None:
        config = load_config(snapshot)
        self.config = config
        self.policies = [p for p in config.proxy_policies if p.enabled and p.proxy in _WEB]
        self.present = any(p.values(k) for p in self.policies for k in _AUTH_KEYS)
        self.warnings = list(config.ruleset.warnings)
        if not snapshot.has_command("firewall_proxy_policy"):
            self.warnings.append("cmd:firewall_proxy_policy: not collected; proxy authentication not seen")
        self._ruleset: Ruleset | None = None

    def build(self, target: AppleTarget) -> Ruleset:  # noqa: ARG002 (the protocol passes the name)
        """The same list for every name: proxy-policy entries match addresses, not names."""
        if self._ruleset is None:
            self._ruleset = self._build()
        return self._ruleset

    def _build(self) -> Ruleset:
        rules = RuleList("cmd:firewall_proxy_policy", self.config.vdom, SYNTAX)
        for policy in self.policies:
            applies, why = _applies(policy)
            rules.add(policy.ref, _variants(policy, self.config), applies, why)
        default = RuleRef("cmd:firewall_proxy_policy", "inet", "proxy", "proxy-policy", len(self.policies) + 1,
                          "no proxy-policy matches: the proxy refuses the traffic, no login is demanded",
                          comment="(no proxy-policy)")
        return rules.finish(default)

    def exemptions(self) -> list[RuleRef]:
        return [p.ref for p in self.policies if _applies(p)[0] is False and p.action == "accept"]


def _applies(policy: ProxyPolicy) -> tuple[bool | None, str]:
    action = policy.action or "deny"  # FortiOS default action of a proxy-policy
    if action == "deny":
        return False, ""
    if action in ("accept", "redirect", "isolate"):
        return any(policy.values(k) for k in _AUTH_KEYS), ""
    return None, f"proxy-policy {policy.policy_id}: action {action} is not known to pushaudit"


def _variants(policy: ProxyPolicy, config: FortigateConfig) -> list[tuple[Match, ...]]:
    head: list[Match] = []
    for key, fact in (("srcintf", Key.IIFNAME), ("dstintf", Key.OIFNAME)):
        names = policy.values(key)
        if names and "any" not in names:
            head.append(ScalarMatch(fact, frozenset(names)))
    conditions = [k for k in policy.settings if k.startswith("internet-service") and policy.values(k) != ("disable",)]
    if conditions:
        head.append(UnknownMatch(f"proxy-policy {policy.policy_id} uses {', '.join(conditions)} (Internet Service "
                                 "Database entries are not in the snapshot)"))
    services = policy.values("service")
    if services and not set(services) <= set(_ANY_SERVICE):
        head.append(UnknownMatch(f"proxy-policy {policy.policy_id}: service {' '.join(services)} "
                                 "is not read for proxy policies"))
    out: list[tuple[Match, ...]] = []
    for family, six in ((4, ""), (6, "6")):
        src = _side(policy, config, family, f"srcaddr{six}", Dim.SADDR)
        dst = _side(policy, config, family, f"dstaddr{six}", Dim.DADDR)
        out += [(*head, *s, *d) for s in src for d in dst]
    return out


def _side(policy: ProxyPolicy, config: FortigateConfig, family: int, key: str, dim: Dim) -> list[Variant]:
    names = policy.values(key)
    if not names:
        return []
    found = config.addresses.resolve(names, family)
    if policy.values(f"{key}-negate") == ("enable",) or policy.values(f"{key[:7]}-negate") == ("enable",):
        found = found.negated()
    return address_variants(found, dim)
