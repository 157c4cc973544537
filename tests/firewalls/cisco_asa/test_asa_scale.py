"""The generated fixtures are what the seeded generator makes, and a 20,000-ACE configuration
parses completely in a fresh process (its time and memory are printed; benchmarks/ measures them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from asa_harness import FIXTURES
from generate_asa_config import expected, generate

HERE = Path(__file__).resolve().parent
GENERATED = sorted(p for p in FIXTURES.glob("generated_*") if p.is_dir())

_MEASURE = """
import json, resource, sys, tempfile, time
from pathlib import Path
from asa_harness import make_snapshot
from command_outputs import split_outputs
from generate_asa_config import generate
from pushaudit.firewalls.cisco_asa import PLATFORM
text = generate(3, 20000, ipv6=True).text()
snap = make_snapshot(Path(tempfile.mkdtemp()), split_outputs(text))
cpu, wall = time.process_time(), time.perf_counter()
ruleset = PLATFORM.build_ruleset(snap)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
json.dump({"cpu": cpu, "wall": wall, "rules": ruleset.rule_count(), "lines": len(text.splitlines()),
           "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, sys.stdout)
"""


@pytest.mark.parametrize("folder", GENERATED, ids=lambda p: p.name)
def test_generated_fixture_is_reproducible(folder: Path) -> None:
    header = (folder / "expected.yaml").read_text(encoding="utf-8").splitlines()[0]
    args = header.removeprefix("# generated: python generate_asa_config.py ").split()
    seed, rules, ipv6 = int(args[0]), int(args[1]), "--ipv6" in args
    gen = generate(seed, rules, ipv6)
    assert gen.text() == (folder / "config.txt").read_text(encoding="utf-8")
    assert yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) == expected(gen, ipv6)


def test_generated_fixtures_exist() -> None:
    assert [p.name for p in GENERATED] == ["generated_dual_stack", "generated_large_v4"]


def test_twenty_thousand_aces_parse() -> None:
    """Completeness at scale; time and memory are printed here and measured by the benchmark."""
    done = subprocess.run([sys.executable, "-c", _MEASURE], capture_output=True, text=True, cwd=HERE,
                          env={"PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parents[1])]), "PATH": ""},
                          timeout=120, check=True)
    figures = json.loads(done.stdout)
    assert figures["rules"] > 20000
    print(f"20,000 ASA entries: {figures}")
