"""The dns.courier_chain check on snapshots built from real lab dig outputs."""

from __future__ import annotations

import pytest
from conftest import HostFactory, scenario_commands

from pushaudit.checks.dns_courier_chain import CourierDnsChain
from pushaudit.checks.registry import all_checks, evaluate_host
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status

CHECK = next(c for c in all_checks() if c.spec.id == "dns.courier_chain")


def _run(ctx: HostContext) -> Finding:
    findings = evaluate_host(ctx, [CHECK])
    assert len(findings) == 1
    return findings[0]


def test_spec() -> None:
    assert isinstance(CHECK, CourierDnsChain)
    assert CHECK.spec.severity is Severity.CRITICAL
    assert CHECK.spec.roles == frozenset({"proxy"})
    assert CHECK.spec.sources == ("S7", "S5", "S6", "S1")


def test_clean_resolver_passes(make_host: HostFactory) -> None:
    finding = _run(make_host(scenario_commands("clean")))
    assert finding.status is Status.PASS
    assert "Apple's design (recognised, not flagged)" in finding.summary
    assert "all 6 numbered courier names resolve inside Apple's ranges" in finding.summary
    assert "1-courier.push.apple.com: NOERROR; CNAME 1-courier.push.apple.com -> 1.courier-push-apple.com" \
        ".akadns.net -> pop-eur-benelux-courier.push-apple.com.akadns.net; addresses 198.19.5.36, 198.19.5.37" \
        in finding.found
    assert len(finding.evidence) == 8
    bare = next(e for e in finding.evidence if e.source == "cmd:dns_courier.push.apple.com")
    assert "IN CNAME courier-push-apple.com.akadns.net." in bare.text
    assert "IN SOA internal.akadns.net." in bare.text
    assert bare.note.startswith("bare: CNAME then NODATA")


@pytest.mark.parametrize(
    ("scenario", "bad"),
    [
        ("sinkhole", {"courier.push.apple.com", "courier-push-apple.com.akadns.net", "1-courier.push.apple.com",
                      "1.courier-push-apple.com.akadns.net", "23-courier.push.apple.com",
                      "23.courier-push-apple.com.akadns.net", "50-courier.push.apple.com",
                      "50.courier-push-apple.com.akadns.net"}),
        ("nxfilter", {"courier.push.apple.com", "1-courier.push.apple.com", "23-courier.push.apple.com",
                      "50-courier.push.apple.com"}),
        ("servfail", {"courier.push.apple.com", "courier-push-apple.com.akadns.net", "1-courier.push.apple.com",
                      "1.courier-push-apple.com.akadns.net", "23-courier.push.apple.com",
                      "23.courier-push-apple.com.akadns.net", "50-courier.push.apple.com",
                      "50.courier-push-apple.com.akadns.net"}),
        ("timeout", {"courier.push.apple.com", "courier-push-apple.com.akadns.net", "1-courier.push.apple.com",
                     "1.courier-push-apple.com.akadns.net", "23-courier.push.apple.com",
                     "23.courier-push-apple.com.akadns.net", "50-courier.push.apple.com",
                     "50.courier-push-apple.com.akadns.net"}),
    ],
)
def test_faulty_resolvers_fail(make_host: HostFactory, scenario: str, bad: set[str]) -> None:
    finding = _run(make_host(scenario_commands(scenario)))
    assert finding.status is Status.FAIL
    failing = {p["name"] for p in finding.details["probes"] if not p["ok"]}
    assert failing == bad
    assert f"{len(bad)} of 8 courier DNS probes" in finding.summary
    assert {line.split(":")[0] for line in finding.found.splitlines()} == bad
    assert 'local-zone: "courier-push-apple.com.akadns.net." transparent' in finding.remediation
    assert "*.akadns.net" in finding.remediation


def test_sinkhole_finding_names_what_was_found(make_host: HostFactory) -> None:
    finding = _run(make_host(scenario_commands("sinkhole")))
    line = next(ln for ln in finding.found.splitlines() if ln.startswith("1-courier.push.apple.com:"))
    assert "outside Apple's ranges (0.0.0.0)" in line
    assert "addresses 0.0.0.0" in line
    assert "from 127.0.0.60#53(127.0.0.60) (UDP)" in line
    assert "1-courier.push.apple.com: resolves through its CNAME chain to addresses, all inside Apple's ranges" \
        in finding.expected


def test_nxdomain_filter_evidence(make_host: HostFactory) -> None:
    finding = _run(make_host(scenario_commands("nxfilter")))
    bare = next(p for p in finding.details["probes"] if p["name"] == "courier.push.apple.com")
    assert bare["class"] == "NXDOMAIN"
    assert "a DNS filter or local zone rewrote it" in bare["verdict"]


def test_timeout_evidence_quotes_dig(make_host: HostFactory) -> None:
    finding = _run(make_host(scenario_commands("timeout")))
    evidence = next(e for e in finding.evidence if e.source == "cmd:dns_23-courier.push.apple.com")
    assert "communications error to 127.0.0.70#53: timed out" in evidence.text
    assert "no servers could be reached" in evidence.text


def test_missing_command_is_an_error(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    del commands["dns_courier.push.apple.com"]
    finding = _run(make_host(commands))
    assert finding.status is Status.ERROR
    assert finding.code == "E-DATA-MISSING"
    assert finding.evidence[0].source == "cmd:dns_courier.push.apple.com"


def test_garbage_output_is_an_error(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    commands["dns_23-courier.push.apple.com"] = ("Segmentation fault\n", 0, "dig", "")
    finding = _run(make_host(commands))
    assert finding.status is Status.ERROR
    assert finding.code == "E-PARSE-DNS"
    assert finding.evidence[0].source == "cmd:dns_23-courier.push.apple.com"


def test_firewall_is_not_applicable(make_host: HostFactory) -> None:
    assert _run(make_host({}, role="firewall")).status is Status.NOT_APPLICABLE
