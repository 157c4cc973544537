"""Run-wide parts of the report: header, verdict, fleet summary, check table, shared fixes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pushaudit import __version__
from pushaudit.masking import MASK, is_secret_key, mask_secrets
from pushaudit.results import CheckInfo, RunResult

from .path_view import PathView, path_view
from .paths import host_paths
from .view import (
    STATUS_ORDER,
    HostView,
    SourceLink,
    anchor,
    host_view,
    source_link,
)

EXIT_MEANING = {
    0: "every applicable check passed on every host",
    1: "at least one check failed; every check could decide",
    2: "at least one check could not decide (ERROR) or a host could not be audited",
}
VERDICT = {0: "PASS", 1: "FAIL", 2: "ERROR"}
# Metadata shown in the header, in this order; other scalar keys follow under their own names.
_HEADER_KEYS = ("started", "finished", "evaluated", "inventory", "snapshot", "pushaudit_version")
_HIDDEN_KEYS = {"hosts", "format", "policy", "run_id"}


@dataclass
class CheckView:
    info: CheckInfo
    anchor: str
    counts: dict[str, int]
    sources: list[SourceLink]


@dataclass
class GroupRow:
    name: str
    hosts: list[HostView]
    by_status: dict[str, int]


@dataclass
class FixGroup:
    check_id: str
    check_title: str
    check_anchor: str
    remediation: str
    hosts: list[HostView]


@dataclass
class ReportView:
    title: str
    run_id: str
    header: list[tuple[str, str]]
    policy: str
    verdict: str
    exit_code: int
    exit_meaning: str
    renderer_version: str
    status_totals: dict[str, int]
    fleet: dict[str, list[GroupRow]]
    checks: list[CheckView]
    hosts: list[HostView]
    fixes: list[FixGroup] = field(default_factory=list)
    paths: list[PathView] = field(default_factory=list)  # every proxy's paths, for the fleet-wide table


def _run_id(meta: dict[str, Any]) -> str:
    if meta.get("run_id"):
        return str(meta["run_id"])
    snapshot = str(meta.get("snapshot", ""))
    return PurePath(snapshot).name if snapshot else "(not recorded)"


def _policy(meta: dict[str, Any]) -> str:
    policy = meta.get("policy")
    if isinstance(policy, dict):
        return f"{policy.get('name', '?')} {policy.get('version', '')}".strip()
    name, version = meta.get("policy_name", ""), meta.get("policy_version", "")
    return f"{name} {version}".strip() or "(not recorded)"


def _header(meta: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [(key.replace("_", " "), str(meta[key])) for key in _HEADER_KEYS if meta.get(key) not in (None, "")]
    for key in sorted(meta):
        value = meta[key]
        if key in _HIDDEN_KEYS or key in _HEADER_KEYS or isinstance(value, dict | list):
            continue
        shown = MASK if is_secret_key(key) else mask_secrets(str(value))
        rows.append((key.replace("_", " "), shown))
    return rows


def _group(hosts: list[HostView], key: Callable[[HostView], str]) -> list[GroupRow]:
    groups: dict[str, list[HostView]] = {}
    for host in hosts:
        groups.setdefault(key(host) or "(not set)", []).append(host)
    return [
        GroupRow(name, members, {s.value: sum(1 for h in members if h.status == s.value) for s in STATUS_ORDER})
        for name, members in sorted(groups.items())
    ]


def _fixes(hosts: list[HostView]) -> list[FixGroup]:
    """FAIL/ERROR rows that share a check and the same remediation text, one group per fix."""
    groups: dict[tuple[str, str], FixGroup] = {}
    for host in hosts:
        for finding in host.findings:
            if finding.status not in ("FAIL", "ERROR") or not finding.remediation.strip():
                continue
            key = (finding.check_id, finding.remediation.strip())
            group = groups.setdefault(
                key,
                FixGroup(finding.check_id, finding.check_title, finding.check_anchor, finding.remediation, []),
            )
            if host not in group.hosts:
                group.hosts.append(host)
    return sorted(groups.values(), key=lambda g: (-len(g.hosts), g.check_id, g.remediation))


def _check_views(infos: list[CheckInfo], counts: dict[str, dict[str, int]]) -> list[CheckView]:
    """Every check of the run, plus any check id that only appears in findings (so no row is lost)."""
    known = {c.id for c in infos}
    extra = [
        CheckInfo(check_id, check_id, "", "This check is not described in the run's check list.", (), ())
        for check_id in sorted(counts)
        if check_id not in known
    ]
    empty = {s.value: 0 for s in STATUS_ORDER}
    return [
        CheckView(c, anchor("check", c.id), {**empty, **counts.get(c.id, {})}, [source_link(s) for s in c.sources])
        for c in [*infos, *extra]
    ]


def build_report(run: RunResult) -> ReportView:
    checks = {c.id: c for c in run.checks}
    hosts: list[HostView] = []
    anchors: dict[str, str] = {}
    ordered = sorted(run.hosts, key=lambda h: h.facts.name)
    for host in ordered:
        host_anchor = anchor("host", host.facts.name)
        while host_anchor in anchors.values():  # two names that differ only in odd characters
            host_anchor += "-"
        anchors[host.facts.name] = host_anchor
    for host in ordered:
        view = host_view(host, checks, anchors[host.facts.name])
        view.paths = [path_view(p, i, anchors) for i, p in enumerate(host_paths(host, run.hosts))]
        hosts.append(view)
    counts = run.counts()
    exit_code = run.exit_code()
    return ReportView(
        title="pushaudit report",
        run_id=_run_id(run.meta),
        header=_header(run.meta),
        policy=_policy(run.meta),
        verdict=VERDICT.get(exit_code, "ERROR"),
        exit_code=exit_code,
        exit_meaning=EXIT_MEANING.get(exit_code, "unexpected exit code"),
        renderer_version=__version__,
        status_totals={s.value: sum(1 for h in hosts if h.status == s.value) for s in STATUS_ORDER},
        fleet={
            "role": _group(hosts, lambda h: h.facts.role),
            "zone": _group(hosts, lambda h: h.facts.zone),
            "owning team": _group(hosts, lambda h: h.facts.team),
        },
        checks=_check_views(run.checks, counts),
        hosts=hosts,
        fixes=_fixes(hosts),
        paths=[p for h in hosts for p in h.paths],
    )
