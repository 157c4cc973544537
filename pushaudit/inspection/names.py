"""Does a host-name pattern (``*.apple.com``, ``courier.push.apple.com``) cover an Apple name?
Names in the policy may be wildcards themselves (``*.push.apple.com``): a pattern then covers
them only if it covers every name they stand for."""

from __future__ import annotations

from enum import StrEnum


class Cover(StrEnum):
    ALL = "all"  # every name the Apple name stands for matches the pattern
    NONE = "none"  # none does
    SOME = "some"  # some do, or the pattern has a form pushaudit does not read


def _suffix_cover(pattern_domain: str, name: str) -> Cover:
    """Pattern ``*.<pattern_domain>`` against one name or wildcard name."""
    if name.startswith("*."):
        domain = name[2:]
        if domain == pattern_domain or domain.endswith("." + pattern_domain):
            return Cover.ALL
        return Cover.SOME if pattern_domain.endswith("." + domain) else Cover.NONE
    return Cover.ALL if name.endswith("." + pattern_domain) else Cover.NONE


def name_cover(pattern: str, name: str) -> Cover:
    """One pattern: an exact name, or ``*.`` plus a domain (one or more labels in front)."""
    pattern, name = pattern.strip().lower().rstrip("."), name.lower().rstrip(".")
    if not pattern:
        return Cover.NONE
    if pattern == "*":
        return Cover.ALL
    if pattern.startswith("*.") and "*" not in pattern[2:]:
        return _suffix_cover(pattern[2:], name)
    if "*" in pattern or "?" in pattern:  # other wildcard forms: not read, so not decided
        return Cover.SOME
    if name.startswith("*."):  # one exact name inside a wildcard's set
        return Cover.SOME if pattern.endswith("." + name[2:]) else Cover.NONE
    return Cover.ALL if pattern == name else Cover.NONE


def any_cover(covers: list[Cover]) -> Cover:
    """A list of alternatives: ALL if one covers all, NONE if none touches, else SOME."""
    if Cover.ALL in covers:
        return Cover.ALL
    return Cover.SOME if Cover.SOME in covers else Cover.NONE
