"""The snapshot folder: everything a run collected, enough to re-evaluate it offline.

Layout::

    snapshot.json                 run metadata (format, times, host list)
    policy.yaml                   the effective policy the run used
    hosts/<name>/host.json        inventory facts and the connection outcome
    hosts/<name>/commands.json    one record per command: command, time, exit status
    hosts/<name>/outputs/<id>.txt raw command output
    hosts/<name>/files.json       one record per pulled file
    hosts/<name>/files/<path>     pulled files, at their remote absolute path
    hosts/<name>/listings.json    remote glob expansions (e.g. squid ``include conf.d/*.conf``)
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from pushaudit.errors import DataError

FORMAT = "pushaudit-snapshot/1"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class CommandRecord:
    id: str
    command: str
    started: str
    duration_s: float
    exit_status: int | None
    output_file: str
    error: str = ""


@dataclass
class FileRecord:
    path: str
    stored: str
    command: str
    exit_status: int | None
    error: str = ""


@dataclass
class Connection:
    ok: bool = False
    code: str = ""
    message: str = ""


@dataclass
class HostFacts:
    name: str
    hostname: str
    port: int
    platform: str
    role: str
    zone: str = ""
    team: str = ""
    client_networks: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    connection: Connection = field(default_factory=Connection)
    started: str = ""
    finished: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostFacts:
        values = dict(data)
        values["connection"] = Connection(**values.get("connection", {}))
        return cls(**values)


def _stored_path(remote: str) -> str:
    parts = PurePosixPath(remote).parts
    if not parts or parts[0] != "/" or ".." in parts:
        raise ValueError(f"not an absolute, normalised remote path: {remote!r}")
    return "files/" + "/".join(parts[1:])


class HostSnapshot:
    """Read and write access to one host's part of a snapshot."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._facts: HostFacts | None = None
        self._commands: dict[str, CommandRecord] | None = None
        self._files: dict[str, FileRecord] | None = None
        self._listings: dict[str, list[str]] | None = None

    def reopened(self) -> HostSnapshot:
        """A fresh reader of the same host (facts kept): caches keyed to this object go away."""
        fresh = HostSnapshot(self.root)
        fresh._facts = self._facts
        return fresh

    # -- writing ---------------------------------------------------------------
    @classmethod
    def create(cls, root: Path, facts: HostFacts) -> HostSnapshot:
        (root / "outputs").mkdir(parents=True, exist_ok=True)
        snap = cls(root)
        snap._facts = facts
        snap._commands = {}
        snap._files = {}
        snap._listings = {}
        snap.save()
        return snap

    def add_command(self, record: CommandRecord, output: str) -> None:
        if not _SAFE_ID.match(record.id):
            raise ValueError(f"unsafe command id {record.id!r}")
        record.output_file = f"outputs/{record.id}.txt"
        (self.root / record.output_file).write_text(output, encoding="utf-8")
        self.commands[record.id] = record

    def add_file(self, record: FileRecord, content: str | None) -> None:
        record.stored = _stored_path(record.path)
        if content is not None:
            target = self.root / record.stored
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        self.files[record.path] = record

    def add_listing(self, pattern: str, paths: list[str]) -> None:
        """Record what a remote glob pattern expanded to, so parsing can repeat it offline."""
        self.listings[pattern] = sorted(paths)

    def save(self) -> None:
        (self.root / "host.json").write_text(json.dumps(asdict(self.facts), indent=2) + "\n")
        commands = [asdict(c) for c in self.commands.values()]
        (self.root / "commands.json").write_text(json.dumps(commands, indent=2) + "\n")
        files = [asdict(f) for f in self.files.values()]
        (self.root / "files.json").write_text(json.dumps(files, indent=2) + "\n")
        (self.root / "listings.json").write_text(json.dumps(self.listings, indent=2) + "\n")

    # -- reading ---------------------------------------------------------------
    @property
    def facts(self) -> HostFacts:
        if self._facts is None:
            self._facts = HostFacts.from_dict(json.loads((self.root / "host.json").read_text()))
        return self._facts

    @property
    def commands(self) -> dict[str, CommandRecord]:
        if self._commands is None:
            path = self.root / "commands.json"
            raw = json.loads(path.read_text()) if path.exists() else []
            self._commands = {c["id"]: CommandRecord(**c) for c in raw}
        return self._commands

    @property
    def files(self) -> dict[str, FileRecord]:
        if self._files is None:
            path = self.root / "files.json"
            raw = json.loads(path.read_text()) if path.exists() else []
            self._files = {f["path"]: FileRecord(**f) for f in raw}
        return self._files

    @property
    def listings(self) -> dict[str, list[str]]:
        if self._listings is None:
            path = self.root / "listings.json"
            self._listings = json.loads(path.read_text()) if path.exists() else {}
        return self._listings

    def listing(self, pattern: str) -> list[str]:
        """The paths a glob matched on the host; DataError if it was never expanded."""
        if pattern not in self.listings:
            raise DataError("E-DATA-MISSING", f"glob {pattern} was not expanded on this host", source=pattern)
        return self.listings[pattern]

    def has_command(self, command_id: str) -> bool:
        return command_id in self.commands

    def command(self, command_id: str) -> tuple[CommandRecord, str]:
        """The record and output of a command; DataError if it was not collected."""
        record = self.commands.get(command_id)
        if record is None:
            raise DataError("E-DATA-MISSING", f"command {command_id!r} was not collected on this host")
        output = (self.root / record.output_file).read_text(encoding="utf-8")
        return record, output

    def file_text(self, path: str) -> str | None:
        """Contents of a pulled file, or None when the file was looked for and is absent."""
        record = self.files.get(path)
        if record is None:
            raise DataError("E-DATA-MISSING", f"file {path} was not collected on this host", source=path)
        if record.exit_status != 0:
            return None
        return (self.root / record.stored).read_text(encoding="utf-8")


class Snapshot:
    """A whole run: metadata, effective policy and one HostSnapshot per host."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def create(cls, root: Path, meta: dict[str, Any]) -> Snapshot:
        (root / "hosts").mkdir(parents=True, exist_ok=True)
        snap = cls(root)
        snap.write_meta({"format": FORMAT, **meta})
        return snap

    @classmethod
    def open(cls, root: Path) -> Snapshot:
        meta_path = root / "snapshot.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{root} is not a pushaudit snapshot (no snapshot.json)")
        fmt = json.loads(meta_path.read_text()).get("format")
        if fmt != FORMAT:
            raise ValueError(f"{root}: unsupported snapshot format {fmt!r} (expected {FORMAT})")
        return cls(root)

    @property
    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "snapshot.json").read_text())
        return data

    def write_meta(self, meta: dict[str, Any]) -> None:
        (self.root / "snapshot.json").write_text(json.dumps(meta, indent=2) + "\n")

    def host_dir(self, name: str) -> Path:
        if not _SAFE_ID.match(name):
            raise ValueError(f"host name {name!r} cannot be used as a folder name")
        return self.root / "hosts" / name

    def host(self, name: str) -> HostSnapshot:
        return HostSnapshot(self.host_dir(name))

    def host_names(self) -> list[str]:
        hosts = self.root / "hosts"
        return sorted(p.name for p in hosts.iterdir() if (p / "host.json").is_file()) if hosts.is_dir() else []
