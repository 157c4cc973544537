"""Netfilter (nftables and iptables) rulesets: parsing, a first-match evaluator, interception.

Public entry points (ModelKeys built from a host snapshot):

- ``RULESET``: the host's ordered rule model (nft JSON, iptables-nft text overlaid, legacy tables)
- ``TOPOLOGY``: interfaces, routes and local addresses from ``ip -j addr``/``ip -j route``
- ``APPLE_INTERCEPTION`` / ``INTERCEPTION_ANALYSIS``: what happens to Apple traffic in prerouting

and ``evaluate(ruleset, Query(...))`` for any other question about forwarded or local traffic.
"""

from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.ifaces import TOPOLOGY, Topology
from pushaudit.netfilter.intercept import APPLE_INTERCEPTION, INTERCEPTION_ANALYSIS, InterceptionAnalysis
from pushaudit.netfilter.loader import RULESET, load_ruleset
from pushaudit.netfilter.model import Ruleset
from pushaudit.netfilter.outcome import ClassResult, Outcome, Verdict

__all__ = [
    "APPLE_INTERCEPTION",
    "INTERCEPTION_ANALYSIS",
    "RULESET",
    "TOPOLOGY",
    "ClassResult",
    "InterceptionAnalysis",
    "Outcome",
    "PathKind",
    "Query",
    "Ruleset",
    "Topology",
    "Verdict",
    "evaluate",
    "load_ruleset",
]
