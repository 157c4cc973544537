"""Apple push paths in the JSON report: schema, content and round trips."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from path_sample import path_run
from report_sample import sample_run

from pushaudit.findings import Finding, Status
from pushaudit.reports.json_report import from_json, load_schema, to_json
from pushaudit.reports.path_json import path_from_dict, path_to_dict, paths_from_json
from pushaudit.reports.paths import build_paths


def _as_json(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result


def _errors(document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


def test_paths_validate_against_the_schema() -> None:
    document = _as_json(to_json(path_run()))
    assert _errors(document) == []
    by_name = {h["name"]: h for h in document["hosts"]}
    assert [p["client_network"] for p in by_name["px-pass"]["paths"]] == ["10.1.0.0/24", "10.2.0.0/24"]
    assert by_name["fw-edge"]["paths"] == []
    pac = by_name["px-pac"]["paths"][0]
    assert (pac["verdict"], pac["blocked_at"]) == ("FAIL", "pac")
    assert [s["state"] for s in pac["steps"]] == ["breaks"] + ["not_reached"] * 4
    check = pac["steps"][0]["checks"][0]
    assert by_name["px-pac"]["findings"][check["finding"]]["check_id"] == check["check_id"] == "pac.apple_routes"


def test_schema_rejects_a_broken_path() -> None:
    document = _as_json(to_json(path_run()))
    path = document["hosts"][0]["paths"][0]
    path["steps"][0]["state"] = "maybe"
    path["verdict"] = "FINE"
    del path["steps"][1]["checks"][0]["finding"]
    messages = " ".join(_errors(document))
    assert "'maybe'" in messages and "'FINE'" in messages and "'finding' is a required property" in messages


def test_paths_read_back_as_written() -> None:
    run = path_run()
    assert paths_from_json(_as_json(to_json(run))) == build_paths(run)
    for paths in build_paths(run).values():
        for path in paths:
            assert path_from_dict(_as_json(path_to_dict(path))) == path


def test_round_trip_through_from_json_rebuilds_the_same_paths() -> None:
    run = path_run()
    first = _as_json(to_json(run))
    again = from_json(first)
    assert again == run
    assert build_paths(again) == build_paths(run)
    second = _as_json(to_json(again))
    assert [h["paths"] for h in second["hosts"]] == [h["paths"] for h in first["hosts"]]


def test_masked_sample_round_trip_keeps_paths() -> None:
    first = _as_json(to_json(sample_run()))
    assert _errors(first) == []
    second = _as_json(to_json(from_json(first)))
    assert [h["paths"] for h in second["hosts"]] == [h["paths"] for h in first["hosts"]]


def test_secrets_in_summaries_are_masked_in_paths() -> None:
    run = path_run()
    run.hosts[0].findings[0] = Finding("pac.apple_routes", "px-pass", Status.FAIL,
                                       "PAC fetched with password=hunter2 sends Apple to a bumping proxy")
    document = to_json(run)
    assert "hunter2" not in json.dumps(document)
    summary = document["hosts"][0]["paths"][0]["steps"][0]["checks"][0]["summary"]
    assert "password=********" in summary
