"""DNS_PROBES from a snapshot, the per-probe judgement, and the chains the report draws."""

from __future__ import annotations

import pytest
from conftest import HostFactory, scenario_commands
from dns_fixture_cases import DIG_FIXTURES

from pushaudit.dns import DNS_PROBES, DnsClass, ProbeKind, dns_chains_for_report, judge, probe_names
from pushaudit.errors import DataError
from pushaudit.policy import load_policy

BARE = "dns_courier.push.apple.com"
NUMBERED = "dns_1-courier.push.apple.com"


def test_probe_names_follow_the_policy() -> None:
    names = probe_names(load_policy())
    assert names[:2] == [("courier.push.apple.com", ProbeKind.BARE),
                         ("courier-push-apple.com.akadns.net", ProbeKind.TARGET)]
    numbered = [n for n, k in names if k is ProbeKind.NUMBERED]
    assert numbered == [
        "1-courier.push.apple.com", "1.courier-push-apple.com.akadns.net",
        "23-courier.push.apple.com", "23.courier-push-apple.com.akadns.net",
        "50-courier.push.apple.com", "50.courier-push-apple.com.akadns.net",
    ]


def test_clean_resolver_probes(make_host: HostFactory) -> None:
    probes = make_host(scenario_commands("clean")).get(DNS_PROBES)
    by_name = {p.name: p for p in probes}
    assert len(probes) == 8
    assert by_name["courier.push.apple.com"].classification is DnsClass.NODATA_AFTER_CNAME
    assert by_name["courier-push-apple.com.akadns.net"].classification is DnsClass.NODATA
    numbered = [p for p in probes if p.kind is ProbeKind.NUMBERED]
    assert {p.classification for p in numbered} == {DnsClass.RESOLVES}
    assert by_name["23-courier.push.apple.com"].command_id == "dns_23-courier.push.apple.com"


def test_timeout_is_a_probe_not_an_exception(make_host: HostFactory) -> None:
    probes = make_host(scenario_commands("timeout")).get(DNS_PROBES)
    assert {p.classification for p in probes} == {DnsClass.TIMEOUT}
    assert {p.exit_status for p in probes} == {9}


