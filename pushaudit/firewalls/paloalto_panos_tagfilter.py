"""Dynamic address group filters: quoted tags joined by ``and``/``or`` with parentheses,
e.g. ``'web' and ('prod' or 'staging')``. ``and`` binds tighter than ``or``."""

from __future__ import annotations

import re
from collections.abc import Callable

Predicate = Callable[[set[str]], bool]
_TOKEN = re.compile(r"\s*(?:'([^']*)'|\"([^\"]*)\"|(\()|(\))|(and|or)\b)", re.IGNORECASE)


class TagFilterError(ValueError):
    """The filter is not an expression pushaudit can read."""


def parse_tag_filter(expression: str) -> Predicate:
    tokens = _tokens(expression)
    predicate, rest = _or(tokens, expression)
    if rest:
        raise TagFilterError(f"unexpected {rest[0][1]!r} in filter {expression}")
    return predicate


def _tokens(expression: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression.rstrip()):
        m = _TOKEN.match(expression, pos)
        if m is None:
            raise TagFilterError(f"cannot read filter {expression} at position {pos + 1}")
        if m.group(1) is not None or m.group(2) is not None:
            out.append(("tag", m.group(1) if m.group(1) is not None else m.group(2)))
        elif m.group(3) or m.group(4):
            out.append(("paren", m.group(3) or m.group(4)))
        else:
            out.append(("op", m.group(5).lower()))
        pos = m.end()
    if not out:
        raise TagFilterError("empty filter")
    return out


def _or(tokens: list[tuple[str, str]], expression: str) -> tuple[Predicate, list[tuple[str, str]]]:
    left, rest = _and(tokens, expression)
    while rest and rest[0] == ("op", "or"):
        right, rest = _and(rest[1:], expression)
        left = _either(left, right)
    return left, rest


def _and(tokens: list[tuple[str, str]], expression: str) -> tuple[Predicate, list[tuple[str, str]]]:
    left, rest = _atom(tokens, expression)
    while rest and rest[0] == ("op", "and"):
        right, rest = _atom(rest[1:], expression)
        left = _both(left, right)
    return left, rest


def _atom(tokens: list[tuple[str, str]], expression: str) -> tuple[Predicate, list[tuple[str, str]]]:
    if not tokens:
        raise TagFilterError(f"filter {expression} ends early")
    kind, value = tokens[0]
    if kind == "tag":
        return (lambda tags: value in tags), tokens[1:]
    if (kind, value) == ("paren", "("):
        inner, rest = _or(tokens[1:], expression)
        if not rest or rest[0] != ("paren", ")"):
            raise TagFilterError(f"unbalanced parentheses in filter {expression}")
        return inner, rest[1:]
    raise TagFilterError(f"unexpected {value!r} in filter {expression}")


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda tags: a(tags) or b(tags)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda tags: a(tags) and b(tags)
