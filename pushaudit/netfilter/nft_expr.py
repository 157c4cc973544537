"""Translate nft JSON match expressions into model matches (unknown ones stay explicit)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pushaudit.netfilter.intervals import PORT_MAX, Interval, IntervalSet, addr_max, normalize
from pushaudit.netfilter.model import (
    ConcatMatch,
    Dim,
    FlagsMatch,
    Key,
    Match,
    RangeMatch,
    ScalarMatch,
    UnknownMatch,
)
from pushaudit.netfilter.values import PORT_PROTOCOLS, address_value, port_number, proto_name

TCP_FLAGS = {"fin": 0x01, "syn": 0x02, "rst": 0x04, "psh": 0x08, "ack": 0x10, "urg": 0x20, "ecn": 0x40, "cwr": 0x80}
_ADDR_FIELDS = {("ip", "saddr"): (Dim.SADDR, 4), ("ip", "daddr"): (Dim.DADDR, 4),
                ("ip6", "saddr"): (Dim.SADDR, 6), ("ip6", "daddr"): (Dim.DADDR, 6)}
_META_KEYS = {"l4proto": Key.L4PROTO, "nfproto": Key.NFPROTO, "protocol": Key.NFPROTO, "iifname": Key.IIFNAME,
              "iif": Key.IIFNAME, "oifname": Key.OIFNAME, "oif": Key.OIFNAME, "pkttype": Key.PKTTYPE}
_ETHERTYPES = {"ip": "ipv4", "ip6": "ipv6", "0x0800": "ipv4", "0x86dd": "ipv6"}
_L4_DEPS = {"tcp": {"tcp"}, "udp": {"udp"}, "udplite": {"udplite"}, "sctp": {"sctp"}, "dccp": {"dccp"},
            "th": set(PORT_PROTOCOLS), "icmp": {"icmp"}, "icmpv6": {"ipv6-icmp"}}



@dataclass(frozen=True)
class FieldRef:
    """What a left-hand expression reads: a numeric axis, a packet fact, or the TCP flags."""

    dim: Dim | None = None
    family: int | None = None
    key: Key | None = None
    flags: bool = False


@dataclass
class SetInfo:
    elements: list[Any]
    dynamic: bool = False
    timeout: bool = False
    is_map: bool = False


@dataclass
class ExprContext:
    """What an expression may refer to: the table's named sets."""

    sets: dict[str, SetInfo] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # A named set used by many rules is translated once per field and operator.
    set_matches: dict[tuple[str, Dim, int | None, str], RangeMatch] = field(default_factory=dict)


class Untranslatable(Exception):
    """An expression the model cannot represent; becomes an UnknownMatch."""


def compact(expr: Any) -> str:
    return json.dumps(expr, separators=(",", ":"), sort_keys=True)


def field_of(left: Any) -> tuple[FieldRef, list[ScalarMatch]]:
    """The model field a left-hand expression reads, plus the protocol it implies."""
    if not isinstance(left, dict) or len(left) != 1:
        raise Untranslatable(f"expression {compact(left)}")
    kind, body = next(iter(left.items()))
    if kind == "payload" and "protocol" in body:
        return _payload_field(str(body["protocol"]), body.get("field")), _deps(str(body["protocol"]))
    if kind == "meta" and body.get("key") in _META_KEYS:
        return FieldRef(key=_META_KEYS[body["key"]]), []
    if kind == "ct" and body.get("key") in ("state", "direction") and "dir" not in body:
        return FieldRef(key=Key.CTSTATE if body["key"] == "state" else Key.CTDIR), []
    if kind == "fib" and body.get("result") == "type" and body.get("flags") == ["daddr"]:
        return FieldRef(key=Key.FIB_DADDR), []
    raise Untranslatable(_describe_unknown(kind, body))


def _payload_field(proto: str, name: Any) -> FieldRef:
    if (proto, name) in _ADDR_FIELDS:
        dim, family = _ADDR_FIELDS[(proto, name)]
        return FieldRef(dim=dim, family=family)
    if proto in ("ip", "ip6") and name in ("protocol", "nexthdr"):
        return FieldRef(key=Key.L4PROTO)
    if proto in _L4_DEPS and name in ("sport", "dport") and proto not in ("icmp", "icmpv6"):
        return FieldRef(dim=Dim.SPORT if name == "sport" else Dim.DPORT)
    if proto == "tcp" and name == "flags":
        return FieldRef(flags=True)
    raise Untranslatable(f"{proto} {name}", _deps(proto))


