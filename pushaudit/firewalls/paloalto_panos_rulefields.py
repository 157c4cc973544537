"""The match fields of one PAN-OS rule entry (security or decryption): zones, resolved
addresses and services, negation, rule type, and the conditions the snapshot cannot decide."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.firewalls.paloalto_panos_addresses import AddressBook
from pushaudit.firewalls.paloalto_panos_model import ANY, Condition, RuleMatch, ServiceSet
from pushaudit.firewalls.paloalto_panos_rawrule import Nested, RawEntry
from pushaudit.firewalls.paloalto_panos_services import APPLICATION_DEFAULT, ApplicationBook, ServiceBook

# Fields that narrow a rule to traffic the snapshot cannot recognise: name -> why.
_CONDITIONS = {
    "source-user": "User-ID: the rule matches only traffic of these users",
    "category": "the rule matches only destinations PAN-DB puts in these URL categories",
    "source-hip": "GlobalProtect HIP: depends on the connecting endpoint",
    "destination-hip": "GlobalProtect HIP: depends on the destination endpoint",
    "hip-profiles": "GlobalProtect HIP: depends on the connecting endpoint",
    "source-imei": "5G subscriber match: depends on the mobile network",
    "source-imsi": "5G subscriber match: depends on the mobile network",
    "source-nw-slice": "5G network slice: depends on the mobile network",
}
_APP_REASON = "the rule applies only if PAN-OS App-ID identifies the traffic as one of them"
_MISSING = "missing from the rule; what it matches is unknown"
_READ = {"from", "to", "source", "destination", "service", "application", "negate-source", "negate-destination",
         "rule-type", "schedule", "disabled", "action", *_CONDITIONS}
_RULE_TYPES = ("universal", "intrazone", "interzone")


@dataclass(frozen=True)
class Books:
    addresses: AddressBook
    services: ServiceBook
    applications: ApplicationBook


def listing(values: list[str]) -> str:
    """Members as PAN-OS prints a list: one bare, several in brackets."""
    if len(values) == 1:
        return f'"{values[0]}"' if " " in values[0] else values[0]
    return "[ " + " ".join(f'"{v}"' if " " in v else v for v in values) + " ]"


def leaf(raw: RawEntry, tag: str) -> str | None:
    """A field's text (None when absent or not a plain value)."""
    value = raw.fields.get(tag)
    return value.strip() if isinstance(value, str) else None


class RuleReader:
    def __init__(self, source: str, books: Books) -> None:
        self.source = source
        self.books = books
        self.warnings: list[str] = []

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(f"{self.source}{f' line {line}' if line is not None else ''}: {message}")

    def listed(self, raw: RawEntry, tag: str, conditions: list[Condition]) -> list[str] | None:
        """A member list (a bare value counts as one member); None when absent. A field with
        another structure adds an undecidable condition and stands for any."""
        value = raw.fields.get(tag)
        if value is None or isinstance(value, list):
            return value  # member texts are names: PAN-OS prints them without padding
        if isinstance(value, Nested):
            self.warn(raw.line, f"rule {raw.name}: <{tag}> holds <{value.first}>, not members")
            conditions.append(Condition(tag, (), "not a member list pushaudit reads"))
            return [ANY]
        return [value.strip()] if value.strip() else []

    def match(self, raw: RawEntry, *, security: bool, handled: set[str]) -> tuple[RuleMatch, str, tuple[str, ...]]:
        """The rule's match, a one-line summary (its name and fields in PAN-OS words) and, for a
        security rule, its applications."""
        name, line = raw.name, raw.line
        conditions: list[Condition] = []
        words = [f"{name}:"]

        def required(tag: str) -> list[str]:
            found = self.listed(raw, tag, conditions)
            if found is None:
                self.warn(line, f"rule {name} has no <{tag}>")
                conditions.append(Condition(tag, (), _MISSING))
                return [ANY]
            words.append(f"{tag} {listing(found)}")
            return found

        from_zones, to_zones = required("from"), required("to")
        source, destination = required("source"), required("destination")
        negations = [tag for tag in ("negate-source", "negate-destination") if leaf(raw, tag) == "yes"]
        words += [f"{tag} yes" for tag in negations]
        applications = required("application") if security else []
        if security and ANY not in applications:
            conditions.append(Condition("application", tuple(applications), _APP_REASON))
        service = self._service(name, line, required("service"), applications if security else None)
        for tag, why in _CONDITIONS.items():
            values = self.listed(raw, tag, conditions) if tag in raw.fields else None
            if values and ANY not in values:
                conditions.append(Condition(tag, tuple(values), why))
                words.append(f"{tag} {listing(values)}")
        schedule = leaf(raw, "schedule")
        if schedule:
            conditions.append(Condition("schedule", (schedule,), "the rule applies only at the scheduled times"))
            words.append(f"schedule {schedule}")
        rule_type = leaf(raw, "rule-type") or "universal"
        if rule_type not in _RULE_TYPES:
            self.warn(line, f"rule {name}: unknown rule-type {rule_type}")
            conditions.append(Condition("rule-type", (rule_type,), "not a rule type pushaudit knows"))
        elif rule_type != "universal":
            words.append(f"rule-type {rule_type}")
        extra = raw.fields.keys() - _READ - handled  # usually empty: set arithmetic in C, order kept below
        for tag in [t for t in raw.fields if t in extra] if extra else ():
            self.warn(line, f"rule {name}: field <{tag}> is not read by pushaudit")
            conditions.append(Condition(f"field {tag}", (), "not read by pushaudit; it may narrow the rule"))
        match = RuleMatch(
            from_zones=() if ANY in from_zones else tuple(from_zones),
            to_zones=() if ANY in to_zones else tuple(to_zones),
            source=self.books.addresses.resolve(source, line),
            destination=self.books.addresses.resolve(destination, line),
            service=service, negate_source="negate-source" in negations,
            negate_destination="negate-destination" in negations,
            rule_type=rule_type if rule_type in _RULE_TYPES else "universal",
            conditions=tuple(conditions),
        )
        return match, " ".join(words), tuple(applications)

    def _service(self, name: str, line: int | None, names: list[str],
                 applications: list[str] | None) -> ServiceSet:
        if APPLICATION_DEFAULT not in names:
            return self.books.services.resolve(names, line)
        if applications is None or len(names) > 1:
            self.warn(line, f"rule {name}: service application-default cannot be read here")
            return ServiceSet(unknown=("service application-default could not be read",))
        return self.books.applications.default_ports(applications)
