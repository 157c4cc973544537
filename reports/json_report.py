"""The JSON report: the whole run as data, described by ``schema/report.schema.json``.

Every string passes through mask_secrets and every value under a secret-looking key is masked, so the
file is safe to hand to another team. ``from_json`` reads it back into a RunResult.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pushaudit import __version__
from pushaudit.findings import Finding, Status
from pushaudit.masking import mask_data
from pushaudit.results import CheckInfo, DnsChain, DnsStep, HostResult, RunResult
from pushaudit.snapshot import HostFacts

from .path_json import path_to_dict
from .paths import host_paths
from .summary import VERDICT
from .view import host_status

SCHEMA_ID = "pushaudit-report/1"


def _finding(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data["details"] = mask_data(data["details"])
    return data


def _host(host: HostResult, run: RunResult) -> dict[str, Any]:
    facts = asdict(host.facts)
    facts["data"] = mask_data(facts["data"])
    return {
        "name": host.facts.name,
        "status": host_status(host).value,
        "facts": facts,
        "findings": [_finding(f) for f in host.findings],
        "dns": [asdict(chain) for chain in host.dns],
        "warnings": list(host.warnings),
        "paths": [path_to_dict(p) for p in host_paths(host, run.hosts)],
    }


def to_json(run: RunResult) -> dict[str, Any]:
    """The report as a JSON-ready dict (schema ``pushaudit-report/1``)."""
    hosts = [_host(h, run) for h in run.hosts]
    exit_code = run.exit_code()
    findings = [f for h in run.hosts for f in h.findings]
    document = {
        "schema": SCHEMA_ID,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "pushaudit_version": __version__,
        "exit_code": exit_code,
        "verdict": VERDICT.get(exit_code, "ERROR"),
        "meta": mask_data(run.meta),
        "summary": {
            "hosts": len(run.hosts),
            "hosts_by_status": {s.value: sum(1 for h in hosts if h["status"] == s.value) for s in Status},
            "findings_by_status": {s.value: sum(1 for f in findings if f.status is s) for s in Status},
        },
        "counts": run.counts(),
        "checks": [asdict(c) for c in run.checks],
        "hosts": hosts,
    }
    result: dict[str, Any] = mask_data(document, by_key=False)
    return result


def write_json(run: RunResult, path: Path | str) -> Path:
    """Write the JSON report (UTF-8, indented, keys in schema order); returns the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(to_json(run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that documents every field of the report."""
    text = resources.files("pushaudit.reports").joinpath("schema/report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _chain(data: dict[str, Any]) -> DnsChain:
    values = dict(data)
    values["steps"] = [DnsStep(**s) for s in values.get("steps", [])]
    return DnsChain(**values)


def from_json(document: dict[str, Any]) -> RunResult:
    """Read a JSON report back into a RunResult (secrets stay masked).

    The hosts' ``paths`` are derived data: they are rebuilt from the findings, so they are not read here
    (``path_json.paths_from_json`` reads them as they were written).
    """
    if document.get("schema") != SCHEMA_ID:
        raise ValueError(f"not a {SCHEMA_ID} document (schema is {document.get('schema')!r})")
    checks = [
        CheckInfo(**{**c, "sources": tuple(c["sources"]), "roles": tuple(c["roles"])}) for c in document["checks"]
    ]
    hosts = [
        HostResult(
            facts=HostFacts.from_dict(h["facts"]),
            findings=[Finding.from_dict(f) for f in h["findings"]],
            dns=[_chain(c) for c in h["dns"]],
            warnings=list(h["warnings"]),
        )
        for h in document["hosts"]
    ]
    return RunResult(meta=dict(document["meta"]), checks=checks, hosts=hosts)
