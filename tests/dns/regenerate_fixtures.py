"""Regenerate the dig and curl fixtures from a live lab (root needed): ``python tests/dns/regenerate_fixtures.py``.

Writes tests/fixtures/dig/<case>/, tests/fixtures/probe/<case>/ and tests/dns/scenarios/<scenario>/.
Hand-written cases (``source: handwritten`` in expected.yaml) are left alone. Review the diff: the
expected.yaml files are written from the parse, so a parser change shows up there.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dns_fixture_cases import (
    DIG_CASES,
    DIG_FIXTURES,
    PROBE_CASES,
    PROBE_FIXTURES,
    RESOLVER_ADDRS,
    SCENARIO_RESOLVERS,
    SCENARIOS,
    describe_dig,
    describe_probe,
)
from dnslab import DnsLab

from pushaudit.dns import classify, probe_names
from pushaudit.parsers.dig import parse_dig
from pushaudit.parsers.proxy_probe import parse_probe
from pushaudit.policy import load_policy


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def write_dig(lab: DnsLab, root: Path) -> None:
    for case, (role, name, options) in DIG_CASES.items():
        exit_status, output = lab.dig(RESOLVER_ADDRS[role], name, *options)
        folder = root / case
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "output.txt").write_text(output)
        result = parse_dig(output)
        _dump(folder / "expected.yaml", {
            "source": "lab",
            "resolver": role,
            "name": name,
            "options": list(options),
            "exit_status": exit_status,
            "classification": classify(result).value,
            "result": describe_dig(result),
        })


def write_probes(lab: DnsLab, root: Path) -> None:
    for case, (name, port, max_time) in PROBE_CASES.items():
        command, exit_status, output = lab.curl(name, port, max_time)
        folder = root / case
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "output.txt").write_text(output)
        result = parse_probe(output, command=command, exit_status=exit_status, source=f"probe_{name}")
        _dump(folder / "expected.yaml", {
            "source": "lab (Squid 5.7, curl 7.88.1)",
            "command": command,
            "exit_status": exit_status,
            "result": describe_probe(result),
        })


def write_scenarios(lab: DnsLab, root: Path) -> None:
    names = [name for name, _ in probe_names(load_policy())]
    for scenario, role in SCENARIO_RESOLVERS.items():
        folder = root / scenario
        folder.mkdir(parents=True, exist_ok=True)
        statuses = {}
        for name in names:
            exit_status, output = lab.dig(RESOLVER_ADDRS[role], name)
            (folder / f"dns_{name}.txt").write_text(output)
            statuses[f"dns_{name}"] = exit_status
        _dump(folder / "exit_status.yaml", statuses)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pa-dno-gen-") as work, DnsLab(Path(work)) as lab:
        lab.start(squid=True)
        write_dig(lab, DIG_FIXTURES)
        write_probes(lab, PROBE_FIXTURES)
        write_scenarios(lab, SCENARIOS)


if __name__ == "__main__":
    main()
