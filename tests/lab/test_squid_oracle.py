"""Real Squid as the oracle: generated squid.conf variants, real CONNECTs, and the model's predictions.

Squid runs in its own namespace ``pa-sqo-p`` with a hosts file that maps the numbered courier names (and a
few other names) to a TCP listener in ``pa-sqo-s``; the bare courier name is not in it, and a small DNS
responder on the namespace's loopback answers it with Apple's shape (a CNAME to a name without address).
No namespace has a default route; nothing leaves the two namespaces.
"""

from __future__ import annotations

import ipaddress
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pushaudit.errors import DataError
from pushaudit.squid.decide import decide_explicit, expected_status
from pushaudit.squid.parse import parse_config
from pushaudit.squid.request import ExplicitRequest, StaticResolver
from pushaudit.squid.version import parse_version

pytestmark = [pytest.mark.lab, pytest.mark.timeout(420)]

NS_PROXY, NS_SERVER = "pa-sqo-p", "pa-sqo-s"
VETH_PROXY, VETH_SERVER = "pa-sqo-v0", "pa-sqo-v1"
PROXY_IP, SERVER_IP = "198.18.222.1", "198.18.222.2"
CLIENT_IN, CLIENT_OUT = "198.18.222.10", "198.18.222.11"  # one inside the 'clients' ACL of /32 variants, one not
SQUID_PORT = 3128
LISTEN_PORTS = (443, 5223, 2197, 8443)
BARE, TARGET = "courier.push.apple.com", "courier-push-apple.com.akadns.net"
MAPPED = ("1-courier.push.apple.com", "1.courier-push-apple.com.akadns.net", "api.push.apple.com",
          "albert.apple.com", "www.example.org")
REQUESTS = [(BARE, 443), (BARE, 5223), ("1-courier.push.apple.com", 443), ("1-courier.push.apple.com", 5223),
            ("1.courier-push-apple.com.akadns.net", 2197), ("api.push.apple.com", 2197),
            ("albert.apple.com", 443), ("www.example.org", 443), ("www.example.org", 8443)]
VARIANTS = 120
SEED = 20261127

LISTENER = """
import asyncio, sys
async def hold(reader, writer):
    await reader.read(1)
    writer.close()
async def main():
    servers = [await asyncio.start_server(hold, sys.argv[1], int(p)) for p in sys.argv[2:]]
    await asyncio.gather(*(s.serve_forever() for s in servers))
asyncio.run(main())
"""

DNS_RESPONDER = """
import socket, sys
import dns.message, dns.rcode, dns.rrset
BARE, TARGET = sys.argv[1], sys.argv[2]
soa = dns.rrset.from_text("akadns.net.", 180, "IN", "SOA",
                          "internal.akadns.net. hostmaster.akamai.com. 1 90000 90000 90000 180")
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
while True:
    wire, peer = sock.recvfrom(4096)
    query = dns.message.from_wire(wire)
    reply = dns.message.make_response(query)
    name = query.question[0].name.to_text().lower()
    if name == BARE + ".":
        reply.answer.append(dns.rrset.from_text(name, 3600, "IN", "CNAME", TARGET + "."))
        reply.authority.append(soa)
    elif name == TARGET + ".":
        reply.authority.append(soa)
    else:
        reply.set_rcode(dns.rcode.NXDOMAIN)
    sock.sendto(reply.to_wire(), peer)
"""

CLIENT = """
import json, socket, sys
proxy, port = sys.argv[1], int(sys.argv[2])
out = []
for source, host, target_port in json.loads(sys.argv[3]):
    s = socket.create_connection((proxy, port), timeout=15, source_address=(source, 0))
    s.sendall(f"CONNECT {host}:{target_port} HTTP/1.1\\r\\nHost: {host}:{target_port}\\r\\n\\r\\n".encode())
    data = b""
    while b"\\r\\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    line = data.split(b"\\r\\n", 1)[0].decode(errors="replace")
    out.append(int(line.split()[1]) if line.startswith("HTTP/") else None)
print(json.dumps(out))
"""


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=60)


