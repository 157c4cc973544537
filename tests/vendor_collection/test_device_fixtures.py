"""The device fixture folders stay usable: complete, consistent with the platform files, unambiguous."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from emulator import PROFILES, fixture_name, load_device
from vendor_helpers import DEVICES, PLATFORMS, strip_no_more

from pushaudit.platforms import known_platforms, load_platform

FOLDERS = sorted(p.parent for p in DEVICES.glob("*/device.yaml"))
VERSION_COMMAND = {
    "cisco_asa": "show version",
    "paloalto_panos": "show system info",
    "fortinet": "get system status",
    "juniper_junos": "show version",
}


def test_every_vendor_platform_has_a_fixture_folder() -> None:
    vendor = sorted(p for p in known_platforms() if load_platform(p).shell == "network_cli")
    assert vendor == sorted(PLATFORMS)
    assert set(PLATFORMS) <= {f.name for f in FOLDERS}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_device_yaml_names_a_known_platform(folder: Path) -> None:
    meta = yaml.safe_load((folder / "device.yaml").read_text(encoding="utf-8"))
    assert {"platform", "hostname", "version", "prompts"} <= set(meta)
    assert meta["platform"] in PROFILES
    assert set(meta["prompts"]) <= set(PROFILES[meta["platform"]].prompts)


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_every_platform_command_has_a_fixture(platform_name: str) -> None:
    device = load_device(DEVICES / platform_name)
    for spec in load_platform(platform_name).commands:
        assert device.output_for(strip_no_more(spec.command)) is not None, f"no fixture for {spec.command!r}"


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_fixtures_do_not_look_like_errors(platform_name: str) -> None:
    """A fixture matching an error pattern would be recorded with exit status 1."""
    patterns = [re.compile(p, re.MULTILINE) for p in load_platform(platform_name).error_patterns]
    for name, text in load_device(DEVICES / platform_name).outputs.items():
        assert not [p.pattern for p in patterns if p.search(text)], name


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_fixtures_never_contain_the_prompt(platform_name: str) -> None:
    """Netmiko reads until the prompt: a prompt inside an output would cut it short."""
    device = load_device(DEVICES / platform_name)
    prompts = {
        (device.prompts.get(mode) or template).format(user="admin", hostname=device.hostname, context="x").strip()
        for mode, template in device.profile.prompts.items()
    }
    for name, text in device.outputs.items():
        for prompt in prompts:
            assert prompt not in text, (name, prompt)


@pytest.mark.parametrize("platform_name", PLATFORMS)
def test_version_output_matches_device_yaml(platform_name: str) -> None:
    device = load_device(DEVICES / platform_name)
    output = device.output_for(VERSION_COMMAND[platform_name])
    assert output is not None and device.version in output and device.hostname in output


def test_fortigate_status_says_whether_vdoms_are_on() -> None:
    """Netmiko's driver and the notes rely on this line to detect VDOM mode."""
    output = load_device(DEVICES / "fortinet").output_for("get system status") or ""
    assert re.search(r"^Virtual domain configuration: (disable|enable|multiple|split-task)$", output, re.M)
    assert re.search(r"^Version\s*:\s+.*v[78]\.", output, re.M)


def test_fixture_names_round_trip() -> None:
    assert fixture_name("show running-config access-list") == "show_running-config_access-list"
    assert fixture_name("show configuration security | display set") == "show_configuration_security_pipe_display_set"
    assert fixture_name("show run | include 'x y'") is None
