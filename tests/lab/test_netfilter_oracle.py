"""Kernel oracle for the netfilter evaluator.

Three namespaces: a client (pa-nfo-c, several addresses in 198.18.210.0/24), a firewall
(pa-nfo-fw: lan0 198.18.210.1, wan0 198.18.211.1, ip_forward=1) and a server (pa-nfo-s:
198.18.211.2 plus addresses in 198.19.0.0/16, listening on a set of TCP ports). For each
ruleset loaded into the firewall (the lab fw1 ruleset, an iptables-nft and a legacy iptables
ruleset, and seeded random nft rulesets) real TCP connects are made from the client and the
kernel's verdict for every connect must equal the evaluator's verdict for the class holding
that packet. The evaluator sees only what the collector would collect: the nft JSON dump, the
iptables-save dumps and ``ip -j addr``/``ip -j route``.
"""

from __future__ import annotations

import ipaddress
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pushaudit.netfilter.evaluate import PathKind, Query, evaluate
from pushaudit.netfilter.ifaces import parse_topology
from pushaudit.netfilter.intervals import from_networks
from pushaudit.netfilter.iptables_save import parse_iptables_save
from pushaudit.netfilter.loader import overlay_iptables
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.nft_json import parse_nft_json
from pushaudit.netfilter.outcome import ClassResult

pytestmark = pytest.mark.lab

CLIENT, FIREWALL, SERVER = "pa-nfo-c", "pa-nfo-fw", "pa-nfo-s"
CLIENT_NET = "198.18.210.0/24"
SOURCES = ["198.18.210.10", "198.18.210.77", "198.18.210.130", "198.18.210.200"]
SERVERS = ["198.19.4.10", "198.19.5.36", "198.19.17.1", "198.19.200.5", "198.19.255.254"]
PORTS = [22, 80, 443, 1000, 2195, 2196, 2197, 2198, 3000, 5000, 5223, 6000, 8080, 8443, 9999]
RANDOM_RULESETS = 40
POINTS_PER_RULESET = 64
CONNECT_TIMEOUT = 0.8
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netfilter"

SERVER_SCRIPT = r"""
import select, socket, sys
ports = [int(p) for p in sys.argv[1:]]
socks = []
for port in ports:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(256); s.setblocking(False); socks.append(s)
print("ready", flush=True)
while True:
    for s in select.select(socks, [], [], 1.0)[0]:
        try:
            conn, _ = s.accept(); conn.close()
        except OSError:
            pass
"""

CLIENT_SCRIPT = r"""
import errno, json, select, socket, sys, time
points = json.load(sys.stdin); timeout = float(sys.argv[1])
socks, result = {}, ["timeout"] * len(points)
for i, (src, sport, dst, dport) in enumerate(points):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.setblocking(False)
    s.bind((src, sport)); s.connect_ex((dst, dport)); socks[s.fileno()] = (i, s)
poller = select.poll()
for fd in socks: poller.register(fd, select.POLLOUT | select.POLLERR | select.POLLHUP)
deadline = time.monotonic() + timeout
while socks and time.monotonic() < deadline:
    for fd, _ in poller.poll(max(1, int((deadline - time.monotonic()) * 1000))):
        i, s = socks.pop(fd); poller.unregister(fd)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        result[i] = "open" if err == 0 else "refused" if err == errno.ECONNREFUSED else errno.errorcode[err]
        s.close()
for i, s in socks.values(): s.close()
print(json.dumps(result))
"""


def _sh(*argv: str, stdin: str | None = None, check: bool = True) -> str:
    done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False, timeout=60)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def _ns(ns: str, *argv: str, stdin: str | None = None, check: bool = True) -> str:
    return _sh("ip", "netns", "exec", ns, *argv, stdin=stdin, check=check)


def _teardown() -> None:
    for ns in (CLIENT, FIREWALL, SERVER):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


