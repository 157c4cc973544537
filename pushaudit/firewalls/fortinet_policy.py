"""``firewall policy`` in configuration order as rules of one chain (first match wins).

Disabled policies are left out (and listed). Policies whose match depends on what the snapshot
cannot hold (FQDN/geography objects, Internet Service Database entries, schedules, users) get
conditional matches; settings pushaudit does not know make the policy conditional too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.fortinet_addresses import AddressBook
from pushaudit.firewalls.fortinet_addrset import AddressSet
from pushaudit.firewalls.fortinet_conf import Block
from pushaudit.firewalls.fortinet_data import fortinet_data
from pushaudit.firewalls.fortinet_interfaces import Interfaces
from pushaudit.firewalls.fortinet_match import Condition, condition_matches
from pushaudit.firewalls.fortinet_pieces import Variant, address_variants, service_variants
from pushaudit.firewalls.fortinet_services import ServiceBook
from pushaudit.firewalls.fortinet_text import policy_text
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Dim, Key, Match, Rule, ScalarMatch

_ISDB = ("matches only the addresses and ports FortiGuard's Internet Service Database lists for it, "
         "which the snapshot does not hold")
_ISDB_KEYS = ("name", "id", "group", "custom", "custom-group", "fortiguard")
_SIDES = {"src": (Dim.SADDR, "srcaddr"), "dst": (Dim.DADDR, "dstaddr")}
HANDLED = frozenset({
    "status", "name", "srcintf", "dstintf", "action", "schedule", "service", "service-negate",
    *(f"{a}{six}{neg}" for a in ("srcaddr", "dstaddr") for six in ("", "6") for neg in ("", "-negate")),
    *(f"internet-service{six}{src}{tail}" for six in ("", "6") for src in ("", "-src")
      for tail in ("", "-negate", *(f"-{k}" for k in _ISDB_KEYS))),
})
_ISDB_PREFIX = {(f, side): "internet-service" + ("6" if f == 6 else "") + ("-src" if side == "src" else "")
                for f in (4, 6) for side in ("src", "dst")}
# A policy applies to a family only if it names addresses or Internet Services of it.
_FAMILY_KEYS = {4: ("srcaddr", "dstaddr", "internet-service", "internet-service-src"),
                6: ("srcaddr6", "dstaddr6", "internet-service6", "internet-service6-src")}
_ACTIONS = {"accept": Action.ACCEPT, "ipsec": Action.ACCEPT, "deny": Action.DROP}


@dataclass(frozen=True)
class PolicySummary:
    """One policy as configured, for reports and later checks (TLS inspection)."""

    ref: RuleRef  # index: position in the output; handle: the policy id
    policy_id: str
    name: str
    enabled: bool
    action: str
    ssl_ssh_profile: str
    utm: bool


@dataclass
class PolicyChain:
    rules: list[Rule] = field(default_factory=list)
    policies: list[PolicySummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def disabled(self) -> list[PolicySummary]:
        return [p for p in self.policies if not p.enabled]


class PolicyBuilder:
    def __init__(self, addresses: AddressBook, services: ServiceBook, interfaces: Interfaces | None,
                 *, source: str, table: str, chain: str) -> None:
        self.addresses = addresses
        self.services = services
        self.interfaces = interfaces
        self.source, self.table, self.chain = source, table, chain
        self.out = PolicyChain()
        self._addr_cache: dict[tuple[tuple[str, ...], int, bool, Dim], list[Variant]] = {}
        self._svc_cache: dict[tuple[tuple[str, ...], int, bool], list[Variant]] = {}

    def build(self, section: Block) -> PolicyChain:
        """Every policy of the section in its order (a repeated id is a problem of the section)."""
        for position, entry in enumerate(section.entries.values(), start=1):
            self._policy(entry, position)
        self.out.warnings += section.problems
        return self.out

    def _policy(self, entry: Block, position: int) -> None:
        ref = RuleRef(self.source, "inet", self.table, self.chain, position, policy_text(entry),
                      handle=int(entry.name) if entry.name.isdigit() else None, line=entry.line,
                      comment=entry.value("name"))
        enabled = entry.value("status", "enable") != "disable"
        action_word = entry.value("action", "deny")
        self.out.policies.append(PolicySummary(ref, entry.name, entry.value("name"), enabled, action_word,
                                               entry.value("ssl-ssh-profile"), entry.enabled("utm-status")))
        if not enabled:
            return
        action = _ACTIONS.get(action_word, Action.UNKNOWN)
        target = "" if action is not Action.UNKNOWN else f"policy {entry.name}: action {action_word} not understood"
        head = (*self._interfaces(entry, "srcintf", Key.IIFNAME), *self._interfaces(entry, "dstintf", Key.OIFNAME),
                *condition_matches(self._conditions(entry)))
        reject = action is Action.DROP and entry.enabled("send-deny-packet")
        count = len(self.out.rules)
        for family in (4, 6):
            for variant in self._family_variants(entry, family):
                self.out.rules.append(Rule(ref, (*head, *variant), action, target=target, reject=reject))
        if len(self.out.rules) == count:
            self._warn(entry, "matches no traffic (no source or destination of either family)")

    def _family_variants(self, entry: Block, family: int) -> list[Variant]:
        if not any(key in entry.settings for key in _FAMILY_KEYS[family]):
            return []
        src = self._side(entry, family, "src")
        dst = self._side(entry, family, "dst")
        if src is None or dst is None:
            if (src is None) != (dst is None):
                self._warn(entry, f"has an IPv{family} {'destination' if src is None else 'source'} but no "
                           f"{'source' if src is None else 'destination'}: no IPv{family} match")
            return []
        if self._isdb(entry, family, "dst"):
            if entry.values("service"):
                self._warn(entry, "has both an Internet Service and a service; FortiOS uses the Internet Service")
            services: list[Variant] = [()]
        else:
            services = self._service(entry, family)
        return [(*s, *d, *v) for s in src for d in dst for v in services]

    def _side(self, entry: Block, family: int, side: str) -> list[Variant] | None:
        dim, addr_key = _SIDES[side]
        six = "6" if family == 6 else ""
        isdb = self._isdb(entry, family, side)
        if isdb:
            values = [v for k in _ISDB_KEYS for v in entry.values(f"{isdb}-{k}")]
            found = AddressSet.conditional(family, Condition("internet service", ", ".join(values) or "?", _ISDB))
            return address_variants(found.negated() if entry.enabled(f"{isdb}-negate") else found, dim)
        names = tuple(entry.values(f"{addr_key}{six}"))
        if not names:
            return None
        negate_key = f"{addr_key}{six}-negate" if f"{addr_key}{six}-negate" in entry.settings else f"{addr_key}-negate"
        negate = entry.enabled(negate_key)
        key = (names, family, negate, dim)
        if key not in self._addr_cache:
            found = self.addresses.resolve(names, family)
            self._addr_cache[key] = address_variants(found.negated() if negate else found, dim)
        return self._addr_cache[key]

    @staticmethod
    def _isdb(entry: Block, family: int, side: str) -> str:
        """The setting prefix of the Internet Service that replaces this side's addresses, or ""."""
        prefix = _ISDB_PREFIX[family, side]
        return prefix if entry.enabled(prefix) else ""

    def _service(self, entry: Block, family: int) -> list[Variant]:
        names = tuple(entry.values("service"))
        if not names:
            self._warn(entry, "has no service")
            return [condition_matches([Condition("policy", entry.name, "has no service")])]
        key = (names, family, entry.enabled("service-negate"))
        if key not in self._svc_cache:
            self._svc_cache[key] = service_variants(self.services.resolve(names), family, negate=key[2])
        return self._svc_cache[key]

    def _interfaces(self, entry: Block, key: str, fact: Key) -> tuple[Match, ...]:
        names = entry.values(key)
        if not names:
            self._warn(entry, f"has no {key}")
            return condition_matches([Condition("policy", entry.name, f"has no {key}")])
        if "any" in names:
            return ()
        if self.interfaces is not None:
            for name in names:
                zone = self.interfaces.zone_of(name)
                if zone is not None:
                    self._warn(entry, f"{key} {name} is a member of zone {zone}; traffic on it matches as {zone}")
        return (ScalarMatch(fact, frozenset(names)),)

    def _conditions(self, entry: Block) -> list[Condition]:
        data = fortinet_data().policy
        found: list[Condition] = []
        schedule = entry.value("schedule", "always")
        if schedule != "always":
            found.append(Condition("schedule", schedule, "active only at the times it defines (not collected)"))
        for key, setting in entry.settings.items():
            if key in HANDLED or key in data.neutral:
                continue
            known = data.conditional.get(key)
            if known is not None:
                if known.applies(setting.values):
                    found.append(Condition("policy", f"{entry.name} set {key} {' '.join(setting.values)}",
                                           known.describe(setting.values)))
                continue
            self._warn(entry, f"setting {key} (line {setting.line}) is not understood")
            found.append(Condition("policy", f"{entry.name} set {key}", "a setting pushaudit does not understand"))
        if entry.problems:
            self._warn(entry, "; ".join(entry.problems))
            found.append(Condition("policy", entry.name, "has lines pushaudit does not understand"))
        return found

    def _warn(self, entry: Block, text: str) -> None:
        self.out.warnings.append(f"{self.source} line {entry.line}: policy {entry.name}: {text}")
