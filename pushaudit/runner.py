"""The pipeline: inventory -> collect a snapshot -> evaluate it -> a RunResult for the reports."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nornir.core import Nornir

from pushaudit import __version__
from pushaudit.checks.registry import Check, all_checks, evaluate_host
from pushaudit.context import HostContext, link_peers
from pushaudit.findings import Finding
from pushaudit.policy import Policy
from pushaudit.policy.loader import policy_from_snapshot, policy_to_yaml
from pushaudit.progress import make_progress
from pushaudit.results import CheckInfo, DnsChain, HostResult, RunResult
from pushaudit.snapshot import Snapshot, now_iso
from pushaudit.tasks.collect import collect_host

log = logging.getLogger(__name__)


def run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def collect(nr: Nornir, root: Path, policy: Policy, inventory: Path) -> Snapshot:
    """Audit every host of ``nr`` in parallel into a new snapshot folder."""
    hosts = sorted(nr.inventory.hosts)
    snapshot = Snapshot.create(
        root,
        {
            "run_id": root.parent.name,
            "pushaudit_version": __version__,
            "started": now_iso(),
            "inventory": str(inventory),
            "hosts": hosts,
        },
    )
    (root / "policy.yaml").write_text(policy_to_yaml(policy), encoding="utf-8")
    with make_progress(hosts) as progress:
        nr.run(task=collect_host, snapshot_root=root, policy=policy, progress=progress, name="collect")
    nr.close_connections(on_good=True, on_failed=True)
    meta = snapshot.meta
    meta["finished"] = now_iso()
    snapshot.write_meta(meta)
    return snapshot


def _warnings(ctx: HostContext) -> list[str]:
    """Parse warnings of every model the checks built (models expose a ``warnings`` list)."""
    out: list[str] = []
    for value in ctx._cache.values():
        for warning in getattr(value, "warnings", None) or []:
            out.append(str(warning))
    return out


def _dns(ctx: HostContext) -> list[DnsChain]:
    if ctx.facts.role != "proxy" or not ctx.facts.connection.ok:
        return []
    from pushaudit.dns import dns_chains_for_report

    try:
        return dns_chains_for_report(ctx)
    except Exception as exc:  # the chain drawing is a view; its failure is logged, verdicts stand
        log.warning("%s: cannot draw DNS chains: %s", ctx.host, exc)
        return []


def check_infos(checks: list[Check], policy: Policy) -> list[CheckInfo]:
    return [
        CheckInfo(
            id=c.spec.id,
            title=c.spec.title,
            severity=c.spec.severity.value,
            rationale=c.spec.rationale,
            sources=tuple(policy.source_titles(c.spec.sources)),
            roles=tuple(sorted(c.spec.roles)),
        )
        for c in checks
    ]


def evaluate(snapshot: Snapshot, policy: Policy | None = None) -> RunResult:
    """Run every check on every host of a snapshot; needs no network."""
    policy = policy or policy_from_snapshot(snapshot.root / "policy.yaml")
    checks = all_checks()
    hosts: list[HostResult] = []
    contexts = [HostContext(snapshot.host(name), policy) for name in snapshot.host_names()]
    link_peers(contexts)
    for ctx in contexts:
        findings: list[Finding] = evaluate_host(ctx, checks)
        hosts.append(HostResult(facts=ctx.facts, findings=findings, dns=_dns(ctx), warnings=_warnings(ctx)))
        ctx.release()  # a fleet's parsed models must not pile up until the run ends
    meta: dict[str, Any] = {
        **snapshot.meta,
        "snapshot": str(snapshot.root),
        "evaluated": now_iso(),
        "policy": {"name": policy.name, "version": policy.version},
    }
    return RunResult(meta=meta, checks=check_infos(checks, policy), hosts=hosts)
