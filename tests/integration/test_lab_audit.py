"""End to end on the built-in lab: real SSH, real Squid, real NSD/Unbound, real nftables."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]
EXPECTED = yaml.safe_load((Path(__file__).parent / "expected_lab.yaml").read_text())


def _statuses(report: dict) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for host in report["hosts"]:
        for finding in host["findings"]:
            table.setdefault(finding["host"], {})[finding["check_id"]] = finding["status"]
    return table


@pytest.fixture(scope="module")
def audit(lab: Path, cli, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("out")
    started = time.monotonic()
    proc = cli("audit", "--inventory", str(ROOT / "inventory"), "--output-dir", str(out))
    elapsed = time.monotonic() - started
    print(f"\nlab audit wall time: {elapsed:.2f} s\n{proc.stdout}{proc.stderr}")
    run_dir = next(p for p in out.iterdir() if p.is_dir())
    report = json.loads((run_dir / "report.json").read_text())
    return {"cli": cli, "proc": proc, "run_dir": run_dir, "report": report, "out": out}


def test_exit_code_is_fail(audit: dict) -> None:
    assert audit["proc"].returncode == 1, audit["proc"].stdout + audit["proc"].stderr


def test_every_host_gets_exactly_the_expected_verdicts(audit: dict) -> None:
    table = _statuses(audit["report"])
    assert set(table) == set(EXPECTED)
    for host, checks in table.items():
        expected = {cid: EXPECTED[host].get(cid, "NOT_APPLICABLE") for cid in checks}
        assert checks == expected, f"{host}: {checks} != {expected}"


def test_failures_carry_evidence_and_remediation(audit: dict) -> None:
    for host in audit["report"]["hosts"]:
        for finding in host["findings"]:
            if finding["status"] == "FAIL":
                assert finding["evidence"], finding
                assert finding["remediation"], finding
                assert finding["expected"] and finding["found"], finding


def test_firewall_names_the_deciding_rule(audit: dict) -> None:
    fw = next(h for h in audit["report"]["hosts"] if h["facts"]["name"] == "lab-fw1")
    finding = next(f for f in fw["findings"] if f["check_id"] == "firewall.apns_ports")
    assert "2197" in finding["found"]
    assert "2195-2199" in finding["deciding_rule"]
    assert "5223" not in finding["found"].split("dropped")[0] or "443" in finding["expected"]


def test_squash_evidence_shows_real_squid_answer(audit: dict) -> None:
    proxy2 = next(h for h in audit["report"]["hosts"] if h["facts"]["name"] == "lab-proxy2")
    finding = next(f for f in proxy2["findings"] if f["check_id"] == "proxy.courier_squash")
    texts = " ".join(e["text"] for e in finding["evidence"])
    assert "ERR_CANNOT_FORWARD" in texts or "ERR_DNS_FAIL" in texts


def test_dns_chains_are_in_the_report(audit: dict) -> None:
    proxy1 = next(h for h in audit["report"]["hosts"] if h["facts"]["name"] == "lab-proxy1")
    chains = {c["name"]: c for c in proxy1["dns"]}
    bare = chains["courier.push.apple.com"]
    assert bare["rcode"] == "NOERROR" and bare["ok"]
    assert [s["rtype"] for s in bare["steps"]] == ["CNAME", "SOA"]
    numbered = chains["1-courier.push.apple.com"]
    assert [s["rtype"] for s in numbered["steps"]][:2] == ["CNAME", "CNAME"]
    assert {s["value"] for s in numbered["steps"] if s["rtype"] == "A"} == {"198.19.5.36", "198.19.5.37"}


def test_html_report_is_written(audit: dict) -> None:
    html = (audit["run_dir"] / "report.html").read_text()
    for name in EXPECTED:
        assert name in html
    assert "courier-push-apple.com.akadns.net" in html


def test_snapshot_re_evaluates_to_identical_findings(audit: dict) -> None:
    snapshot = audit["run_dir"] / "snapshot"
    assert (snapshot / "snapshot.json").is_file()
    started = time.monotonic()
    proc = audit["cli"]("audit", "--snapshot", str(snapshot), "--output-dir", str(audit["out"]), "--format", "json")
    print(f"\noffline re-evaluation wall time: {time.monotonic() - started:.2f} s")
    assert proc.returncode == 1, proc.stderr
    offline_dir = next(p for p in audit["out"].iterdir() if p.name.endswith("-offline"))
    offline = json.loads((offline_dir / "report.json").read_text())
    live = [f for h in audit["report"]["hosts"] for f in h["findings"]]
    again = [f for h in offline["hosts"] for f in h["findings"]]
    assert again == live


def test_snapshot_records_commands_with_exit_status(audit: dict) -> None:
    commands = json.loads((audit["run_dir"] / "snapshot" / "hosts" / "lab-fw1" / "commands.json").read_text())
    by_id = {c["id"]: c for c in commands}
    assert by_id["nft_ruleset"]["exit_status"] == 0
    assert by_id["nft_ruleset"]["command"] == "sudo -n nft -j list ruleset"
    assert all(c["started"] for c in commands)


def _tls_from(client_ns: str, sni: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", client_ns, "curl", "-sS", "-k", "--max-time", "8", "-o", "/dev/null",
         "-w", "%{http_code}", "--resolve", f"{sni}:443:198.19.5.36", f"https://{sni}/"],
        capture_output=True, text=True, timeout=30,
    )


def test_squash_verdicts_match_real_traffic_through_the_proxies(audit: dict) -> None:
    """The kernel and Squid are the oracle: a device's APNs TLS (SNI courier.push.apple.com to an
    Apple address) passes the compliant intercepting proxy and dies at the one that verifies SNI."""
    table = _statuses(audit["report"])
    through_proxy1 = _tls_from("pa-c1", "courier.push.apple.com")
    through_proxy3 = _tls_from("pa-c3", "courier.push.apple.com")
    assert (through_proxy1.returncode == 0) == (table["lab-proxy1"]["proxy.courier_squash"] == "PASS")
    assert (through_proxy3.returncode == 0) == (table["lab-proxy3"]["proxy.courier_squash"] == "PASS")
    assert through_proxy3.returncode != 0, through_proxy3.stdout


def test_firewall_verdict_matches_real_connections(audit: dict) -> None:
    results = {}
    for port in (443, 5223, 2197):
        proc = subprocess.run(
            ["ip", "netns", "exec", "pa-c0", "python3", "-c",
             "import socket,sys; s=socket.socket(); s.settimeout(2);"
             f"sys.exit(s.connect_ex(('198.19.5.36', {port})))"],
            capture_output=True, text=True, timeout=20,
        )
        results[port] = proc.returncode == 0
    assert results == {443: True, 5223: True, 2197: False}
    fw = next(h for h in audit["report"]["hosts"] if h["facts"]["name"] == "lab-fw1")
    finding = next(f for f in fw["findings"] if f["check_id"] == "firewall.apns_ports")
    blocked = [p for p, ok in results.items() if not ok]
    assert all(str(p) in finding["found"] for p in blocked)
