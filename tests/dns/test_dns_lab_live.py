"""Regenerate the dig/curl fixtures in a live NSD + Unbound + Squid lab and check they still hold.

Needs root (network namespace ``pa-dno-<pid>``, loopback only); the namespace and every process
in it are removed by the fixture finalizer, whatever the outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import HostFactory, scenario_commands
from dns_fixture_cases import (
    DIG_CASES,
    DIG_FIXTURES,
    PROBE_CASES,
    PROBE_FIXTURES,
    RESOLVER_ADDRS,
    SCENARIO_RESOLVERS,
    describe_dig,
    describe_probe,
)
from dnslab import DnsLab

from pushaudit.checks.registry import all_checks, evaluate_host
from pushaudit.dns import DNS_PROBES, DnsClass, classify
from pushaudit.parsers.dig import parse_dig
from pushaudit.parsers.proxy_probe import parse_probe

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsLab]:
    lab = DnsLab(tmp_path_factory.mktemp("pa-dno"))
    try:
        lab.start(squid=True)
        yield lab
    finally:
        lab.stop()


def _without_ttls(described: dict[str, Any]) -> dict[str, Any]:
    """TTLs count down in the resolver cache, so live runs are compared without them."""
    out = dict(described)
    out["chain"] = [[owner, target, None] for owner, target, _ in described["chain"]]
    out["addresses"] = sorted([rtype, addr, None] for rtype, addr, _ in described["addresses"])
    if described["soa"] is not None:
        out["soa"] = {**described["soa"], "ttl": None}
    return out


@pytest.mark.parametrize("case", sorted(DIG_CASES))
def test_dig_fixture_is_current(lab: DnsLab, case: str) -> None:
    role, name, options = DIG_CASES[case]
    expected = yaml.safe_load((DIG_FIXTURES / case / "expected.yaml").read_text())
    exit_status, output = lab.dig(RESOLVER_ADDRS[role], name, *options)
    result = parse_dig(output)
    assert exit_status == expected["exit_status"]
    assert classify(result).value == expected["classification"]
    assert describe_dig(result, ttl=False) == _without_ttls(expected["result"])
    stored = parse_dig((DIG_FIXTURES / case / "output.txt").read_text())
    assert describe_dig(stored, ttl=False) == describe_dig(result, ttl=False)


@pytest.mark.parametrize("case", sorted(PROBE_CASES))
def test_probe_fixture_is_current(lab: DnsLab, case: str) -> None:
    name, port, max_time = PROBE_CASES[case]
    expected = yaml.safe_load((PROBE_FIXTURES / case / "expected.yaml").read_text())
    command, exit_status, output = lab.curl(name, port, max_time)
    assert command == expected["command"]
    assert exit_status == expected["exit_status"]
    result = parse_probe(output, command=command, exit_status=exit_status, source=f"probe_{name}")
    assert describe_probe(result) == expected["result"]


@pytest.mark.parametrize("scenario", sorted(SCENARIO_RESOLVERS))
def test_scenario_is_current(lab: DnsLab, make_host: HostFactory, tmp_path: Path, scenario: str) -> None:
    stored = scenario_commands(scenario)
    live = {}
    for cid, (_, _, command, _) in stored.items():
        exit_status, output = lab.dig(RESOLVER_ADDRS[SCENARIO_RESOLVERS[scenario]], cid.removeprefix("dns_"))
        live[cid] = (output, exit_status, command, "")
    stored_probes = make_host(stored).get(DNS_PROBES)
    live_ctx = make_host(live)
    live_probes = live_ctx.get(DNS_PROBES)
    assert [(p.name, p.classification, p.exit_status) for p in live_probes] == [
        (p.name, p.classification, p.exit_status) for p in stored_probes
    ]
    check = next(c for c in all_checks() if c.spec.id == "dns.courier_chain")
    expected_status = "PASS" if scenario == "clean" else "FAIL"
    assert evaluate_host(live_ctx, [check])[0].status.value == expected_status


def test_unbound_remediation_restores_the_courier_names(lab: DnsLab) -> None:
    """The remediation's Unbound advice works: transparent zones beat a broad *.akadns.net block."""
    akadns = '  local-zone: "akadns.net." transparent\n'
    blocked = '  local-zone: "akadns.net." always_nxdomain\n'
    fixed = blocked + "".join(
        f'  local-zone: "{zone}." transparent\n'
        for zone in ("courier-push-apple.com.akadns.net", "push-apple.com.akadns.net")
    )
    lab.start_resolver("blocked", "127.0.0.64", {akadns: blocked})
    lab.start_resolver("fixed", "127.0.0.65", {akadns: fixed})
    # Unbound applies local zones to the query name only, so the akadns form shows the block
    numbered, other = "1.courier-push-apple.com.akadns.net", "ns.akadns.net"
    assert classify(parse_dig(lab.dig("127.0.0.64", numbered)[1])) is DnsClass.NXDOMAIN
    result = parse_dig(lab.dig("127.0.0.65", numbered)[1])
    assert classify(result) is DnsClass.RESOLVES
    assert {a.address for a in result.addresses} == {"198.19.5.36", "198.19.5.37"}
    bare = parse_dig(lab.dig("127.0.0.65", "courier.push.apple.com")[1])
    assert classify(bare) is DnsClass.NODATA_AFTER_CNAME
    assert classify(parse_dig(lab.dig("127.0.0.65", other)[1])) is DnsClass.NXDOMAIN  # the block still holds
