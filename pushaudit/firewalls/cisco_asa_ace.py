"""One extended ACE's words after ``extended``: action, protocol or service, source, source
ports, destination, destination ports or ICMP type, then the options (log, time-range,
inactive). Object names resolve through an ObjectTable."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.cisco_asa_names import asa_names
from pushaudit.firewalls.cisco_asa_objects import ObjectTable
from pushaudit.firewalls.cisco_asa_services import ICMP_PROTOCOLS, icmp_condition, icmp_words, protocol_set, takes_ports
from pushaudit.firewalls.cisco_asa_values import (
    ANY,
    ANY4,
    ANY6,
    AddrSet,
    AsaSyntaxError,
    Condition,
    ServiceTerm,
    is_ipv4,
    masked,
    network,
    port_operator,
)
from pushaudit.netfilter.intervals import IntervalSet

_IDENTITY = frozenset({"user", "user-group", "object-group-user", "object-group-security"})
_ANY = {"any": ANY, "any4": ANY4, "any6": ANY6}


@dataclass(frozen=True)
class AceMatch:
    action: str  # permit | deny
    src: AddrSet
    dst: AddrSet
    terms: tuple[ServiceTerm, ...]
    conditions: tuple[Condition, ...]  # ANDed with everything else: time-range, identity
    inactive: bool


@dataclass
class _Cursor:
    words: list[str]
    at: int = 0
    conditions: list[Condition] = field(default_factory=list)

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.words[index] if index < len(self.words) else ""

    def take(self) -> str:
        if self.at >= len(self.words):
            raise AsaSyntaxError("the line ends too early")
        self.at += 1
        return self.words[self.at - 1]


def parse_ace(words: list[str], table: ObjectTable) -> AceMatch:
    """``words``: everything after ``extended``. AsaSyntaxError when not understood."""
    cur = _Cursor(words)
    action = cur.take()
    if action not in ("permit", "deny"):
        raise AsaSyntaxError(f"action {action!r} is neither permit nor deny")
    service, protocols = _protocol(cur, table)
    src = _address(cur, table)
    sports = _ports(cur, table) if takes_ports(protocols) else None
    dst = _address(cur, table)
    terms = service
    if service is None:
        terms = (_destination_service(cur, table, protocols, sports),)
    inactive = _options(cur)
    assert terms is not None
    return AceMatch(action, src, dst, terms, tuple(cur.conditions), inactive)


def _protocol(cur: _Cursor, table: ObjectTable) -> tuple[tuple[ServiceTerm, ...] | None, frozenset[str] | None]:
    """(service terms, None) for a service object/group; (None, protocols) for a protocol."""
    word = cur.take()
    if word == "object":
        return table.service_object(cur.take()), None
    if word == "object-group":
        name = cur.take()
        kind = table.kind_of(name)
        if kind == "protocol":
            return None, table.protocol_group(name)
        if kind == "service":
            return table.service_group(name), None
        raise AsaSyntaxError(f"object-group {name} in the protocol position is {kind or 'not defined'}")
    return None, protocol_set(word)


def _address(cur: _Cursor, table: ObjectTable) -> AddrSet:
    while cur.peek() in _IDENTITY or cur.peek() == "security-group":
        keyword = cur.take()
        value = f"{cur.take()} {cur.take()}" if keyword == "security-group" else cur.take()
        text = f"{keyword} {value}"
        cur.conditions.append(Condition("identity", (text,), f"{text}: depends on who or what the connection "
                                        "is identified as (identity firewall / TrustSec)"))
    word = cur.take()
    named = _NAMED.get(word)
    if named is not None:
        return named(table, cur.take())
    if word in _ANY:
        return _ANY[word]
    if "/" in word:
        return network(word)
    address = word if is_ipv4(word) else table.name_address(word)
    if address is None:
        raise AsaSyntaxError(f"not an address: {word}")
    return masked(address, cur.take())


_NAMED = {"object-group": ObjectTable.network_group, "object": ObjectTable.network_object, "host": ObjectTable.host,
          "interface": ObjectTable.interface}


def _ports(cur: _Cursor, table: ObjectTable) -> IntervalSet | None:
    found = port_operator(cur.words, cur.at)
    if found is not None:
        cur.at = found[1]
        return found[0]
    if cur.peek() == "object-group" and table.is_port_group(cur.peek(1)):
        name = cur.peek(1)
        cur.at += 2
        return table.port_group(name)[1]
    return None


def _destination_service(cur: _Cursor, table: ObjectTable, protocols: frozenset[str] | None,
                         sports: IntervalSet | None) -> ServiceTerm:
    if takes_ports(protocols):
        return ServiceTerm(protocols, sports, _ports(cur, table))
    if protocols is not None and protocols <= ICMP_PROTOCOLS:
        if cur.peek() == "object-group" and table.kind_of(cur.peek(1)) == "icmp-type":
            name = cur.peek(1)
            cur.at += 2
            return ServiceTerm(protocols, condition=table.icmp_group(name))
        count = icmp_words(cur.words, cur.at)
        if count:
            cur.at += count
            return ServiceTerm(protocols, condition=icmp_condition(cur.words[cur.at - count:cur.at]))
    return ServiceTerm(protocols)


def _options(cur: _Cursor) -> bool:
    inactive = False
    while cur.at < len(cur.words):
        word = cur.take()
        if word == "log":
            _log_options(cur)
        elif word == "time-range":
            name = cur.take()
            cur.conditions.append(Condition("time-range", (name,), f"time-range {name}: the rule applies only while "
                                            "the time range is active (time ranges are not collected)"))
        elif word == "inactive":
            inactive = True
        else:
            raise AsaSyntaxError(f"unexpected words: {' '.join(cur.words[cur.at - 1:])}")
    return inactive


def _log_options(cur: _Cursor) -> None:
    if cur.peek() in ("disable", "default"):
        cur.take()
        return
    if cur.peek() and asa_names().is_log_level(cur.peek()):
        cur.take()
    if cur.peek() == "interval":
        cur.take()
        if not cur.take().isdigit():
            raise AsaSyntaxError("log interval without a number")
