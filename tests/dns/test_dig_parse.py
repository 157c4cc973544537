"""parse_dig on real lab outputs (tests/fixtures/dig/<case>/) and on the edge cases around them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dns.message
import pytest
import yaml
from dns_fixture_cases import DIG_FIXTURES, describe_dig

from pushaudit.dns import DnsClass, classify
from pushaudit.errors import DataError
from pushaudit.parsers.dig import DigOutcome, parse_dig

CASES = sorted(p for p in DIG_FIXTURES.iterdir() if (p / "expected.yaml").is_file())


def _read(case: Path) -> tuple[str, dict[str, Any]]:
    return (case / "output.txt").read_text(), yaml.safe_load((case / "expected.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture(case: Path) -> None:
    output, expected = _read(case)
    if "error" in expected:
        with pytest.raises(DataError) as info:
            parse_dig(output)
        assert info.value.code == expected["error"]
        return
    result = parse_dig(output)
    assert describe_dig(result) == expected["result"]
    assert classify(result).value == expected["classification"]


def test_fixture_set_covers_every_classification() -> None:
    seen = {yaml.safe_load((c / "expected.yaml").read_text()).get("classification") for c in CASES}
    assert {c.value for c in DnsClass} <= seen


def test_raw_dig_output_fools_dnspython_but_not_parse_dig() -> None:
    output, _ = _read(DIG_FIXTURES / "bare_cname_nodata")
    naive = dns.message.from_text(output)  # the trap: stops at the first blank line
    assert not naive.question and not naive.answer and not naive.authority
    result = parse_dig(output)
    assert result.message is not None
    assert [rr.to_text() for rr in result.message.answer] == [
        "courier.push.apple.com. 3600 IN CNAME courier-push-apple.com.akadns.net."
    ]


def test_evidence_lines_hold_answer_and_authority() -> None:
    result = parse_dig(_read(DIG_FIXTURES / "bare_cname_nodata")[0])
    assert result.record_lines == (
        "courier.push.apple.com. 3600 IN CNAME courier-push-apple.com.akadns.net.",
        "akadns.net. 60 IN SOA internal.akadns.net. hostmaster.akamai.com. 1560251729 90000 90000 90000 180",
    )
    assert result.version == "9.18.49-1~deb12u3-Debian"


def test_warning_and_ede_become_notes() -> None:
    refused = parse_dig(_read(DIG_FIXTURES / "refused_no_question")[0])
    assert refused.notes == ("WARNING: recursion requested but not available",)
    output = _read(DIG_FIXTURES / "nxfilter_bare")[0].replace(
        "; EDNS: version: 0, flags:; udp: 1232", "; EDNS: version: 0, flags:; udp: 1232\n; EDE: 15 (Blocked)"
    )
    assert parse_dig(output).notes == ("EDE: 15 (Blocked)",)


def test_unexpected_line_is_reported_with_its_line_number() -> None:
    output = _read(DIG_FIXTURES / "target_nodata")[0].replace(";; Query time", "stray text\n;; Query time")
    with pytest.raises(DataError) as info:
        parse_dig(output)
    assert info.value.code == "E-PARSE-DNS"
    assert info.value.line is not None
    assert output.splitlines()[info.value.line - 1] == "stray text"


def test_header_count_mismatch_is_refused() -> None:
    output = _read(DIG_FIXTURES / "numbered_dot_one_hop")[0].replace("ANSWER: 3", "ANSWER: 2")
    with pytest.raises(DataError, match="ANSWER: 2 but 3"):
        parse_dig(output)


def test_records_off_the_chain_are_noted() -> None:
    output = _read(DIG_FIXTURES / "sinkhole_numbered")[0]
    output = output.replace("ANSWER: 1,", "ANSWER: 2,").replace(
        "1-courier.push.apple.com. 300\tIN\tA\t0.0.0.0",
        "1-courier.push.apple.com. 300\tIN\tA\t0.0.0.0\nblock.example. 300 IN A 192.0.2.1",
    )
    result = parse_dig(output)
    assert [a.address for a in result.addresses] == ["0.0.0.0"]
    assert result.notes == ("answer record off the CNAME chain: block.example. 300 IN A 192.0.2.1",)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        (";; connection timed out; no servers could be reached\n", DigOutcome.TIMEOUT),
        (";; communications error to 10.0.0.1#53: timed out\n;; no servers could be reached\n", DigOutcome.TIMEOUT),
        (
            ";; communications error to 10.0.0.1#53: timed out\n"
            ";; communications error to 10.0.0.2#53: connection refused\n;; no servers could be reached\n",
            DigOutcome.ERROR,
        ),
        ("dig: couldn't get address for 'ns.invalid': not found\n", DigOutcome.ERROR),
        (";; UDP setup with 10.0.0.1#53(10.0.0.1) for x failed: network unreachable.\n", DigOutcome.ERROR),
    ],
)
def test_failures_without_a_message(text: str, outcome: DigOutcome) -> None:
    result = parse_dig(text)
    assert result.outcome is outcome
    assert result.rcode == "" and result.message is None
    assert result.failure