def in_ns(ns: str, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *argv]


@dataclass
class Lab:
    state: Path
    hosts_file: Path
    passwd: Path
    processes: list[subprocess.Popen[bytes]]
    timings: dict[str, float] = field(default_factory=lambda: {"start": 0.0, "requests": 0.0})


def _delete_namespaces() -> None:
    for ns in (NS_PROXY, NS_SERVER):
        run("ip", "netns", "delete", ns, check=False)


def _spawn(lab: Lab, argv: list[str], log: str) -> subprocess.Popen[bytes]:
    with (lab.state / log).open("wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    lab.processes.append(proc)
    return proc


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    _delete_namespaces()  # leftovers of an interrupted run (our prefix only)
    state = Path(tempfile.mkdtemp(prefix="pa-sqo-"))
    lab = Lab(state, state / "hosts", state / "passwd", [])
    try:
        for ns in (NS_PROXY, NS_SERVER):
            run("ip", "netns", "add", ns)
            run(*in_ns(ns, "ip", "link", "set", "lo", "up"))
        run("ip", "link", "add", VETH_PROXY, "type", "veth", "peer", "name", VETH_SERVER)
        run("ip", "link", "set", VETH_PROXY, "netns", NS_PROXY)
        run("ip", "link", "set", VETH_SERVER, "netns", NS_SERVER)
        for address in (PROXY_IP, CLIENT_IN, CLIENT_OUT):
            run(*in_ns(NS_PROXY, "ip", "addr", "add", f"{address}/24", "dev", VETH_PROXY))
        run(*in_ns(NS_SERVER, "ip", "addr", "add", f"{SERVER_IP}/24", "dev", VETH_SERVER))
        run(*in_ns(NS_PROXY, "ip", "link", "set", VETH_PROXY, "up"))
        run(*in_ns(NS_SERVER, "ip", "link", "set", VETH_SERVER, "up"))
        lab.hosts_file.write_text(f"{SERVER_IP} {' '.join(MAPPED)}\n")
        secret = run("openssl", "rand", "-hex", "12").stdout.strip()
        lab.passwd.write_text("apple:" + run("openssl", "passwd", "-apr1", secret).stdout.strip() + "\n")
        (state / "listener.py").write_text(LISTENER)
        (state / "courier_dns.py").write_text(DNS_RESPONDER)  # not dns.py: that would shadow dnspython
        (state / "client.py").write_text(CLIENT)
        state.chmod(0o755)
        shutil.chown(state, "proxy", "proxy")
        for item in state.iterdir():
            shutil.chown(item, "proxy", "proxy")
        ports = [str(p) for p in LISTEN_PORTS]
        _spawn(lab, in_ns(NS_SERVER, sys.executable, str(state / "listener.py"), SERVER_IP, *ports), "listener.log")
        _spawn(lab, in_ns(NS_PROXY, sys.executable, str(state / "courier_dns.py"), BARE, TARGET), "dns.log")
        time.sleep(0.5)
        yield lab
    finally:
        for proc in lab.processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        _delete_namespaces()
        shutil.rmtree(state, ignore_errors=True)


# --- the variants -------------------------------------------------------------------------------


def generate(rng: random.Random, index: int) -> tuple[list[str], bool]:
    """One squid.conf policy section: ACLs and an http_access order. Returns (lines, uses_auth)."""
    clients = rng.choice(["198.18.222.0/24", f"{CLIENT_IN}/32"])
    ssl_ports = rng.choice([["443"], ["443", "5223"], ["443", "5223", "2197"], ["443", "2197"]])
    safe_ports = rng.choice([["80", "443", "1025-65535"], ["80", "443", "5223"], ["80", "443", "1025-65535"]])
    by_address = rng.random() < 0.35
    names = rng.choice([".push.apple.com albert.apple.com", ".apple.com .push.apple.com", ".push.apple.com",
                        ".push.apple.com .apple.com"])  # the last one Squid refuses (a wider value after a narrower)
    apple_acl = f"acl apple dst {SERVER_IP}/32" if by_address else f"acl apple dstdomain {names}"
    auth = rng.choice(["none", "none", "early", "late", "apple"])
    lines = [
        f"acl clients src {clients}",
        f"acl SSL_ports port {' '.join(ssl_ports)}",
        f"acl Safe_ports port {' '.join(safe_ports)}",
        apple_acl,
        "acl apple_ports port 443 5223 2197",
        "acl blocked dstdomain api.push.apple.com",
        "acl akamai dstdomain .akadns.net",
        f"acl server_net dst {SERVER_IP}/32",
    ]
    if auth != "none":
        lines += ["acl authed proxy_auth REQUIRED"]
    guards = ["http_access deny !Safe_ports", "http_access deny CONNECT !SSL_ports"]
    apple_allow = rng.choice(["http_access allow clients apple apple_ports", "http_access allow apple",
                              "http_access allow clients CONNECT apple"])
    extra = rng.sample(["http_access deny blocked", "http_access allow akamai", "http_access deny clients akamai",
                        "http_access deny !server_net", "http_access allow server_net Safe_ports"],
                       k=rng.randint(0, 3))
    place = rng.choice(["apple_first", "guards_first", "mixed"])
    if place == "apple_first":
        body = [apple_allow, *guards, *extra]
    elif place == "guards_first":
        body = [*guards, *extra, apple_allow]
    else:
        body = [guards[0], apple_allow, guards[1], *extra]
    if auth == "early":
        body.insert(rng.randint(0, len(body)), "http_access deny !authed")
    elif auth == "late":
        body.append("http_access allow clients authed")
    elif auth == "apple":
        body.append("http_access allow apple authed")
    ending = rng.choice(["http_access deny all", "http_access allow clients\nhttp_access deny all",
                         "", "http_access allow localhost"])
    body += [e for e in ending.split("\n") if e]
    return [f"# variant {index}", *lines, *body], auth != "none"


def squid_conf(lab: Lab, policy: list[str], uses_auth: bool) -> str:
    head = [
        f"http_port {PROXY_IP}:{SQUID_PORT}",
        "visible_hostname pa-sqo",
        f"pid_filename {lab.state}/squid.pid",
        f"cache_log {lab.state}/cache.log",
        f"access_log stdio:{lab.state}/access.log",
        f"coredump_dir {lab.state}",
        "cache deny all",
        "cache_mem 8 MB",
        "netdb_filename none",
        "pinger_enable off",
        "shutdown_lifetime 0 seconds",
        f"hosts_file {lab.hosts_file}",
        "dns_nameservers 127.0.0.1",
        "dns_timeout 5 seconds",
    ]
    if uses_auth:
        head += [f"auth_param basic program /usr/lib/squid/basic_ncsa_auth {lab.passwd}",
                 "auth_param basic children 2 startup=0 idle=1", "auth_param basic realm pa-sqo"]
    return "\n".join(head + policy) + "\n"


class _Files:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self, path: str) -> str:
        return self.text

    def expand(self, pattern: str) -> list[str]:
        return []


