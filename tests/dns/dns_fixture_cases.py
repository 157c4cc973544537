"""What the lab fixtures are made of (which resolver, which name) and how results are written down.

Shared by ``regenerate_fixtures.py`` (writes the fixtures from a live lab) and the tests (read them,
and in the lab test regenerate them live to prove they are still what dig and curl print).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dnslab import DEAD_ADDR, RESOLVERS, SQUID_DEAD_PORT, SQUID_PORTS, TIMEOUT_ADDR

from pushaudit.parsers.dig import DigResult
from pushaudit.parsers.proxy_probe import ProbeResult

TESTS = Path(__file__).resolve().parent.parent
DIG_FIXTURES = TESTS / "fixtures" / "dig"
PROBE_FIXTURES = TESTS / "fixtures" / "probe"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"

# Lab resolver roles; "timeout" drops queries, "dead" has nothing listening.
RESOLVER_ADDRS = {**RESOLVERS, "timeout": TIMEOUT_ADDR, "dead": DEAD_ADDR}

# case folder -> (resolver role, name, extra dig options)
DIG_CASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bare_cname_nodata": ("clean", "courier.push.apple.com", ()),
    "target_nodata": ("clean", "courier-push-apple.com.akadns.net", ()),
    "numbered_dash_two_hops": ("clean", "1-courier.push.apple.com", ()),
    "numbered_dot_one_hop": ("clean", "1.courier-push-apple.com.akadns.net", ()),
    "nxdomain_with_soa": ("clean", "51-courier.push.apple.com", ()),
    "sinkhole_numbered": ("sinkhole", "1-courier.push.apple.com", ()),
    "sinkhole_bare": ("sinkhole", "courier.push.apple.com", ()),
    "nxfilter_bare": ("nxfilter", "courier.push.apple.com", ()),
    "servfail": ("servfail", "1-courier.push.apple.com", ()),
    "refused_no_question": ("refuse", "1-courier.push.apple.com", ()),
    "timeout_918": ("timeout", "1-courier.push.apple.com", ()),
    "connection_refused_918": ("dead", "1-courier.push.apple.com", ()),
    "yaml_bare_cname_nodata": ("clean", "courier.push.apple.com", ("+yaml",)),
    "yaml_numbered": ("clean", "1-courier.push.apple.com", ("+yaml",)),
    "yaml_no_servers": ("timeout", "1-courier.push.apple.com", ("+yaml",)),
}

# case folder -> (name, lab Squid port, curl --max-time)
PROBE_CASES: dict[str, tuple[str, int, int]] = {
    "bare_cannot_forward_500": ("courier.push.apple.com", SQUID_PORTS["open"], 10),
    "numbered_tunnel_200": ("1-courier.push.apple.com", SQUID_PORTS["open"], 10),
    "numbered_dot_tunnel_200": ("1.courier-push-apple.com.akadns.net", SQUID_PORTS["open"], 10),
    "auth_required_407": ("1-courier.push.apple.com", SQUID_PORTS["auth"], 10),
    "access_denied_403": ("1-courier.push.apple.com", SQUID_PORTS["deny"], 10),
    "connect_fail_503": ("198.19.5.37", SQUID_PORTS["open"], 10),
    "proxy_refused_curl7": ("1-courier.push.apple.com", SQUID_DEAD_PORT, 10),
    # nft drops SYNs to this port; a short --max-time keeps the run quick
    "proxy_timeout_curl28": ("1-courier.push.apple.com", 3131, 2),
}

# scenario folder -> resolver role; every policy courier name is queried through it
SCENARIO_RESOLVERS = {"clean": "clean", "sinkhole": "sinkhole", "nxfilter": "nxfilter",
                      "servfail": "servfail", "timeout": "timeout"}


def describe_dig(result: DigResult, ttl: bool = True) -> dict[str, Any]:
    """The parts of a parse a fixture pins down (TTLs can be left out for live comparisons)."""

    def t(value: int) -> int | None:
        return value if ttl else None

    soa = result.soa
    return {
        "outcome": result.outcome.value,
        "rcode": result.rcode,
        "question": result.question,
        "chain": [[h.owner, h.target, t(h.ttl)] for h in result.chain],
        "canonical_name": result.canonical_name,
        "addresses": sorted([a.rtype, a.address, t(a.ttl)] for a in result.addresses),
        "soa": None if soa is None else {"owner": soa.owner, "mname": soa.mname, "serial": soa.serial,
                                         "minimum": soa.minimum, "ttl": t(soa.ttl)},
        "server": result.server,
        "failure": result.failure,
    }


def describe_probe(result: ProbeResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "port": result.port,
        "proxy": result.proxy,
        "connect_status": result.connect_status,
        "squid_error": result.squid_error,
        "tunnel_ok": result.tunnel_ok,
        "curl_exit": result.curl_exit,
    }
