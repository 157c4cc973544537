"""Three-valued logic: a Squid ACL can match, not match, or depend on something we cannot know."""

from __future__ import annotations

from enum import Enum


class Tri(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool) -> Tri:
        return cls.YES if value else cls.NO

    def negate(self) -> Tri:
        if self is Tri.UNKNOWN:
            return self
        return Tri.NO if self is Tri.YES else Tri.YES

    @classmethod
    def any(cls, values: list[Tri]) -> Tri:
        """OR: one YES wins; otherwise UNKNOWN if any is unknown."""
        if Tri.YES in values:
            return Tri.YES
        return Tri.UNKNOWN if Tri.UNKNOWN in values else Tri.NO

    @classmethod
    def all(cls, values: list[Tri]) -> Tri:
        """AND: one NO wins; otherwise UNKNOWN if any is unknown."""
        if Tri.NO in values:
            return Tri.NO
        return Tri.UNKNOWN if Tri.UNKNOWN in values else Tri.YES
