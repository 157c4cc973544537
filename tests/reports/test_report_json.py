"""The JSON report: schema validity, documented fields, masking and the round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from report_sample import BASIC_TOKEN, KEY_BODY, PEER_PASSWORD, clean_run, sample_run

from pushaudit.masking import mask_data
from pushaudit.reports.json_report import SCHEMA_ID, from_json, load_schema, to_json, write_json
from pushaudit.results import RunResult


def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _as_json(document: dict[str, Any]) -> dict[str, Any]:
    """What a reader gets back from the file."""
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result


@pytest.mark.parametrize("make_run", [sample_run, clean_run, lambda: RunResult({}, [], [])])
def test_output_validates_against_schema(make_run: Any) -> None:
    document = _as_json(to_json(make_run()))
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_schema_rejects_a_broken_document() -> None:
    document = _as_json(to_json(sample_run()))
    document["hosts"][0]["findings"][0]["status"] = "MAYBE"
    del document["exit_code"]
    messages = [e.message for e in _validator().iter_errors(document)]
    assert any("MAYBE" in m for m in messages)
    assert any("exit_code" in m for m in messages)


def _undocumented(node: Any, where: str) -> list[str]:
    """Property schemas without a description (a $ref counts: its target is documented)."""
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                missing.append(f"{where}.{name}")
        for key, sub in node.items():
            missing += _undocumented(sub, f"{where}.{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            missing += _undocumented(sub, f"{where}[{index}]")
    return missing


def test_schema_documents_every_field() -> None:
    schema = load_schema()
    assert _undocumented(schema, "$") == []
    assert all("description" in d for d in schema["$defs"].values())


def test_header_counts_and_exit_code() -> None:
    run = sample_run()
    document = to_json(run)
    assert document["schema"] == SCHEMA_ID == "pushaudit-report/1"
    assert document["exit_code"] == 2 and document["verdict"] == "ERROR"
    assert document["counts"] == run.counts()
    assert document["summary"]["hosts"] == 5
    assert document["summary"]["hosts_by_status"] == {"PASS": 1, "FAIL": 2, "ERROR": 1, "NOT_APPLICABLE": 1}
    assert sum(document["summary"]["findings_by_status"].values()) == sum(len(h.findings) for h in run.hosts)
    assert [h["name"] for h in document["hosts"]] == [h.facts.name for h in run.hosts]
    proxy_b = next(h for h in document["hosts"] if h["name"] == "proxy-b")
    assert [c["kind"] for c in proxy_b["dns"]] == ["bare", "numbered"]
    assert [s["rtype"] for s in proxy_b["dns"][0]["steps"]] == ["CNAME", "SOA"]


def test_secrets_are_masked_in_json() -> None:
    text = json.dumps(to_json(sample_run()))
    for secret in (PEER_PASSWORD, BASIC_TOKEN, KEY_BODY, "hunter2"):
        assert secret not in text
    proxy_a = next(h for h in to_json(sample_run())["hosts"] if h["name"] == "proxy-a")
    assert proxy_a["facts"]["data"] == {"squid_conf": "/etc/squid/squid.conf", "sudo_password": "********"}


def test_mask_data_walks_nested_values() -> None:
    value = {"a": [{"password": "x", "port": 22, "ok": True}], "note": "secret=y", "token": None, "key": {"inner": "z"}}
    assert mask_data(value) == {
        "a": [{"password": "********", "port": 22, "ok": True}],
        "note": "secret=********",
        "token": None,
        "key": {"inner": "z"},
    }
    assert mask_data({"PASS": 3}, by_key=False) == {"PASS": 3}


def test_round_trip_without_secrets_is_exact() -> None:
    run = clean_run()
    assert from_json(_as_json(to_json(run))) == run


def test_round_trip_of_masked_report_is_stable() -> None:
    first = to_json(sample_run())
    second = to_json(from_json(_as_json(first)))
    first.pop("generated")
    second.pop("generated")
    assert _as_json(second) == _as_json(first)


def test_from_json_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="pushaudit-report/1"):
        from_json({"schema": "something-else/9"})


def test_write_json(tmp_path: Path) -> None:
    target = write_json(sample_run(), tmp_path / "r" / "report.json")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["schema"] == SCHEMA_ID
    assert list(_validator().iter_errors(document)) == []