def predict(conf: str) -> list[int | None]:
    version = parse_version("Squid Cache: Version 5.7")
    config = parse_config("/etc/squid/squid.conf", _Files(conf), version)
    addresses = (ipaddress.ip_address(SERVER_IP),)
    resolver = StaticResolver({**dict.fromkeys(MAPPED, addresses), BARE: (), TARGET: ()})
    port = config.ports[0]
    out: list[int | None] = []
    for source in (CLIENT_IN, CLIENT_OUT):
        for host, target_port in REQUESTS:
            request = ExplicitRequest(host, target_port, ipaddress.ip_address(source), port)
            out.append(expected_status(decide_explicit(config, request, resolver), resolver, version))
    return out


def squid_accepts(conf_path: Path) -> bool:
    return run("squid", "-k", "parse", "-f", str(conf_path), check=False).returncode == 0


def model_accepts(conf: str) -> bool:
    try:
        predict(conf)
    except DataError as exc:
        assert exc.code == "E-PARSE-SQUID"
        return False
    return True


def observe(lab: Lab, conf_path: Path) -> list[int | None]:
    begun = time.monotonic()
    squid = _spawn(lab, in_ns(NS_PROXY, "squid", "-N", "-f", str(conf_path)), "squid.out")
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listening = run(*in_ns(NS_PROXY, "ss", "-Hltn", f"sport = :{SQUID_PORT}"), check=False).stdout
            if "LISTEN" in listening:
                break
            assert squid.poll() is None, (lab.state / "squid.out").read_text()
            time.sleep(0.05)
        pairs = [[s, h, p] for s in (CLIENT_IN, CLIENT_OUT) for h, p in REQUESTS]
        lab.timings["start"] += time.monotonic() - begun
        begun = time.monotonic()
        client = run(*in_ns(NS_PROXY, sys.executable, str(lab.state / "client.py"), PROXY_IP, str(SQUID_PORT),
                            json.dumps(pairs)))
        statuses: list[int | None] = json.loads(client.stdout)
        lab.timings["requests"] += time.monotonic() - begun
        return statuses
    finally:
        # SIGTERM costs Squid about 2 s per shutdown; nothing of this throw-away instance needs saving
        squid.send_signal(signal.SIGKILL)
        squid.wait(timeout=10)
        lab.processes.remove(squid)


