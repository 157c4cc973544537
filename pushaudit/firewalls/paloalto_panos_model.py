"""PAN-OS policy as pushaudit reads it: resolved objects and the security and decryption rules
of one vsys, before they are turned into the vendor-neutral rule model."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.netfilter.intervals import IntervalSet, normalize

ANY = "any"


@dataclass(frozen=True, slots=True)
class AddrSet:
    """Addresses a list of rule members stands for. ``unknown`` names members whose addresses
    the configuration does not hold (FQDN objects, dynamic groups, EDLs, regions)."""

    v4: IntervalSet = ()
    v6: IntervalSet = ()
    unknown: tuple[str, ...] = ()
    any: bool = False

    def family(self, version: int) -> IntervalSet:
        return self.v4 if version == 4 else self.v6

    @staticmethod
    def merge(parts: list[AddrSet]) -> AddrSet:
        """The union of several sets (one normalisation per family, however many parts)."""
        if len(parts) == 1:
            return parts[0]
        return AddrSet(normalize(iv for p in parts for iv in p.v4), normalize(iv for p in parts for iv in p.v6),
                       tuple(dict.fromkeys(u for p in parts for u in p.unknown)), any(p.any for p in parts))


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One service: a protocol with destination ports and (None: any) source ports."""

    protocol: str  # tcp | udp | sctp
    dports: IntervalSet
    sports: IntervalSet | None = None


@dataclass(frozen=True, slots=True)
class ServiceSet:
    """What a rule's ``service`` list allows; ``any`` means every protocol and port."""

    any: bool = False
    ports: tuple[PortSpec, ...] = ()
    unknown: tuple[str, ...] = ()

    @staticmethod
    def merge(parts: list[ServiceSet]) -> ServiceSet:
        if len(parts) == 1:
            return parts[0]
        return ServiceSet(any(p.any for p in parts), tuple(dict.fromkeys(s for p in parts for s in p.ports)),
                          tuple(dict.fromkeys(u for p in parts for u in p.unknown)))


@dataclass(frozen=True, slots=True)
class Condition:
    """A match the snapshot cannot decide (App-ID, User-ID, URL category, HIP, schedule)."""

    kind: str
    values: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """The match part security and decryption rules share."""

    from_zones: tuple[str, ...]  # () = any
    to_zones: tuple[str, ...]
    source: AddrSet
    destination: AddrSet
    service: ServiceSet
    negate_source: bool = False
    negate_destination: bool = False
    rule_type: str = "universal"  # universal | intrazone | interzone
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityRule:
    name: str
    index: int  # 1-based position in the rulebase, disabled rules counted (as the GUI numbers them)
    line: int | None
    action: str  # allow | deny | drop | reset-client | reset-server | reset-both
    match: RuleMatch
    text: str  # one-line summary in PAN-OS words
    disabled: bool = False
    description: str = ""
    applications: tuple[str, ...] = (ANY,)


@dataclass(frozen=True, slots=True)
class DecryptionRule:
    name: str
    index: int
    line: int | None
    action: str  # decrypt | no-decrypt | decrypt-and-forward
    decryption_type: str  # ssl-forward-proxy | ssl-inbound-inspection | ssh-proxy | ""
    match: RuleMatch
    text: str
    categories: tuple[str, ...] = (ANY,)
    profile: str = ""
    disabled: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class DefaultRule:
    """intrazone-default or interzone-default, with the override if the config has one."""

    name: str
    action: str
    line: int | None = None
    overridden: bool = False


@dataclass
class PanosPolicy:
    vsys: str
    zones: dict[str, tuple[str, ...]]  # zone -> its interfaces
    security: list[SecurityRule]
    decryption: list[DecryptionRule]
    intrazone_default: DefaultRule
    interzone_default: DefaultRule
    source: str = "cmd:config_running"
    unknown_before: str = ""  # set when pushed (Panorama) rules may come first: every verdict is unknown
    warnings: list[str] = field(default_factory=list)

    @property
    def disabled(self) -> list[SecurityRule]:
        """Disabled security rules: left out of the evaluation, listed for the report."""
        return [r for r in self.security if r.disabled]

    @property
    def enabled(self) -> list[SecurityRule]:
        return [r for r in self.security if not r.disabled]
