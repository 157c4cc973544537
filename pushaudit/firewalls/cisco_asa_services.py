"""ASA service specifications: ``service tcp source eq X destination range A B`` (object
service), ``service-object ...`` (service groups) and the protocol word in front of them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pushaudit.firewalls.cisco_asa_names import PORT_PROTOCOLS, asa_names
from pushaudit.firewalls.cisco_asa_values import AsaSyntaxError, Condition, ServiceTerm, port_operator
from pushaudit.netfilter.intervals import IntervalSet

ICMP_PROTOCOLS = frozenset({"icmp", "ipv6-icmp"})


@cache
def protocol_set(word: str) -> frozenset[str] | None:
    """The protocols an ASA protocol word stands for; None means every IP protocol."""
    if word.lower() == "tcp-udp":
        return frozenset({"tcp", "udp"})
    name = asa_names().protocol(word)
    if name is None:
        raise AsaSyntaxError(f"unknown protocol {word!r}")
    return None if name == "" else frozenset({name})


def takes_ports(protocols: frozenset[str] | None) -> bool:
    return protocols is not None and bool(protocols) and protocols <= PORT_PROTOCOLS


def icmp_condition(words: Sequence[str]) -> Condition:
    text = " ".join(words)
    return Condition("icmp-type", (text,), f"ICMP message type {text}: ICMP types are not modelled")


def icmp_words(words: Sequence[str], at: int) -> int:
    """How many words from ``at`` form an ICMP type and optional code (0 when none)."""
    if at >= len(words) or not asa_names().is_icmp_type(words[at]):
        return 0
    has_code = at + 1 < len(words) and words[at + 1].isdigit() and int(words[at + 1]) <= 255
    return 2 if has_code else 1


def service_entry(words: Sequence[str], at: int) -> ServiceTerm:
    """``PROTO [source OP P] [destination OP P]`` (an operator without ``destination`` is the
    older destination form), ``icmp [TYPE [CODE]]`` or a bare protocol, from ``words[at]``."""
    if at >= len(words):
        raise AsaSyntaxError("service without a protocol")
    protocols = protocol_set(words[at])
    rest = list(words[at + 1:])
    if takes_ports(protocols):
        sports, dports = _port_words(rest)
        return ServiceTerm(protocols, sports, dports)
    if protocols is not None and protocols <= ICMP_PROTOCOLS and rest:
        if icmp_words(rest, 0) != len(rest):
            raise AsaSyntaxError(f"not an ICMP type: {' '.join(rest)}")
        return ServiceTerm(protocols, condition=icmp_condition(rest))
    if rest:
        raise AsaSyntaxError(f"unexpected words after protocol {words[at]}: {' '.join(rest)}")
    return ServiceTerm(protocols)


def _port_words(rest: list[str]) -> tuple[IntervalSet | None, IntervalSet | None]:
    sports: IntervalSet | None = None
    dports: IntervalSet | None = None
    at = 0
    while at < len(rest):
        word = rest[at]
        if word in ("source", "destination"):
            found = port_operator(rest, at + 1)
            if found is None:
                raise AsaSyntaxError(f"{word} without a port operator")
            if word == "source":
                sports, at = found
            else:
                dports, at = found
            continue
        found = port_operator(rest, at)
        if found is None or dports is not None:
            raise AsaSyntaxError(f"unexpected service words: {' '.join(rest[at:])}")
        dports, at = found
    return sports, dports
