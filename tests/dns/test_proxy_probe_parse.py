"""curl -v CONNECT probes through Squid: real lab outputs (tests/fixtures/probe/<case>/) and PROXY_PROBES."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Commands, HostFactory
from dns_fixture_cases import PROBE_FIXTURES, describe_probe

from pushaudit.errors import DataError
from pushaudit.parsers.proxy_probe import PROXY_PROBES, parse_probe, probe_for

CASES = sorted(p for p in PROBE_FIXTURES.iterdir() if (p / "expected.yaml").is_file())


def _case(name: str) -> tuple[str, dict[str, Any]]:
    folder = PROBE_FIXTURES / name
    return (folder / "output.txt").read_text(), yaml.safe_load((folder / "expected.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture(case: Path) -> None:
    output, expected = _case(case.name)
    kwargs = {"command": expected["command"], "exit_status": expected["exit_status"], "source": "probe_x"}
    if "error" in expected:
        with pytest.raises(DataError) as info:
            parse_probe(output, **kwargs)
        assert info.value.code == expected["error"]
        return
    assert describe_probe(parse_probe(output, **kwargs)) == expected["result"]


def test_excerpt_shows_the_proxy_answer_not_the_tunnel() -> None:
    output, expected = _case("numbered_tunnel_200")
    result = parse_probe(output, command=expected["command"], exit_status=0)
    assert result.excerpt == "> CONNECT 1-courier.push.apple.com:443 HTTP/1.1\n< HTTP/1.1 200 Connection established"
    output, expected = _case("bare_cannot_forward_500")
    result = parse_probe(output, command=expected["command"], exit_status=56)
    assert result.excerpt.splitlines() == [
        "> CONNECT courier.push.apple.com:443 HTTP/1.1",
        "< HTTP/1.1 500 Internal Server Error",
        "< X-Squid-Error: ERR_CANNOT_FORWARD 0",
        "curl: (56) CONNECT tunnel failed, response 500",
    ]


def test_origin_status_inside_the_tunnel_is_not_the_proxy_status() -> None:
    output, _ = _case("numbered_tunnel_200")
    assert "< HTTP/1.0 200 ok" in output
    doctored = output.replace("< HTTP/1.0 200 ok", "< HTTP/1.0 500 oops\n< X-Squid-Error: ERR_FAKE 0")
    result = parse_probe(doctored, exit_status=0)
    assert (result.connect_status, result.squid_error, result.tunnel_ok) == (200, "", True)


def test_proxy_from_connected_line_when_command_is_unknown() -> None:
    output, _ = _case("auth_required_407")
    assert parse_probe(output, exit_status=56).proxy == "127.0.0.1:3129"


def test_curl_missing_is_a_collection_error() -> None:
    with pytest.raises(DataError) as info:
        parse_probe("bash: line 1: curl: command not found\n", exit_status=127)
    assert info.value.code == "E-COLLECT-COMMAND"


def _probe_commands(skip_bare: bool = False) -> Commands:
    commands: Commands = {}
    for case, cid in [("bare_cannot_forward_500", "probe_courier.push.apple.com"),
                      ("numbered_tunnel_200", "probe_1-courier.push.apple.com"),
                      ("numbered_dot_tunnel_200", "probe_1.courier-push-apple.com.akadns.net")]:
        output, expected = _case(case)
        commands[cid] = (output, expected["exit_status"], expected["command"], "")
    if skip_bare:
        commands["probe_courier.push.apple.com"] = ("", None, "", "skipped: no client-facing forward http_port")
    return commands


def test_proxy_probes_from_snapshot(make_host: HostFactory) -> None:
    probes = make_host(_probe_commands()).get(PROXY_PROBES)
    assert [p.source for p in probes] == [
        "probe_1-courier.push.apple.com", "probe_1.courier-push-apple.com.akadns.net", "probe_courier.push.apple.com"
    ]
    bare = probe_for(probes, "COURIER.push.apple.com")
    assert bare is not None
    assert (bare.connect_status, bare.squid_error, bare.tunnel_ok, bare.curl_exit) == (
        500, "ERR_CANNOT_FORWARD 0", False, 56)
    assert probe_for(probes, "nothing.example") is None


def test_skipped_probes_are_omitted(make_host: HostFactory) -> None:
    probes = make_host(_probe_commands(skip_bare=True)).get(PROXY_PROBES)
    assert [p.name for p in probes] == ["1-courier.push.apple.com", "1.courier-push-apple.com.akadns.net"]


def test_missing_probe_is_data_missing(make_host: HostFactory) -> None:
    commands = _probe_commands()
    del commands["probe_1-courier.push.apple.com"]
    with pytest.raises(DataError) as info:
        make_host(commands).get(PROXY_PROBES)
    assert info.value.code == "E-DATA-MISSING"


def test_probe_for_another_name_is_refused(make_host: HostFactory) -> None:
    commands = _probe_commands()
    commands["probe_1-courier.push.apple.com"] = commands["probe_courier.push.apple.com"]
    with pytest.raises(DataError) as info:
        make_host(commands).get(PROXY_PROBES)
    assert info.value.code == "E-PARSE-PROBE"
