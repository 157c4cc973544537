"""The Nornir task that audits one host: connect, run the platform's commands, save the snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from nornir.core.task import Result, Task

from pushaudit.inventory import host_problems
from pushaudit.platforms import PlatformError, load_platform
from pushaudit.policy import Policy
from pushaudit.snapshot import Connection, HostFacts, HostSnapshot, now_iso
from pushaudit.tasks.collectors import load_collectors
from pushaudit.tasks.connect_errors import classify
from pushaudit.tasks.session import Session

INVENTORY_KEYS = {"role", "zone", "team", "client_networks"}


class Progress(Protocol):
    def step(self, host: str, text: str, done: int, total: int) -> None: ...

    def finished(self, host: str, ok: bool, text: str) -> None: ...


def facts_of(task: Task) -> HostFacts:
    host = task.host
    data = {k: v for k, v in host.items() if k not in INVENTORY_KEYS}
    return HostFacts(
        name=host.name,
        hostname=host.hostname or host.name,
        port=host.port or 22,
        platform=host.platform or "",
        role=str(host.get("role") or ""),
        zone=str(host.get("zone") or ""),
        team=str(host.get("team") or ""),
        client_networks=[str(n) for n in host.get("client_networks") or []],
        groups=[g.name for g in host.extended_groups()],
        data=data,
        started=now_iso(),
    )


def collect_host(task: Task, snapshot_root: Path, policy: Policy, progress: Progress) -> Result:
    facts = facts_of(task)
    snap = HostSnapshot.create(snapshot_root / "hosts" / facts.name, facts)
    try:
        ok = _collect(task, snap, facts, policy, progress)
    finally:
        facts.finished = now_iso()
        snap.save()
    progress.finished(facts.name, ok, "done" if ok else facts.connection.message)
    return Result(host=task.host, result=facts.connection.message or "collected", failed=not ok)


def _collect(task: Task, snap: HostSnapshot, facts: HostFacts, policy: Policy, progress: Progress) -> bool:
    problems = host_problems(task.host)
    if problems:
        facts.connection = Connection(False, "E-PLATFORM", "inventory: " + "; ".join(problems))
        return False
    try:
        platform = load_platform(facts.platform)
    except PlatformError as exc:
        facts.connection = Connection(False, "E-PLATFORM", str(exc))
        return False
    registry = load_collectors()
    unknown = [name for name in platform.collectors_for(facts.role) if name not in registry]
    if unknown:
        message = f"platform {platform.platform} names unknown collectors {unknown}"
        facts.connection = Connection(False, "E-PLATFORM", message)
        return False
    progress.step(facts.name, "connecting", 0, 1)
    try:
        connection: Any = task.host.get_connection("netmiko", task.nornir.config)
    except Exception as exc:  # every connection failure becomes a coded host ERROR
        code, message = classify(exc)
        facts.connection = Connection(False, code, message)
        return False
    facts.connection = Connection(True, "", "")
    session = Session(connection, snap, platform)
    session.setup()
    commands = platform.commands_for(facts.role)
    collectors = platform.collectors_for(facts.role)
    total = len(commands) + len(collectors)
    for done, spec in enumerate(commands):
        progress.step(facts.name, spec.id, done, total)
        session.run(spec.id, spec.command, spec.read_timeout)
    for done, name in enumerate(collectors, start=len(commands)):
        progress.step(facts.name, name, done, total)
        registry[name](session, facts, policy)
    return True
