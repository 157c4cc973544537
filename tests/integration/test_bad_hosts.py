"""Broken hosts beside a good one: each gets a coded ERROR, the run completes, the report is written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.lab

BROKEN_SQUID = """\
# a config with a rule naming an ACL that is never defined (Squid itself refuses it)
http_port 198.18.0.12:3129
acl clients src 198.18.0.0/24
http_access allow clients
http_access allow apple_hosts_that_do_not_exist
http_access deny all
"""


def _write_inventory(inv: Path, lab: Path) -> None:
    ssh = lab / "ssh"
    stranger = inv / "stranger_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    wrong_known = inv / "wrong_known_hosts"
    other = inv / "other_hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    wrong_known.write_text("198.18.0.14 " + " ".join((other.with_suffix(".pub")).read_text().split()[:2]) + "\n")
    proxy = {"groups": ["proxies"], "data": {"role": "proxy", "client_networks": ["198.18.0.0/24"]}}
    hosts = {
        "good": {"hostname": "198.18.0.12", **proxy},
        "dead": {"hostname": "198.18.0.99", **proxy},
        "badkey": {"hostname": "198.18.0.13", **proxy,
                   "connection_options": {"netmiko": {"extras": {"key_file": str(stranger)}}}},
        "badhostkey": {"hostname": "198.18.0.14", **proxy,
                       "connection_options": {"netmiko": {"extras": {"alt_key_file": str(wrong_known)}}}},
        "brokenconf": {"hostname": "198.18.0.12", "groups": ["proxies"],
                       "data": {"role": "proxy", "client_networks": ["198.18.0.0/24"],
                                "squid_conf": "/etc/squid/broken.conf"}},
        "oddplatform": {"hostname": "198.18.0.12", "platform": "vendor_unknown",
                        "data": {"role": "firewall", "client_networks": ["198.18.10.0/24"]}},
    }
    groups = {"proxies": {"platform": "linux"}}
    defaults = {
        "username": "pushaudit",
        "port": 22,
        "connection_options": {"netmiko": {"extras": {
            "key_file": str(ssh / "id_ed25519"), "use_keys": True, "ssh_strict": True,
            "alt_host_keys": True, "alt_key_file": str(ssh / "known_hosts"),
            "conn_timeout": 3, "auth_timeout": 8, "banner_timeout": 8}}},
    }
    for name, data in (("hosts", hosts), ("groups", groups), ("defaults", defaults)):
        (inv / f"{name}.yaml").write_text(yaml.safe_dump(data))
    lab_policy = Path(__file__).resolve().parents[2] / "inventory" / "policy.yaml"
    (inv / "policy.yaml").write_text(lab_policy.read_text())


def test_broken_hosts_are_errors_and_the_run_completes(lab: Path, cli, tmp_path: Path) -> None:
    broken_conf = Path("/etc/netns/pa-proxy2/squid/broken.conf")
    broken_conf.write_text(BROKEN_SQUID)
    try:
        inv = tmp_path / "inv"
        inv.mkdir()
        _write_inventory(inv, lab)
        out = tmp_path / "out"
        proc = cli("audit", "--inventory", str(inv), "--output-dir", str(out), "--workers", "6")
    finally:
        broken_conf.unlink()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    run_dir = next(p for p in out.iterdir() if p.is_dir())
    assert (run_dir / "report.html").is_file()
    report = json.loads((run_dir / "report.json").read_text())
    by_host = {h["facts"]["name"]: h for h in report["hosts"]}
    assert set(by_host) == {"good", "dead", "badkey", "badhostkey", "brokenconf", "oddplatform"}

    def codes(name: str) -> set[str]:
        return {f["code"] for f in by_host[name]["findings"] if f["status"] == "ERROR"}

    def statuses(name: str) -> set[str]:
        return {f["status"] for f in by_host[name]["findings"]}

    assert codes("dead") == {"E-SSH-UNREACHABLE"} and "PASS" not in statuses("dead")
    assert codes("badkey") == {"E-SSH-AUTH"} and "PASS" not in statuses("badkey")
    assert codes("badhostkey") == {"E-SSH-HOSTKEY"} and "PASS" not in statuses("badhostkey")
    assert codes("oddplatform") == {"E-PLATFORM"}
    assert by_host["dead"]["facts"]["connection"]["ok"] is False
    # the good host was audited in full, as in the lab audit
    good = {f["check_id"]: f["status"] for f in by_host["good"]["findings"]}
    assert good["proxy.courier_squash"] == "FAIL" and good["dns.courier_chain"] == "PASS"
    # the unparsable config: the Squid checks refuse to decide, the DNS check still runs
    broken = {f["check_id"]: f for f in by_host["brokenconf"]["findings"]}
    squid_checks = [f for cid, f in broken.items() if cid.startswith("proxy.") and f["status"] != "NOT_APPLICABLE"]
    assert squid_checks and all(f["status"] == "ERROR" and f["code"] == "E-PARSE-SQUID" for f in squid_checks)
    assert any("apple_hosts_that_do_not_exist" in f["summary"] for f in squid_checks)
    assert broken["dns.courier_chain"]["status"] == "PASS"