def test_model_predicts_real_squid(lab: Lab) -> None:
    rng = random.Random(SEED)
    compared = refused = 0
    seen: dict[int | None, int] = {}
    mismatches: list[str] = []
    started = time.monotonic()
    index = 0
    while index - refused < VARIANTS:
        policy, uses_auth = generate(rng, index)
        index += 1
        conf = squid_conf(lab, policy, uses_auth)
        conf_path = lab.state / "squid.conf"
        conf_path.write_text(conf)
        shutil.chown(conf_path, "proxy", "proxy")
        accepted = squid_accepts(conf_path)
        assert model_accepts(conf) == accepted, f"squid -k parse says {accepted} for:\n{conf}"
        if not accepted:
            refused += 1
            continue
        predicted = predict(conf)
        assert None not in predicted, f"variant {index}: the model could not decide a request\n{conf}"
        observed = observe(lab, conf_path)
        labels = [f"{s} CONNECT {h}:{p}" for s in (CLIENT_IN, CLIENT_OUT) for h, p in REQUESTS]
        for label, want, got in zip(labels, predicted, observed, strict=True):
            compared += 1
            seen[got] = seen.get(got, 0) + 1
            if want != got:
                mismatches.append(f"variant {index}: {label}: model {want}, Squid {got}")
    elapsed = time.monotonic() - started
    print(f"\nsquid oracle: {index - refused} variants run, {refused} more refused by squid -k parse as "
          f"predicted, {compared} requests compared, {len(mismatches)} mismatches, {elapsed:.0f}s; "
          f"statuses seen: {dict(sorted(seen.items(), key=str))}; time in Squid start-up "
          f"{lab.timings['start']:.0f}s, in requests {lab.timings['requests']:.0f}s")
    for helper in lab.processes:  # the listener and the DNS responder served the whole run
        assert helper.poll() is None, (lab.state / "dns.log").read_text() + (lab.state / "listener.log").read_text()
    assert not mismatches, "\n".join(mismatches[:30])
    assert {200, 403, 407, 500} <= set(seen), "the variants must exercise every outcome"
    assert refused > 0, "some variants must exercise a configuration Squid refuses"
