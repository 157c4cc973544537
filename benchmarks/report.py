"""Benchmark figures: one record per measured firewall, ratios, and the text table."""

from __future__ import annotations

from typing import Any

TARGET_S = 2.0  # a 20,000-rule firewall parsed and evaluated within this on one core
TARGET_MB = 300.0
_PHASE_ORDER = ("start", "parse", "topology", "classes", "relevant", "memory", "baseline", "analyse")

Phases = dict[str, dict[str, Any]]


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def summarise_host(platform: str, size: int, generated_s: float, timing: Phases, tracing: Phases) -> dict[str, Any]:
    """Flatten a timing child's and a tracing child's phases into one record."""

    def get(phase: str, key: str, phases: Phases = timing) -> Any:
        return phases.get(phase, {}).get(key)

    parse_s, topology_s, analyse_s = get("parse", "seconds"), get("topology", "seconds"), get("analyse", "seconds")
    bf, point = get("baseline", "bf_s_per_packet"), get("baseline", "engine_point_s_per_packet")
    rss = get("memory", "maxrss_mb")
    classes_s = get("classes", "seconds")
    total = parse_s + topology_s + analyse_s if None not in (parse_s, topology_s, analyse_s) else None
    verdict_only = parse_s + topology_s + classes_s if None not in (parse_s, topology_s, classes_s) else None
    record: dict[str, Any] = {
        "platform": platform, "size": size, "available": True, "generated_s": generated_s,
        "rules": get("parse", "rules"), "parse_warnings": get("parse", "warnings"),
        "parse_s": parse_s, "topology_s": topology_s,
        "classes_s": classes_s, "classes": get("classes", "classes"),
        "verdicts": get("classes", "verdicts"), "relevant_s": get("relevant", "seconds"),
        "analyse_s": analyse_s, "shadowed": get("analyse", "shadowed"),
        "parse_and_analyse_s": total,
        "parse_and_classes_s": verdict_only,  # what the verdicts need; analyse adds relevant and shadowed rules
        "maxrss_start_mb": get("start", "maxrss_mb"), "maxrss_mb": rss,
        "analyse_maxrss_mb": get("analyse", "maxrss_mb"), "ru_maxrss_mb": get("memory", "ru_maxrss_mb"),
        "traced_peak_mb": get("trace", "peak_mb", tracing),
        "bf_s_per_packet": bf, "engine_point_s_per_packet": point,
        "engine_point_vs_bf": _ratio(point, bf),
        "whole_query_in_bf_packets": _ratio(get("classes", "seconds"), bf),
        "baseline_agree": f"{get('baseline', 'agree')}/{get('baseline', 'packets')}" if "baseline" in timing else None,
        "baseline_disagree": get("baseline", "disagree") or [],
        "unfinished": [p for p in _PHASE_ORDER if p not in timing] if ("timeout" in timing or "error" in timing)
        else [],
        "error": get("error", "message") or get("error", "message", tracing),
        "budget_s": get("timeout", "budget_s"),
    }
    peak = max(filter(None, [rss, get("analyse", "maxrss_mb")]), default=None)
    record["target_met"] = (total < TARGET_S and peak is not None and peak < TARGET_MB) if total is not None else False
    return record


def scaling(hosts: list[dict[str, Any]], small: int, large: int) -> dict[str, dict[str, float | None]]:
    """Per platform, large/small ratios of the main figures (10x the rules)."""
    out: dict[str, dict[str, float | None]] = {}
    for platform in dict.fromkeys(h["platform"] for h in hosts):
        by_size = {h["size"]: h for h in hosts if h["platform"] == platform and h.get("available")}
        if small not in by_size or large not in by_size:
            continue
        a, b = by_size[small], by_size[large]
        out[platform] = {key: _ratio(b.get(key), a.get(key)) for key in
                         ("parse_s", "classes_s", "analyse_s", "parse_and_classes_s", "parse_and_analyse_s",
                          "maxrss_mb", "traced_peak_mb", "bf_s_per_packet")}
    return out


