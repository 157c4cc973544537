"""Helpers shared by the vendor collection tests (imported by name; conftest puts this folder on sys.path)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import DeviceEmulator, fixture_name

TESTS = Path(__file__).resolve().parents[1]
DEVICES = TESTS / "fixtures" / "devices"
PLATFORMS = ["cisco_asa", "paloalto_panos", "fortinet", "juniper_junos"]
USER = "admin"
PASSWORD = "emulator-Pass-1"  # the emulator's own test account
ENABLE_SECRET = "emulator-Enable-1"

# start_emulator(platform or folder, secret=..., overrides={...}, **DeviceEmulator kwargs)
EmulatorFactory = Callable[..., DeviceEmulator]

# The lines each Netmiko 4.8 driver sends by itself at login and logout (besides configuration
# changes, which the tests name separately). Anything else the emulator receives must be a command
# that passes the platform's read-only guard.
NETMIKO_SESSION_COMMANDS: dict[str, set[str]] = {
    "cisco_asa": {"show curpriv", "enable", "login", "terminal pager 0", "exit"},
    "paloalto_panos": {"set cli scripting-mode on", "set cli terminal width 500", "set cli pager off", "exit"},
    "fortinet": {"get system status | grep Virtual", "get system status | grep Version", "get system console", "exit"},
    "juniper_junos": {"set cli screen-width 511", "set cli complete-on-space off", "set cli screen-length 0", "exit"},
}


def connect(emulator: DeviceEmulator, **kwargs: Any) -> Any:
    """Netmiko's real driver for the emulated platform, fast_cli as the collector uses it."""
    from netmiko import ConnectHandler

    params: dict[str, Any] = {
        "device_type": emulator.device.platform,
        "host": emulator.host,
        "port": emulator.port,
        "username": USER,
        "password": PASSWORD,
        "fast_cli": True,
        "conn_timeout": 10,
        "ssh_config_file": None,
    }
    if emulator.device.platform == "cisco_asa":
        params["secret"] = ENABLE_SECRET
    params.update(kwargs)
    return ConnectHandler(**params)


def normalise(text: str) -> str:
    """Compare outputs modulo line endings and leading/trailing blank lines."""
    return text.replace("\r\n", "\n").strip("\n")


def fixture_output(platform: str, command: str) -> str:
    name = fixture_name(strip_no_more(command))
    assert name is not None, command
    return (DEVICES / platform / f"{name}.txt").read_text(encoding="utf-8")


def strip_no_more(command: str) -> str:
    """Junos '| no-more' is applied by the CLI, not part of the fixture's name."""
    return command.replace(" | no-more", "")
