"""A 20,000-policy FortiGate parses completely (CPU time and peak memory are printed, not
asserted); the committed generated case is exactly what the seeded generator writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from command_outputs import split_outputs
from fortinet_generate import generate
from fortinet_harness import CASES, make_snapshot

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from pushaudit.firewalls.fortinet import load_config
from pushaudit.snapshot import HostSnapshot
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()
config = load_config(HostSnapshot(Path(sys.argv[1])))
cpu = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"cpu": round(cpu, 2), "peak_mb": peak // 1024, "grown_mb": (peak - before) // 1024,
                  "policies": len(config.policies.policies), "disabled": len(config.disabled_policies),
                  "rules": config.ruleset.rule_count(), "warnings": len(config.ruleset.warnings)}))
"""


def test_twenty_thousand_policies(tmp_path: Path) -> None:
    text = generate(11, 20000)
    make_snapshot(tmp_path / "big", split_outputs(text))
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(tmp_path / "big")], capture_output=True, text=True,
                          timeout=300, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"20,000 FortiGate policies ({len(text.splitlines())} lines): {figures}")
    assert figures["policies"] == 20004  # 20,000 generated plus the four planted ones
    assert figures["disabled"] == text.count("set status disable")
    assert figures["rules"] >= figures["policies"] - figures["disabled"]
    # only the four optional commands the generator leaves out (address6, addrgrp6, TLS, proxy)
    assert figures["warnings"] == 4


def test_generated_case_is_current() -> None:
    committed = (CASES / "generated_large" / "config.txt").read_text()
    assert committed == generate(7, 120), "regenerate: python fortinet_generate.py --seed 7 --policies 120 ..."
