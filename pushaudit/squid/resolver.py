"""DNS answers for the decision model: what the proxy's own resolver said, and the policy's facts."""

from __future__ import annotations

import ipaddress
import re

from pushaudit.policy import Policy
from pushaudit.snapshot import HostSnapshot
from pushaudit.squid.request import IPAddress, StaticResolver

_STATUS = re.compile(r"->>HEADER<<-.*status:\s*([A-Z]+)")
_RECORD = re.compile(r"^(\S+)\s+\d+\s+IN\s+(A|AAAA)\s+(\S+)\s*$")


def dig_addresses(output: str) -> tuple[IPAddress, ...] | None:
    """Addresses at the end of a ``dig`` answer: () for NODATA/NXDOMAIN, None when the answer is unusable."""
    status = _STATUS.search(output)
    if status is None or status.group(1) not in ("NOERROR", "NXDOMAIN"):
        return None
    found: list[IPAddress] = []
    in_answer = False
    for line in output.splitlines():
        if line.startswith(";;"):
            in_answer = "ANSWER SECTION" in line
            continue
        record = _RECORD.match(line.strip()) if in_answer else None
        if record:
            try:
                found.append(ipaddress.ip_address(record.group(3)))
            except ValueError:
                return None
    return tuple(found)


def policy_resolver(policy: Policy, snapshot: HostSnapshot | None = None) -> StaticResolver:
    """The courier names per the policy (bare and target have no address), overridden by the
    ``dns_<name>`` answers collected on the proxy. Every other name is unknown."""
    answers: dict[str, tuple[IPAddress, ...]] = {policy.courier.bare: (), policy.courier.target: ()}
    if snapshot is not None:
        for command_id in snapshot.commands:
            if not command_id.startswith("dns_"):
                continue
            _, output = snapshot.command(command_id)
            addresses = dig_addresses(output)
            if addresses is not None:
                answers[command_id[len("dns_") :].lower().rstrip(".")] = addresses
    return StaticResolver(answers)
