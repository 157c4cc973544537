"""FortiGate test helpers: fixture config.txt files and emulator folders as host snapshots.

Imported by name (conftest.py puts this folder on sys.path; pytest uses --import-mode=importlib).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pushaudit.platforms import load_platform
from pushaudit.snapshot import CommandRecord, Connection, HostFacts, HostSnapshot

TESTS = Path(__file__).resolve().parents[2]
CASES = TESTS / "fixtures" / "firewalls" / "fortinet"
DEVICE = TESTS / "fixtures" / "devices" / "fortinet"


def make_snapshot(root: Path, commands: dict[str, tuple[str, int | None]], *,
                  client_networks: list[str] | None = None, data: dict[str, Any] | None = None) -> HostSnapshot:
    facts = HostFacts(name="fgt", hostname="192.0.2.9", port=22, platform="fortinet", role="firewall",
                      client_networks=client_networks or [], data=data or {}, connection=Connection(ok=True))
    snap = HostSnapshot.create(root, facts)
    names = {c.id: c.command for c in load_platform("fortinet").commands}
    for command_id, (output, status) in commands.items():
        command = names.get(command_id, "show " + command_id.replace("_", " "))
        snap.add_command(CommandRecord(command_id, command, "2026-01-01T00:00:00+00:00", 0.2, status, ""), output)
    snap.save()
    return HostSnapshot(root)


def device_commands() -> dict[str, tuple[str, int | None]]:
    """The emulator's outputs (tests/fixtures/devices/fortinet) under the collector's command ids."""
    out: dict[str, tuple[str, int | None]] = {}
    for spec in load_platform("fortinet").commands:
        name = "_".join(spec.command.split())
        out[spec.id] = ((DEVICE / f"{name}.txt").read_text(encoding="utf-8"), 0)
    return out
