"""What one benchmark child process measures on one generated firewall, phase by phase.

Each phase is reported as soon as it ends (``emit``), so a parent that stops a child over
its time budget still has the phases that finished.
"""

from __future__ import annotations

import ipaddress
import random
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.snapshots import Pipeline
from pushaudit.netfilter.bruteforce import ProbePacket, decide
from pushaudit.netfilter.evaluate import PathKind, Query, evaluate, relevant_rules
from pushaudit.netfilter.forwarding import analyse_forwarding
from pushaudit.netfilter.ifaces import Topology
from pushaudit.netfilter.intervals import IntervalSet, from_networks, normalize
from pushaudit.netfilter.model import Dim, Ruleset
from pushaudit.netfilter.outcome import ClassResult
from pushaudit.policy.loader import policy_from_snapshot
from pushaudit.snapshot import Snapshot

APNS_PORTS = [5223, 443, 2197]
Emit = Callable[[dict[str, Any]], None]
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


def maxrss_mb() -> float:
    """Peak resident memory of this process image (VmHWM). ``ru_maxrss`` would also count the
    parent's size at fork time, which Linux carries over an exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def forward_queries(topology: Topology, networks: list[IPNet], destinations: list[IPNet]) -> list[Query]:
    """The queries ``analyse_forwarding`` asks: per client network, per egress leg."""
    dports = normalize((p, p) for p in APNS_PORTS)
    queries: list[Query] = []
    for net in networks:
        dst = from_networks([d for d in destinations if d.version == net.version])
        if not dst:
            continue
        legs = topology.egress_split(net.version, dst) if topology.known else [(dst, None)]
        iif = topology.ingress_interface(net)
        queries += [Query(net.version, from_networks([net]), leg, dports, PathKind.FORWARD, iif=iif, oif=oif)
                    for leg, oif in legs if oif is not None or not topology.known]
    return queries


def _pick(rng: random.Random, axis: IntervalSet) -> int:
    lo, hi = rng.choice(axis)
    return rng.randint(lo, hi)


def sample_packets(queries: list[Query], count: int, seed: int) -> list[tuple[Query, ProbePacket]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, nothing secret
    out: list[tuple[Query, ProbePacket]] = []
    for _ in range(count if queries else 0):
        q = rng.choice(queries)
        packet = ProbePacket(q.family, _pick(rng, q.src), _pick(rng, q.dst), _pick(rng, q.sports),
                             _pick(rng, q.dports), iif=q.iif, oif=q.oif, path=q.path.value)
        out.append((q, packet))
    return out


def _holding(classes: list[ClassResult], p: ProbePacket) -> ClassResult | None:
    point = {Dim.SADDR: p.src, Dim.DADDR: p.dst, Dim.SPORT: p.sport, Dim.DPORT: p.dport}
    return next((r for r in classes if any(all(any(lo <= point[d] <= hi for lo, hi in cube[d]) for d in Dim)
                                           for cube in r.cubes)), None)


def _point_query(q: Query, p: ProbePacket) -> Query:
    return Query(q.family, ((p.src, p.src),), ((p.dst, p.dst),), ((p.dport, p.dport),), q.path, iif=q.iif,
                 oif=q.oif, sports=((p.sport, p.sport),))


def baseline(ruleset: Ruleset, answers: dict[Query, list[ClassResult]], sample: int, seed: int,
             point_queries: int) -> dict[str, Any]:
    """Brute force on sampled packets (and their agreement with the engine's classes), and
    the engine asked about single packets, for a per-packet comparison."""
    packets = sample_packets(list(answers), sample, seed)
    start = time.perf_counter()
    truths = [decide(ruleset, p) for _, p in packets]
    bf_s = time.perf_counter() - start
    disagree: list[str] = []
    for (q, p), truth in zip(packets, truths, strict=True):
        found = _holding(answers[q], p)
        if found is None or (found.outcome.verdict, found.outcome.rule) != (truth.verdict, truth.rule):
            disagree.append(f"{p}: engine {found.outcome.short() if found else 'no class'}, brute force "
                            f"{truth.verdict.value}")
    start = time.perf_counter()
    for q, p in packets[:point_queries]:
        evaluate(ruleset, _point_query(q, p))
    point_s = time.perf_counter() - start
    n_points = min(point_queries, len(packets))
    return {"phase": "baseline", "packets": len(packets), "bf_s_per_packet": bf_s / max(len(packets), 1),
            "engine_point_s_per_packet": point_s / max(n_points, 1), "point_queries": n_points,
            "agree": len(packets) - len(disagree), "disagree": disagree[:5]}


def measure_host(root: Path, pipeline: Pipeline, emit: Emit, *, trace: bool = False, sample: int = 100,
                 point_queries: int = 20, seed: int = 7) -> None:
    """Parse, topology, classes, baseline and the full analysis of the snapshot's one host."""
    snapshot = Snapshot.open(root)
    host = snapshot.host(snapshot.host_names()[0])
    policy = policy_from_snapshot(root / "policy.yaml")
    networks = [ipaddress.ip_network(n) for n in host.facts.client_networks]
    destinations = policy.push_destinations()
    emit({"phase": "start", "maxrss_mb": maxrss_mb()})
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    ruleset = pipeline.build_ruleset(host)
    emit({"phase": "parse", "seconds": time.perf_counter() - start, "rules": ruleset.rule_count(),
          "warnings": len(ruleset.warnings)})
    start = time.perf_counter()
    topology = pipeline.build_topology(host, host.facts)
    emit({"phase": "topology", "seconds": time.perf_counter() - start, "known": topology.known})
    start = time.perf_counter()
    answers = {q: evaluate(ruleset, q) for q in forward_queries(topology, networks, destinations)}
    classes_s = time.perf_counter() - start
    verdicts = Counter(c.outcome.verdict.value for found in answers.values() for c in found)
    emit({"phase": "classes", "seconds": classes_s, "queries": len(answers), "verdicts": dict(verdicts),
          "classes": sum(verdicts.values())})
    start = time.perf_counter()
    relevant = sum(len(relevant_rules(ruleset, q)) for q in answers)
    emit({"phase": "relevant", "seconds": time.perf_counter() - start, "rules": relevant})
    if trace:  # tracing slows everything down: its figure is memory only, and the analysis is timed elsewhere
        emit({"phase": "trace", "peak_mb": tracemalloc.get_traced_memory()[1] / 2**20})
        return
    emit({"phase": "memory", "maxrss_mb": maxrss_mb(), "ru_maxrss_mb": ru_maxrss_mb()})
    emit(baseline(ruleset, answers, sample, seed, point_queries))
    start = time.perf_counter()
    analysis = analyse_forwarding(ruleset, topology, networks, destinations, APNS_PORTS)
    emit({"phase": "analyse", "seconds": time.perf_counter() - start, "classes": len(analysis.classes),
          "shadowed": len(analysis.shadowed), "maxrss_mb": maxrss_mb(), "ru_maxrss_mb": ru_maxrss_mb()})
