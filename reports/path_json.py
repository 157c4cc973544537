"""Apple push paths as JSON data (the ``paths`` of each host in the JSON report) and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .path_steps import DnsGlance, StepCheck
from .paths import ApplePath, PathStep


def path_to_dict(path: ApplePath) -> dict[str, Any]:
    return {
        "proxy": path.proxy,
        "client_network": path.client_network,
        "verdict": path.verdict,
        "blocked_at": path.blocked_at,
        "steps": [
            {
                "key": step.key,
                "title": step.title,
                "status": step.status,
                "state": step.state,
                "reached": step.reached,
                "breaks": step.breaks,
                "note": step.note,
                "checks": [asdict(c) for c in step.checks],
                "dns": [asdict(d) for d in step.dns],
            }
            for step in path.steps
        ],
    }


def _step(data: dict[str, Any]) -> PathStep:
    return PathStep(
        key=data["key"],
        title=data["title"],
        status=data["status"],
        reached=data["reached"],
        breaks=data["breaks"],
        checks=tuple(StepCheck(**c) for c in data["checks"]),
        note=data["note"],
        dns=tuple(DnsGlance(**d) for d in data["dns"]),
    )


def path_from_dict(data: dict[str, Any]) -> ApplePath:
    return ApplePath(
        proxy=data["proxy"],
        client_network=data["client_network"],
        verdict=data["verdict"],
        blocked_at=data["blocked_at"],
        steps=tuple(_step(s) for s in data["steps"]),
    )


def paths_from_json(document: dict[str, Any]) -> dict[str, list[ApplePath]]:
    """Per host name, the paths a JSON report holds (hosts without ``paths`` get an empty list)."""
    return {h["name"]: [path_from_dict(p) for p in h.get("paths", [])] for h in document["hosts"]}
