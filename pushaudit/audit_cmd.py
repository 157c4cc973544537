"""``pushaudit audit``: live audit or offline re-evaluation, then reports and the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pushaudit.cli import EX_DATAERR, EX_USAGE
from pushaudit.policy import Policy, PolicyError, load_policy
from pushaudit.results import RunResult
from pushaudit.runner import collect, evaluate, run_id
from pushaudit.snapshot import Snapshot

EXIT_MEANING = {0: "all checks pass", 1: "at least one FAIL", 2: "at least one ERROR or unreachable host"}


def _policy(args: argparse.Namespace) -> Policy:
    files = list(args.policies)
    implicit = args.inventory / "policy.yaml"
    if implicit.is_file() and implicit not in files:
        files.insert(0, implicit)
    return load_policy(files)


def _live(args: argparse.Namespace, run_dir: Path) -> RunResult:
    from nornir.core.filter import F

    from pushaudit.hostfilter import parse_filter
    from pushaudit.inventory import load_nornir

    policy = _policy(args)
    nr = load_nornir(args.inventory, workers=args.workers, ssh_config=args.ssh_config)
    if args.filters:
        funcs = [parse_filter(expr) for expr in args.filters]
        nr = nr.filter(filter_func=lambda host: any(f(host) for f in funcs))
    if not nr.inventory.hosts:
        raise ValueError("the inventory (after --filter) selects no host")
    _ = F  # F-expressions stay available to library users; the CLI uses filter_func
    snapshot = collect(nr, run_dir / "snapshot", policy, args.inventory)
    print(f"snapshot: {snapshot.root}")
    return evaluate(snapshot, policy)


def write_reports(run: RunResult, run_dir: Path, formats: list[str]) -> list[Path]:
    written = []
    if "json" in formats:
        from pushaudit.reports.json_report import write_json

        written.append(run_dir / "report.json")
        write_json(run, written[-1])
    if "html" in formats:
        from pushaudit.reports.html import write_html

        written.append(run_dir / "report.html")
        write_html(run, written[-1])
    return written


def run_audit(args: argparse.Namespace) -> int:
    try:
        if args.snapshot:
            if args.filters:
                print("pushaudit: --filter applies to live audits, not to --snapshot", file=sys.stderr)
                return EX_USAGE
            snapshot = Snapshot.open(args.snapshot)
            run_dir = args.output_dir / f"{run_id()}-offline"
            run_dir.mkdir(parents=True, exist_ok=True)
            policy = load_policy(list(args.policies)) if args.policies else None
            run = evaluate(snapshot, policy)
        else:
            run_dir = args.output_dir / run_id()
            run_dir.mkdir(parents=True, exist_ok=False)
            run = _live(args, run_dir)
    except (PolicyError, FileNotFoundError, ValueError) as exc:
        print(f"pushaudit: {exc}", file=sys.stderr)
        return EX_DATAERR
    except Exception as exc:
        from pushaudit.inventory import InventoryError

        if isinstance(exc, InventoryError):
            print(f"pushaudit: {exc}", file=sys.stderr)
            return EX_DATAERR
        raise
    for path in write_reports(run, run_dir, args.format):
        print(f"report: {path}")
    code = run.exit_code()
    statuses = [f.status.value for h in run.hosts for f in h.findings]
    counts = {s: statuses.count(s) for s in ("PASS", "FAIL", "ERROR")}
    print(
        f"{len(run.hosts)} hosts: {counts['PASS']} pass, {counts['FAIL']} fail, {counts['ERROR']} error "
        f"-> exit {code} ({EXIT_MEANING[code]})"
    )
    return code
