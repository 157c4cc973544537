"""End to end through the project's own collector: Nornir inventory -> pushaudit.runner.collect -> snapshot.

One emulator per platform; hosts connect with ssh_strict against a known_hosts file holding the
emulators' host keys, and get their password from PUSHAUDIT_SSH_PASSWORD, as in production.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from emulator import DeviceEmulator
from vendor_helpers import DEVICES, PASSWORD, PLATFORMS, USER, EmulatorFactory, fixture_output, normalise

from pushaudit.inventory import ENV_PASSWORD, load_nornir
from pushaudit.masking import mask_secrets
from pushaudit.platforms import load_platform
from pushaudit.policy.loader import load_policy
from pushaudit.runner import collect
from pushaudit.snapshot import Snapshot

pytestmark = [
    pytest.mark.timeout(180),
    # Netmiko's fortinet driver allows only finite-field DH key exchanges, which cryptography deprecates
    pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields::"),
]

# One command per platform whose fixture is removed in the "unsupported" copies: the emulator
# answers it with the vendor's error, which the collector must record as exit status 1.
UNSUPPORTED = {
    "cisco_asa": "show running-config nat",
    "paloalto_panos": "show config running",
    "fortinet": "show firewall proxy-policy",
    "juniper_junos": "show configuration services ssl | display set | no-more",
}


def write_inventory(folder: Path, emulators: dict[str, DeviceEmulator], known_hosts: Path) -> Path:
    hosts = {}
    for name, emulator in emulators.items():
        host: dict[str, object] = {
            "hostname": emulator.host,
            "port": emulator.port,
            "platform": emulator.device.platform,
            "data": {"role": "firewall", "client_networks": ["10.1.0.0/16"]},
        }
        if emulator.device.platform == "cisco_asa":
            # without a secret the driver uses ASA 'login'; without this it changes 'terminal width'
            host["connection_options"] = {"netmiko": {"extras": {"allow_auto_change": False}}}
        hosts[name] = host
    defaults = {
        "username": USER,
        "connection_options": {
            "netmiko": {"extras": {"ssh_strict": True, "alt_key_file": str(known_hosts), "alt_host_keys": True}}
        },
    }
    folder.mkdir()
    (folder / "hosts.yaml").write_text(yaml.safe_dump(hosts), encoding="utf-8")
    (folder / "defaults.yaml").write_text(yaml.safe_dump(defaults), encoding="utf-8")
    return folder


def run_collect(tmp_path: Path, emulators: dict[str, DeviceEmulator], known_hosts: list[str]) -> Snapshot:
    known = tmp_path / "known_hosts"
    known.write_text("\n".join(known_hosts) + "\n", encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory", emulators, known)
    nr = load_nornir(inventory, workers=len(emulators))
    return collect(nr, tmp_path / "snapshot", load_policy(), inventory)


def without_fixture(tmp_path: Path, platform: str, command: str) -> Path:
    from emulator import fixture_name

    copy = tmp_path / f"{platform}-unsupported"
    shutil.copytree(DEVICES / platform, copy)
    name = fixture_name(command.replace(" | no-more", ""))
    (copy / f"{name}.txt").unlink()
    return copy


def test_collect_every_platform(
    start_emulator: EmulatorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    emulators = {p.replace("_", "-"): start_emulator(p, secret=None) for p in PLATFORMS}
    for platform in PLATFORMS:
        folder = without_fixture(tmp_path, platform, UNSUPPORTED[platform])
        emulators[f"{platform.replace('_', '-')}-old"] = start_emulator(folder, secret=None)
    snapshot = run_collect(tmp_path, emulators, [e.known_hosts_line() for e in emulators.values()])

    assert snapshot.host_names() == sorted(emulators)
    for name, emulator in emulators.items():
        host = snapshot.host(name)
        platform_name = emulator.device.platform
        assert host.facts.connection.ok, (name, host.facts.connection)
        unsupported = UNSUPPORTED[platform_name] if name.endswith("-old") else None
        for spec in load_platform(platform_name).commands_for("firewall"):
            record, output = host.command(spec.id)
            assert record.command == spec.command
            if spec.command == unsupported:
                assert record.exit_status == 1, (name, spec.id, output)
                assert "error pattern" in record.error
                continue
            assert record.exit_status == 0, (name, spec.id, record.error, output[:300])
            expected = mask_secrets(fixture_output(platform_name, spec.command))
            assert normalise(output) == normalise(expected), (name, spec.id)
        assert emulator.wait_idle()
        assert emulator.log.configuration_commands() == [], name


def test_wrong_password_is_an_auth_error(
    start_emulator: EmulatorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSWORD, "not-the-password")
    emulators = {p.replace("_", "-"): start_emulator(p, secret=None) for p in PLATFORMS}
    snapshot = run_collect(tmp_path, emulators, [e.known_hosts_line() for e in emulators.values()])
    for name, emulator in emulators.items():
        connection = snapshot.host(name).facts.connection
        assert (connection.ok, connection.code) == (False, "E-SSH-AUTH"), (name, connection)
        assert snapshot.host(name).commands == {}
        assert emulator.log.commands() == []


def test_unknown_host_key_is_a_host_key_error(
    start_emulator: EmulatorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncssh

    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    emulators = {p.replace("_", "-"): start_emulator(p, secret=None) for p in PLATFORMS}
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().split()[:2]
    lines = [f"[{e.host}]:{e.port} {' '.join(impostor)}" for e in emulators.values()]
    snapshot = run_collect(tmp_path, emulators, lines)
    for name, emulator in emulators.items():
        connection = snapshot.host(name).facts.connection
        assert (connection.ok, connection.code) == (False, "E-SSH-HOSTKEY"), (name, connection)
        assert emulator.log.commands() == []
