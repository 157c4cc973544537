"""Raw ``dig`` output (BIND 9.11 to 9.20 default format, or ``+yaml``) to a checked DNS answer.

``dns.message.from_text`` cannot read dig's output as printed (it stops at the first blank line
and returns an empty message without complaint), so the output is rewritten into dnspython's
own text format first, and the record counts in dig's header are checked against what was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import yaml

from pushaudit.errors import DataError

_HEADER = re.compile(r"->>HEADER<<-\s+opcode:\s*(\S+),\s*status:\s*(\S+),\s*id:\s*(\d+)")
_FLAGS = re.compile(r"^;; flags:([^;]*);\s*(.*)$")
_COUNT = re.compile(r"(QUERY|ZONE|ANSWER|PREREQ|AUTHORITY|UPDATE|ADDITIONAL):\s*(\d+)")
_SECTION = re.compile(r"^;; ([A-Z0-9]+) (?:PSEUDO)?SECTION:\s*$")
_VERSION = re.compile(r"^; <<>> DiG (\S+) <<>>")
_SECTIONS = ("QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL")
# dig 9.11/9.16 print "connection timed out; no servers could be reached"; 9.18+ print one
# "communications error to X: timed out" line per try and then "no servers could be reached".
_TIMEOUT = re.compile(r"connection timed out|communications error to \S+: timed out")
_ERROR = re.compile(
    r"no servers could be reached|communications error|couldn't get address|network unreachable"
    r"|host unreachable|connection refused|end of file|(?:UDP|TCP) setup with"
)
_NOT_INSTALLED = re.compile(r"\bdig: (?:command )?not found")
_EXCERPT = 600


class DigOutcome(StrEnum):
    ANSWER = "answer"  # a DNS message was printed (any rcode)
    TIMEOUT = "timeout"  # no server answered in time
    ERROR = "error"  # dig could not query (connection refused, unreachable, no server address)


@dataclass(frozen=True)
class CnameHop:
    owner: str
    target: str
    ttl: int


@dataclass(frozen=True)
class AddressRecord:
    owner: str
    rtype: str  # A or AAAA
    address: str
    ttl: int


@dataclass(frozen=True)
class SoaRecord:
    owner: str
    mname: str
    rname: str
    serial: int
    minimum: int
    ttl: int


@dataclass(frozen=True)
class DigResult:
    """One dig run. Names are absolute (trailing dot), as dig prints them."""

    outcome: DigOutcome
    rcode: str = ""  # NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...; "" without a message
    question: str = ""  # "" when the server echoed no question (e.g. some REFUSED answers)
    qtype: str = ""
    chain: tuple[CnameHop, ...] = ()  # CNAME hops from the question name, in order
    canonical_name: str = ""  # where the chain ends
    addresses: tuple[AddressRecord, ...] = ()  # A/AAAA of the canonical name
    soa: SoaRecord | None = None  # SOA in the authority section
    server: str = ""  # ";; SERVER:" value, e.g. "127.0.0.53#53(127.0.0.53) (UDP)"
    version: str = ""  # dig's version from its banner
    failure: str = ""  # dig's own error lines when no message was printed
    notes: tuple[str, ...] = ()  # warnings, EDE options, records off the chain
    record_lines: tuple[str, ...] = ()  # answer and authority records, for evidence
    message: dns.message.Message | None = field(default=None, compare=False, repr=False)


@dataclass
class _Raw:
    """dig's message, already split up, before dnspython reads it."""

    opcode: str
    status: str
    msg_id: str
    flags: str
    counts: dict[str, int]
    sections: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in _SECTIONS})
    has_opt: bool = False
    server: str = ""
    version: str = ""
    notes: list[str] = field(default_factory=list)


def _fail(message: str, text: str, code: str = "E-PARSE-DNS") -> DataError:
    excerpt = text.strip()[:_EXCERPT] or "<empty output>"
    return DataError(code, f"{message}: {excerpt}", source="dig")


def parse_dig(text: str) -> DigResult:
    """Parse one dig run; DataError E-PARSE-DNS when the output is not something dig prints."""
    if text.lstrip().startswith("- type:"):
        raw = _read_yaml(text)
    else:
        headers = _HEADER.findall(text)
        if not headers:
            return _failure(text, text)
        if len(headers) > 1:
            raise _fail("dig printed more than one DNS message; expected exactly one", text)
        raw = _read_text(text)
    if isinstance(raw, DigResult):
        return raw
    _check_counts(raw, text)
    return _summarise(_to_message(raw, text), raw)


