"""The firewall benchmark at 200 rules: generators, measuring functions and report return sane
figures (no timing is asserted; benchmarks/bench_firewall.py is the timed run)."""

from __future__ import annotations

import importlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SIZE = 200


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    """The benchmark modules; ``benchmarks/`` is a folder of scripts, not an installed package."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        names = ("bench_firewall", "fleet", "gen_asa", "gen_nft", "gen_panos", "measure", "report", "shape",
                 "snapshots")
        return {n: importlib.import_module(f"benchmarks.{n}") for n in names}


def _available(bench: dict[str, ModuleType]) -> list[str]:
    snapshots = bench["snapshots"]
    return [p for p in snapshots.PLATFORMS if not isinstance(snapshots.pipeline(p), str)]


def test_generators_are_seeded_and_well_formed(bench: dict[str, ModuleType]) -> None:
    shape = bench["shape"].make_shape(SIZE, seed=3)
    again = bench["shape"].make_shape(SIZE, seed=3)
    assert bench["gen_nft"].render_nft(shape) == bench["gen_nft"].render_nft(again)
    assert len(shape.rules) == SIZE
    assert any(r.comment.startswith("shadowed") for r in shape.rules)
    assert any(g.children for g in shape.address_groups.values()), "no nested address group"
    nft = json.loads(bench["gen_nft"].render_nft(shape))
    assert sum(1 for item in nft["nftables"] if "rule" in item) >= SIZE
    asa = bench["gen_asa"].render_asa(shape)
    assert asa["running_config_access_list"].count("extended ") == SIZE
    assert " group-object " in asa["running_config_object_group"]
    panos = bench["gen_panos"].render_panos(shape)["config_running"]
    rules = ET.fromstring(panos).findall(".//rulebase/security/rules/entry")
    assert len(rules) == SIZE


def test_one_firewall_of_each_available_platform(bench: dict[str, ModuleType], tmp_path: Path) -> None:
    platforms = _available(bench)
    assert "linux" in platforms
    for platform in platforms:
        root = bench["snapshots"].generate_host(tmp_path / platform, platform, SIZE, seed=5)
        phases: dict[str, dict[str, Any]] = {}

        def emit(record: dict[str, Any], into: dict[str, dict[str, Any]] = phases) -> None:
            into[record.pop("phase")] = record

        pipeline = bench["snapshots"].pipeline(platform)
        bench["measure"].measure_host(root, pipeline, emit, sample=25, point_queries=3)
        assert phases["parse"]["rules"] >= SIZE, platform
        assert phases["parse"]["seconds"] > 0
        assert phases["classes"]["queries"] >= 3, f"{platform}: one query per client network expected"
        assert set(phases["classes"]["verdicts"]) <= {"accept", "drop", "unknown"}
        assert phases["analyse"]["classes"] == phases["classes"]["classes"], platform
        baseline = phases["baseline"]
        assert baseline["packets"] == 25 and baseline["agree"] == 25, f"{platform}: {baseline['disagree']}"
        assert baseline["bf_s_per_packet"] > 0 and baseline["engine_point_s_per_packet"] > 0
        record = bench["report"].summarise_host(platform, SIZE, 0.1, phases, {})
        assert record["parse_and_analyse_s"] > 0 and record["baseline_agree"] == "25/25"


def test_child_processes_report_every_phase(bench: dict[str, ModuleType], tmp_path: Path) -> None:
    run_child = bench["bench_firewall"].run_child
    root = tmp_path / "linux"
    made = run_child({"kind": "generate", "root": str(root), "platform": "linux", "rules": SIZE, "seed": 7}, 120)
    assert made["generate"]["seconds"] > 0, made
    spec = {"kind": "host", "root": str(root), "platform": "linux", "sample": 10, "trace": False}
    timing = run_child(spec, budget_s=120)
    assert "error" not in timing and "timeout" not in timing, timing
    assert list(timing) == ["start", "parse", "topology", "classes", "relevant", "memory", "baseline", "analyse"]
    assert timing["analyse"]["maxrss_mb"] >= timing["start"]["maxrss_mb"] > 0
    tracing = run_child({**spec, "trace": True}, budget_s=120)
    assert tracing["trace"]["peak_mb"] > 0 and "analyse" not in tracing
    stopped = run_child(spec, budget_s=0.01)
    assert "timeout" in stopped, "a child over its budget is reported as such"


def test_fleet_and_report(bench: dict[str, ModuleType], tmp_path: Path) -> None:
    platforms = _available(bench)
    counts = bench["fleet"].generate_fleet(tmp_path / "fleet", 2 * len(platforms), platforms, seed=11)
    assert counts == dict.fromkeys(platforms, 2)
    phases: dict[str, dict[str, Any]] = {}
    bench["fleet"].measure_per_host(tmp_path / "fleet", lambda r: phases.__setitem__(r.pop("phase"), r))
    bench["fleet"].measure_runner(tmp_path / "fleet", lambda r: phases.__setitem__(r.pop("phase"), r))
    assert phases["per_host"]["errors"] == {}
    assert {p: v["hosts"] for p, v in phases["per_host"]["platforms"].items()} == counts
    assert phases["runner"]["hosts"] == 2 * len(platforms)
    checked = {key.split(":")[0] for key in phases["runner"]["findings"] if ":firewall.apns_ports:" in key}
    assert checked == set(platforms)
    host = bench["report"].summarise_host("linux", SIZE, 0.1, {}, {})
    figures = {"options": {"budget_s": 1, "seed": 1, "rules": SIZE, "small": SIZE},
               "hosts": [host, {"platform": "nowhere", "size": SIZE, "available": False, "reason": "not available"}],
               "scaling": {}, "fleet": {"hosts": 2, "platforms": counts, "generated_s": 0.1,
                                        "runner": {"runner": phases["runner"]}, "per_host": phases}}
    text = bench["report"].format_report(figures)
    assert "nowhere" in text and "not available" in text and "runner.evaluate" in text
