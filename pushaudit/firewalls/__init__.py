"""Vendor firewalls: one module per platform turns its collected configuration into the
vendor-neutral rule model (pushaudit.netfilter.model) that the flow engine evaluates.

Adding a platform means adding ``pushaudit/firewalls/<platform>.py`` exposing ``PLATFORM``
(and ``pushaudit/platforms/<platform>.yaml`` for collection); nothing else changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from pushaudit.interception import RuleRef
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.model import Ruleset, Table
from pushaudit.netfilter.remediation import Traffic
from pushaudit.snapshot import HostFacts, HostSnapshot


@dataclass(frozen=True)
class FirewallPlatform:
    platform: str  # the inventory platform name, as in pushaudit/platforms/<platform>.yaml
    syntax: str  # Table.syntax of every table this platform builds
    # The ordered rules, parse warnings in Ruleset.warnings; DataError(E-PARSE-...) when unusable.
    build_ruleset: Callable[[HostSnapshot], Ruleset]
    # Where client networks enter and where Apple's ranges leave (interface or zone names, as the
    # rules' iifname/oifname matches use them).
    build_topology: Callable[[HostSnapshot, HostFacts], Topology]
    # A rule permitting ``traffic``, in the vendor's own syntax, placed before ``before``
    # (None: where the default/implicit rule would decide), for the remediation of a FAIL.
    allow_snippet: Callable[[Table, str, RuleRef | None, Traffic], str]


def get_platform(name: str) -> FirewallPlatform | None:
    """The vendor platform module's PLATFORM, or None when pushaudit has no such module."""
    if not name.replace("_", "").isalnum():
        return None
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            return None
        raise
    platform = getattr(module, "PLATFORM", None)
    if not isinstance(platform, FirewallPlatform):
        raise TypeError(f"{module.__name__} has no PLATFORM of type FirewallPlatform")
    return platform