def _describe_unknown(kind: str, body: Any) -> str:
    if isinstance(body, dict) and "key" in body:
        return f"{kind} {body['key']}"
    return kind


def _deps(proto: str) -> list[ScalarMatch]:
    if proto == "ip":
        return [ScalarMatch(Key.NFPROTO, frozenset({"ipv4"}), implicit=True)]
    if proto == "ip6":
        return [ScalarMatch(Key.NFPROTO, frozenset({"ipv6"}), implicit=True)]
    if proto in _L4_DEPS:
        return [ScalarMatch(Key.L4PROTO, frozenset(_L4_DEPS[proto]), implicit=True)]
    return []


class MatchTranslator:
    def __init__(self, ctx: ExprContext) -> None:
        self.ctx = ctx

    def translate(self, match: dict[str, Any]) -> list[Match]:
        """One ``{"match": ...}`` body into model matches; never raises for content."""
        op, left, right = match.get("op", "=="), match.get("left"), match.get("right")
        try:
            return self._translate(op, left, right)
        except Untranslatable as exc:
            deps: list[Match] = list(exc.args[1]) if len(exc.args) > 1 else []
            return [*deps, UnknownMatch(str(exc.args[0]))]

    def _translate(self, op: str, left: Any, right: Any) -> list[Match]:
        if isinstance(left, dict) and "concat" in left:
            return self._concat(op, left["concat"], right)
        if isinstance(left, dict) and "&" in left:
            return self._bitmask(op, left["&"], right)
        fld, deps = field_of(left)
        if fld.flags:
            return [*deps, _flags(0xFF, op, right)]
        if fld.key is not None:
            return [*deps, self._scalar(fld.key, op, self._items(right))]
        assert fld.dim is not None
        if isinstance(right, str) and right.startswith("@"):
            key = (right, fld.dim, fld.family, op)
            if key not in self.ctx.set_matches:
                self.ctx.set_matches[key] = self._numeric(fld.dim, fld.family, op, self._items(right))
            return [*deps, self.ctx.set_matches[key]]
        return [*deps, self._numeric(fld.dim, fld.family, op, self._items(right))]

    def _items(self, right: Any) -> list[Any]:
        if isinstance(right, str) and right.startswith("@"):
            return self._named_set(right[1:])
        if isinstance(right, dict) and "set" in right:
            return [_unwrap(e) for e in right["set"]]
        if isinstance(right, list):
            return [_unwrap(e) for e in right]
        return [_unwrap(right)]

    def _named_set(self, name: str) -> list[Any]:
        info = self.ctx.sets.get(name)
        if info is None:
            raise Untranslatable(f"set @{name} is not in the ruleset")
        if info.dynamic:
            raise Untranslatable(f"set @{name} is filled at run time by the packet path")
        if info.timeout:
            self.ctx.warnings.append(f"set @{name} has timeouts: its current elements were used")
        return [_unwrap(e) for e in info.elements]

    def _scalar(self, key: Key, op: str, items: list[Any]) -> ScalarMatch:
        if op not in ("==", "!=", "in"):
            raise Untranslatable(f"{key} {op}")
        values: set[str] = set()
        for item in items:
            if isinstance(item, dict | list):
                raise Untranslatable(f"{key} value {compact(item)}")
            text = str(item)
            if key == Key.L4PROTO:
                text = proto_name(text)
            elif key == Key.NFPROTO:
                text = _ETHERTYPES.get(text, text)
            values.add(text)
        return ScalarMatch(key, frozenset(values), negate=op == "!=")

    def _numeric(self, dim: Dim, family: int | None, op: str, items: list[Any]) -> RangeMatch:
        top = PORT_MAX if family is None else addr_max(family)
        intervals = normalize(iv for item in items for iv in _intervals(item, dim, family))
        if op in ("==", "!=", "in"):
            return RangeMatch(dim, intervals, family, negate=op == "!=")
        if len(intervals) != 1 or intervals[0][0] != intervals[0][1]:
            raise Untranslatable(f"comparison {op} with a set")
        value = intervals[0][0]
        bounds = {"<": (0, value - 1), "<=": (0, value), ">": (value + 1, top), ">=": (value, top)}
        if op not in bounds:
            raise Untranslatable(f"operator {op}")
        return RangeMatch(dim, normalize([bounds[op]]), family)

    def _bitmask(self, op: str, operands: list[Any], right: Any) -> list[Match]:
        fld, deps = field_of(operands[0])
        if not fld.flags or op not in ("==", "!="):
            raise Untranslatable(f"bitmask on {compact(operands[0])}", deps)
        return [*deps, _flags(_flag_bits(operands[1]), op, right)]

    def _concat(self, op: str, parts: list[Any], right: Any) -> list[Match]:
        fields = [field_of(p) for p in parts]
        deps: list[Match] = [d for _, ds in fields for d in ds]
        if op != "==" or any(f.dim is None for f, _ in fields):
            raise Untranslatable("concatenation match", deps)
        axes = [(f.dim, f.family) for f, _ in fields if f.dim is not None]
        elements: list[tuple[IntervalSet, ...]] = []
        for element in self._items(right):
            values = element.get("concat") if isinstance(element, dict) else None
            if not isinstance(values, list) or len(values) != len(axes):
                raise Untranslatable(f"concatenation element {compact(element)}", deps)
            pairs = zip(values, axes, strict=True)
            elements.append(tuple(normalize(_intervals(_unwrap(v), d, fam)) for v, (d, fam) in pairs))
        dims = tuple(d for d, _ in axes)
        families = tuple(fam for _, fam in axes)
        return [*deps, ConcatMatch(dims, families, tuple(elements))]


