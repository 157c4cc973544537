"""PAN-OS decryption rulebase as an inspection rule list: top-down, first match, disabled rules
left out, no matching rule = no decryption. Categories are decided per Apple name."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from pushaudit.firewalls.paloalto_panos import load_config
from pushaudit.firewalls.paloalto_panos_model import Condition, DecryptionRule, RuleMatch
from pushaudit.firewalls.paloalto_panos_rules import Variants
from pushaudit.inspection.engine import RuleList
from pushaudit.inspection.names import Cover
from pushaudit.inspection.panos_categories import UrlCategories
from pushaudit.inspection.targets import AppleTarget
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Ruleset
from pushaudit.snapshot import HostSnapshot

SYNTAX = "paloalto_panos"
DECRYPTING = {"decrypt": True, "decrypt-and-forward": True, "no-decrypt": False}


class NamedRule(NamedTuple):
    """A rule match with its categories decided for one name (None: the rule cannot match)."""

    match: RuleMatch | None
    note: str


def rule_ref(source: str, vsys: str, chain: str, position: tuple[int, str], text: str, *,
             line: int | None) -> RuleRef:
    """``position``: the rule's 1-based index in its rulebase and its name."""
    return RuleRef(source, "panos", vsys, chain, position[0], text, line=line, comment=position[1])


def for_name(match: RuleMatch, categories: tuple[str, ...], urls: UrlCategories, name: str) -> NamedRule:
    """The match with its URL-category condition replaced by what is known for ``name``."""
    verdict = urls.verdict(categories, name)
    if verdict.cover is Cover.NONE:
        return NamedRule(None, f"its URL categories do not hold {name}")
    others = tuple(c for c in match.conditions if c.kind != "category")
    if verdict.cover is Cover.SOME:
        others += (Condition("category", categories, verdict.reason),)
    return NamedRule(replace(match, conditions=others), "")


class PanosDecryption:
    """Builds the per-name rule list of one host (the parsed config is shared)."""

    def __init__(self, snapshot: HostSnapshot) -> None:
        config = load_config(snapshot)
        self.policy = config.policy
        self.urls = UrlCategories(config.scopes)
        self.variants = Variants(list(self.policy.zones))
        self.warnings = list(self.policy.warnings)
        self.rules = [r for r in self.policy.decryption if not r.disabled]
        self._cache: dict[tuple[int, ...], Ruleset] = {}

    def ref(self, rule: DecryptionRule) -> RuleRef:
        text = rule.text + (f" type {rule.decryption_type}" if rule.decryption_type else "")
        text += f" profile {rule.profile}" if rule.profile else ""
        return rule_ref(self.policy.source, self.policy.vsys, "decryption", (rule.index, rule.name), text,
                        line=rule.line)

    def build(self, target: AppleTarget) -> Ruleset:
        named = [for_name(r.match, r.categories, self.urls, target.server_name) for r in self.rules]
        key = tuple(i for i, n in enumerate(named) if n.match is not None and n.match.conditions)
        key += (-1, *(i for i, n in enumerate(named) if n.match is None))
        if key in self._cache:
            return self._cache[key]
        rules = RuleList(self.policy.source, self.policy.vsys, SYNTAX)
        if self.policy.unknown_before:
            rules.add(rule_ref(self.policy.source, self.policy.vsys, "decryption", (0, "pushed rules"),
                               "decryption rules pushed from Panorama (not collected)", line=None),
                      [()], None, self.policy.unknown_before)
        for rule, item in zip(self.rules, named, strict=True):
            if item.match is None:
                continue
            applies, why = _action(rule)
            rules.add(self.ref(rule), self.variants.of(item.match), applies, why)
        default = rule_ref(self.policy.source, self.policy.vsys, "decryption",
                           (len(self.policy.decryption) + 1, "(no rule)"),
                           "no decryption rule matches: PAN-OS does not decrypt", line=None)
        ruleset = rules.finish(default)
        self._cache[key] = ruleset
        return ruleset

    def exemptions(self) -> list[RuleRef]:
        return [self.ref(r) for r in self.rules if r.action == "no-decrypt"]


def _action(rule: DecryptionRule) -> tuple[bool | None, str]:
    if rule.decryption_type not in ("ssl-forward-proxy", ""):
        return None, (f"decryption rule {rule.name} is of type {rule.decryption_type}: what it does to "
                      "outbound TLS is not decided by pushaudit")
    applies = DECRYPTING.get(rule.action)
    if applies is None:
        return None, f"decryption rule {rule.name}: action {rule.action or '(none)'} is not known to pushaudit"
    return applies, ""
