"""The lab's journal: every resource ``up`` creates is written down before the next step,
so ``down`` can remove exactly that (and only that), even after a half-failed ``up``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "lab-state.json"
DEFAULT_STATE_DIR = Path("/var/lib/pushaudit-lab")
STATE_DIR_ENV = "PUSHAUDIT_LAB_DIR"


class LabError(Exception):
    """A lab step failed; the message says which step and quotes the tool's own words."""


def default_state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)


@dataclass
class ProcessRecord:
    """A daemon the lab started, or a helper one forked (``helper``); ``start_ticks``
    guards against PID reuse."""

    name: str
    ns: str
    pid: int
    start_ticks: int
    helper: bool = False


@dataclass
class LabState:
    namespaces: list[str] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)
    etc_netns: list[str] = field(default_factory=list)
    processes: list[ProcessRecord] = field(default_factory=list)
    user_created: bool = False
    sudoers_file: str = ""
    complete: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabState:
        values = dict(data)
        values["processes"] = [ProcessRecord(**p) for p in values.get("processes", [])]
        return cls(**values)


class Journal:
    """LabState persisted to ``<state_dir>/lab-state.json`` after every change."""

    def __init__(self, state_dir: Path, state: LabState) -> None:
        self.state_dir = state_dir
        self.state = state

    @property
    def path(self) -> Path:
        return self.state_dir / STATE_FILE

    @classmethod
    def load(cls, state_dir: Path) -> Journal:
        path = state_dir / STATE_FILE
        if not path.exists():
            return cls(state_dir, LabState())
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(state_dir, LabState.from_dict(data))
        except (ValueError, TypeError) as exc:
            raise LabError(f"{path}: unreadable lab state ({exc}); remove the lab by hand") from exc

    def exists(self) -> bool:
        return self.path.exists()

    def save(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self.state), indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.path)

    def add_namespace(self, name: str) -> None:
        self.state.namespaces.append(name)
        self.save()

    def add_root_link(self, name: str) -> None:
        self.state.root_links.append(name)
        self.save()

    def add_etc_netns(self, name: str) -> None:
        self.state.etc_netns.append(name)
        self.save()

    def add_process(self, record: ProcessRecord) -> None:
        self.state.processes.append(record)
        self.save()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
