"""The courier DNS probes a proxy ran with its own resolver: classified, judged, drawn as chains.

Apple publishes ``courier.push.apple.com`` as a CNAME to ``courier-push-apple.com.akadns.net``,
a name with no address (NOERROR, empty answer, SOA in authority). Devices use numbered names
(``N-courier.push.apple.com``) that resolve through CNAMEs to Apple's addresses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import dns.name

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.parsers.dig import DigOutcome, DigResult, parse_dig
from pushaudit.results import DnsChain, DnsStep

if TYPE_CHECKING:
    from pushaudit.policy import Policy


class DnsClass(StrEnum):
    RESOLVES = "RESOLVES"  # NOERROR with A/AAAA at the end of the chain
    NODATA_AFTER_CNAME = "NODATA_AFTER_CNAME"  # NOERROR, CNAME(s), no address
    NODATA = "NODATA"  # NOERROR, empty answer
    NXDOMAIN = "NXDOMAIN"
    SERVFAIL = "SERVFAIL"
    REFUSED = "REFUSED"
    TIMEOUT = "TIMEOUT"  # no answer from any server in time
    ERROR = "ERROR"  # dig could not query, or another rcode (FORMERR, NOTIMP, ...)


class ProbeKind(StrEnum):
    BARE = "bare"
    TARGET = "target"
    NUMBERED = "numbered"


@dataclass(frozen=True)
class DnsProbe:
    name: str
    kind: ProbeKind
    result: DigResult
    classification: DnsClass
    command_id: str  # "dns_<name>"
    exit_status: int | None


def classify(result: DigResult) -> DnsClass:
    if result.outcome is DigOutcome.TIMEOUT:
        return DnsClass.TIMEOUT
    if result.outcome is DigOutcome.ERROR:
        return DnsClass.ERROR
    if result.rcode == "NOERROR":
        if result.addresses:
            return DnsClass.RESOLVES
        return DnsClass.NODATA_AFTER_CNAME if result.chain else DnsClass.NODATA
    by_rcode = {"NXDOMAIN": DnsClass.NXDOMAIN, "SERVFAIL": DnsClass.SERVFAIL, "REFUSED": DnsClass.REFUSED}
    return by_rcode.get(result.rcode, DnsClass.ERROR)


def probe_names(policy: Policy) -> list[tuple[str, ProbeKind]]:
    """Every name the collector queries, in the collector's order."""
    courier = policy.courier
    names = [(courier.bare, ProbeKind.BARE), (courier.target, ProbeKind.TARGET)]
    for n in courier.probe_numbers:
        names += [(name, ProbeKind.NUMBERED) for name in courier.numbered_names(n)]
    return names


def _same_name(left: str, right: str) -> bool:
    return bool(dns.name.from_text(left) == dns.name.from_text(right))


def _load(ctx: HostContext, name: str, kind: ProbeKind) -> DnsProbe:
    command_id = f"dns_{name}"
    source = f"cmd:{command_id}"
    if not ctx.snapshot.has_command(command_id):
        raise DataError("E-DATA-MISSING", f"dig for {name} was not collected ({command_id})", source=source)
    record, output = ctx.snapshot.command(command_id)
    if record.exit_status is None:
        why = record.error or "no exit status was recorded"
        raise DataError("E-COLLECT-COMMAND", f"dig for {name} did not run: {why}", source=source)
    try:
        result = parse_dig(output)
    except DataError as exc:
        raise DataError(exc.code, f"{name}: {exc.message}", source=source, line=exc.line) from exc
    answered = result.outcome is DigOutcome.ANSWER
    if answered != (record.exit_status == 0):
        state = "printed an answer" if answered else "printed no answer"
        raise DataError("E-PARSE-DNS", f"dig for {name} {state} but exited {record.exit_status}", source=source)
    if result.question and not _same_name(result.question, name):
        raise DataError("E-PARSE-DNS", f"output of {command_id} answers {result.question}, not {name}", source)
    return DnsProbe(name, kind, result, classify(result), command_id, record.exit_status)


def _build(ctx: HostContext) -> list[DnsProbe]:
    return [_load(ctx, name, kind) for name, kind in probe_names(ctx.policy)]


DNS_PROBES: ModelKey[list[DnsProbe]] = ModelKey("dns_probes", _build)


@dataclass(frozen=True)
class Judgement:
    ok: bool
    verdict: str
    expected: str


def outside_ranges(probe: DnsProbe, policy: Policy) -> list[str]:
    nets = policy.apple_ranges()
    found = [ipaddress.ip_address(a.address) for a in probe.result.addresses]
    return [str(ip) for ip in found if not any(ip.version == n.version and ip in n for n in nets)]


