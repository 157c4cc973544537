"""Shared helpers for the DNS and proxy-probe tests: lab policy and snapshots built from fixtures."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# the helper modules beside this file (dnslab, dns_fixture_cases) are imported by plain name
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dns_fixture_cases import SCENARIOS

from pushaudit.context import HostContext
from pushaudit.policy import Policy, load_policy
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot, now_iso

# (output, exit status, command, error) per command id
Commands = dict[str, tuple[str, int | None, str, str]]
HostFactory = Callable[..., HostContext]


@pytest.fixture(scope="session")
def lab_policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """The built-in policy with the lab's stand-in for Apple's range (198.19.0.0/16)."""
    override = tmp_path_factory.mktemp("policy") / "lab.yaml"
    override.write_text(yaml.safe_dump({"ranges": {"apple": ["198.19.0.0/16"]}}))
    return load_policy([override])


def scenario_commands(scenario: str) -> Commands:
    folder = SCENARIOS / scenario
    statuses = yaml.safe_load((folder / "exit_status.yaml").read_text())
    return {
        cid: ((folder / f"{cid}.txt").read_text(), status, f"dig +time=2 +tries=2 {cid[4:]} A", "")
        for cid, status in statuses.items()
    }


@pytest.fixture
def make_host(tmp_path: Path, lab_policy: Policy) -> HostFactory:
    made = iter(range(1_000))

    def build(commands: Commands, role: str = "proxy", policy: Policy | None = None) -> HostContext:
        facts = HostFacts(name=f"proxy-{next(made)}", hostname="198.18.0.3", port=22, platform="linux", role=role,
                          connection=Connection(ok=True))
        snap = HostSnapshot.create(tmp_path / "hosts" / facts.name, facts)
        for cid, (output, status, command, error) in commands.items():
            record = CommandRecord(cid, command, now_iso(), 0.1, status, "", error)
            snap.add_command(record, output)
        snap.save()
        return HostContext(HostSnapshot(snap.root), policy or lab_policy)

    return build
