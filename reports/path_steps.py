"""The steps of an Apple push path and the small lookups that fill them from a RunResult."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pushaudit.findings import Finding, Status
from pushaudit.results import DnsChain, HostResult

from .dns_view import chain_boxes

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
# A finding stands for its check on a path in this order: the worst one the check produced.
_FINDING_RANK = (Status.FAIL, Status.ERROR, Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class StepDef:
    key: str
    title: str
    check_ids: tuple[str, ...]  # checks on the proxy itself; the inspection step looks at firewalls instead


STEP_DEFS = (
    StepDef("pac", "PAC decision", ("pac.apple_routes", "pac.courier_resolve")),
    StepDef("interception", "Interception decision", ("proxy.interception_excludes_apple",)),
    StepDef("proxy", "Proxy decision",
            ("proxy.auth_order", "proxy.tls_bump", "proxy.connect_ports", "proxy.courier_squash")),
    StepDef("inspection", "Inspection decision", ()),
    StepDef("dns", "DNS chain", ("dns.courier_chain",)),
)
STEP_KEYS = tuple(s.key for s in STEP_DEFS)


@dataclass(frozen=True)
class StepCheck:
    """One check's result on a step; ``finding`` indexes the host's findings (None: no finding)."""

    check_id: str
    host: str
    status: str
    summary: str
    finding: int | None = None


@dataclass(frozen=True)
class DnsGlance:
    """A DNS chain in one line: the queried name, its CNAME hops and where the answer ended."""

    name: str
    kind: str
    rcode: str
    cname_hops: int
    answer: str
    ok: bool


def worst_finding(host: HostResult, check_id: str) -> tuple[int, Finding] | None:
    """The index and finding that represent a check on the host; None when the check left no finding."""
    found = [(i, f) for i, f in enumerate(host.findings) if f.check_id == check_id]
    if not found:
        return None
    return min(found, key=lambda pair: (_FINDING_RANK.index(pair[1].status), pair[0]))


def dns_glance(chain: DnsChain) -> DnsGlance:
    boxes = chain_boxes(chain)
    hops = sum(1 for box in boxes if box.kind == "cname")
    return DnsGlance(chain.name, chain.kind, chain.rcode, hops, boxes[-1].title, chain.ok)


def _network(text: str) -> IPNet | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _overlaps(left: str, right: str) -> bool:
    """True when two inventory networks share an address; text that is not a network only matches itself."""
    a, b = _network(left), _network(right)
    if a is None or b is None:
        return left.strip() == right.strip()
    return a.version == b.version and a.overlaps(b)


def firewalls_on_path(network: str, proxy: HostResult, hosts: list[HostResult]) -> list[HostResult]:
    """Firewalls whose client networks hold the path's clients or the proxy's own address (its egress).

    The inventory does not describe routing, so this is the link the report can draw from what it has.
    """
    proxy_address = proxy.facts.hostname.strip()
    address_net = f"{proxy_address}/128" if ":" in proxy_address else f"{proxy_address}/32"
    on_path: list[HostResult] = []
    for host in hosts:
        if host.facts.role != "firewall":
            continue
        served = host.facts.client_networks
        if any(_overlaps(network, s) for s in served) or (
            _network(address_net) is not None and any(_overlaps(address_net, s) for s in served)
        ):
            on_path.append(host)
    return on_path
