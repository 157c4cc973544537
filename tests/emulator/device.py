"""A device the emulator presents: identity from device.yaml, command outputs from fixture files.

Layout of a fixture folder (see tests/fixtures/devices/README.md)::

    device.yaml                        platform, hostname, version, prompts, banner, state
    show_running-config_access-list.txt  one file per command: words joined by "_", "|" as "pipe"
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .profiles import PROFILES, Profile

_NAME_CHARS = re.compile(r"^[A-Za-z0-9.\-]+$")


def fixture_name(command: str) -> str | None:
    """File name (without .txt) holding a command's output; None when the command cannot name a file."""
    words = ["pipe" if w == "|" else w for w in command.split()]
    if not words or not all(_NAME_CHARS.match(w) for w in words):
        return None
    return "_".join(words)


def command_of(name: str) -> str:
    """The command a fixture file name stands for (the reverse of ``fixture_name``)."""
    return " ".join("|" if w == "pipe" else w for w in name.split("_"))


@dataclass
class Device:
    platform: str
    hostname: str
    version: str
    folder: Path
    banner: str = ""
    prompts: dict[str, str] = field(default_factory=dict)  # mode -> literal prompt, overrides the profile
    outputs: dict[str, str] = field(default_factory=dict)  # fixture name -> output text
    accept_banner: bool = False
    # Persistent device settings a session can change (FortiGate console output mode).
    state: dict[str, str] = field(default_factory=dict)
    state_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def profile(self) -> Profile:
        return PROFILES[self.platform]

    def output_for(self, command: str) -> str | None:
        name = fixture_name(command)
        return self.outputs.get(name) if name else None

    def known_commands(self) -> list[list[str]]:
        """Word lists of every command the device can answer (fixtures and session commands)."""
        return [command_of(name).split() for name in self.outputs]

    def get_state(self, key: str) -> str:
        with self.state_lock:
            return self.state.get(key, "")

    def set_state(self, key: str, value: str) -> None:
        with self.state_lock:
            self.state[key] = value


def load_device(folder: Path, **overrides: Any) -> Device:
    """Read a fixture folder; ``overrides`` replace device.yaml keys (e.g. ``state={...}``)."""
    meta: dict[str, Any] = yaml.safe_load((folder / "device.yaml").read_text(encoding="utf-8"))
    meta.update(overrides)
    platform = str(meta["platform"])
    if platform not in PROFILES:
        raise ValueError(f"{folder}: no emulator profile for platform {platform!r}")
    outputs = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    return Device(
        platform=platform,
        hostname=str(meta["hostname"]),
        version=str(meta.get("version", "")),
        folder=folder,
        banner=str(meta.get("banner", "")),
        prompts={str(k): str(v) for k, v in (meta.get("prompts") or {}).items()},
        outputs=outputs,
        accept_banner=bool(meta.get("accept_banner", False)),
        state={str(k): str(v) for k, v in (meta.get("state") or {}).items()},
    )