def _unwrap(item: Any) -> Any:
    """Set elements may carry options: ``{"elem": {"val": X, "timeout": ...}}``."""
    if isinstance(item, dict) and "elem" in item and isinstance(item["elem"], dict):
        return item["elem"].get("val")
    return item


def _intervals(item: Any, dim: Dim, family: int | None) -> list[Interval]:
    if family is None:
        return [_port_interval(item)]
    if isinstance(item, dict) and "prefix" in item:
        base = address_value(str(item["prefix"].get("addr")))
        length = item["prefix"].get("len")
        if base is None or base[1] != family or not isinstance(length, int):
            raise Untranslatable(f"prefix {compact(item)}")
        bits = 32 if family == 4 else 128
        span = (1 << (bits - length)) - 1
        return [(base[0] & ~span, (base[0] & ~span) + span)]
    if isinstance(item, dict) and "range" in item:
        lo, hi = (address_value(str(v)) for v in item["range"])
        if lo is None or hi is None or lo[1] != family or hi[1] != family:
            raise Untranslatable(f"range {compact(item)}")
        return [(lo[0], hi[0])]
    addr = address_value(str(item)) if isinstance(item, str) else None
    if addr is None or addr[1] != family:
        raise Untranslatable(f"address {compact(item)} for {dim.name.lower()}")
    return [(addr[0], addr[0])]


def _port_interval(item: Any) -> Interval:
    if isinstance(item, dict) and "range" in item:
        lo, hi = (port_number(v) for v in item["range"])
        if lo is not None and hi is not None:
            return (lo, hi)
    elif isinstance(item, int | str):
        number = port_number(item)
        if number is not None:
            return (number, number)
    raise Untranslatable(f"port {compact(item)}")


def _flags(mask: int, op: str, right: Any) -> FlagsMatch:
    """``tcp flags syn`` (op ``in``: any of the bits) or ``... == syn`` / ``{ syn, syn|ack }``."""
    if op == "in":
        return FlagsMatch(mask=_flag_bits(right), values=frozenset(), any_bits=True)
    if op not in ("==", "!="):
        raise Untranslatable(f"tcp flags {op}")
    options = right["set"] if isinstance(right, dict) and "set" in right else [right]
    return FlagsMatch(mask=mask, values=frozenset(_flag_bits(o) for o in options), negate=op == "!=")


def _flag_bits(value: Any) -> int:
    """A flag name, a number, or a list of names OR-ed together (``syn|ack``)."""
    if isinstance(value, list):
        bits = 0
        for item in value:
            bits |= _flag_bits(item)
        return bits
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value in TCP_FLAGS:
        return TCP_FLAGS[value]
    raise Untranslatable(f"tcp flag {compact(value)}")