def _bare(name: str) -> str:
    return name.rstrip(".")


def describe(probe: DnsProbe) -> str:
    """What the resolver said, in one line: rcode, chain, addresses, server."""
    res = probe.result
    if res.outcome is not DigOutcome.ANSWER:
        said = "; ".join(dict.fromkeys(res.failure.splitlines())) or "no answer"
        return f"{probe.classification.value}: {said}"
    parts = [res.rcode]
    if res.chain:
        parts.append("CNAME " + " -> ".join([_bare(res.chain[0].owner)] + [_bare(h.target) for h in res.chain]))
    if res.addresses:
        parts.append("addresses " + ", ".join(a.address for a in res.addresses))
    elif res.soa is not None:
        parts.append(f"no address (SOA {_bare(res.soa.owner)})")
    else:
        parts.append("no address")
    if res.server:
        parts.append(f"from {res.server}")
    return "; ".join(parts)


def expectation(kind: ProbeKind, policy: Policy) -> str:
    if kind is ProbeKind.BARE:
        return f"NOERROR with a CNAME to {policy.courier.target} and no address (NODATA, SOA in authority)"
    if kind is ProbeKind.TARGET:
        return "NOERROR with no address (NODATA, SOA in authority)"
    return "resolves through its CNAME chain to addresses, all inside Apple's ranges"


def judge(probe: DnsProbe, policy: Policy) -> Judgement:
    """Is this answer what Apple publishes? Anything else is a fault (fail closed)."""
    cls, res, target = probe.classification, probe.result, policy.courier.target
    expected = expectation(probe.kind, policy)
    outside = outside_ranges(probe, policy)
    if cls is DnsClass.RESOLVES and outside:
        return Judgement(False, f"resolves outside Apple's ranges ({', '.join(outside)})", expected)
    if cls is DnsClass.RESOLVES:
        return Judgement(True, f"resolves in Apple's ranges via {len(res.chain)} CNAME hop(s)", expected)
    if probe.kind is ProbeKind.BARE and cls is DnsClass.NODATA_AFTER_CNAME:
        if _same_name(res.canonical_name, target):
            return Judgement(True, "CNAME then NODATA: Apple's design, not a fault", expected)
        return Judgement(False, f"CNAME chain ends at {_bare(res.canonical_name)}, not {target}", expected)
    if probe.kind is ProbeKind.TARGET and cls in (DnsClass.NODATA, DnsClass.NODATA_AFTER_CNAME):
        return Judgement(True, "NODATA: Apple's design (the name has no address)", expected)
    return Judgement(False, _FAULT[cls], expected)


_FAULT = {
    DnsClass.NODATA_AFTER_CNAME: "CNAME chain ends with no address (NODATA)",
    DnsClass.NODATA: "no address and no CNAME (NODATA): the resolver or a filter answers for the name",
    DnsClass.NXDOMAIN: "the name exists at Apple, so a DNS filter or local zone rewrote it (NXDOMAIN)",
    DnsClass.SERVFAIL: "the resolver could not resolve the name (SERVFAIL)",
    DnsClass.REFUSED: "the resolver would not answer (REFUSED)",
    DnsClass.TIMEOUT: "no answer: the resolver timed out",
    DnsClass.ERROR: "no usable answer: dig could not query the resolver, or got an unexpected rcode",
    DnsClass.RESOLVES: "resolves",  # never used: RESOLVES is decided above
}


def dns_chains_for_report(ctx: HostContext) -> list[DnsChain]:
    """The probes drawn as chains; empty when the host has none (the check reports why)."""
    if ctx.facts.role != "proxy":
        return []
    try:
        probes = ctx.get(DNS_PROBES)
    except DataError:
        return []
    chains = []
    for probe in probes:
        verdict = judge(probe, ctx.policy)
        res = probe.result
        steps = [DnsStep(_bare(h.owner), "CNAME", _bare(h.target), h.ttl) for h in res.chain]
        steps += [DnsStep(_bare(a.owner), a.rtype, a.address, a.ttl) for a in res.addresses]
        if not res.addresses and res.soa is not None:
            soa = res.soa
            value = f"{_bare(soa.mname)} serial {soa.serial} minimum {soa.minimum}"
            steps.append(DnsStep(_bare(soa.owner), "SOA", value, soa.ttl))
        rcode = res.rcode or probe.classification.value
        chains.append(
            DnsChain(probe.name, probe.kind.value, rcode, steps, verdict.verdict, verdict.ok, probe.command_id)
        )
    return chains
