"""Firewall benchmark: parse and evaluation time and peak memory of large generated firewalls
(nftables, Cisco ASA, PAN-OS), a brute-force baseline, 20k/2k scaling, and a fleet of
1,000 small-to-medium firewalls through ``runner.evaluate``.

    .venv/bin/python benchmarks/bench_firewall.py --json bench.json

Every measurement runs in a fresh child process pinned to one CPU; a child over its time
budget is stopped and its unfinished phases are reported as over budget. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(REPO))

from benchmarks.fleet import generate_fleet, measure_per_host, measure_runner  # noqa: E402
from benchmarks.measure import measure_host  # noqa: E402
from benchmarks.report import format_report, scaling, summarise_host  # noqa: E402
from benchmarks.snapshots import PLATFORMS, generate_host, pipeline  # noqa: E402

Phases = dict[str, dict[str, Any]]
GENERATE_BUDGET_S = 600.0


@dataclass
class Options:
    rules: int = 20_000
    small: int = 2_000
    fleet: int = 1_000
    sample: int = 100
    seed: int = 1
    budget_s: float = 30.0  # per measuring child process
    platforms: tuple[str, ...] = PLATFORMS
    trace: bool = True
    workdir: Path | None = None
    repeat: int = 3  # timing children per firewall; the fastest is reported


def run_child(spec: dict[str, Any], budget_s: float) -> Phases:
    """Run one measurement in a fresh interpreter; its phases by name (plus ``timeout`` or
    ``error`` when it did not finish)."""
    command = [sys.executable, "-m", "benchmarks.bench_firewall", "--child", json.dumps(spec)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=budget_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    phases: Phases = {}
    for line in out.splitlines():
        record = json.loads(line)
        phases[record.pop("phase")] = record
    if timed_out:
        phases["timeout"] = {"budget_s": budget_s}
    elif proc.returncode != 0:
        phases["error"] = {"message": " | ".join(err.strip().splitlines()[-3:])}
    return phases


def _child(spec: dict[str, Any]) -> int:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})  # one core, as the target is stated

    def emit(record: dict[str, Any]) -> None:
        print(json.dumps(record), flush=True)

    root = Path(spec["root"])
    if spec["kind"] == "generate":
        start = time.perf_counter()
        generate_host(root, spec["platform"], spec["rules"], spec["seed"])
        emit({"phase": "generate", "seconds": time.perf_counter() - start})
    elif spec["kind"] == "generate_fleet":
        start = time.perf_counter()
        counts = generate_fleet(root, spec["hosts"], spec["platforms"], spec["seed"])
        emit({"phase": "generate", "seconds": time.perf_counter() - start, "platforms": counts})
    elif spec["kind"] == "runner":
        measure_runner(root, emit)
    elif spec["kind"] == "per_host":
        measure_per_host(root, emit)
    else:
        found = pipeline(spec["platform"])
        if isinstance(found, str):
            raise SystemExit(found)
        measure_host(root, found, emit, trace=spec["trace"], sample=spec["sample"])
    return 0


def bench_platform(opts: Options, workdir: Path, platform: str, rules: int) -> dict[str, Any]:
    """Generate one firewall of ``rules`` rules and measure it (timing child, tracing child)."""
    found = pipeline(platform)
    if isinstance(found, str):
        return {"platform": platform, "size": rules, "available": False, "reason": found}
    root = workdir / f"{platform}-{rules}"
    made = run_child({"kind": "generate", "root": str(root), "platform": platform, "rules": rules,
                      "seed": opts.seed}, GENERATE_BUDGET_S)
    if "generate" not in made:
        return {"platform": platform, "size": rules, "available": False, "reason": f"generator failed: {made}"}
    spec = {"kind": "host", "root": str(root), "platform": platform, "sample": opts.sample, "trace": False}
    runs = [run_child(spec, opts.budget_s) for _ in range(max(opts.repeat, 1))]
    timing = min(runs, key=lambda r: _total(r) or float("inf"))  # the least disturbed run, as timeit does
    tracing = run_child({**spec, "trace": True}, opts.budget_s) if opts.trace else {}
    record = summarise_host(platform, rules, made["generate"]["seconds"], timing, tracing)
    record["runs_total_s"] = [_total(r) for r in runs]
    return record


def _total(phases: Phases) -> float | None:
    """Parse + topology + analysis of one timing child (None when it did not finish)."""
    try:
        return float(sum(phases[p]["seconds"] for p in ("parse", "topology", "analyse")))
    except KeyError:
        return None


def bench_fleet(opts: Options, workdir: Path, platforms: list[str]) -> dict[str, Any]:
    root = workdir / "fleet"
    made = run_child({"kind": "generate_fleet", "root": str(root), "hosts": opts.fleet, "platforms": platforms,
                      "seed": opts.seed}, GENERATE_BUDGET_S)
    if "generate" not in made:
        return {"hosts": opts.fleet, "platforms": {}, "generated_s": None, "error": str(made)}
    runner = run_child({"kind": "runner", "root": str(root)}, opts.budget_s * 4)
    per_host = run_child({"kind": "per_host", "root": str(root)}, opts.budget_s * 4)
    return {"hosts": opts.fleet, "platforms": made["generate"]["platforms"],
            "generated_s": made["generate"]["seconds"], "runner": runner, "per_host": per_host}


def run(opts: Options) -> dict[str, Any]:
    workdir = opts.workdir or Path(tempfile.mkdtemp(prefix="pushaudit-bench-"))
    hosts = [bench_platform(opts, workdir, p, size) for p in opts.platforms for size in (opts.small, opts.rules)]
    available = [p for p in opts.platforms if not isinstance(pipeline(p), str)]
    fleet = bench_fleet(opts, workdir, available) if opts.fleet else None
    return {"options": {"rules": opts.rules, "small": opts.small, "fleet": opts.fleet, "sample": opts.sample,
                        "seed": opts.seed, "budget_s": opts.budget_s, "workdir": str(workdir), "repeat": opts.repeat,
                        "cpus": len(os.sched_getaffinity(0))},
            "hosts": hosts, "scaling": scaling(hosts, opts.small, opts.rules), "fleet": fleet}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=20_000, help="rules of the large firewall (default 20000)")
    parser.add_argument("--small", type=int, default=2_000, help="rules of the scaling baseline (default 2000)")
    parser.add_argument("--fleet", type=int, default=1_000, help="firewalls in the fleet run (0: skip)")
    parser.add_argument("--sample", type=int, default=100, help="packets for the brute-force baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds per measuring child (fleet children: 4x; default 30)")
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="comma-separated platform names")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc children")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timing runs per firewall; the fastest is reported, every total kept (default 3)")
    parser.add_argument("--workdir", type=Path, help="keep generated snapshots here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.child:
        return _child(json.loads(args.child))
    opts = Options(rules=args.rules, small=args.small, fleet=args.fleet, sample=args.sample, seed=args.seed,
                   budget_s=args.budget, platforms=tuple(p for p in args.platforms.split(",") if p),
                   trace=not args.no_trace, workdir=args.workdir, repeat=args.repeat)
    figures = run(opts)
    sys.stdout.write(format_report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
