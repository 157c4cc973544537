"""A throw-away DNS (NSD + Unbound) and Squid lab inside a network namespace of our own.

Everything listens on loopback addresses inside the namespace ``pa-dno-<pid>``; the namespace
has no other interface and no route, so no packet can leave it. Used by the lab tests and by
``regenerate_fixtures.py`` to produce real ``dig`` and ``curl -v`` outputs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

NS_PREFIX = "pa-dno-"
NSD_ADDR = "127.0.0.54"
# One Unbound per behaviour, each on its own loopback address; see _unbound_extra().
RESOLVERS = {
    "clean": "127.0.0.53",
    "sinkhole": "127.0.0.60",
    "nxfilter": "127.0.0.61",
    "servfail": "127.0.0.62",
    "refuse": "127.0.0.63",
}
TIMEOUT_ADDR = "127.0.0.70"  # inbound UDP/TCP 53 dropped by nft: a real timeout
DEAD_ADDR = "127.0.0.71"  # nothing listens: ICMP port unreachable
COURIER_ADDRS = ("198.19.5.36", "198.19.5.37")
REGIONAL = "pop-eur-benelux-courier.push-apple.com.akadns.net."
SQUID_PORTS = {"open": 3128, "auth": 3129, "deny": 3130}
SQUID_DEAD_PORT = 3999

PUSH_ZONE = """$ORIGIN push.apple.com.
$TTL 3600
@         IN SOA ns.push.apple.com. hostmaster.push.apple.com. 2026010101 7200 3600 1209600 300
@         IN NS  ns.push.apple.com.
ns        IN A   {nsd}
courier   IN CNAME courier-push-apple.com.akadns.net.
{numbered}
"""
AKADNS_ZONE = """$ORIGIN akadns.net.
$TTL 60
@         IN SOA internal.akadns.net. hostmaster.akamai.com. 1560251729 90000 90000 90000 180
@         IN NS  ns.akadns.net.
ns        IN A   {nsd}
; courier-push-apple.com.akadns.net owns no record: an empty non-terminal, so NODATA + SOA
{numbered}
pop-eur-benelux-courier.push-apple.com 15 IN A {a1}
pop-eur-benelux-courier.push-apple.com 15 IN A {a2}
"""


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=check, timeout=60)


@dataclass
class DnsLab:
    work: Path
    name: str = field(default_factory=lambda: f"{NS_PREFIX}{os.getpid()}")
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    cleanup: list[Path] = field(default_factory=list)

    # -- life cycle -------------------------------------------------------------------------
    def start(self, squid: bool = False) -> None:
        _run("ip", "netns", "add", self.name)
        try:
            self._network()
            self._dns()
            if squid:
                self._courier_listener()
                self._squid()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs.clear()
        # anything still inside *our* namespace (e.g. forked children) is ours: end it by pid
        left = _run("ip", "netns", "pids", self.name, check=False).stdout.split()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        _run("ip", "netns", "del", self.name, check=False)
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)

    def __enter__(self) -> DnsLab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- commands inside the namespace ---------------------------------------------------------
    def ns_argv(self, argv: list[str], resolver: str | None = None) -> list[str]:
        """argv run in the namespace; with ``resolver`` a private resolv.conf names it."""
        base = ["ip", "netns", "exec", self.name]
        if resolver is None:
            return base + argv
        conf = self.work / f"resolv-{resolver}.conf"
        conf.write_text(f"nameserver {resolver}\n")
        script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
        return [*base, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(conf), *argv]

    def dig(self, resolver: str, name: str, *options: str) -> tuple[int, str]:
        """The collector's command, ``dig +time=2 +tries=2 <name> A``, with the lab resolver."""
        argv = ["dig", "+time=2", "+tries=2", *options, name, "A"]
        done = subprocess.run(self.ns_argv(argv, resolver), check=False, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr

    def curl(self, name: str, proxy_port: int, max_time: int = 10) -> tuple[str, int, str]:
        """The collector's probe through the lab Squid; returns (command, exit, output)."""
        proxy = f"http://127.0.0.1:{proxy_port}"
        argv = ["curl", "-sS", "-v", "-o", "/dev/null", "--max-time", str(max_time), "--noproxy", "",
                "--proxy", proxy, "-k", f"https://{name}:443/"]
        done = subprocess.run(self.ns_argv(argv), check=False, capture_output=True, text=True, timeout=60)
        command = f"curl -sS -v -o /dev/null --max-time {max_time} --noproxy '' --proxy {proxy} -k https://{name}:443/"
        return command, done.returncode, done.stdout + done.stderr

    # -- set-up steps ---------------------------------------------------------------------------
    def _spawn(self, argv: list[str], log: str) -> None:
        with (self.work / log).open("ab") as out:
            self.procs.append(
                subprocess.Popen(self.ns_argv(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=out)
            )

    def _network(self) -> None:
        _run("ip", "-n", self.name, "link", "set", "lo", "up")
        for addr in COURIER_ADDRS:
            _run("ip", "-n", self.name, "addr", "add", f"{addr}/32", "dev", "lo")
        rules = (
            "table inet pa_dno_lab {\n"
            "  chain input { type filter hook input priority 0; policy accept;\n"
            f"    ip daddr {TIMEOUT_ADDR} th dport 53 drop\n"
            f"    ip daddr 127.0.0.1 tcp dport 3131 drop\n"
            "  }\n}\n"
        )
        (self.work / "lab.nft").write_text(rules)
        _run(*self.ns_argv(["nft", "-f", str(self.work / "lab.nft")]))

    def _dns(self) -> None:
        zones = self.work / "zones"
        zones.mkdir(exist_ok=True)
        numbers = range(1, 51)
        push = "\n".join(f"{n}-courier IN CNAME {n}.courier-push-apple.com.akadns.net." for n in numbers)
        akadns = "\n".join(f"{n}.courier-push-apple.com 60 IN CNAME {REGIONAL}" for n in numbers)
        (zones / "push.apple.com.zone").write_text(PUSH_ZONE.format(nsd=NSD_ADDR, numbered=push))
        (zones / "akadns.net.zone").write_text(
            AKADNS_ZONE.format(nsd=NSD_ADDR, numbered=akadns, a1=COURIER_ADDRS[0], a2=COURIER_ADDRS[1])
        )
        (zones / "nsd.conf").write_text(_nsd_conf(zones))
        _run("nsd-checkconf", str(zones / "nsd.conf"))
        self._spawn(["nsd", "-d", "-c", str(zones / "nsd.conf")], "nsd.log")
        for role, addr in RESOLVERS.items():
            conf = zones / f"unbound-{role}.conf"
            conf.write_text(_unbound_conf(zones, role, addr))
            _run("unbound-checkconf", str(conf))
            self._spawn(["unbound", "-d", "-c", str(conf)], f"unbound-{role}.log")
        self._wait_udp([NSD_ADDR, *RESOLVERS.values()], 53)

    def start_resolver(self, role: str, addr: str, replace: dict[str, str]) -> None:
        """One more Unbound on ``addr``: the clean configuration with text replaced (e.g. a filter)."""
        zones = self.work / "zones"
        conf = _unbound_conf(zones, role, addr)
        for old, new in replace.items():
            conf = conf.replace(old, new)
        (zones / f"unbound-{role}.conf").write_text(conf)
        _run("unbound-checkconf", str(zones / f"unbound-{role}.conf"))
        self._spawn(["unbound", "-d", "-c", str(zones / f"unbound-{role}.conf")], f"unbound-{role}.log")
        self._wait_udp([addr], 53)

    def _courier_listener(self) -> None:
        key, cert = self.work / "courier.key", self.work / "courier.pem"
        _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
             f"/CN={REGIONAL.rstrip('.')}", "-keyout", str(key), "-out", str(cert))
        self._spawn(["openssl", "s_server", "-quiet", "-www", "-accept", f"{COURIER_ADDRS[0]}:443",
                     "-cert", str(cert), "-key", str(key)], "courier.log")
        self._wait_tcp([f"{COURIER_ADDRS[0]}:443"])

    def _squid(self) -> None:
        # Squid drops to user proxy: its state lives in a world-traversable directory of its own
        state = Path(tempfile.mkdtemp(prefix=f"{self.name}-squid-"))
        self.cleanup.append(state)
        state.chmod(0o755)
        shutil.chown(state, "proxy", "proxy")
        conf = state / "squid.conf"
        conf.write_text(_squid_conf(state))
        self._spawn(["squid", "-N", "-f", str(conf)], "squid.stdout")
        self._wait_tcp([f"127.0.0.1:{p}" for p in SQUID_PORTS.values()])

    def _wait_udp(self, addrs: list[str], port: int) -> None:
        self._wait(lambda out: all(f"{a}:{port} " in out for a in addrs), ["ss", "-Hlun"])

    def _wait_tcp(self, endpoints: list[str]) -> None:
        self._wait(lambda out: all(f"{e} " in out for e in endpoints), ["ss", "-Hltn"])

    def _wait(self, ready: object, argv: list[str]) -> None:
        for _ in range(100):
            out = _run(*self.ns_argv(argv)).stdout
            if ready(out):  # type: ignore[operator]
                return
            time.sleep(0.1)
        logs = "\n".join(p.read_text(errors="replace")[-800:] for p in self.work.glob("*.log*"))
        logs += "\n".join(p.read_text(errors="replace")[-1500:] for d in self.cleanup for p in d.glob("*.log"))
        raise RuntimeError(f"lab service did not come up ({' '.join(argv)}):\n{out}\n{logs}")


def _nsd_conf(zones: Path) -> str:
    return f"""server:
  ip-address: {NSD_ADDR}
  port: 53
  username: ""
  chroot: ""
  zonesdir: "{zones}"
  pidfile: "{zones}/nsd.pid"
  logfile: "{zones}/nsd.log"
  database: ""
  xfrdfile: "{zones}/xfrd.state"
  xfrdir: "{zones}"
  zonelistfile: "{zones}/zone.list"
  server-count: 1
  do-ip6: no
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: push.apple.com
  zonefile: push.apple.com.zone
zone:
  name: akadns.net
  zonefile: akadns.net.zone
"""


def _unbound_role(role: str) -> tuple[str, str, str]:
    """(push.apple.com local-zone type, extra server lines, stub address) for one resolver."""
    if role == "sinkhole":  # a DNS filter that answers Apple push names with 0.0.0.0
        extra = (
            '  local-data: "push.apple.com. 300 IN A 0.0.0.0"\n'
            '  local-zone: "courier-push-apple.com.akadns.net." redirect\n'
            '  local-data: "courier-push-apple.com.akadns.net. 300 IN A 0.0.0.0"\n'
        )
        return "redirect", extra, NSD_ADDR
    if role == "nxfilter":  # a DNS filter that blocks push.apple.com with NXDOMAIN
        return "always_nxdomain", "", NSD_ADDR
    if role == "servfail":  # lame delegation: the "authoritative" server refuses, so SERVFAIL
        return "transparent", "", RESOLVERS["refuse"]
    if role == "refuse":  # the resolver does not serve this client
        return "transparent", "", NSD_ADDR
    return "transparent", "", NSD_ADDR


def _unbound_conf(zones: Path, role: str, addr: str) -> str:
    push_zone, extra, stub = _unbound_role(role)
    access = "refuse" if role == "refuse" else "allow"
    return f"""server:
  interface: {addr}
  port: 53
  access-control: 127.0.0.0/8 {access}
  do-ip6: no
  username: ""
  chroot: ""
  directory: "{zones}"
  pidfile: "{zones}/unbound-{role}.pid"
  logfile: ""
  use-syslog: no
  module-config: "iterator"
  do-not-query-localhost: no
  verbosity: 0
  # never try the real root: refuse everything outside the lab zones
  local-zone: "." refuse
  local-zone: "push.apple.com." {push_zone}
  local-zone: "akadns.net." transparent
{extra}stub-zone:
  name: "push.apple.com"
  stub-addr: {stub}
stub-zone:
  name: "akadns.net"
  stub-addr: {stub}
remote-control:
  control-enable: no
"""


def _squid_conf(state: Path) -> str:
    return f"""http_port 127.0.0.1:{SQUID_PORTS["open"]}
http_port 127.0.0.1:{SQUID_PORTS["auth"]}
http_port 127.0.0.1:{SQUID_PORTS["deny"]}
visible_hostname pa-dno-proxy
pid_filename {state}/squid.pid
cache_log {state}/cache.log
access_log stdio:{state}/access.log
cache_store_log none
coredump_dir {state}
cache deny all
cache_mem 8 MB
netdb_filename none
dns_nameservers {RESOLVERS["clean"]}
hosts_file none
negative_dns_ttl 1 seconds
connect_timeout 3 seconds
shutdown_lifetime 1 seconds
pinger_enable off
auth_param basic program /usr/lib/squid/basic_fake_auth
auth_param basic children 1 startup=1 idle=1
auth_param basic realm pa-dno-lab
acl port_auth localport {SQUID_PORTS["auth"]}
acl port_deny localport {SQUID_PORTS["deny"]}
acl authenticated proxy_auth REQUIRED
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access deny port_deny
http_access deny port_auth !authenticated
http_access allow localhost
http_access deny all
"""
