"""Every tests/fixtures/pac/<case>/proxy.pac through the real engine (dukpy in the worker process)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml
from pac_harness import FIXTURES, INSTANT

from pushaudit.pac.evaluate import SourceResult, decided
from pushaudit.pac.outcomes import CallOutcome, ContextJob, EngineFailure
from pushaudit.pac.routes import RouteError, describe, parse_routes
from pushaudit.pac.sandbox import Limits, evaluate_pac
from pushaudit.pac.sources import Manifest, PacSource

CASES = sorted(p.parent for p in FIXTURES.glob("*/proxy.pac"))


def _check_failure(failure: EngineFailure | None, want: dict[str, Any]) -> None:
    assert failure is not None, f"expected an engine failure containing {want['contains']!r}"
    assert want["contains"] in failure.message
    if "line" in want:
        assert failure.line == want["line"], failure
    assert failure.timeout == want.get("timeout", False), failure


def _check_call(call: CallOutcome, result: SourceResult, want: dict[str, Any]) -> None:
    if "error" in want:
        _check_failure(call.error, want["error"])
        return
    assert call.error is None, call.error
    where = decided(call, result)
    assert (where.line if where else None) == want.get("line"), (call.returns, call.value)
    assert (where.via_line if where else None) == want.get("via"), call.returns
    if "problem" in want:
        with pytest.raises(RouteError, match=want["problem"]):
            parse_routes(call.kind, call.value)
    else:
        assert describe(parse_routes(call.kind, call.value)) == want["routes"]
    if "lookups" in want:
        assert [f"{x.fn} {x.name} @{x.line} {x.state}" for x in call.lookups] == want["lookups"]
    if "alerts" in want:
        assert list(call.alerts) == want["alerts"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pac_case(case: Path) -> None:
    spec = yaml.safe_load((case / "expected.yaml").read_text())
    code = (case / "proxy.pac").read_text()
    clients = [str(ipaddress.ip_address(c)) for c in spec.get("clients", ["198.18.0.1"])]
    calls = [(c.get("url", f"https://{c['host']}/"), c["host"]) for c in spec["calls"]]
    jobs = [ContextJob(client, spec.get("dns", {}), calls) for client in clients]
    now_ms = Manifest([], INSTANT, []).now_ms
    outcomes = evaluate_pac(code, jobs, now_ms, Limits(**spec.get("limits", {})))
    result = SourceResult(PacSource("file", "/etc/squid/proxy.pac"), text=code)
    for outcome in outcomes:
        if "load_error" in spec:
            if outcome is outcomes[0] or outcome.load_error is not None:
                _check_failure(outcome.load_error, spec["load_error"])
            continue
        assert outcome.load_error is None, outcome.load_error
        assert outcome.tracked, outcome.note
        assert len(outcome.calls) == len(calls)
        for call, raw in zip(outcome.calls, spec["calls"], strict=True):
            want = raw.get("per_client", {}).get(outcome.client, raw.get("expect"))
            _check_call(call, result, want)
