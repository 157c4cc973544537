"""DNS (NSD + two Unbounds), the fake Apple service, the sshds and the nftables rulesets."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from pushaudit.lab import topology as topo
from pushaudit.lab.keys import KeyPaths
from pushaudit.lab.netns import ETC_NETNS
from pushaudit.lab.shell import Daemon, in_ns, run, spawn
from pushaudit.lab.state import Journal, LabError
from pushaudit.lab.templates import render

DNS_NS = "pa-dns"
APPLE_NS = "pa-apple"
ZONES = ("push.apple.com", "akadns.net", "apple.com", "icloud.com")
COURIER_NUMBERS = range(1, 51)
REGIONAL_COURIER = "lab-eu-courier-4.push-apple.com.akadns.net"
FILTERED_NAMES = ("courier-push-apple.com.akadns.net",)
# plain host zones: zone -> names, given addresses in 198.19.6.0/24 in this order
HOST_ZONES = {
    "apple.com": (
        "albert", "captive", "gs", "humb", "static.ips", "sq-device", "tbsc", "deviceenrollment",
        "deviceservices-external", "iprofiles", "mdmenrollment", "identity", "gdmf", "ocsp", "valid",
        "vpp.itunes", "*.appattest",
    ),
    "icloud.com": ("setup",),
}  # fmt: skip


def _logs(journal: Journal) -> Path:
    folder = journal.state_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- DNS --------------------------------------------------------------------------------------
def write_dns(state_dir: Path) -> Path:
    folder = state_dir / "dns"
    folder.mkdir(parents=True, exist_ok=True)
    serial = datetime.now(UTC).strftime("%Y%m%d01")
    common = {"serial": serial, "authoritative": topo.AUTHORITATIVE, "numbers": COURIER_NUMBERS}
    (folder / "push.apple.com.zone").write_text(render("push.apple.com.zone.j2", **common))
    (folder / "akadns.net.zone").write_text(
        render(
            "akadns.net.zone.j2", regional=REGIONAL_COURIER,
            regional_addresses=topo.APPLE_COURIER_ADDRESSES, **common,
        )
    )  # fmt: skip
    index = 10
    for origin, names in HOST_ZONES.items():
        hosts = [(name, f"198.19.6.{index + offset}") for offset, name in enumerate(names)]
        index += len(names)
        (folder / f"{origin}.zone").write_text(render("hosts.zone.j2", origin=origin, hosts=hosts, **common))
    (folder / "nsd.conf").write_text(
        render("nsd.conf.j2", address=topo.AUTHORITATIVE, dir=str(folder), zones=ZONES)
    )
    for label, address, blocked in (
        ("clean", topo.RESOLVER, ()),
        ("filter", topo.FILTERING_RESOLVER, FILTERED_NAMES),
    ):
        text = render(
            "unbound.conf.j2", address=address, label=label, dir=str(folder), zones=ZONES,
            blocked=blocked, authoritative=topo.AUTHORITATIVE,
        )  # fmt: skip
        (folder / f"unbound-{label}.conf").write_text(text)
    return folder


def start_dns(journal: Journal) -> list[Daemon]:
    folder = write_dns(journal.state_dir)
    run(["nsd-checkconf", str(folder / "nsd.conf")])
    for label in ("clean", "filter"):
        run(["unbound-checkconf", str(folder / f"unbound-{label}.conf")])
    logs = _logs(journal)
    started: list[Daemon] = []
    nsd = spawn("nsd", DNS_NS, ["nsd", "-d", "-c", str(folder / "nsd.conf")], logs / "nsd.out")
    journal.add_process(nsd)
    started.append(Daemon(nsd, _dns_ports(topo.AUTHORITATIVE), folder / "nsd.log"))
    for label, address in (("clean", topo.RESOLVER), ("filter", topo.FILTERING_RESOLVER)):
        conf = str(folder / f"unbound-{label}.conf")
        unbound = spawn(f"unbound-{label}", DNS_NS, ["unbound", "-d", "-c", conf], logs / f"unbound-{label}.out")
        journal.add_process(unbound)
        started.append(Daemon(unbound, _dns_ports(address), folder / f"unbound-{label}.log"))
    return started


def _dns_ports(address: str) -> tuple[tuple[str, str], ...]:
    return (("udp", f"{address}:53"), ("tcp", f"{address}:53"))


# -- the Apple stand-in ----------------------------------------------------------------------
def start_apple(journal: Journal, keys: KeyPaths) -> list[Daemon]:
    argv = [sys.executable, "-m", "pushaudit.lab.apple_service",
            "--cert", str(keys.apple_cert), "--key", str(keys.apple_key)]  # fmt: skip
    log_file = _logs(journal) / "apple-service.log"
    record = spawn("apple-service", APPLE_NS, argv, log_file)
    journal.add_process(record)
    ports = [topo.APPLE_PORT_HTTP, *topo.APPLE_PORTS_TLS]
    return [Daemon(record, tuple(("tcp", f"0.0.0.0:{port}") for port in ports), log_file)]


# -- sshd -------------------------------------------------------------------------------------
def start_sshds(journal: Journal, keys: KeyPaths) -> list[Daemon]:
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # Debian's privilege separation dir
    logs = _logs(journal)
    started: list[Daemon] = []
    for host in topo.AUDITED_HOSTS:
        conf = keys.sshd_dir / f"sshd-{host.ns}.conf"
        conf.write_text(
            render(
                "sshd_config.j2", hostname=host.name, ns=host.ns, user=topo.SSH_USER,
                address=host.mgmt_address, host_key=str(keys.host_key),
                authorized_keys=str(keys.authorized_keys), cat=_cat(),
            )
        )  # fmt: skip
        run(["/usr/sbin/sshd", "-t", "-f", str(conf)])
        # own UTS namespace: `hostname` and the prompt name the host; sshd path must be absolute
        log_file = logs / f"sshd-{host.ns}.log"
        script = 'hostname "$1" && exec /usr/sbin/sshd -D -f "$2" -E "$3"'
        argv = ["unshare", "--uts", "sh", "-c", script, "sh", host.name, str(conf), str(log_file)]
        record = spawn(f"sshd {host.name}", host.ns, argv, logs / f"sshd-{host.ns}.out")
        journal.add_process(record)
        started.append(Daemon(record, (("tcp", f"{host.mgmt_address}:22"),), log_file))
    return started


def _cat() -> str:
    found = shutil.which("cat")
    if not found:
        raise LabError("cat: not found in PATH")
    return str(Path(found).resolve())


# -- nftables ---------------------------------------------------------------------------------
NFT_TEMPLATES = {"pa-proxy1": "proxy1.nft.j2", "pa-proxy3": "proxy3.nft.j2", "pa-fw1": "fw1.nft.j2"}


def load_rulesets() -> None:
    """Write /etc/netns/<ns>/nftables.conf (seen as /etc/nftables.conf inside) and load it."""
    for ns in topo.NFT_NAMESPACES:
        path = ETC_NETNS / ns / "nftables.conf"
        path.write_text(render(NFT_TEMPLATES[ns]))
        path.chmod(0o755)
        run(in_ns(ns, ["nft", "-c", "-f", str(path)]))
        run(in_ns(ns, ["nft", "-f", str(path)]))
