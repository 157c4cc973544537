"""What a FortiGate ssl-ssh-profile's ``config ssl-exempt`` does to one Apple name: address
exemptions as destination matches, name exemptions (wildcard-fqdn, regex) decided per SNI name,
and what only the running FortiGate knows (FortiGuard categories) as conditions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pushaudit.firewalls.fortinet_addresses import AddressBook
from pushaudit.firewalls.fortinet_conf import parse_config
from pushaudit.firewalls.fortinet_inspection import SslSshProfile
from pushaudit.firewalls.fortinet_pieces import Variant, address_variants
from pushaudit.inspection.names import Cover, any_cover, name_cover
from pushaudit.netfilter.model import Dim, UnknownMatch
from pushaudit.snapshot import HostSnapshot

# Optional command: the patterns behind wildcard-fqdn object names (else host data ``wildcard_fqdn``).
WILDCARD_COMMAND = "firewall_wildcard_fqdn_custom"


@dataclass
class NameExemption:
    """The profile's name-based exemptions for one server name."""

    cover: Cover  # ALL: the name is exempt; NONE: not; SOME: depends on what `reasons` say
    reasons: list[str] = field(default_factory=list)


def wildcard_patterns(snapshot: HostSnapshot, data: dict[str, object]) -> tuple[dict[str, str], list[str]]:
    """object name -> pattern, from the optional ``show firewall wildcard-fqdn custom`` output and
    the inventory's ``wildcard_fqdn`` mapping (the inventory wins)."""
    found: dict[str, str] = {}
    warnings: list[str] = []
    if snapshot.has_command(WILDCARD_COMMAND):
        record, output = snapshot.command(WILDCARD_COMMAND)
        block = parse_config(output, f"cmd:{WILDCARD_COMMAND}").section("firewall wildcard-fqdn custom")
        if record.exit_status == 0 and block is not None:
            found.update({e.name: e.value("wildcard-fqdn") for e in block.entries.values() if e.value("wildcard-fqdn")})
        else:
            warnings.append(f"cmd:{WILDCARD_COMMAND}: not readable; wildcard-fqdn exemptions stay undecided")
    extra = data.get("wildcard_fqdn")
    if isinstance(extra, dict):
        found.update({str(k): str(v) for k, v in extra.items()})
    return found, warnings


def _regex_cover(expression: str, name: str) -> tuple[Cover, str]:
    # `show` prints a backslash doubled; the profile's expression has it once.
    try:
        pattern = re.compile(expression.replace("\\\\", "\\"), re.IGNORECASE)
    except re.error:
        return Cover.SOME, f"ssl-exempt regex {expression!r} is not a regular expression pushaudit reads"
    if name.startswith("*."):  # a wildcard stands for many names: only a miss on its domain is sure
        return Cover.SOME, f"ssl-exempt regex {expression!r} may or may not hold every name of {name}"
    if pattern.fullmatch(name):
        return Cover.ALL, ""
    if pattern.search(name):
        return Cover.SOME, f"ssl-exempt regex {expression!r} matches part of {name} (FortiOS anchoring not known)"
    return Cover.NONE, ""


def name_exemption(profile: SslSshProfile, patterns: dict[str, str], name: str) -> NameExemption:
    """Does a wildcard-fqdn, regex or FortiGuard-category entry exempt ``name``?"""
    covers: list[Cover] = []
    reasons: list[str] = []
    for obj in profile.exempt_values("wildcard-fqdn"):
        pattern = patterns.get(obj)
        if pattern is None:
            covers.append(Cover.SOME)
            reasons.append(f"ssl-exempt wildcard-fqdn {obj}: its pattern was not collected "
                           "(show firewall wildcard-fqdn custom)")
            continue
        cover = name_cover(pattern, name)
        covers.append(cover)
        if cover is Cover.SOME:
            reasons.append(f"ssl-exempt wildcard-fqdn {obj} ({pattern}) covers only some of {name}")
    for expression in profile.exempt_values("regex"):
        cover, why = _regex_cover(expression, name)
        covers.append(cover)
        reasons += [why] if why else []
    categories = profile.exempt_values("fortiguard-category")
    if categories:
        covers.append(Cover.SOME)
        reasons.append(f"ssl-exempt fortiguard-category {', '.join(categories)}: FortiGuard's rating of {name} "
                       "is not in the snapshot")
    for entry in profile.exempt:
        if entry.type not in ("address", "address6", "wildcard-fqdn", "regex", "fortiguard-category"):
            covers.append(Cover.SOME)
            reasons.append(f"ssl-exempt entry {entry.entry} of type {entry.type} is not read by pushaudit")
    cover = any_cover(covers)
    return NameExemption(cover, reasons if cover is Cover.SOME else [])


def address_exemptions(profile: SslSshProfile, addresses: AddressBook, family: int) -> list[Variant]:
    """Destination matches of the profile's address (IPv4) or address6 entries."""
    names = profile.exempt_values("address" if family == 4 else "address6")
    if not names:
        return []
    return address_variants(addresses.resolve(names, family), Dim.DADDR)


def conditional(reasons: list[str]) -> Variant:
    return (UnknownMatch("; ".join(reasons)),)
