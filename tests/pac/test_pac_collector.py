"""The pac_files collector over a real Session (read-only guard included) and a scripted device."""

from __future__ import annotations

import shlex
from pathlib import Path

from pac_harness import check, contexts, dig_output, lab_dns

from pushaudit.checks.registry import evaluate_host
from pushaudit.findings import Status
from pushaudit.pac.sources import MANIFEST_ID, read_manifest
from pushaudit.platforms import load_platform
from pushaudit.snapshot import Connection, HostFacts, HostSnapshot
from pushaudit.tasks.collectors import load_collectors
from pushaudit.tasks.session import MARKER, Session

WPAD = "/etc/squid/wpad.dat"
CHAINED = """function FindProxyForURL(url, host) {
    if (dnsDomainIs(host, ".apple.com") && dnsResolve("site.corp.example") == "10.0.0.1") {
        if (isResolvable("apple-proxy.corp.example")) return "DIRECT";
    }
    if (isResolvable(host) && dnsResolve("fallback.corp.example")) return "DIRECT";
    if (dnsResolve("bad name!") || dnsResolve("192.0.2.1")) return "DIRECT";
    return "DIRECT";
}
"""


class Device:
    """Answers the commands a Linux proxy would: files, dig from a table, curl for one URL."""

    def __init__(self, files: dict[str, str], dns: dict[str, list[str] | None], pages: dict[str, str]) -> None:
        self.files, self.dns, self.pages = files, dns, pages
        self.sent: list[list[str]] = []

    def send_command(self, command: str, **_: object) -> str:
        argv = shlex.split(command.split(" 2>&1;", maxsplit=1)[0])
        self.sent.append(argv)
        output, status = self._answer(argv)
        return f"{output}\n{MARKER}{status}\n"

    def _answer(self, argv: list[str]) -> tuple[str, int]:
        if argv[0] == "cat":
            path = argv[-1]
            return (self.files[path], 0) if path in self.files else (f"cat: {path}: No such file or directory", 1)
        if argv[0] == "dig":
            return dig_output(argv[-2], self.dns.get(argv[-2], [])), 0
        if argv[0] == "curl":
            url = argv[-1]
            return (self.pages[url], 0) if url in self.pages else ("curl: (7) Failed to connect", 7)
        return "command not found", 127


def collect(root: Path, device: Device, data: dict[str, object]) -> HostSnapshot:
    facts = HostFacts(name="lab-proxy2", hostname="198.18.0.12", port=22, platform="linux", role="proxy",
                      client_networks=["198.18.0.0/24"], data=data, connection=Connection(ok=True))
    snap = HostSnapshot.create(root / facts.name, facts)
    session = Session(device, snap, load_platform("linux"))  # every command passes the read-only guard
    collectors = load_collectors()
    collectors["dns_probes"](session, facts, contexts([snap])[0].policy)
    collectors["pac_files"](session, facts, contexts([snap])[0].policy)
    snap.save()
    return HostSnapshot(snap.root)


def test_lookups_are_resolved_on_the_host_round_by_round(tmp_path: Path) -> None:
    dns = {**lab_dns(), "site.corp.example": ["10.0.0.1"], "apple-proxy.corp.example": ["10.0.0.2"]}
    device = Device({WPAD: CHAINED}, dns, {})
    snap = collect(tmp_path, device, {"pac_files": [WPAD]})
    asked = {c.removeprefix("pacdns_") for c in snap.commands if c.startswith("pacdns_")}
    # the second name is only looked up once the first answered 10.0.0.1
    assert {"site.corp.example", "apple-proxy.corp.example", "fallback.corp.example"} <= asked
    assert "albert.apple.com" in asked
    assert not {"bad name!", "192.0.2.1", "courier.push.apple.com"} & asked  # invalid, literal, already probed
    digs = [argv for argv in device.sent if argv[0] == "dig"]
    assert all(argv[:3] == ["dig", "+time=2", "+tries=2"] and argv[-1] == "A" for argv in digs)
    assert len({argv[-2] for argv in digs}) == len(digs)  # nothing asked twice
    manifest = read_manifest(snap)
    assert [s.location for s in manifest.sources] == [WPAD]
    assert snap.commands[MANIFEST_ID].exit_status == 0
    results = evaluate_host(contexts([snap])[0], [check("pac.apple_routes"), check("pac.courier_resolve")])
    assert [f.status for f in results] == [Status.PASS, Status.PASS], [f.summary for f in results]


def test_names_asked_only_when_the_courier_name_resolves_are_collected(tmp_path: Path) -> None:
    pac = ('function FindProxyForURL(url, host) {\n'
           '  if (isResolvable(host) && host == "courier.push.apple.com")\n'
           '    return isResolvable("only-then.corp.example") ? "PROXY 198.18.0.14:3128" : "DIRECT";\n'
           '  return "DIRECT";\n}\n')
    dns = {**lab_dns(), "only-then.corp.example": ["10.0.0.3"]}
    snap = collect(tmp_path, Device({WPAD: pac}, dns, {}), {"pac_files": [WPAD]})
    assert "pacdns_only-then.corp.example" in snap.commands
    courier = evaluate_host(contexts([snap])[0], [check("pac.courier_resolve")])[0]
    assert courier.status is Status.FAIL, courier.summary  # decided without a missing answer


def test_pac_url_is_fetched_on_the_host(tmp_path: Path) -> None:
    url = "http://198.18.0.12/wpad.dat"
    device = Device({}, lab_dns(), {url: 'function FindProxyForURL(u, h) { return "DIRECT"; }'})
    snap = collect(tmp_path, device, {"pac_urls": [url, "http://198.18.0.12/missing.pac"]})
    assert ["curl", "-sS", "--max-time", "10", "--noproxy", "*", url] in device.sent
    assert snap.commands["pacurl_1"].exit_status == 0 and snap.commands["pacurl_2"].exit_status == 7
    finding = evaluate_host(contexts([snap])[0], [check("pac.apple_routes")])[0]
    assert finding.status is Status.ERROR and finding.code == "E-COLLECT-COMMAND"
    assert "missing.pac" in finding.summary


def test_host_without_pac_sources_gets_no_commands(tmp_path: Path) -> None:
    device = Device({}, {}, {})
    facts = HostFacts(name="p", hostname="192.0.2.1", port=22, platform="linux", role="proxy")
    snap = HostSnapshot.create(tmp_path / "p", facts)
    load_collectors()["pac_files"](Session(device, snap, load_platform("linux")), facts, contexts([snap])[0].policy)
    assert device.sent == [] and MANIFEST_ID not in snap.commands
