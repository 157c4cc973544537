"""Generated configurations: the committed large fixture is what the seeded generator prints, and
a 20,000-rule configuration is read fast and in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from panos_generator import SCENARIOS, generate
from panos_harness import FIXTURES, make_snapshot

RULES = 20_000
# The figures are CPU seconds of this process; the machine's speed is gauged by how long
# ElementTree takes to parse the same text, so a slow or busy runner does not fail the test.
MAX_CPU_S = 2.0
MAX_RATIO_TO_PARSE = 4.5
MAX_RSS_GROWTH_MB = 300

MEASURE = textwrap.dedent("""
    import gc, json, sys, time
    import xml.etree.ElementTree as ET
    from pathlib import Path
    from pushaudit.firewalls.paloalto_panos import PLATFORM
    from pushaudit.snapshot import HostSnapshot
    def memory(key):  # kB -> MB, from the kernel's view of this process
        status = Path("/proc/self/status").read_text()
        return int(status.split(key + ":")[1].split()[0]) / 1024
    snap = HostSnapshot(Path(sys.argv[1]))
    before = memory("VmRSS")
    cpu, wall = time.process_time(), time.perf_counter()
    ruleset = PLATFORM.build_ruleset(snap)
    topology = PLATFORM.build_topology(snap, snap.facts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    growth = memory("VmHWM") - before  # peak while reading, over what the process held before
    text = snap.command("config_running")[1]
    gc.disable()  # the reference at its fastest: ElementTree alone, no collector
    parse = time.process_time()
    ET.fromstring(text)
    parse = time.process_time() - parse
    print(json.dumps({"cpu": cpu, "wall": wall, "rss_growth_mb": growth, "et_parse": parse,
                      "rules": ruleset.rule_count(), "lines": text.count("\\n"), "known": topology.known}))
""")


def test_generated_fixture_is_what_the_generator_prints() -> None:
    spec = SCENARIOS["large_mixed"]
    committed = (FIXTURES / "large_mixed" / "config.txt").read_text(encoding="utf-8")
    assert generate(spec["seed"], spec["filler"], spec["planted"]) == committed


@pytest.mark.timeout(300)
def test_twenty_thousand_rules(tmp_path: Path) -> None:
    text = generate(seed=7, filler=RULES)
    make_snapshot(tmp_path / "host", {"config_running": (text, 0)})
    done = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / "host")], capture_output=True, text=True,
                          check=True, timeout=240)
    figures = json.loads(done.stdout)
    print(f"PAN-OS {RULES} rules, {figures['lines']} lines: {figures}")  # shown with -s / in -rA
    assert figures["rules"] >= RULES * 0.9  # disabled rules are left out, some rules are split
    assert figures["known"] is True
    assert figures["rss_growth_mb"] < MAX_RSS_GROWTH_MB
    assert figures["cpu"] < MAX_CPU_S or figures["cpu"] < MAX_RATIO_TO_PARSE * figures["et_parse"], figures
