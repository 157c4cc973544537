"""Many small-to-medium firewalls in one run snapshot, evaluated the way ``pushaudit
evaluate`` does it (``runner.evaluate``), and host by host through the analysis alone."""

from __future__ import annotations

import ipaddress
import math
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.measure import APNS_PORTS, Emit, maxrss_mb
from benchmarks.shape import make_shape
from benchmarks.snapshots import Pipeline, new_snapshot, pipeline, write_host
from pushaudit.netfilter.forwarding import analyse_forwarding
from pushaudit.policy.loader import policy_from_snapshot
from pushaudit.snapshot import Snapshot

SMALLEST, LARGEST = 20, 800  # rules per firewall, drawn log-uniformly


def generate_fleet(root: Path, count: int, platforms: list[str], seed: int) -> dict[str, int]:
    """``count`` firewall hosts cycling through ``platforms``; returns hosts per platform."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, nothing secret
    names = [f"fw{n:04d}-{platforms[n % len(platforms)].replace('_', '-')}" for n in range(count)]
    snapshot = new_snapshot(root, names)
    for n, name in enumerate(names):
        rules = round(math.exp(rng.uniform(math.log(SMALLEST), math.log(LARGEST))))
        shape = make_shape(rules, seed=seed * 100_003 + n, inside_zones=rng.randint(1, 3), sites=rng.randint(0, 4))
        write_host(snapshot, name, platforms[n % len(platforms)], shape)
    return dict(Counter(platforms[n % len(platforms)] for n in range(count)))


def measure_runner(root: Path, emit: Emit) -> None:
    """The whole pipeline over every host: all checks, reports' inputs included."""
    from pushaudit.runner import evaluate

    snapshot = Snapshot.open(root)
    start = time.perf_counter()
    result = evaluate(snapshot)
    seconds = time.perf_counter() - start
    statuses: Counter[str] = Counter()
    for host in result.hosts:
        for finding in host.findings:
            statuses[f"{host.facts.platform}:{finding.check_id}:{finding.status.value}"] += 1
    emit({"phase": "runner", "seconds": seconds, "hosts": len(result.hosts), "maxrss_mb": maxrss_mb(),
          "findings": dict(sorted(statuses.items()))})


def measure_per_host(root: Path, emit: Emit) -> None:
    """Parse, topology and forwarding analysis host after host, nothing kept between hosts."""
    snapshot = Snapshot.open(root)
    policy = policy_from_snapshot(root / "policy.yaml")
    destinations = policy.push_destinations()
    pipelines: dict[str, Pipeline | str] = {}
    times: dict[str, list[float]] = {}
    rules: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    start = time.perf_counter()
    for name in snapshot.host_names():
        host = snapshot.host(name)
        platform = host.facts.platform
        found = pipelines.setdefault(platform, pipeline(platform))
        if isinstance(found, str):
            errors[platform] += 1
            continue
        begin = time.perf_counter()
        try:
            ruleset = found.build_ruleset(host)
            topology = found.build_topology(host, host.facts)
            networks = [ipaddress.ip_network(n) for n in host.facts.client_networks]
            analyse_forwarding(ruleset, topology, networks, destinations, APNS_PORTS)
        except Exception as exc:  # a benchmark reports a failing host, it does not stop
            errors[f"{platform}: {type(exc).__name__}"] += 1
            continue
        times.setdefault(platform, []).append(time.perf_counter() - begin)
        rules[platform] += ruleset.rule_count()
    summary: dict[str, Any] = {
        p: {"hosts": len(t), "rules": rules[p], "seconds": sum(t), "mean_s": sum(t) / len(t), "max_s": max(t)}
        for p, t in times.items()
    }
    emit({"phase": "per_host", "seconds": time.perf_counter() - start, "platforms": summary,
          "errors": dict(errors), "maxrss_mb": maxrss_mb()})
