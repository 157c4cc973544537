"""DEVICE EMULATOR: vendor firewall CLIs over SSH, from fixture files, for Netmiko end-to-end tests."""

from .device import Device, fixture_name, load_device
from .device_emulator import DeviceEmulator, start_emulator
from .log import CommandLog, Received
from .profiles import PROFILES, Profile

__all__ = [
    "PROFILES",
    "CommandLog",
    "Device",
    "DeviceEmulator",
    "Profile",
    "Received",
    "fixture_name",
    "load_device",
    "start_emulator",
]