def _failure(errors: str, text: str) -> DigResult:
    """dig printed no message: say whether it timed out or could not query at all."""
    if _NOT_INSTALLED.search(text):
        raise _fail("dig is not installed on the host", text, "E-COLLECT-COMMAND")
    version = next((m.group(1) for m in map(_VERSION.match, text.splitlines()) if m), "")
    lines = [ln.strip().lstrip("; ") for ln in errors.splitlines() if _ERROR.search(ln) or _TIMEOUT.search(ln)]
    if not lines:
        raise _fail("dig output holds neither a DNS message nor a known dig error", text)
    tries = [ln for ln in lines if ln.startswith("communications error")]
    timed_out = "connection timed out" in errors or bool(tries and all(_TIMEOUT.search(t) for t in tries))
    outcome = DigOutcome.TIMEOUT if timed_out else DigOutcome.ERROR
    return DigResult(outcome=outcome, failure="\n".join(lines), version=version)


def _read_text(text: str) -> _Raw:
    raw: _Raw | None = None
    version, early_notes = "", list[str]()
    section: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if (match := _VERSION.match(stripped)) is not None:
            version = match.group(1)
        elif (header := _HEADER.search(stripped)) is not None:
            opcode, status, msg_id = header.groups()
            raw = _Raw(opcode, status, msg_id, flags="", counts={}, version=version, notes=early_notes)
        elif (flags := _FLAGS.match(stripped)) is not None and raw is not None:
            raw.flags = flags.group(1).strip()
            raw.counts = {k: int(v) for k, v in _COUNT.findall(flags.group(2))}
        elif (head := _SECTION.match(stripped)) is not None:
            section = head.group(1)
            if raw is not None and section == "OPT":
                raw.has_opt = True
        elif not stripped:
            section = None
        elif stripped.startswith(";"):
            section = _comment(stripped, section, raw, early_notes)
        elif raw is not None and section in _SECTIONS[1:]:
            raw.sections[section].append(stripped)
        else:
            raise DataError("E-PARSE-DNS", f"unexpected line in dig output: {line[:200]}", "dig", number)
    if raw is None or not raw.flags:
        raise _fail("dig output has a header but no flags line", text)
    return raw


def _comment(line: str, section: str | None, raw: _Raw | None, early_notes: list[str]) -> str | None:
    """Handle one ';' line; returns the section that is current afterwards."""
    notes = raw.notes if raw is not None else early_notes
    if section == "QUESTION" and raw is not None and not line.startswith(";;"):
        raw.sections["QUESTION"].append(line[1:].strip())
        return section
    if section == "OPT" and not line.startswith(";;"):
        if line.startswith("; EDE:"):  # extended DNS error: often names the filter that blocked
            notes.append(line[2:])
        return section
    if line.startswith(";; SERVER:") and raw is not None:
        raw.server = line.split(":", 1)[1].strip()
    elif line.upper().startswith((";; WARNING", ";; GOT BAD PACKET", ";; TRUNCATED")):
        notes.append(line[3:])
    return None


def _read_yaml(text: str) -> _Raw | DigResult:
    try:
        docs = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(f"dig +yaml output is not valid YAML ({exc})", text) from exc
    items = [d for d in docs if isinstance(d, dict)] if isinstance(docs, list) else []
    messages = [d["message"] for d in items if d.get("type") == "MESSAGE" and isinstance(d.get("message"), dict)]
    errors = [str(d.get("message", "")) for d in items if d.get("type") == "DIG_ERROR"]
    if not messages and errors:
        return _failure("\n".join(errors), text)
    if len(messages) != 1:
        raise _fail("dig +yaml output does not hold exactly one MESSAGE", text)
    outer: dict[str, Any] = messages[0]
    data: dict[str, Any] = outer.get("response_message_data") or {}
    counts: dict[str, int] = {k: int(data[k]) for k in ("QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL") if k in data}
    if "QUESTION" in counts:
        counts["QUERY"] = counts.pop("QUESTION")
    raw = _Raw(
        opcode=str(data.get("opcode", "")),
        status=str(data.get("status", "")),
        msg_id=str(data.get("id", "")),
        flags=str(data.get("flags") or ""),
        counts=counts,
        has_opt="OPT_PSEUDOSECTION" in data,
        server=f"{outer.get('response_address', '')}#{outer.get('response_port', '')}",
    )
    for name in _SECTIONS:
        raw.sections[name] = [str(rr) for rr in data.get(f"{name}_SECTION") or []]
    return raw


