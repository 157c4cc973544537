"""The built-in lab, for real: up -> the facts the audit relies on -> down -> nothing left.

Needs root (network namespaces) and the Debian packages named in the README. The tests in
this module share one lab and run in file order; the last ones tear it down and check.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pushaudit.lab import LabError, add_lab_parser, lab_down, lab_status, lab_up
from pushaudit.lab import topology as topo
from pushaudit.lab.accounts import SUDOERS_FILE, user_exists
from pushaudit.lab.cli import _state_dir
from pushaudit.lab.keys import KeyPaths
from pushaudit.lab.netns import ETC_NETNS, existing_namespaces
from pushaudit.lab.shell import is_alive
from pushaudit.lab.state import Journal, ProcessRecord
from pushaudit.lab.templates import render

TIMINGS: dict[str, float] = {}


def ns_run(ns: str, *argv: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


class Snapshot:
    """What the lab recorded, captured while it ran, to check `down` against."""

    def __init__(self, state_dir: Path) -> None:
        journal = Journal.load(state_dir)
        self.processes: list[ProcessRecord] = list(journal.state.processes)
        self.user_created = journal.state.user_created


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    clashing = existing_namespaces() & set(topo.namespace_names())
    if clashing:
        pytest.fail(f"another pushaudit lab is running (namespaces {sorted(clashing)}); stop it first")
    # pytest's 0700 temporary folders on purpose: the lab must not need open parent folders
    state_dir = tmp_path_factory.mktemp("lab") / "state"
    started = time.monotonic()
    try:
        lab_up(state_dir)
        TIMINGS["up"] = time.monotonic() - started
        yield state_dir
    finally:
        lab_down(state_dir)  # second `down` after the explicit one: must be harmless
        print(f"\nlab timings: {', '.join(f'{k} {v:.2f} s' for k, v in TIMINGS.items())}")


@pytest.fixture(scope="module")
def recorded(lab: Path) -> Snapshot:
    return Snapshot(lab)


# -- up and status ------------------------------------------------------------------------------
@pytest.mark.lab
def test_status_reports_every_namespace_and_daemon_running(lab: Path, recorded: Snapshot) -> None:
    status = lab_status(lab)
    assert status.running and status.built
    for name in topo.namespace_names():
        assert f"namespace {name:<10} present" in status.lines
    daemons = {r.name for r in recorded.processes if not r.helper}
    assert {"nsd", "unbound-clean", "unbound-filter", "apple-service"} <= daemons
    assert {f"sshd {h.name}" for h in topo.AUDITED_HOSTS} <= daemons
    assert {f"squid lab-proxy{i}" for i in range(1, 5)} <= daemons
    assert all(is_alive(r) for r in recorded.processes if not r.helper)


@pytest.mark.lab
def test_up_again_keeps_the_running_lab(lab: Path, recorded: Snapshot) -> None:
    lab_up(lab)
    again = Journal.load(lab).state.processes
    assert [(r.name, r.pid) for r in again] == [(r.name, r.pid) for r in recorded.processes]


@pytest.mark.lab
def test_no_namespace_has_a_default_route(lab: Path) -> None:
    for name in topo.namespace_names():
        routes = ns_run(name, "ip", "route", "show", "default").stdout.strip()
        assert routes == "", f"{name} has a default route: {routes}"


# -- DNS ----------------------------------------------------------------------------------------
def dig(ns: str, name: str, server: str = "") -> tuple[str, list[str], list[str]]:
    argv = ["dig", "+time=2", "+tries=2", "+noall", "+comments", "+answer", "+authority", name, "A"]
    if server:
        argv.insert(1, f"@{server}")
    out = ns_run(ns, *argv).stdout
    status = re.search(r"status: (\w+)", out)
    assert status, out
    records = [line.split() for line in out.splitlines() if line and not line.startswith(";")]
    answer = [f"{r[3]} {r[4]}" for r in records if r[3] in ("A", "CNAME")]
    authority = [r[3] for r in records if r[3] == "SOA"]
    return status.group(1), answer, authority


@pytest.mark.lab
def test_bare_courier_name_is_a_cname_to_nothing(lab: Path) -> None:
    status, answer, authority = dig("pa-proxy1", "courier.push.apple.com")
    assert status == "NOERROR"
    assert answer == ["CNAME courier-push-apple.com.akadns.net."]
    assert authority == ["SOA"]


@pytest.mark.lab
def test_numbered_courier_name_resolves_through_two_cnames(lab: Path) -> None:
    status, answer, _ = dig("pa-proxy2", "1-courier.push.apple.com")
    assert status == "NOERROR"
    assert answer[:2] == [
        "CNAME 1.courier-push-apple.com.akadns.net.",
        "CNAME lab-eu-courier-4.push-apple.com.akadns.net.",
    ]
    assert sorted(answer[2:]) == ["A 198.19.5.36", "A 198.19.5.37"]


@pytest.mark.lab
def test_filtering_resolver_denies_the_akadns_courier_names(lab: Path) -> None:
    assert ns_run("pa-proxy4", "cat", "/etc/resolv.conf").stdout.strip() == "nameserver 198.18.0.55"
    status, answer, _ = dig("pa-proxy4", "1.courier-push-apple.com.akadns.net")
    assert (status, answer) == ("NXDOMAIN", [])
    clean_status, clean_answer, _ = dig("pa-proxy4", "1.courier-push-apple.com.akadns.net", "198.18.0.53")
    assert clean_status == "NOERROR" and "A 198.19.5.36" in clean_answer


@pytest.mark.lab
def test_resolver_refuses_names_outside_the_lab(lab: Path) -> None:
    status, _, _ = dig("pa-proxy1", "www.example.com")
    assert status == "REFUSED"


# -- Squid --------------------------------------------------------------------------------------
def curl_via(proxy: str, name: str) -> str:
    done = subprocess.run(
        ["curl", "-sS", "-v", "-o", "/dev/null", "--max-time", "10", "--noproxy", "", "--proxy",
         f"http://{proxy}", "-k", f"https://{name}:443/"],
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    return done.stderr


@pytest.mark.lab
def test_direct_forwarding_squid_fails_the_bare_name_only(lab: Path) -> None:
    bare = curl_via("198.18.0.12:3128", "courier.push.apple.com")
    assert "< HTTP/1.1 500 Internal Server Error" in bare
    assert "X-Squid-Error: ERR_CANNOT_FORWARD" in bare
    for name in ("1-courier.push.apple.com", "1.courier-push-apple.com.akadns.net"):
        numbered = curl_via("198.18.0.12:3128", name)
        assert "< HTTP/1.1 200 Connection established" in numbered, numbered
        assert "< HTTP/1.1 200 OK" in numbered  # the lab Apple service answered through the tunnel


@pytest.mark.lab
def test_authenticating_squid_asks_for_credentials(lab: Path) -> None:
    assert "< HTTP/1.1 407" in curl_via("198.18.0.14:3128", "1-courier.push.apple.com")


def tls_to_courier(client_ns: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    cert = KeyPaths.under(state_dir).apple_cert
    return ns_run(
        client_ns, "curl", "-sS", "--max-time", "8", "--cacert", str(cert),
        "--resolve", "courier.push.apple.com:443:198.19.5.36", "https://courier.push.apple.com/",
    )  # fmt: skip


@pytest.mark.lab
def test_sni_splice_at_step2_breaks_push_while_excluded_range_works(lab: Path) -> None:
    behind_proxy1 = tls_to_courier("pa-c1", lab)
    assert behind_proxy1.returncode == 0, behind_proxy1.stderr
    assert "lab apple service, port 443" in behind_proxy1.stdout
    behind_proxy3 = tls_to_courier("pa-c3", lab)
    assert behind_proxy3.returncode != 0
    cache_log = (lab / "squid" / "pa-proxy3" / "cache.log").read_text(encoding="utf-8")
    assert "Host header forgery detected" in cache_log


@pytest.mark.lab
def test_squid_config_is_at_the_usual_path_with_its_include_and_acl_file(lab: Path) -> None:
    conf = ns_run("pa-proxy2", "cat", "/etc/squid/squid.conf").stdout
    assert "http_port 198.18.0.12:3128" in conf
    assert "include /etc/squid/conf.d/*.conf" in conf
    assert '"/etc/squid/apple-hosts.txt"' in conf
    assert ".apple.com" in ns_run("pa-proxy2", "cat", "/etc/squid/apple-hosts.txt").stdout.split()


# -- the firewall -------------------------------------------------------------------------------
def tcp_connects(ns: str, address: str, port: int) -> bool:
    probe = (
        "import socket,sys\n"
        f"s=socket.socket(); s.settimeout(1.5)\n"
        f"sys.exit(0 if s.connect_ex(({address!r},{port}))==0 else 1)\n"
    )
    return ns_run(ns, sys.executable, "-c", probe).returncode == 0


@pytest.mark.lab
def test_firewall_passes_443_and_5223_but_its_2197_rule_is_shadowed(lab: Path) -> None:
    assert tcp_connects("pa-c0", "198.19.5.36", 443)
    assert tcp_connects("pa-c0", "198.19.5.36", 5223)
    assert not tcp_connects("pa-c0", "198.19.5.36", 2197)
    # the Apple service does listen on 2197: the firewall is what stops it
    assert tcp_connects("pa-apple", "198.19.5.36", 2197)


# -- SSH ----------------------------------------------------------------------------------------
def ssh(state_dir: Path, address: str, command: str) -> subprocess.CompletedProcess[str]:
    keys = KeyPaths.under(state_dir)
    return subprocess.run(
        ["ssh", "-F", "/dev/null", "-i", str(keys.client_key), "-o", f"UserKnownHostsFile={keys.known_hosts}",
         "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
         f"{topo.SSH_USER}@{address}", command],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.mark.lab
@pytest.mark.parametrize("host", topo.AUDITED_HOSTS, ids=lambda h: h.name)
def test_ssh_key_login_and_read_only_sudo(lab: Path, host: topo.AuditedHost) -> None:
    done = ssh(lab, host.mgmt_address, "hostname; sudo -n nft -j list ruleset")
    assert done.returncode == 0, done.stderr
    name, ruleset = done.stdout.split("\n", 1)
    assert name == host.name
    assert ruleset.startswith('{"nftables": [')
    denied = ssh(lab, host.mgmt_address, "sudo -n iptables-save -t nat")
    assert denied.returncode != 0 and "password is required" in denied.stderr


# -- down ---------------------------------------------------------------------------------------
def assert_nothing_left(state_dir: Path, processes: list[ProcessRecord], user_created: bool) -> None:
    assert not existing_namespaces() & set(topo.namespace_names())
    assert not [r for r in processes if is_alive(r)]
    assert not SUDOERS_FILE.exists()
    assert not [name for name in topo.namespace_names() if (ETC_NETNS / name).exists()]
    assert subprocess.run(["ip", "link", "show", topo.ROOT_LINK], capture_output=True, check=False).returncode
    if user_created:
        assert not user_exists(topo.SSH_USER)
    assert not state_dir.exists() or not any(state_dir.iterdir())


@pytest.mark.lab
def test_down_removes_everything_and_is_repeatable(lab: Path, recorded: Snapshot) -> None:
    assert recorded.processes
    started = time.monotonic()
    lab_down(lab)
    TIMINGS["down"] = time.monotonic() - started
    assert_nothing_left(lab, recorded.processes, recorded.user_created)
    lab_down(lab)
    assert not lab_status(lab).running


@pytest.mark.lab
def test_failed_up_removes_what_it_built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if existing_namespaces() & set(topo.namespace_names()):
        pytest.fail("a pushaudit lab is running; this test needs the namespaces free")

    def broken_render(template: str, **values: object) -> str:
        text = render(template, **values)
        return text + "acl broken src not-an-address\n" if template == "squid-proxy4.conf.j2" else text

    monkeypatch.setattr("pushaudit.lab.squid.render", broken_render)
    user_existed = user_exists(topo.SSH_USER)
    state_dir = tmp_path / "state"
    try:
        with pytest.raises(LabError, match=r"lab-proxy4: squid.conf does not parse") as failure:
            lab_up(state_dir)
        assert "not-an-address" in str(failure.value)
        assert_nothing_left(state_dir, [], user_created=not user_existed)
    finally:
        lab_down(state_dir)


# -- CLI ----------------------------------------------------------------------------------------
def lab_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pushaudit")
    add_lab_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["lab", *argv])


def test_cli_refuses_to_run_without_root(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    for command in ("up", "down", "status"):
        args = lab_args(command, "--state-dir", "/nonexistent")
        assert args.handler(args) == 69
        assert "pushaudit lab needs root (network namespaces)" in capsys.readouterr().err


def test_cli_state_dir_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHAUDIT_LAB_DIR", "/tmp/somewhere-else")
    args = lab_args("status")
    assert args.state_dir is None  # resolved when the command runs, from the environment
    assert _state_dir(args) == Path("/tmp/somewhere-else")
    monkeypatch.delenv("PUSHAUDIT_LAB_DIR")
    assert _state_dir(args) == Path("/var/lib/pushaudit-lab")


@pytest.mark.lab  # `lab status` needs root like the rest of `lab`
def test_cli_status_without_a_lab_is_not_running(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = lab_args("status", "--state-dir", str(tmp_path / "state"))
    assert args.handler(args) == 1
    assert "lab is not running" in capsys.readouterr().out

