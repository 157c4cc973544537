"""Fixtures for the vendor collection tests: device emulators that always stop.

pytest runs with --import-mode=importlib, which puts no test folder on sys.path: the device
emulator package (tests/emulator) and the helpers beside this file are imported by name.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent
for _path in (_HERE.parent, _HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from emulator import DeviceEmulator, load_device  # noqa: E402
from vendor_helpers import DEVICES, ENABLE_SECRET, PASSWORD, USER, EmulatorFactory  # noqa: E402


@pytest.fixture
def start_emulator() -> Iterator[EmulatorFactory]:
    """Start emulators for fixture folders; every one is stopped at teardown, even on failure."""
    started: list[DeviceEmulator] = []

    def start(platform_or_folder: str | Path, secret: str | None = ENABLE_SECRET, **kwargs: Any) -> DeviceEmulator:
        folder = DEVICES / platform_or_folder if isinstance(platform_or_folder, str) else platform_or_folder
        overrides = kwargs.pop("overrides", {})
        emulator = DeviceEmulator(load_device(folder, **overrides), {USER: PASSWORD}, secret=secret, **kwargs)
        started.append(emulator)
        return emulator.start()

    yield start
    for emulator in started:
        emulator.stop()