def _check_counts(raw: _Raw, text: str) -> None:
    """The header's record counts must match what was read: a cut output is not an answer."""
    found = {
        "QUERY": len(raw.sections["QUESTION"]),
        "ANSWER": len(raw.sections["ANSWER"]),
        "AUTHORITY": len(raw.sections["AUTHORITY"]),
        "ADDITIONAL": len(raw.sections["ADDITIONAL"]) + (1 if raw.has_opt else 0),
    }
    for key, count in found.items():
        if key not in raw.counts:
            raise _fail(f"dig header lacks the {key} count", text)
        if raw.counts[key] != count:
            raise _fail(f"dig header says {key}: {raw.counts[key]} but {count} were printed", text)


def _to_message(raw: _Raw, text: str) -> dns.message.QueryMessage:
    lines = [f"id {raw.msg_id}", f"opcode {raw.opcode}", f"rcode {raw.status}", f"flags {raw.flags}"]
    for name in _SECTIONS:
        lines += [f";{name}", *raw.sections[name]]
    try:
        message = dns.message.from_text("\n".join(lines))
    except (dns.exception.DNSException, ValueError, KeyError) as exc:
        raise _fail(f"dnspython could not read the message dig printed ({exc})", text) from exc
    if not isinstance(message, dns.message.QueryMessage) or not message.flags & dns.flags.QR:
        raise _fail("dig printed something other than a response to a QUERY", text)
    return message


def _summarise(message: dns.message.QueryMessage, raw: _Raw) -> DigResult:
    """Follow the CNAME chain and pick out the addresses and the SOA."""
    notes = list(raw.notes)
    chain: tuple[CnameHop, ...] = ()
    canonical, addresses = "", tuple[AddressRecord, ...]()
    question = qtype = ""
    if len(message.question) == 1:
        question = message.question[0].name.to_text()
        qtype = dns.rdatatype.to_text(message.question[0].rdtype)
        try:
            result = message.resolve_chaining()
        except (dns.message.ChainTooLong, dns.message.AnswerForNXDOMAIN) as exc:
            raise _fail(f"the answer's CNAME chain is unusable ({type(exc).__name__})", _lines(message)) from exc
        chain = tuple(CnameHop(rr.name.to_text(), rr[0].target.to_text(), rr.ttl) for rr in result.cnames)
        canonical = result.canonical_name.to_text()
        if result.answer is not None and result.answer.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            rtype = dns.rdatatype.to_text(result.answer.rdtype)
            addresses = tuple(
                AddressRecord(canonical, rtype, rd.to_text(), result.answer.ttl) for rd in result.answer
            )
        used = {id(rrset) for rrset in result.cnames} | {id(result.answer)}
        off_chain = [rr.to_text() for rr in message.answer if id(rr) not in used]
        notes += [f"answer record off the CNAME chain: {line}" for t in off_chain for line in t.splitlines()]
    soa = next((rr for rr in message.authority if rr.rdtype == dns.rdatatype.SOA), None)
    return DigResult(
        outcome=DigOutcome.ANSWER,
        rcode=dns.rcode.to_text(message.rcode()),
        question=question,
        qtype=qtype,
        chain=chain,
        canonical_name=canonical,
        addresses=addresses,
        soa=_soa(soa) if soa is not None else None,
        server=raw.server,
        version=raw.version,
        notes=tuple(notes),
        record_lines=tuple(_lines(message).splitlines()),
        message=message,
    )


def _soa(rrset: dns.rrset.RRset) -> SoaRecord:
    rd = rrset[0]
    return SoaRecord(
        rrset.name.to_text(), rd.mname.to_text(), rd.rname.to_text(), rd.serial, rd.minimum, rrset.ttl
    )


def _lines(message: dns.message.Message) -> str:
    return "\n".join(rr.to_text() for section in (message.answer, message.authority) for rr in section)