def _num(value: Any, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def format_report(figures: dict[str, Any]) -> str:
    opts = figures["options"]
    lines = [f"Firewall benchmark: one CPU per child process, {opts['budget_s']:.0f} s budget per child, "
             f"seed {opts['seed']}, fastest of {opts.get('repeat', 1)} timing runs per firewall", ""]
    head = (f"{'platform':<15}{'rules':>7}{'parse s':>9}{'classes s':>10}{'analyse s':>10}{'rss MB':>8}"
            f"{'traced MB':>10}{'bf ms/pkt':>10}{'engine ms/pkt':>14}{'agree':>9}  target")
    lines += [head, "-" * len(head)]
    for h in figures["hosts"]:
        if not h.get("available"):
            lines.append(f"{h['platform']:<15}{h['size']:>7}  {h['reason']}")
            continue
        analyse = _num(h["analyse_s"]) if h["analyse_s"] is not None else f">{h['budget_s'] or 0:.0f} (budget)"
        target = ("met" if h["target_met"] else "missed") if h["size"] == opts["rules"] else ""
        lines.append(f"{h['platform']:<15}{h['rules'] or h['size']:>7}{_num(h['parse_s']):>9}{_num(h['classes_s']):>10}"
                     f"{analyse:>10}{_num(h['maxrss_mb'], '{:.0f}'):>8}{_num(h['traced_peak_mb'], '{:.0f}'):>10}"
                     f"{_num(h['bf_s_per_packet'] and h['bf_s_per_packet'] * 1e3):>10}"
                     f"{_num(h['engine_point_s_per_packet'] and h['engine_point_s_per_packet'] * 1e3):>14}"
                     f"{h['baseline_agree'] or '-':>9}  {target}")
        spread = [t for t in h.get("runs_total_s", []) if t is not None]
        if len(spread) > 1:
            lines.append(f"{'':<15}parse + analyse of each run: {', '.join(f'{t:.2f}' for t in spread)} s")
        if h["error"]:
            lines.append(f"{'':<15}error: {h['error']}")
        lines += [f"{'':<15}disagreement: {d}" for d in h["baseline_disagree"][:2]]
    lines += ["", "analyse = analyse_forwarding (classes + relevant rules + shadowed rules); classes = the evaluator "
              "alone; engine ms/pkt = one single-packet query", ""]
    for platform, ratios in figures["scaling"].items():
        parts = ", ".join(f"{k.removesuffix('_s').removesuffix('_mb')} x{_num(v, '{:.1f}')}" for k, v in ratios.items())
        lines.append(f"scaling {opts['rules']}/{opts['small']} {platform}: {parts}")
    for h in figures["hosts"]:
        if h.get("available") and h["size"] == opts["rules"]:
            lines.append(f"engine vs brute force {h['platform']}: a single-packet query costs "
                         f"{_num(h['engine_point_vs_bf'], '{:.1f}')}x one brute-force packet; the whole query "
                         f"space costs as much as {_num(h['whole_query_in_bf_packets'], '{:.0f}')} brute-force packets")
    lines += _fleet_lines(figures.get("fleet"))
    return "\n".join(lines) + "\n"


def _fleet_lines(fleet: dict[str, Any] | None) -> list[str]:
    if not fleet:
        return []
    runner, per_host = fleet["runner"], fleet["per_host"]
    n = fleet["hosts"]
    lines = ["", f"fleet: {n} firewalls {fleet['platforms']}, generated in {fleet['generated_s']:.1f} s"]
    if "runner" in runner:
        r = runner["runner"]
        lines.append(f"  runner.evaluate: {r['seconds']:.1f} s total, {r['seconds'] / max(r['hosts'], 1) * 1e3:.1f} ms "
                     f"per firewall, peak RSS {r['maxrss_mb']:.0f} MB")
        lines += [f"    {key}: {count}" for key, count in r["findings"].items() if not key.endswith("NOT_APPLICABLE")]
    else:
        lines.append(f"  runner.evaluate: did not finish ({runner})")
    if "per_host" in per_host:
        p = per_host["per_host"]
        lines.append(f"  analysis host by host: {p['seconds']:.1f} s total, peak RSS {p['maxrss_mb']:.0f} MB"
                     + (f", errors {p['errors']}" if p["errors"] else ""))
        lines += [f"    {name}: {v['hosts']} hosts, {v['rules']} rules, mean {v['mean_s'] * 1e3:.1f} ms, "
                  f"max {v['max_s'] * 1e3:.0f} ms" for name, v in p["platforms"].items()]
    else:
        lines.append(f"  analysis host by host: did not finish ({per_host})")
    return lines
