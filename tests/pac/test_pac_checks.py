"""pac.apple_routes and pac.courier_resolve on snapshots, with the proxies the PAC names as peers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pac_harness import FIXTURES, add_squid, check, contexts, lab_dns, pac_host, squid_peer

from pushaudit.checks.registry import evaluate_host
from pushaudit.findings import Finding, Status
from pushaudit.snapshot import HostSnapshot

WPAD = "/etc/squid/wpad.dat"
LAB_PAC = (FIXTURES / "isresolvable-branch" / "proxy.pac").read_text()
GOOD_PAC = (FIXTURES / "apple-direct-first" / "proxy.pac").read_text()


def apple_to(route: str, other: str = "DIRECT") -> str:
    return (
        "function FindProxyForURL(url, host) {\n"
        '    if (dnsDomainIs(host, ".apple.com") || shExpMatch(host, "198.19.*"))\n'
        f'        return "{route}";\n'
        f'    return "{other}";\n'
        "}\n"
    )


def run(snapshots: list[HostSnapshot]) -> dict[str, Finding]:
    ctx = contexts(snapshots)[0]
    found = evaluate_host(ctx, [check("pac.apple_routes"), check("pac.courier_resolve")])
    return {f.check_id: f for f in found}


def serving(root: Path, pac: str, *, tree: str | None = None, **kwargs: object) -> HostSnapshot:
    snap = pac_host(root, name="lab-proxy2", hostname="198.18.0.12", files={WPAD: pac},
                    dns=kwargs.pop("dns", lab_dns()), **kwargs)  # type: ignore[arg-type]
    return add_squid(snap, tree) if tree else snap


def test_lab_pac_sends_apple_to_an_authenticating_proxy(tmp_path: Path) -> None:
    host = serving(tmp_path, LAB_PAC, tree="direct")
    peer = squid_peer(tmp_path, "lab-proxy4", "198.18.0.14", "auth", ["198.18.0.0/24"])
    results = run([host, peer])
    routes = results["pac.apple_routes"]
    assert routes.status is Status.FAIL, routes.summary
    # the bare courier name takes the other branch, to lab-proxy2, which must resolve it itself
    assert routes.summary.startswith(
        f"{WPAD}:10 sends courier.push.apple.com (https://courier.push.apple.com/, client 198.18.0.1) to "
        "198.18.0.12:3128 (lab-proxy2), which must resolve courier.push.apple.com itself"
    )
    assert routes.deciding_rule == f'{WPAD}:10: return "PROXY 198.18.0.12:3128; DIRECT";'
    assert (f"{WPAD}:7 sends albert.apple.com (https://albert.apple.com/, client 198.18.0.1) to 198.18.0.14:3128 "
            "(lab-proxy4), which demands proxy authentication (/etc/squid/squid.conf:9)") in routes.found
    sources = {(e.source, e.line) for e in routes.evidence}
    assert {("files/etc/squid/wpad.dat", 10), ("files/etc/squid/wpad.dat", 7)} <= sources
    assert ("hosts/lab-proxy4/files/etc/squid/squid.conf", 9) in sources
    assert 'return "DIRECT";' in routes.remediation and 'dnsDomainIs(host, ".apple.com")' in routes.remediation
    assert "fix lab-proxy2" in routes.remediation

    courier = results["pac.courier_resolve"]
    assert courier.status is Status.FAIL, courier.summary
    assert courier.deciding_rule == f"{WPAD}:5: if (isResolvable(host)) {{"
    assert "answers PROXY 198.18.0.12:3128; DIRECT (it would answer PROXY 198.18.0.14:3128" in courier.summary
    assert courier.evidence[0].line == 5 and "isResolvable(courier.push.apple.com)" in courier.evidence[0].note
    assert "before line 5" in courier.remediation


def test_apple_direct_first_passes_both(tmp_path: Path) -> None:
    results = run([serving(tmp_path, GOOD_PAC)])
    assert results["pac.apple_routes"].status is Status.PASS, results["pac.apple_routes"].summary
    assert "0 through proxies" in results["pac.apple_routes"].summary
    assert results["pac.courier_resolve"].status is Status.PASS
    assert "never resolves" in results["pac.courier_resolve"].summary


@pytest.mark.parametrize(
    ("tree", "status", "words"),
    [
        ("open", Status.PASS, "through proxies that pass them through"),
        ("bump", Status.FAIL, "which decrypts it (TLS interception, /etc/squid/squid.conf:7)"),
        ("auth", Status.FAIL, "which demands proxy authentication (/etc/squid/squid.conf:9)"),
        ("direct", Status.FAIL, "courier.push.apple.com (https://courier.push.apple.com/, client 198.18.0.1) to "
         "198.18.0.14:3128 (lab-proxy4), which must resolve courier.push.apple.com itself"),
    ],
)
def test_the_named_proxy_is_judged_with_its_own_squid_model(
    tmp_path: Path, tree: str, status: Status, words: str
) -> None:
    peer = squid_peer(tmp_path, "lab-proxy4", "198.18.0.14", tree, ["198.18.0.0/24"])
    finding = run([serving(tmp_path, apple_to("PROXY 198.18.0.14:3128")), peer])["pac.apple_routes"]
    assert finding.status is status, finding.summary
    assert words in finding.summary + finding.found


def test_direct_proxy_fails_only_the_bare_courier_name(tmp_path: Path) -> None:
    peer = squid_peer(tmp_path, "lab-proxy4", "198.18.0.14", "direct", ["198.18.0.0/24"])
    finding = run([serving(tmp_path, apple_to("PROXY 198.18.0.14:3128")), peer])["pac.apple_routes"]
    assert finding.status is Status.FAIL
    assert finding.details["failed"] == 1 and finding.found.count("\n") == 0


def test_proxy_known_by_another_name(tmp_path: Path) -> None:
    peer = squid_peer(tmp_path, "lab-proxy4", "198.18.0.14", "open", ["198.18.0.0/24"],
                      proxy_names=["apple-proxy.corp.example"])
    finding = run([serving(tmp_path, apple_to("PROXY apple-proxy.corp.example:3128")), peer])["pac.apple_routes"]
    assert finding.status is Status.PASS, finding.summary


def test_proxy_outside_the_inventory_is_an_error(tmp_path: Path) -> None:
    finding = run([serving(tmp_path, apple_to("PROXY 192.0.2.99:8080"))])["pac.apple_routes"]
    assert finding.status is Status.ERROR
    assert finding.code == "E-PAC-PROXY-UNKNOWN"
    assert "192.0.2.99:8080, which is not an audited host" in finding.summary


def test_no_forward_port_where_the_pac_points(tmp_path: Path) -> None:
    peer = squid_peer(tmp_path, "lab-proxy4", "198.18.0.14", "auth", ["198.18.0.0/24"])
    finding = run([serving(tmp_path, apple_to("PROXY 198.18.0.14:8080")), peer])["pac.apple_routes"]
    assert finding.status is Status.FAIL
    assert "has no client-facing forward port 8080" in finding.summary


@pytest.mark.parametrize(
    ("case", "words", "line"),
    [
        ("syntax-error", "the PAC does not load: SyntaxError", 2),
        ("throws", "failed: TypeError", 4),
        ("wrong-name", "defines no function FindProxyForURL", None),
    ],
)
def test_engine_failures_are_errors_in_both_checks(tmp_path: Path, case: str, words: str, line: int | None) -> None:
    results = run([serving(tmp_path, (FIXTURES / case / "proxy.pac").read_text())])
    for finding in results.values():
        assert finding.status is Status.ERROR, finding.summary
        assert finding.code == "E-PAC-ENGINE"
        assert words in finding.summary
        assert finding.evidence[0].line == line and finding.evidence[0].source == "files/etc/squid/wpad.dat"


def test_endless_loop_is_stopped(tmp_path: Path) -> None:
    results = run([serving(tmp_path, (FIXTURES / "endless-loop" / "proxy.pac").read_text())])
    finding = results["pac.apple_routes"]
    assert finding.status is Status.ERROR and finding.code == "E-PAC-ENGINE"
    assert "did not return within" in finding.summary


def test_lookups_without_recorded_answers_are_missing_data(tmp_path: Path) -> None:
    dns = {k: v for k, v in lab_dns().items() if not k.endswith("apple.com") or "courier" in k}
    pac = 'function FindProxyForURL(url, host) {\n  if (isResolvable(host)) return "DIRECT";\n  return "DIRECT";\n}\n'
    finding = run([serving(tmp_path, pac, dns=dns)])["pac.apple_routes"]
    assert finding.status is Status.ERROR and finding.code == "E-DATA-MISSING"
    assert "were not collected" in finding.summary


def test_a_lookup_that_changes_nothing_passes(tmp_path: Path) -> None:
    pac = 'function FindProxyForURL(url, host) {\n  if (isResolvable(host)) return "DIRECT";\n  return "DIRECT";\n}\n'
    finding = run([serving(tmp_path, pac)])["pac.courier_resolve"]
    assert finding.status is Status.PASS
    assert "looks up courier.push.apple.com (isResolvable), but its routes are the same" in finding.summary


def test_dnsresolve_in_isinnet_is_flagged(tmp_path: Path) -> None:
    pac = ('function FindProxyForURL(url, host) {\n'
           '  if (isInNet(dnsResolve(host), "198.19.0.0", "255.255.0.0"))\n'
           '    return "DIRECT";\n'
           '  return "PROXY 198.18.0.12:3128";\n}\n')
    finding = run([serving(tmp_path, pac, tree="direct")])["pac.courier_resolve"]
    assert finding.status is Status.FAIL
    assert finding.deciding_rule.startswith(f"{WPAD}:2: ")
    assert "calls dnsResolve() on courier.push.apple.com" in finding.summary


def test_not_applicable_without_pac_sources(tmp_path: Path) -> None:
    host = pac_host(tmp_path, files={}, manifest=False)
    for finding in run([host]).values():
        assert finding.status is Status.NOT_APPLICABLE


def test_manifest_missing_is_missing_data(tmp_path: Path) -> None:
    results = run([serving(tmp_path, GOOD_PAC, manifest=False)])
    assert {f.code for f in results.values()} == {"E-DATA-MISSING"}


def test_pac_file_absent_on_the_host(tmp_path: Path) -> None:
    host = pac_host(tmp_path, files={WPAD: None}, dns=lab_dns())
    finding = run([host])["pac.apple_routes"]
    assert finding.status is Status.ERROR and finding.code == "E-COLLECT-COMMAND"
    assert WPAD in finding.summary


def test_pac_url_fetched_on_the_host(tmp_path: Path) -> None:
    url = "http://198.18.0.12/wpad.dat"
    ok = pac_host(tmp_path / "ok", urls={url: (GOOD_PAC, 0)}, dns=lab_dns())
    assert run([ok])["pac.apple_routes"].status is Status.PASS
    broken = pac_host(tmp_path / "broken", urls={url: ("curl: (7) Failed to connect", 7)}, dns=lab_dns())
    finding = run([broken])["pac.apple_routes"]
    assert finding.status is Status.ERROR and finding.code == "E-COLLECT-COMMAND"
    assert "Failed to connect" in finding.summary
