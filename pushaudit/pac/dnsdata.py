"""DNS answers for the PAC's dnsResolve/isResolvable: what ``dig`` printed on the audited host.

``pacdns_<name>`` outputs (names the PAC asked for) win over ``dns_<name>`` (the courier probes).
A name with no record at all is "not collected": the engine then answers null and the evaluation
is marked as depending on an unknown answer.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from pushaudit.errors import DataError
from pushaudit.pac.outcomes import Answers
from pushaudit.parsers.dig import DigOutcome, parse_dig
from pushaudit.snapshot import HostSnapshot

PACDNS_PREFIX = "pacdns_"
PROBE_PREFIX = "dns_"
_DNS_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")


def dns_name(name: str) -> str | None:
    """The lower-case name without its final dot, or None when it cannot be a DNS name."""
    key = name.lower().rstrip(".")
    return key if _DNS_NAME.match(key) else None


def dig_command(name: str) -> str:
    return shlex.join(["dig", "+time=2", "+tries=2", name, "A"])


def read_answer(output: str, exit_status: int | None) -> tuple[list[str] | None, str]:
    """Addresses from one dig run, or None when the resolver failed; DataError when unreadable."""
    if exit_status is None:
        raise DataError("E-COLLECT-COMMAND", "dig did not run")
    result = parse_dig(output)
    if result.outcome is not DigOutcome.ANSWER:
        return None, f"resolver {result.outcome.value}: {result.failure}"
    if result.rcode not in ("NOERROR", "NXDOMAIN"):
        return None, f"resolver answered {result.rcode}"
    return [a.address for a in result.addresses if a.rtype == "A"], ""


@dataclass
class DnsTable:
    answers: Answers = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # name -> command id
    notes: dict[str, str] = field(default_factory=dict)  # name -> why it failed or is unknown


def dns_table(snapshot: HostSnapshot) -> DnsTable:
    table = DnsTable()
    ids = sorted(snapshot.commands, key=lambda c: c.startswith(PACDNS_PREFIX))  # pacdns_ last: they win
    for command_id in ids:
        prefix = next((p for p in (PACDNS_PREFIX, PROBE_PREFIX) if command_id.startswith(p)), None)
        name = dns_name(command_id[len(prefix) :]) if prefix else None
        if name is None:
            continue
        record, output = snapshot.command(command_id)
        try:
            addresses, note = read_answer(output, record.exit_status)
        except DataError as exc:  # unreadable: leave the name unknown rather than guess
            table.answers.pop(name, None)
            table.notes[name] = f"{command_id}: {exc.message}"
            continue
        table.answers[name] = addresses
        table.sources[name] = command_id
        if note:
            table.notes[name] = note
        else:
            table.notes.pop(name, None)
    return table
