"""PAN-OS authentication policy (``rulebase/authentication``) as an inspection rule list: first
match; a rule whose enforcement object demands a login (browser-challenge, web-form) counts as
authentication, ``no-captive-portal`` as an exemption; no matching rule = no authentication."""

from __future__ import annotations

from pushaudit.firewalls.paloalto_panos import load_config
from pushaudit.firewalls.paloalto_panos_addresses import AddressBook
from pushaudit.firewalls.paloalto_panos_model import ANY
from pushaudit.firewalls.paloalto_panos_rawrule import RawEntry
from pushaudit.firewalls.paloalto_panos_rulefields import Books, RuleReader, leaf
from pushaudit.firewalls.paloalto_panos_rules import Variants
from pushaudit.firewalls.paloalto_panos_services import ApplicationBook, ServiceBook
from pushaudit.firewalls.paloalto_panos_xml import entries, text
from pushaudit.inspection.engine import RuleList
from pushaudit.inspection.panos_categories import UrlCategories
from pushaudit.inspection.panos_decrypt import SYNTAX, for_name, rule_ref
from pushaudit.inspection.targets import AppleTarget
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Ruleset
from pushaudit.snapshot import HostSnapshot

_FIELDS = {"authentication-enforcement", "timeout", "log-setting", "log-authentication-timeout", "description",
           "tag", "group-tag", "target"}
# The predefined enforcement objects and what they do.
_PREDEFINED = {"default-browser-challenge": "browser-challenge", "default-web-form": "web-form",
               "default-no-captive-portal": "no-captive-portal"}


class PanosAuthentication:
    def __init__(self, snapshot: HostSnapshot) -> None:
        config = load_config(snapshot)
        policy = config.policy
        self.source, self.vsys = policy.source, policy.vsys
        self.unknown_before = policy.unknown_before
        books = Books(AddressBook(config.doc, config.scopes), ServiceBook(config.doc, config.scopes),
                      ApplicationBook(config.doc, config.scopes))
        reader = RuleReader(config.doc.source, books)
        holder = config.scopes[0].find("rulebase/authentication/rules")
        self.raw = list(config.doc.rule_entries(holder))
        self.present = bool(self.raw)
        self.rules = []
        for index, raw in enumerate(self.raw, 1):
            match, summary, _ = reader.match(raw, security=False, handled=_FIELDS)
            enforcement = leaf(raw, "authentication-enforcement") or ""
            categories = tuple(reader.listed(raw, "category", []) or [ANY])
            text_ = f"{summary} authentication-enforcement {enforcement or '(none)'}"
            ref = rule_ref(self.source, self.vsys, "authentication", (index, raw.name), text_, line=raw.line)
            self.rules.append((raw, ref, match, categories, enforcement))
        self.methods = dict(_PREDEFINED)
        for scope in reversed(config.scopes):
            for entry in entries(scope, "authentication-object"):
                self.methods[entry.get("name", "")] = text(entry, "authentication-method") or ""
        self.urls = UrlCategories(config.scopes)
        self.variants = Variants(list(policy.zones))
        self.warnings = reader.warnings

    def build(self, target: AppleTarget) -> Ruleset:
        rules = RuleList(self.source, self.vsys, SYNTAX)
        if self.unknown_before:
            rules.add(rule_ref(self.source, self.vsys, "authentication", (0, "pushed rules"),
                               "authentication rules pushed from Panorama (not collected)", line=None),
                      [()], None, self.unknown_before)
        for raw, ref, match, categories, enforcement in self.rules:
            if _disabled(raw):
                continue
            item = for_name(match, categories, self.urls, target.server_name)
            if item.match is None:
                continue
            applies, why = self._applies(raw.name, enforcement)
            rules.add(ref, self.variants.of(item.match), applies, why)
        default = rule_ref(self.source, self.vsys, "authentication", (len(self.rules) + 1, "(no rule)"),
                           "no authentication rule matches: no login is demanded", line=None)
        return rules.finish(default)

    def _applies(self, name: str, enforcement: str) -> tuple[bool | None, str]:
        method = self.methods.get(enforcement)
        if method is None:
            return None, f"authentication rule {name}: enforcement {enforcement or '(none)'} is not defined"
        if method == "no-captive-portal":
            return False, ""
        if method in ("browser-challenge", "web-form"):
            return True, ""
        return None, f"authentication rule {name}: method {method or '(none)'} of {enforcement} is not known"

    def exemptions(self) -> list[RuleRef]:
        return [ref for raw, ref, _, _, enforcement in self.rules
                if not _disabled(raw) and self.methods.get(enforcement) == "no-captive-portal"]


def _disabled(raw: RawEntry) -> bool:
    return leaf(raw, "disabled") == "yes"