def test_missing_command_is_data_missing(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    del commands["dns_50.courier-push-apple.com.akadns.net"]
    with pytest.raises(DataError) as info:
        make_host(commands).get(DNS_PROBES)
    assert info.value.code == "E-DATA-MISSING"
    assert "50.courier-push-apple.com.akadns.net" in info.value.message


def test_command_that_never_ran_is_a_collection_error(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    commands[BARE] = ("", None, "dig +time=2 +tries=2 courier.push.apple.com A", "timed out after 30 s")
    with pytest.raises(DataError) as info:
        make_host(commands).get(DNS_PROBES)
    assert info.value.code == "E-COLLECT-COMMAND"
    assert info.value.source == f"cmd:{BARE}"


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [("bare_cname_nodata", 9, "printed an answer but exited 9"),
     ("timeout_918", 0, "printed no answer but exited 0")],
)
def test_exit_status_must_agree_with_output(make_host: HostFactory, case: str, status: int, message: str) -> None:
    commands = scenario_commands("clean")
    commands[BARE] = ((DIG_FIXTURES / case / "output.txt").read_text(), status, "dig", "")
    with pytest.raises(DataError, match=message):
        make_host(commands).get(DNS_PROBES)


def test_output_for_another_name_is_refused(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    commands[NUMBERED] = commands["dns_23-courier.push.apple.com"]
    with pytest.raises(DataError, match=r"answers 23-courier\.push\.apple\.com\., not 1-courier"):
        make_host(commands).get(DNS_PROBES)


def test_parse_error_names_the_probe(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    commands[NUMBERED] = ("garbage\n", 0, "dig", "")
    with pytest.raises(DataError) as info:
        make_host(commands).get(DNS_PROBES)
    assert info.value.code == "E-PARSE-DNS"
    assert info.value.source == f"cmd:{NUMBERED}"
    assert info.value.message.startswith("1-courier.push.apple.com:")


@pytest.mark.parametrize(
    ("scenario", "name", "ok", "verdict"),
    [
        ("clean", "courier.push.apple.com", True, "Apple's design"),
        ("clean", "courier-push-apple.com.akadns.net", True, "NODATA"),
        ("clean", "50.courier-push-apple.com.akadns.net", True, "resolves in Apple's ranges via 1 CNAME hop"),
        ("sinkhole", "courier.push.apple.com", False, "outside Apple's ranges (0.0.0.0)"),
        ("sinkhole", "courier-push-apple.com.akadns.net", False, "outside Apple's ranges (0.0.0.0)"),
        ("nxfilter", "courier.push.apple.com", False, "NXDOMAIN"),
        ("nxfilter", "1-courier.push.apple.com", False, "NXDOMAIN"),
        ("nxfilter", "1.courier-push-apple.com.akadns.net", True, "resolves in Apple's ranges"),
        ("servfail", "23-courier.push.apple.com", False, "SERVFAIL"),
        ("timeout", "courier.push.apple.com", False, "timed out"),
    ],
)
def test_judgement(make_host: HostFactory, scenario: str, name: str, ok: bool, verdict: str) -> None:
    ctx = make_host(scenario_commands(scenario))
    probe = next(p for p in ctx.get(DNS_PROBES) if p.name == name)
    judged = judge(probe, ctx.policy)
    assert judged.ok is ok
    assert verdict in judged.verdict


def test_numbered_nodata_after_cname_is_a_fault(make_host: HostFactory) -> None:
    commands = scenario_commands("clean")
    # the bare name's real answer (CNAME then NODATA), relabelled as the numbered probe
    commands[NUMBERED] = (commands[BARE][0].replace("courier.push.apple.com.", "1-courier.push.apple.com."),
                          0, "dig", "")
    ctx = make_host(commands)
    probe = next(p for p in ctx.get(DNS_PROBES) if p.command_id == NUMBERED)
    assert probe.classification is DnsClass.NODATA_AFTER_CNAME
    assert not judge(probe, ctx.policy).ok


def test_apple_range_is_what_decides(make_host: HostFactory) -> None:
    ctx = make_host(scenario_commands("clean"), policy=load_policy())  # 198.19.5.x is not Apple's
    probe = next(p for p in ctx.get(DNS_PROBES) if p.command_id == NUMBERED)
    assert not judge(probe, ctx.policy).ok


def test_report_chains(make_host: HostFactory) -> None:
    chains = {c.name: c for c in dns_chains_for_report(make_host(scenario_commands("clean")))}
    bare = chains["courier.push.apple.com"]
    assert (bare.kind, bare.rcode, bare.ok, bare.source) == ("bare", "NOERROR", True, BARE)
    assert [(s.rtype, s.owner, s.value) for s in bare.steps] == [
        ("CNAME", "courier.push.apple.com", "courier-push-apple.com.akadns.net"),
        ("SOA", "akadns.net", "internal.akadns.net serial 1560251729 minimum 180"),
    ]
    numbered = chains["1-courier.push.apple.com"]
    assert [(s.rtype, s.value) for s in numbered.steps] == [
        ("CNAME", "1.courier-push-apple.com.akadns.net"),
        ("CNAME", "pop-eur-benelux-courier.push-apple.com.akadns.net"),
        ("A", "198.19.5.36"),
        ("A", "198.19.5.37"),
    ]
    assert numbered.ok


def test_report_chains_for_failures(make_host: HostFactory) -> None:
    chains = dns_chains_for_report(make_host(scenario_commands("timeout")))
    assert len(chains) == 8
    assert {(c.rcode, c.ok) for c in chains} == {("TIMEOUT", False)}
    assert all(c.steps == [] for c in chains)


def test_report_chains_empty_without_data_or_for_firewalls(make_host: HostFactory) -> None:
    assert dns_chains_for_report(make_host({})) == []
    assert dns_chains_for_report(make_host(scenario_commands("clean"), role="firewall")) == []
