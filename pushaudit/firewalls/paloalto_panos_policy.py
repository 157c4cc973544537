"""Read one vsys of a PAN-OS configuration: zones, security rules (in order), decryption rules
and the default rules, with every object member resolved."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pushaudit.errors import DataError
from pushaudit.firewalls.paloalto_panos_addresses import AddressBook
from pushaudit.firewalls.paloalto_panos_data import panos_data
from pushaudit.firewalls.paloalto_panos_model import (
    ANY,
    DecryptionRule,
    DefaultRule,
    PanosPolicy,
    SecurityRule,
)
from pushaudit.firewalls.paloalto_panos_rawrule import Nested, RawEntry
from pushaudit.firewalls.paloalto_panos_rulefields import Books, RuleReader, leaf
from pushaudit.firewalls.paloalto_panos_rules import SECURITY_ACTIONS
from pushaudit.firewalls.paloalto_panos_services import ApplicationBook, ServiceBook
from pushaudit.firewalls.paloalto_panos_xml import ConfigDoc, entries, members

ZONE_TYPES = ("layer3", "layer2", "virtual-wire", "tap", "tunnel", "external")
_DEFAULTS = {"intrazone-default": "allow", "interzone-default": "deny"}
_DECRYPTION_FIELDS = {"type", "profile", "tag", "group-tag", "description", "log-setting", "log-fail", "log-success",
                      "log-successful-tls-handshakes", "packet-broker-profile"}


def find_vsys(doc: ConfigDoc, vsys: str) -> tuple[ET.Element, ET.Element]:
    """The device entry and the vsys entry; DataError when the configuration has neither."""
    device = doc.root.find("devices/entry")
    if device is None:
        raise DataError("E-PARSE-FIREWALL", f"{doc.source}: no <devices><entry> (a Panorama or partial "
                        "configuration?)", doc.source)
    for entry in entries(device, "vsys"):
        if entry.get("name") == vsys:
            return device, entry
    names = ", ".join(e.get("name", "") for e in entries(device, "vsys")) or "none"
    raise DataError("E-DATA-MISSING", f"{doc.source}: vsys {vsys} is not in the configuration (vsys: {names})",
                    doc.source)


def read_policy(doc: ConfigDoc, vsys: str = "vsys1") -> PanosPolicy:
    device, vsys_el = find_vsys(doc, vsys)
    shared = doc.root.find("shared")
    scopes = [vsys_el] if shared is None else [vsys_el, shared]
    books = Books(AddressBook(doc, scopes), ServiceBook(doc, scopes), ApplicationBook(doc, scopes))
    reader = RuleReader(doc.source, books)
    zones = {z.get("name", ""): tuple(m for kind in ZONE_TYPES for m in members(z.find("network"), kind) or [])
             for z in entries(vsys_el, "zone")}
    ignored = set(panos_data().security_rule_ignored_fields)
    security = [_security(reader, raw, i, ignored)
                for i, raw in enumerate(doc.rule_entries(vsys_el.find("rulebase/security/rules")), 1)]
    decryption = [_decryption(reader, raw, i)
                  for i, raw in enumerate(doc.rule_entries(vsys_el.find("rulebase/decryption/rules")), 1)]
    defaults = {name: DefaultRule(name, action) for name, action in _DEFAULTS.items()}
    for raw in doc.rule_entries(vsys_el.find("rulebase/default-security-rules/rules")):
        action = leaf(raw, "action")
        if raw.name in defaults and action:
            defaults[raw.name] = DefaultRule(raw.name, action, raw.line, overridden=True)
    policy = PanosPolicy(vsys, zones, security, decryption, defaults["intrazone-default"],
                         defaults["interzone-default"], source=doc.source)
    policy.unknown_before = _pushed_rules(device, scopes)
    policy.warnings += doc.warnings + reader.warnings
    for book in (books.addresses, books.services, books.applications):
        policy.warnings += book.warnings
    return policy


def _security(reader: RuleReader, raw: RawEntry, index: int, ignored: set[str]) -> SecurityRule:
    match, summary, applications = reader.match(raw, security=True, handled=ignored)
    action = leaf(raw, "action") or ""
    if action not in SECURITY_ACTIONS:
        reader.warn(raw.line, f"security rule {raw.name}: action {action or '(none)'} is not known to pushaudit")
    return SecurityRule(raw.name, index, raw.line, action, match, f"{summary} action {action}",
                        disabled=leaf(raw, "disabled") == "yes", description=leaf(raw, "description") or "",
                        applications=applications)


def _decryption(reader: RuleReader, raw: RawEntry, index: int) -> DecryptionRule:
    match, summary, _ = reader.match(raw, security=False, handled=_DECRYPTION_FIELDS)
    action = leaf(raw, "action") or ""
    kind = raw.fields.get("type")
    categories = tuple(reader.listed(raw, "category", []) or [ANY])
    return DecryptionRule(raw.name, index, raw.line, action, kind.first if isinstance(kind, Nested) else "",
                          match, f"{summary} action {action}", categories=categories,
                          profile=leaf(raw, "profile") or "", disabled=leaf(raw, "disabled") == "yes",
                          description=leaf(raw, "description") or "")


def _pushed_rules(device: ET.Element, scopes: list[ET.Element]) -> str:
    """Why rules absent from this output may decide first (Panorama), or ''."""
    system = device.find("deviceconfig/system")
    managed = system is not None and any(
        system.find(path) is not None for path in ("panorama", "panorama-server", "panorama-server-2"))
    if managed:
        return ("the firewall is managed by Panorama: rules it pushes (pre-rules first) are not in 'show config "
                "running'; set host data panorama_pushed_rules: none if it pushes no security rules")
    if any(s.find(path) is not None for s in scopes for path in ("pre-rulebase", "post-rulebase")):
        return "pre-rulebase/post-rulebase present: pushed rules are not evaluated by pushaudit"
    return ""
