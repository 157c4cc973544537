"""iptables rule options (core and ``-m`` modules) into model matches."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pushaudit.netfilter.intervals import Interval, normalize
from pushaudit.netfilter.model import Dim, FlagsMatch, Key, Match, RangeMatch, ScalarMatch, UnknownMatch
from pushaudit.netfilter.nft_expr import TCP_FLAGS
from pushaudit.netfilter.values import address_interval, port_interval, proto_name

_PORT_OPTIONS = {"--dport": Dim.DPORT, "--destination-port": Dim.DPORT, "--sport": Dim.SPORT,
                 "--source-port": Dim.SPORT, "--dports": Dim.DPORT, "--destination-ports": Dim.DPORT,
                 "--sports": Dim.SPORT, "--source-ports": Dim.SPORT}
_STATE_NAMES = {"NEW": "new", "ESTABLISHED": "established", "RELATED": "related", "INVALID": "invalid",
                "UNTRACKED": "untracked", "SNAT": "snat", "DNAT": "dnat"}
_KNOWN_MODULES = {"comment", "tcp", "udp", "multiport", "state", "conntrack", "iprange", "addrtype",
                      "pkttype", "icmp", "icmp6", "ipv6-icmp", "sctp", "dccp", "udplite"}


@dataclass
class Option:
    module: str  # "" for core options (-s, -d, -p, -i, -o)
    name: str  # "" for the ``-m module`` token itself
    values: list[str]
    negate: bool
    occurrence: int = 0  # which ``-m`` on the line the option belongs to


@dataclass
class MatchResult:
    matches: list[Match] = field(default_factory=list)
    comment: str = ""
    warnings: list[str] = field(default_factory=list)


def translate_options(options: list[Option], family: int) -> MatchResult:
    out = MatchResult()
    unknown: dict[int, list[str]] = {}  # one UnknownMatch per unsupported module on the line
    for opt in options:
        if opt.module and opt.module not in _KNOWN_MODULES:
            words = [f"-m {opt.module}"] if not opt.name else [*(["!"] if opt.negate else []), opt.name, *opt.values]
            unknown.setdefault(opt.occurrence, []).extend(words)
            continue
        try:
            _translate(opt, family, out)
        except ValueError as exc:
            out.matches.append(UnknownMatch(str(exc)))
            out.warnings.append(str(exc))
    for words in unknown.values():
        text = f"unsupported iptables match: {' '.join(words)}"
        out.matches.append(UnknownMatch(text))
        out.warnings.append(text)
    return out


def _translate(opt: Option, family: int, out: MatchResult) -> None:
    name, values, neg = opt.name, opt.values, opt.negate
    value = values[0] if values else ""
    if opt.module == "":
        _core(name, value, neg, family, out)
    elif name in _PORT_OPTIONS and opt.module in ("tcp", "udp", "multiport", "sctp", "dccp", "udplite"):
        sep = "," if opt.module == "multiport" else None
        parts = value.split(sep) if sep else [value]
        intervals = [port_interval(p) for p in parts]
        if any(i is None for i in intervals):
            raise ValueError(f"-m {opt.module} {name} {value}: not a port list")
        out.matches.append(RangeMatch(_PORT_OPTIONS[name], normalize(i for i in intervals if i), negate=neg))
    elif opt.module in ("conntrack", "state") and name in ("--ctstate", "--state"):
        states = {_STATE_NAMES.get(s.upper(), s.lower()) for s in value.split(",")}
        out.matches.append(ScalarMatch(Key.CTSTATE, frozenset(states), negate=neg))
    elif opt.module == "conntrack" and name == "--ctdir":
        out.matches.append(ScalarMatch(Key.CTDIR, frozenset({value.lower()}), negate=neg))
    elif opt.module == "comment" and name == "--comment":
        out.comment = value
    elif opt.module == "tcp" and name in ("--syn", "--tcp-flags"):
        out.matches.append(_tcp_flags(name, values, neg))
    elif opt.module == "iprange" and name in ("--src-range", "--dst-range"):
        dim = Dim.SADDR if name == "--src-range" else Dim.DADDR
        out.matches.append(RangeMatch(dim, normalize([_addr_range(value, family)]), family, negate=neg))
    elif opt.module == "addrtype" and name == "--dst-type":
        types = frozenset(t.lower() for t in value.split(","))
        out.matches.append(ScalarMatch(Key.FIB_DADDR, types, negate=neg))
    elif opt.module == "pkttype" and name == "--pkt-type":
        kind = {"unicast": "host"}.get(value.lower(), value.lower())
        out.matches.append(ScalarMatch(Key.PKTTYPE, frozenset({kind}), negate=neg))
    elif name:  # a module we know, with an option we do not
        shown = f"-m {opt.module} {'! ' if neg else ''}{name} {' '.join(values)}".strip()
        raise ValueError(f"unsupported iptables match: {shown}")


def _core(name: str, value: str, neg: bool, family: int, out: MatchResult) -> None:
    if name in ("-s", "--source", "--src", "-d", "--destination", "--dst"):
        dim = Dim.SADDR if name in ("-s", "--source", "--src") else Dim.DADDR
        intervals = []
        for part in value.split(","):
            parsed = address_interval(part)
            if parsed is None or parsed[1] != family:
                raise ValueError(f"{name} {value}: not an IPv{family} address or network")
            intervals.append(parsed[0])
        out.matches.append(RangeMatch(dim, normalize(intervals), family, negate=neg))
    elif name in ("-p", "--protocol"):
        proto = proto_name(value)
        if proto not in ("all", "0"):
            out.matches.append(ScalarMatch(Key.L4PROTO, frozenset({proto}), negate=neg))
    elif name in ("-i", "--in-interface", "-o", "--out-interface"):
        key = Key.IIFNAME if name in ("-i", "--in-interface") else Key.OIFNAME
        pattern = value[:-1] + "*" if value.endswith("+") else value
        out.matches.append(ScalarMatch(key, frozenset({pattern}), negate=neg))
    elif name in ("-f", "--fragment"):
        # A connection's first packet is never a non-first fragment.
        out.matches.append(ScalarMatch(Key.CTSTATE, frozenset(), negate=neg))
    else:
        raise ValueError(f"unsupported iptables option {name}")


def _tcp_flags(name: str, values: list[str], neg: bool) -> FlagsMatch:
    if name == "--syn":
        return FlagsMatch(mask=0x17, values=frozenset({0x02}), negate=neg)
    if len(values) != 2:
        raise ValueError("--tcp-flags needs a mask and a comparison list")
    mask, comp = (_flag_list(v) for v in values)
    return FlagsMatch(mask=mask, values=frozenset({comp}), negate=neg)


def _flag_list(text: str) -> int:
    bits = 0
    for name in text.lower().split(","):
        if name == "all":
            bits |= 0x3F
        elif name in TCP_FLAGS:
            bits |= TCP_FLAGS[name]
        elif name != "none":
            raise ValueError(f"unknown tcp flag {name}")
    return bits


def _addr_range(text: str, family: int) -> Interval:
    lo_text, _, hi_text = text.partition("-")
    try:
        lo = ipaddress.ip_address(lo_text)
        hi = ipaddress.ip_address(hi_text or lo_text)
    except ValueError as exc:
        raise ValueError(f"iprange {text}: not an address range") from exc
    if lo.version != family or hi.version != family:
        raise ValueError(f"iprange {text}: not IPv{family}")
    return (int(lo), int(hi))
