"""Render nft JSON rule expressions back to the text ``nft list ruleset`` would show."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_BARE_META_PRINT = {"iifname", "oifname", "iif", "oif"}


def expr_text(expr: Any) -> str:
    if isinstance(expr, bool):
        return "1" if expr else "0"
    if isinstance(expr, int):
        return str(expr)
    if isinstance(expr, str):
        return expr
    if isinstance(expr, list):
        return "|".join(expr_text(e) for e in expr)
    if not isinstance(expr, dict) or len(expr) != 1:
        return json.dumps(expr, separators=(",", ":"))
    kind, body = next(iter(expr.items()))
    return _RENDER.get(kind, _generic)(kind, body)


def _generic(kind: str, body: Any) -> str:
    if isinstance(body, dict) and "key" in body:
        return f"{kind} {body['key']}"
    return f"{kind} {json.dumps(body, separators=(',', ':'))}"


def _payload(_: str, body: dict[str, Any]) -> str:
    if "protocol" in body:
        return f"{body['protocol']} {body.get('field', '')}".strip()
    return f"@{body.get('base', '?')},{body.get('offset', '?')},{body.get('len', '?')}"


def _meta(_: str, body: dict[str, Any]) -> str:
    key = str(body.get("key"))
    return key if key in _BARE_META_PRINT else f"meta {key}"


def _ct(_: str, body: dict[str, Any]) -> str:
    direction = f" {body['dir']}" if "dir" in body else ""
    return f"ct{direction} {body.get('key')}"


def _fib(_: str, body: dict[str, Any]) -> str:
    return f"fib {' . '.join(body.get('flags', []))} {body.get('result')}"


def _prefix(_: str, body: dict[str, Any]) -> str:
    return f"{body.get('addr')}/{body.get('len')}"


def _range(_: str, body: list[Any]) -> str:
    return f"{expr_text(body[0])}-{expr_text(body[1])}"


def _set(_: str, body: Any) -> str:
    if isinstance(body, list):
        return "{ " + ", ".join(_element(e) for e in body) + " }"
    return expr_text(body)


def _element(element: Any) -> str:
    if isinstance(element, list) and len(element) == 2 and isinstance(element[1], dict):
        return f"{expr_text(element[0])} : {statement_text(element[1])}"
    if isinstance(element, dict) and "elem" in element:
        return expr_text(element["elem"].get("val"))
    return expr_text(element)


def _concat(_: str, body: list[Any]) -> str:
    return " . ".join(expr_text(e) for e in body)


def _bitwise(kind: str, body: list[Any]) -> str:
    return f"{expr_text(body[0])} {kind} {_flags_group(body[1])}"


def _flags_group(value: Any) -> str:
    if isinstance(value, list) and len(value) > 1:
        return "(" + " | ".join(expr_text(v) for v in value) + ")"
    return expr_text(value)


def _socket(_: str, body: dict[str, Any]) -> str:
    return f"socket {body.get('key')}"


_RENDER: dict[str, Callable[[str, Any], str]] = {
    "payload": _payload, "meta": _meta, "ct": _ct, "fib": _fib, "prefix": _prefix, "range": _range,
    "set": _set, "concat": _concat, "&": _bitwise, "|": _bitwise, "socket": _socket,
}


def match_text(body: dict[str, Any]) -> str:
    left, right, op = body.get("left"), body.get("right"), body.get("op", "==")
    shown_op = "" if op in ("==", "in") else f" {op}"
    if isinstance(left, dict) and left.get("meta", {}).get("key") in _BARE_META_PRINT:
        right = _quoted(right)
    if isinstance(right, list):  # ct state established,related
        return f"{expr_text(left)}{shown_op} {','.join(expr_text(r) for r in right)}"
    return f"{expr_text(left)}{shown_op} {expr_text(right)}"


def _quoted(value: Any) -> Any:
    """nft prints interface names in double quotes."""
    if isinstance(value, str) and not value.startswith("@"):
        return f'"{value}"'
    if isinstance(value, dict) and isinstance(value.get("set"), list):
        return {"set": [_quoted(v) for v in value["set"]]}
    return value


def _nat_text(kind: str, body: Any) -> str:
    if not isinstance(body, dict):
        return kind
    family = f" {body['family']}" if "family" in body else ""
    addr = expr_text(body["addr"]) if "addr" in body else ""
    port = f":{expr_text(body['port'])}" if "port" in body else ""
    target = f"{addr}{port}"
    return f"{kind}{family} to {target}" if target else kind


def _keyword(kind: str, _: Any) -> str:
    return kind


def _reject(_: str, body: Any) -> str:
    return "reject" + (f" with {body.get('type')}" if isinstance(body, dict) and body.get("type") else "")


_STATEMENTS: dict[str, Callable[[str, Any], str]] = {
    "match": lambda _, body: match_text(body),
    "accept": _keyword, "drop": _keyword, "continue": _keyword, "return": _keyword, "counter": _keyword,
    "jump": lambda kind, body: f"{kind} {body.get('target')}",
    "goto": lambda kind, body: f"{kind} {body.get('target')}",
    "reject": _reject,
    "mangle": lambda _, body: f"{expr_text(body.get('key'))} set {expr_text(body.get('value'))}",
    "vmap": lambda _, body: f"{expr_text(body.get('key'))} vmap {expr_text(body.get('data'))}",
    "xt": lambda _, body: f"xt {body.get('type')} {body.get('name')}",
    "set": lambda _, body: f"{body.get('op')} {body.get('set')} {{ {expr_text(body.get('elem'))} }}",
}


def statement_text(stmt: Any) -> str:
    if not isinstance(stmt, dict) or len(stmt) != 1:
        return json.dumps(stmt, separators=(",", ":"))
    kind, body = next(iter(stmt.items()))
    if kind in _STATEMENTS:
        return _STATEMENTS[kind](kind, body)
    if kind in ("log", "limit", "quota"):
        return _log_like(kind, body)
    if kind in ("dnat", "snat", "redirect", "masquerade", "tproxy"):
        return _nat_text(kind, body)
    return expr_text(stmt)


def _log_like(kind: str, body: Any) -> str:
    if kind == "log" and isinstance(body, dict) and "prefix" in body:
        return f'log prefix "{body["prefix"]}"'
    if kind == "limit" and isinstance(body, dict):
        return f"limit rate {body.get('rate')}/{body.get('per')}"
    return kind


def rule_text(exprs: list[Any], comment: str = "") -> str:
    parts = [statement_text(e) for e in exprs]
    if comment:
        parts.append(f'comment "{comment}"')
    return " ".join(parts)