@pytest.fixture(scope="module")
def oracle_namespaces() -> Iterator[None]:
    _teardown()  # leftovers of an interrupted run (our own prefix only)
    server: subprocess.Popen[str] | None = None
    try:
        for ns in (CLIENT, FIREWALL, SERVER):
            _sh("ip", "netns", "add", ns)
            _ns(ns, "ip", "link", "set", "lo", "up")
        _sh("ip", "link", "add", "eth0", "netns", CLIENT, "type", "veth", "peer", "name", "lan0", "netns", FIREWALL)
        _sh("ip", "link", "add", "wan0", "netns", FIREWALL, "type", "veth", "peer", "name", "eth0", "netns", SERVER)
        _ns(CLIENT, "ip", "addr", "add", "198.18.210.10/24", "dev", "eth0")
        for extra in SOURCES[1:]:
            _ns(CLIENT, "ip", "addr", "add", f"{extra}/32", "dev", "eth0")
        _ns(FIREWALL, "ip", "addr", "add", "198.18.210.1/24", "dev", "lan0")
        _ns(FIREWALL, "ip", "addr", "add", "198.18.211.1/24", "dev", "wan0")
        _ns(SERVER, "ip", "addr", "add", "198.18.211.2/24", "dev", "eth0")
        for address in SERVERS:
            _ns(SERVER, "ip", "addr", "add", f"{address}/32", "dev", "eth0")
        for ns, dev in ((CLIENT, "eth0"), (FIREWALL, "lan0"), (FIREWALL, "wan0"), (SERVER, "eth0")):
            _ns(ns, "ip", "link", "set", dev, "up")
        _ns(CLIENT, "ip", "route", "add", "198.19.0.0/16", "via", "198.18.210.1")
        _ns(FIREWALL, "ip", "route", "add", "198.19.0.0/16", "via", "198.18.211.2")
        _ns(SERVER, "ip", "route", "add", CLIENT_NET, "via", "198.18.211.1")
        _ns(FIREWALL, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        server = subprocess.Popen(["ip", "netns", "exec", SERVER, sys.executable, "-c", SERVER_SCRIPT,
                                   *map(str, PORTS)], stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        yield
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        _teardown()


# -- rulesets ---------------------------------------------------------------------------------
@dataclass
class Loaded:
    name: str
    source: str  # what was loaded, shown when the oracle disagrees
    ruleset: Ruleset


def _load(name: str, *, nft: str = "", iptables: str = "", legacy: str = "") -> Loaded:
    _ns(FIREWALL, "nft", "flush", "ruleset")
    # Legacy tables outlive a flush: empty them and open their policies again.
    for table, chains in (("filter", ("INPUT", "FORWARD", "OUTPUT")), ("nat", ()), ("mangle", ()), ("raw", ())):
        _ns(FIREWALL, "iptables-legacy", "-t", table, "-F", check=False)
        _ns(FIREWALL, "iptables-legacy", "-t", table, "-X", check=False)
        for chain in chains:
            _ns(FIREWALL, "iptables-legacy", "-t", table, "-P", chain, "ACCEPT", check=False)
    if nft:
        _ns(FIREWALL, "nft", "-f", "-", stdin=nft)
    if iptables:
        _ns(FIREWALL, "iptables-restore", stdin=iptables)
    if legacy:
        _ns(FIREWALL, "iptables-legacy-restore", stdin=legacy)
    # Exactly what the collector gathers, parsed the way a snapshot is.
    ruleset = parse_nft_json(_ns(FIREWALL, "nft", "-j", "list", "ruleset"))
    saved = _ns(FIREWALL, "iptables-save")
    if saved.strip():
        overlay_iptables(ruleset, parse_iptables_save(saved, "cmd:iptables_save", 4, "iptables"), "iptables")
    legacy_saved = _ns(FIREWALL, "iptables-legacy-save")
    if legacy_saved.strip():
        ruleset.tables += parse_iptables_save(legacy_saved, "cmd:iptables_legacy_save", 4, "iptables-legacy").tables
    return Loaded(name, nft + iptables + legacy, ruleset)


ESTABLISHED = "ct state established,related accept"  # replies must pass so a connect can finish


class RandomRuleset:
    """Seeded random nft rulesets over the oracle's addresses and ports."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _addr(self, field: str) -> str:
        r = self.rng
        if field == "saddr":
            host = r.choice(SOURCES)
            options = [host, f"{host}/{r.choice([25, 26, 28])}", CLIENT_NET,
                       f"198.18.210.{r.randrange(0, 100)}-198.18.210.{r.randrange(100, 256)}",
                       "{ " + ", ".join(sorted(set(r.sample(SOURCES, 2)))) + " }"]
        else:
            host = r.choice(SERVERS)
            options = [host, f"{host}/{r.choice([16, 20, 22, 24, 30])}", "198.19.0.0/16", "@dsts",
                       "{ " + ", ".join(sorted(set(r.sample(SERVERS, 2)))) + " }",
                       f"198.19.{r.randrange(0, 128)}.0-198.19.{r.randrange(128, 256)}.255"]
        value = r.choice(options)
        if "/" in value and value.count(".") == 3 and not value.startswith("{"):
            value = str(ipaddress.ip_network(value, strict=False))
        return value

    def _ports(self) -> str:
        r = self.rng
        port = r.choice(PORTS)
        return r.choice([str(port), f"{port}-{port + r.randrange(1, 3000)}", "@svc",
                         "{ " + ", ".join(map(str, sorted(set(r.sample(PORTS, 3))))) + " }",
                         f"{max(1, port - 500)}-{port}"])

    def _match(self) -> str:
        r = self.rng
        neg = "!= " if r.random() < 0.2 else ""
        lo = r.randrange(20000, 40000)
        pairs = {f"{r.choice(SERVERS)} . {r.choice(PORTS)}" for _ in range(3)}
        makers = {
            "saddr": lambda: f"ip saddr {neg}{self._addr('saddr')}",
            "daddr": lambda: f"ip daddr {neg}{self._addr('daddr')}",
            "dport": lambda: f"tcp dport {neg}{self._ports()}",
            "sport": lambda: f"tcp sport {neg}{lo}-{lo + r.randrange(1000, 20000)}",
            "iif": lambda: f'iifname {neg}"{r.choice(["lan0", "lan*", "eth*", "wan0"])}"',
            "oif": lambda: f'oifname {neg}"{r.choice(["wan0", "wan*", "lan0", "x*"])}"',
            "proto": lambda: f"meta l4proto {r.choice(['tcp', 'tcp', 'udp'])}",
            "concat": lambda: "ip daddr . tcp dport { " + ", ".join(sorted(pairs)) + " }",
        }
        kind = r.choice(["saddr", "daddr", "daddr", "dport", "dport", "sport", "iif", "oif", "proto", "concat"])
        return makers[kind]()

    def _selective(self) -> str:
        """A match that narrows the rule to part of the traffic (destination or port)."""
        r = self.rng
        if r.random() < 0.5:
            return f"tcp dport {'!= ' if r.random() < 0.1 else ''}{self._ports()}"
        return f"ip daddr {'!= ' if r.random() < 0.1 else ''}{self._addr('daddr')}"

    def _rule(self, chain: str, depth: int) -> str:
        r = self.rng
        if r.random() < 0.08:
            return "tcp dport vmap { " + f"{r.choice(PORTS[:7])} : accept, {r.choice(PORTS[7:])} : drop" + " }"
        matches = [self._selective()] + [self._match() for _ in range(r.choice([0, 1, 1, 2]))]
        if any("udp" in m for m in matches):  # nft refuses udp together with tcp matches
            matches = ["meta l4proto udp"]
        verdicts = ["accept"] * 4 + ["drop"] * 2 + ["reject"] * 2 + ["counter"]
        if chain != "base" or depth == 0:
            verdicts += ["return", "return"]
        if chain in ("base", "sub_a"):
            verdicts += ["jump sub_b", "goto sub_b"]
        if chain == "base":
            verdicts += ["jump sub_a", "goto sub_a", "jump sub_a", "goto sub_a"]
        return " ".join([*matches, r.choice(verdicts)])

    def _chain(self, name: str, header: str, rules: int, depth: int) -> str:
        body = [ESTABLISHED] if header else []
        body += [self._rule(name, depth) for _ in range(rules)]
        head = f"\t\t{header}\n" if header else ""
        return f"\tchain {name} {{\n{head}" + "".join(f"\t\t{line}\n" for line in body) + "\t}\n"

    def text(self) -> str:
        r = self.rng
        svc = ", ".join(map(str, sorted(set(r.sample(PORTS, 4)))))
        dsts = ", ".join(sorted({str(ipaddress.ip_network(f"{h}/{r.choice([24, 32])}", strict=False))
                                 for h in r.sample(SERVERS, 2)}))
        main = (
            "table inet oracle {\n"
            f"\tset svc {{\n\t\ttype inet_service\n\t\tflags interval\n\t\telements = {{ {svc} }}\n\t}}\n"
            f"\tset dsts {{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {{ {dsts} }}\n\t}}\n"
            + self._chain("base", f"type filter hook forward priority {r.choice([-10, 0])}; "
                          f"policy {r.choice(['accept', 'drop'])};", r.randrange(3, 9), 0)
            + self._chain("sub_a", "", r.randrange(1, 5), 1)
            + self._chain("sub_b", "", r.randrange(1, 4), 2)
            + "}\n"
        )
        if r.random() < 0.6:  # a second base chain on the same hook, other table, other priority
            main += ("table ip oracle_late {\n\tset dsts {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                     f"\t\telements = {{ {dsts} }}\n\t}}\n\tset svc {{\n\t\ttype inet_service\n\t\tflags interval\n"
                     f"\t\telements = {{ {svc} }}\n\t}}\n"
                     + self._chain("base", f"type filter hook forward priority {r.choice([5, 20])}; "
                                   f"policy {r.choice(['accept', 'drop'])};", r.randrange(1, 5), 0)
                     + self._chain("sub_a", "", 1, 1) + self._chain("sub_b", "", 1, 2) + "}\n")
        if r.random() < 0.3:  # a prerouting filter chain that drops a few sources
            main += ("table ip oracle_pre {\n"
                     + self._chain("pre", "type filter hook prerouting priority raw; policy accept;", 0, 0)
                     .replace("\t}\n", f"\t\tip saddr {r.choice(SOURCES)} tcp dport {r.choice(PORTS)} drop\n\t}}\n")
                     + "}\n")
        return main


# -- comparing --------------------------------------------------------------------------------
def _points(rng: random.Random, base_port: int) -> list[tuple[str, int, str, int]]:
    return [(rng.choice(SOURCES), base_port + i, rng.choice(SERVERS), rng.choice(PORTS))
            for i in range(POINTS_PER_RULESET)]


def _kernel(points: list[tuple[str, int, str, int]]) -> list[str]:
    out = _ns(CLIENT, sys.executable, "-c", CLIENT_SCRIPT, str(CONNECT_TIMEOUT), stdin=json.dumps(points))
    return list(json.loads(out))


def _holding(results: list[ClassResult], point: tuple[str, int, str, int]) -> ClassResult:
    values = {Dim.SADDR: int(ipaddress.ip_address(point[0])), Dim.SPORT: point[1],
              Dim.DADDR: int(ipaddress.ip_address(point[2])), Dim.DPORT: point[3]}
    found = [r for r in results
             if any(all(any(lo <= values[d] <= hi for lo, hi in cube[d]) for d in Dim) for cube in r.cubes)]
    assert len(found) == 1, f"{point} lies in {len(found)} classes"
    return found[0]


SEEN: dict[str, int] = {}  # kernel outcomes over the run, to show the rulesets were not one-sided


def _compare(loaded: Loaded, points: list[tuple[str, int, str, int]]) -> int:
    topology = parse_topology(_ns(FIREWALL, "ip", "-j", "addr", "show"),
                              _ns(FIREWALL, "ip", "-j", "route", "show", "table", "all"))
    client_net = ipaddress.ip_network(CLIENT_NET)
    apple = from_networks([ipaddress.ip_network("198.19.0.0/16")])
    [(dst, oif)] = topology.egress_split(4, apple)
    query = Query(4, from_networks([client_net]), dst, ((1, 65535),), PathKind.FORWARD,
                  iif=topology.ingress_interface(client_net), oif=oif, sports=((1024, 65535),))
    assert (query.iif, query.oif) == ("lan0", "wan0")
    results = evaluate(loaded.ruleset, query)
    observed = _kernel(points)
    for seen in observed:
        SEEN[seen] = SEEN.get(seen, 0) + 1
    mismatches = []
    for point, seen in zip(points, observed, strict=True):
        outcome = _holding(results, point).outcome
        kernel = "accept" if seen == "open" else "drop"
        if outcome.verdict.value != kernel:
            mismatches.append(f"{point}: kernel {seen}, evaluator {outcome.verdict.value} "
                              f"({outcome.decided_by()} {outcome.reason})")
    assert not mismatches, f"ruleset {loaded.name}:\n{loaded.source}\n" + "\n".join(mismatches)
    return len(points)


FIXED: list[tuple[str, dict[str, str]]] = [
    ("lab fw1", {"nft": "lab_fw1/ruleset.nft"}),
    ("iptables-nft, overlaid", {"iptables": "iptables_nft_overlay/iptables.rules"}),
    ("legacy iptables beside nft", {"nft": "legacy_iptables/ruleset.nft", "legacy": "legacy_iptables/legacy.rules"}),
]


def test_evaluator_agrees_with_the_kernel(oracle_namespaces: None) -> None:
    started = time.monotonic()
    rng = random.Random(20261127)
    rulesets = packets = 0
    for name, files in FIXED:
        sources = {kind: (FIXTURES / path).read_text() for kind, path in files.items()}
        packets += _compare(_load(name, **sources), _points(rng, 20000 + rulesets * POINTS_PER_RULESET))
        rulesets += 1
    for seed in range(RANDOM_RULESETS):
        loaded = _load(f"random seed {seed}", nft=RandomRuleset(seed).text())
        packets += _compare(loaded, _points(rng, 20000 + rulesets * POINTS_PER_RULESET))
        rulesets += 1
    print(f"netfilter oracle: {rulesets} rulesets, {packets} packets compared with the kernel "
          f"in {time.monotonic() - started:.1f} s; kernel outcomes {dict(sorted(SEEN.items()))}")
    assert rulesets == len(FIXED) + RANDOM_RULESETS
    # every kind of kernel outcome must be well represented, or the comparison proves little
    assert min(SEEN.get("open", 0), SEEN.get("timeout", 0)) >= packets // 10
    assert SEEN.get("refused", 0) >= packets // 50
