"""A 20,000-policy configuration parses completely (its time and memory are printed, not asserted:
benchmarks/bench_firewall.py measures them); the committed generated case is exactly what the
seeded generator writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from junos_generator import CASE, write_case

# Run in a child process so its peak resident size is the parse's own (plus the interpreter).
_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path[:0] = [{here!r}, {tests!r}]
from junos_generator import generate
from junos_harness import make_snapshot
from pushaudit.firewalls.juniper_junos import parse_junos
plan = generate(seed=7, fillers=20000)
snap = make_snapshot(Path({root!r}), plan.outputs())
started = time.process_time()
firewall = parse_junos(snap)
cpu = time.process_time() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"cpu": cpu, "peak_mb": peak_kb / 1024, "policies": plan.policies,
                  "rules": firewall.ruleset.rule_count()}}))
"""


def test_twenty_thousand_policies(tmp_path: Path) -> None:
    here = Path(__file__).resolve().parent
    code = _CHILD.format(here=str(here), tests=str(here.parents[1]), root=str(tmp_path / "big"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["policies"] >= 20000 and figures["rules"] >= 20000
    print(f"20,000 SRX policies: {figures}")


def test_generated_case_is_current(tmp_path: Path) -> None:
    write_case(tmp_path / "case")
    for name in ("config.txt", "expected.yaml"):
        assert (tmp_path / "case" / name).read_text() == (CASE / name).read_text(), name
