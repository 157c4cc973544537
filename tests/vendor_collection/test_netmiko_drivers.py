"""Netmiko's real drivers, end to end against the device emulator: every platform command, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from emulator import DeviceEmulator
from vendor_helpers import (
    NETMIKO_SESSION_COMMANDS,
    PLATFORMS,
    EmulatorFactory,
    connect,
    fixture_output,
    normalise,
)

from pushaudit.platforms import load_platform

pytestmark = [
    pytest.mark.timeout(120),
    # Netmiko's fortinet driver allows only finite-field DH key exchanges, which cryptography deprecates
    pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields::"),
]

# The prompts as each device prints them, after the driver's session preparation.
PROMPTS = {
    "cisco_asa": "asa-fw1#",
    "paloalto_panos": "admin@PA-VM>",
    "fortinet": "FGT-1 #",
    "juniper_junos": "admin@srx1>",
}


def assert_read_only(emulator: DeviceEmulator) -> None:
    """No configuration command, and every line is a driver session command or passes the guard."""
    assert emulator.wait_idle(), "the client did not close its session"
    platform = load_platform(emulator.device.platform)
    assert emulator.log.configuration_commands() == []
    for command in emulator.log.commands():
        if command not in NETMIKO_SESSION_COMMANDS[emulator.device.platform]:
            platform.guard(command)


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_every_platform_command_returns_its_fixture(start_emulator: EmulatorFactory, platform_name: str) -> None:
    platform = load_platform(platform_name)
    emulator = start_emulator(platform_name)
    # the ASA driver enters configuration mode for "terminal width" unless told not to (see below)
    extra = {"allow_auto_change": False} if platform_name == "cisco_asa" else {}
    conn = connect(emulator, **extra)
    try:
        assert conn.find_prompt() == PROMPTS[platform_name]
        for spec in platform.commands_for("firewall"):
            output = conn.send_command(spec.command, read_timeout=spec.read_timeout)
            assert normalise(output) == normalise(fixture_output(platform_name, spec.command)), spec.command
            assert emulator.device.profile.more_prompt.strip() not in output
    finally:
        conn.disconnect()
    assert_read_only(emulator)


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_fixture_longer_than_a_page_arrives_whole(start_emulator: EmulatorFactory, platform_name: str) -> None:
    """The drivers turn paging off; without that, the longest fixture would stop at the pager prompt."""
    emulator = start_emulator(platform_name, overrides={"state": {"console_output": "standard"}})
    page = emulator.device.profile.page_lines
    longest = max(emulator.device.outputs, key=lambda name: emulator.device.outputs[name].count("\n"))
    assert emulator.device.outputs[longest].count("\n") > 2 * page
    command = " ".join("|" if w == "pipe" else w for w in longest.split("_"))
    conn = connect(emulator, allow_auto_change=False)
    try:
        output = conn.send_command(command, read_timeout=30)
    finally:
        conn.disconnect()
    assert normalise(output) == normalise(emulator.device.outputs[longest])


def test_asa_driver_changes_terminal_width_in_config_mode_by_default(start_emulator: EmulatorFactory) -> None:
    """allow_auto_change (Netmiko's ASA default) sends 'terminal width 511' in configuration mode."""
    emulator = start_emulator("cisco_asa")
    connect(emulator).disconnect()
    assert emulator.wait_idle()
    assert emulator.log.configuration_commands() == ["configure terminal", "terminal width 511", "end"]


def test_asa_without_secret_uses_login(start_emulator: EmulatorFactory) -> None:
    emulator = start_emulator("cisco_asa", secret=None)
    conn = connect(emulator, secret="", allow_auto_change=False)
    try:
        assert conn.find_prompt() == "asa-fw1#"
        assert "Username : admin" in conn.send_command("show curpriv")
    finally:
        conn.disconnect()
    assert_read_only(emulator)
    assert "login" in emulator.log.commands()


def test_fortigate_with_output_standard_sends_no_configuration(start_emulator: EmulatorFactory) -> None:
    emulator = start_emulator("fortinet", overrides={"state": {"console_output": "standard"}})
    connect(emulator).disconnect()
    assert_read_only(emulator)
    assert emulator.device.get_state("console_output") == "standard"


def test_fortigate_with_output_more_changes_the_console_and_back(start_emulator: EmulatorFactory) -> None:
    """What Netmiko's fortinet driver changes when the console pages: 'set output standard', then 'more'."""
    emulator = start_emulator("fortinet", overrides={"state": {"console_output": "more"}})
    conn = connect(emulator)
    try:
        assert emulator.device.get_state("console_output") == "standard"  # changed during the session
        output = conn.send_command("show firewall policy")
        assert normalise(output) == normalise(fixture_output("fortinet", "show firewall policy"))
    finally:
        conn.disconnect()
    assert emulator.wait_idle()
    assert emulator.log.configuration_commands() == [
        "config system console",
        "set output standard",
        "end",
        "config system console",
        "set output more",
        "end",
    ]
    assert emulator.device.get_state("console_output") == "more"


@pytest.mark.parametrize("allow_agent", [False, True])
def test_panos_keyboard_interactive_and_password_auth(start_emulator: EmulatorFactory, allow_agent: bool) -> None:
    """Without keys or agent the PAN-OS driver answers a keyboard-interactive prompt; else plain password."""
    emulator = start_emulator("paloalto_panos")
    conn = connect(emulator, allow_agent=allow_agent)
    try:
        assert "operational-mode: normal" in conn.send_command("show system info")
    finally:
        conn.disconnect()
    assert_read_only(emulator)


def test_public_key_auth(start_emulator: EmulatorFactory, tmp_path: Path) -> None:
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(key.export_private_key())
    key_file.chmod(0o600)
    emulator = start_emulator("juniper_junos", authorized_keys=key.export_public_key().decode())
    conn = connect(emulator, password="", use_keys=True, key_file=str(key_file))
    try:
        assert "Model: srx340" in conn.send_command("show version")
    finally:
        conn.disconnect()
    assert_read_only(emulator)


def test_fortigate_post_login_banner_is_accepted(start_emulator: EmulatorFactory) -> None:
    emulator = start_emulator("fortinet", overrides={"accept_banner": True, "banner": "Monitored system.\n"})
    conn = connect(emulator)
    try:
        assert "Hostname: FGT-1" in conn.send_command("get system status")
    finally:
        conn.disconnect()
    assert_read_only(emulator)


def test_stop_ends_open_sessions(start_emulator: EmulatorFactory) -> None:
    emulator = start_emulator("juniper_junos")
    conn = connect(emulator)
    emulator.stop()
    assert emulator.wait_idle(timeout=5)
    assert not conn.is_alive()
    conn.disconnect()
