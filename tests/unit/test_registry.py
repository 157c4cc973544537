from pathlib import Path

import pytest

from pushaudit.checks.registry import Check, CheckSpec, Registry, evaluate_host
from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.findings import Evidence, Finding, Severity, Status
from pushaudit.policy import load_policy
from pushaudit.results import HostResult, RunResult
from pushaudit.snapshot import Connection, HostFacts, HostSnapshot


def _spec(cid: str, roles: set[str]) -> CheckSpec:
    return CheckSpec(cid, "t", Severity.HIGH, "r", ("S1",), frozenset(roles))


def _build_fails(ctx: HostContext) -> int:
    raise DataError("E-PARSE-SQUID", "line 3: bungled", source="files/etc/squid/squid.conf", line=3)


BROKEN: ModelKey[int] = ModelKey("broken", _build_fails)


class Passes(Check):
    spec = _spec("t.pass", {"proxy"})

    def run(self, ctx: HostContext) -> list[Finding]:
        return [self.finding(ctx, Status.PASS, "fine")]


class NeedsModel(Check):
    spec = _spec("t.model", {"proxy"})

    def run(self, ctx: HostContext) -> list[Finding]:
        ctx.get(BROKEN)
        return [self.finding(ctx, Status.PASS, "never reached")]


class Crashes(Check):
    spec = _spec("t.crash", {"proxy"})

    def run(self, ctx: HostContext) -> list[Finding]:
        raise KeyError("boom")


class FirewallOnly(Check):
    spec = _spec("t.fw", {"firewall"})

    def run(self, ctx: HostContext) -> list[Finding]:
        return [self.finding(ctx, Status.PASS, "fw")]


CHECKS = [Passes(), NeedsModel(), Crashes(), FirewallOnly()]


def _ctx(tmp_path: Path, ok: bool = True) -> HostContext:
    facts = HostFacts(name="p1", hostname="192.0.2.1", port=22, platform="linux", role="proxy",
                      connection=Connection(ok, "" if ok else "E-SSH-HOSTKEY", "" if ok else "key mismatch"))
    return HostContext(HostSnapshot.create(tmp_path / "p1", facts), load_policy())


def test_one_bad_check_does_not_hide_the_others(tmp_path: Path) -> None:
    by_id = {f.check_id: f for f in evaluate_host(_ctx(tmp_path), CHECKS)}
    assert by_id["t.pass"].status is Status.PASS
    assert by_id["t.model"].status is Status.ERROR and by_id["t.model"].code == "E-PARSE-SQUID"
    assert by_id["t.model"].evidence[0].line == 3
    assert by_id["t.crash"].status is Status.ERROR and by_id["t.crash"].code == "E-CHECK-CRASH"
    assert by_id["t.fw"].status is Status.NOT_APPLICABLE


def test_unreachable_host_gives_errors_never_pass(tmp_path: Path) -> None:
    findings = evaluate_host(_ctx(tmp_path, ok=False), CHECKS)
    statuses = {f.check_id: (f.status, f.code) for f in findings}
    assert statuses["t.pass"] == (Status.ERROR, "E-SSH-HOSTKEY")
    assert statuses["t.fw"][0] is Status.NOT_APPLICABLE


def test_duplicate_check_ids_are_refused() -> None:
    registry = Registry()
    registry.add(Passes())
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(Passes())


def test_unknown_error_codes_are_refused() -> None:
    with pytest.raises(ValueError):
        DataError("E-NOPE", "x")


def _run(*statuses: Status, reachable: bool = True) -> RunResult:
    facts = HostFacts(name="h", hostname="h", port=22, platform="linux", role="proxy",
                      connection=Connection(reachable))
    findings = [Finding("c", "h", s, "x") for s in statuses]
    return RunResult(meta={}, checks=[], hosts=[HostResult(facts=facts, findings=findings)])


def test_exit_codes() -> None:
    assert _run(Status.PASS, Status.NOT_APPLICABLE).exit_code() == 0
    assert _run(Status.PASS, Status.FAIL).exit_code() == 1
    assert _run(Status.FAIL, Status.ERROR).exit_code() == 2
    assert _run(Status.PASS, reachable=False).exit_code() == 2


def test_finding_round_trips() -> None:
    finding = Finding("c", "h", Status.FAIL, "s", "e", "f", (Evidence("cmd:x", "t", 4),), "fix", "rule 3", "",
                      {"k": [1]})
    assert Finding.from_dict(finding.to_dict()) == finding
