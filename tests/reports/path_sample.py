"""A hand-built RunResult with the real path check ids, one proxy per case the path drawing must show.

px-pass     two client networks, every check passes; a firewall with inspection checks serves the second one
px-pac      the PAC sends Apple to a bumping proxy (FAIL): everything after the PAC step is not reached
px-squash   no PAC (N/A), no interception (N/A), Squid squashes the courier name (FAIL); the egress firewall
            that would decrypt is never reached
px-error    interception cannot be decided (ERROR)
px-nodns    the run holds no dns.courier_chain finding: the path is incomplete at the DNS step
fw-edge     firewall serving px-pass's second network; fw-egress serves px-squash's own address
"""

from __future__ import annotations

from report_sample import courier_chains

from pushaudit.findings import Finding, Status
from pushaudit.results import CheckInfo, HostResult, RunResult
from pushaudit.snapshot import Connection, HostFacts

PAC = ("pac.apple_routes", "pac.courier_resolve")
INTERCEPTION = ("proxy.interception_excludes_apple",)
PROXY = ("proxy.auth_order", "proxy.tls_bump", "proxy.connect_ports", "proxy.courier_squash")
DNS = ("dns.courier_chain",)
INSPECTION = ("inspection.apple_not_decrypted", "inspection.apple_not_authenticated")
PROXY_SIDE = PAC + INTERCEPTION + PROXY + DNS
MARKUP = "<b>bold</b>"
PAC_FAIL_SUMMARY = f"wpad.dat line 7 sends courier.push.apple.com to px-b:3128, which bumps TLS {MARKUP}"
SQUASH_SUMMARY = "courier.push.apple.com is resolved by Squid (host_verify_strict on, no cache_peer)"


def _info(check_id: str, role: str) -> CheckInfo:
    return CheckInfo(check_id, f"title of {check_id}", "high", "why", (), (role,))


CHECKS = [_info(c, "proxy") for c in PROXY_SIDE] + [_info(c, "firewall") for c in INSPECTION]


def _facts(name: str, role: str, address: str, networks: list[str]) -> HostFacts:
    return HostFacts(name=name, hostname=address, port=22, platform="linux", role=role,
                     client_networks=networks, connection=Connection(ok=True))


def _findings(host: str, statuses: dict[str, Status], checks: tuple[str, ...] = PROXY_SIDE) -> list[Finding]:
    """PASS for every check unless ``statuses`` says otherwise."""
    findings = []
    for check_id in checks:
        status = statuses.get(check_id, Status.PASS)
        summary = {Status.PASS: f"{check_id} holds", Status.NOT_APPLICABLE: "the host serves no PAC"}.get(
            status, f"{check_id}: {status.value.lower()}")
        code = "E-PARSE-NETFILTER" if status is Status.ERROR else ""
        findings.append(Finding(check_id, host, status, summary, code=code))
    return findings


def _proxy(name: str, address: str, networks: list[str], statuses: dict[str, Status], *, dns_ok: bool = True,
           checks: tuple[str, ...] = PROXY_SIDE) -> HostResult:
    return HostResult(_facts(name, "proxy", address, networks), _findings(name, statuses, checks),
                      courier_chains(ok=dns_ok))


def path_run() -> RunResult:
    pac_fail = _proxy("px-pac", "192.0.2.20", ["10.3.0.0/24"], {})
    pac_fail.findings[0] = Finding("pac.apple_routes", "px-pac", Status.FAIL, PAC_FAIL_SUMMARY,
                                   remediation="return DIRECT for Apple hosts")
    na_pac = dict.fromkeys(PAC, Status.NOT_APPLICABLE)
    squash = _proxy("px-squash", "192.0.2.30", ["10.4.0.0/24"],
                    {**na_pac, "proxy.interception_excludes_apple": Status.NOT_APPLICABLE,
                     "proxy.courier_squash": Status.FAIL, "dns.courier_chain": Status.FAIL}, dns_ok=False)
    squash.findings[6] = Finding("proxy.courier_squash", "px-squash", Status.FAIL, SQUASH_SUMMARY)
    hosts = [
        _proxy("px-pass", "192.0.2.10", ["10.1.0.0/24", "10.2.0.0/24"], {}),
        pac_fail,
        squash,
        _proxy("px-error", "192.0.2.40", ["10.5.0.0/24"],
               {**na_pac, "proxy.interception_excludes_apple": Status.ERROR}),
        _proxy("px-nodns", "192.0.2.50", ["10.6.0.0/24"], na_pac, checks=PAC + INTERCEPTION + PROXY),
        HostResult(_facts("fw-edge", "firewall", "192.0.2.1", ["10.2.0.0/16"]),
                   _findings("fw-edge", {INSPECTION[1]: Status.NOT_APPLICABLE}, INSPECTION)),
        HostResult(_facts("fw-egress", "firewall", "192.0.2.2", ["192.0.2.28/30"]),
                   _findings("fw-egress", {INSPECTION[0]: Status.FAIL}, INSPECTION)),
    ]
    return RunResult(meta={"policy": {"name": "apple", "version": "1"}}, checks=list(CHECKS), hosts=hosts)
