"""Build PAC-serving and peer-proxy snapshots the way the collector would, for the PAC tests."""

from __future__ import annotations

from pathlib import Path

from pushaudit.checks import pac_apple_routes, pac_courier_resolve  # noqa: F401  (importing registers them)
from pushaudit.checks.registry import REGISTRY, Check
from pushaudit.context import HostContext, link_peers
from pushaudit.pac.dnsdata import PACDNS_PREFIX, dig_command
from pushaudit.pac.sources import MANIFEST_COMMAND, MANIFEST_ID, Manifest, PacSource
from pushaudit.pac.targets import pac_targets
from pushaudit.policy import Policy, load_policy
from pushaudit.snapshot import CommandRecord, Connection, FileRecord, HostFacts, HostSnapshot
from pushaudit.squid.refs import referenced_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pac"
INSTANT = "2026-11-27T23:05:01.000+00:00"  # a Friday, 23:05 UTC


def lab_policy() -> Policy:
    return load_policy([FIXTURES / "lab-policy.yaml"])


def check(check_id: str) -> Check:
    return REGISTRY.checks[check_id]


def dig_output(name: str, addresses: list[str] | None) -> str:
    """What dig 9.18 prints: A records, NODATA with an SOA ([]), or SERVFAIL (None)."""
    status = "SERVFAIL" if addresses is None else "NOERROR"
    answers = [f"{name}.\t60\tIN\tA\t{a}" for a in addresses or []]
    authority = [] if addresses is None or addresses else ["example.\t60\tIN\tSOA\tns.example. h.example. 1 2 3 4 60"]
    lines = [
        "", f"; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +time=2 +tries=2 {name} A", ";; global options: +cmd",
        ";; Got answer:", f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 4242",
        f";; flags: qr rd ra; QUERY: 1, ANSWER: {len(answers)}, AUTHORITY: {len(authority)}, ADDITIONAL: 0",
        "", ";; QUESTION SECTION:", f";{name}.\t\tIN\tA", "",
    ]  # fmt: skip
    if answers:
        lines += [";; ANSWER SECTION:", *answers, ""]
    if authority:
        lines += [";; AUTHORITY SECTION:", *authority, ""]
    lines += [";; Query time: 1 msec", ";; SERVER: 127.0.0.53#53(127.0.0.53) (UDP)", ""]
    return "\n".join(lines)


def _facts(name: str, hostname: str, client_networks: list[str], data: dict[str, object]) -> HostFacts:
    return HostFacts(
        name=name, hostname=hostname, port=22, platform="linux", role="proxy", client_networks=client_networks,
        data=data, connection=Connection(ok=True),
    )  # fmt: skip


def pac_host(
    root: Path,
    *,
    name: str = "pac-host",
    hostname: str = "192.0.2.10",
    files: dict[str, str | None] | None = None,
    urls: dict[str, tuple[str, int]] | None = None,
    dns: dict[str, list[str] | None] | None = None,
    client_networks: list[str] | None = None,
    manifest: bool = True,
) -> HostSnapshot:
    """A host serving PAC files (path -> text, None for a missing file) and PAC URLs (url -> output, status)."""
    files, urls = files or {}, urls or {}
    data: dict[str, object] = {"pac_files": list(files), "pac_urls": list(urls)}
    snap = HostSnapshot.create(root / name, _facts(name, hostname, client_networks or ["198.18.0.0/24"], data))
    sources: list[PacSource] = []
    for path, text in files.items():
        status = 0 if text is not None else 1
        snap.add_file(FileRecord(path, "", f"cat -- {path}", status, "" if text else "No such file"), text)
        sources.append(PacSource("file", path))
    for index, (url, (output, status)) in enumerate(urls.items(), start=1):
        source = PacSource("url", url, f"pacurl_{index}")
        snap.add_command(CommandRecord(source.command_id, f"curl {url}", "", 0.1, status, ""), output)
        sources.append(source)
    for host, addresses in (dns or {}).items():
        record = CommandRecord(PACDNS_PREFIX + host, dig_command(host), "", 0.1, 0, "")
        snap.add_command(record, dig_output(host, addresses))
    if manifest:
        text = Manifest(sources, INSTANT, []).to_json()
        snap.add_command(CommandRecord(MANIFEST_ID, MANIFEST_COMMAND, INSTANT, 0.0, 0, ""), text)
    snap.save()
    return HostSnapshot(root / name)


def lab_dns(policy: Policy | None = None) -> dict[str, list[str] | None]:
    """Answers for every name the PAC checks evaluate: the courier names have none, the rest resolve."""
    policy = policy or lab_policy()
    answers: dict[str, list[str] | None] = {policy.courier.bare: [], policy.courier.target: []}
    for index, target in enumerate(pac_targets(policy)):
        answers.setdefault(target.host, [f"198.19.6.{index + 1}"])
    return answers


def add_squid(snap: HostSnapshot, tree: str) -> HostSnapshot:
    """Add squid.conf (and the files it names) from tests/fixtures/pac/peers/<tree>, as pulled."""
    base = FIXTURES / "peers" / tree
    snap.add_command(CommandRecord("squid_version", "squid -v", "", 0.1, 0, ""), "Squid Cache: Version 5.7\n")
    queue, seen = ["/etc/squid/squid.conf"], set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        text = (base / path.lstrip("/")).read_text()
        snap.add_file(FileRecord(path, "", f"cat -- {path}", 0), text)
        queue += [ref.pattern for ref in referenced_paths(text, "/etc/squid") if not ref.is_glob]
    snap.save()
    return HostSnapshot(snap.root)


def squid_peer(
    root: Path, name: str, hostname: str, tree: str, client_networks: list[str], *, proxy_names: list[str] | None = None
) -> HostSnapshot:
    """An audited proxy whose Squid configuration is tests/fixtures/pac/peers/<tree>."""
    data: dict[str, object] = {"proxy_names": proxy_names} if proxy_names else {}
    return add_squid(HostSnapshot.create(root / name, _facts(name, hostname, client_networks, data)), tree)


def contexts(snapshots: list[HostSnapshot], policy: Policy | None = None) -> list[HostContext]:
    policy = policy or lab_policy()
    out = [HostContext(s, policy) for s in snapshots]
    link_peers(out)
    return out
