"""One SSH session on a device: read-only commands with exit status, recorded in the snapshot."""

from __future__ import annotations

import re
import shlex
import time
from typing import Any

from pushaudit.masking import mask_secrets
from pushaudit.platforms import Platform
from pushaudit.snapshot import CommandRecord, FileRecord, HostSnapshot, now_iso

MARKER = "__PUSHAUDIT_RC__="
_MARKER_LINE = re.compile(rf"^{MARKER}(\d+)\s*$", re.MULTILINE)


class Session:
    """Wraps a Netmiko connection; every command passes the platform's read-only guard first."""

    def __init__(self, connection: Any, snapshot: HostSnapshot, platform: Platform) -> None:
        self.connection = connection
        self.snapshot = snapshot
        self.platform = platform
        self._errors = [re.compile(p, re.MULTILINE) for p in platform.error_patterns]

    def setup(self) -> None:
        for line in self.platform.session_setup:
            self.platform.guard(line)
            self.connection.send_command(line, read_timeout=10)

    def execute(self, command: str, read_timeout: float = 30.0) -> tuple[str, int | None, str]:
        """Run a command; return (output, exit status, error). Output has stderr merged in."""
        self.platform.guard(command)
        posix = self.platform.shell == "posix"
        try:
            raw = self.connection.send_command(
                f"{command} 2>&1; echo {MARKER}$?" if posix else command,
                read_timeout=read_timeout,
                strip_prompt=True,
                strip_command=True,
            )
        except Exception as exc:  # a slow or stuck command must not end the host's audit
            return "", None, f"{type(exc).__name__}: {exc}"
        text = str(raw).removeprefix("\n")
        if not posix:
            failed = next((p.pattern for p in self._errors if p.search(text)), "")
            return text, 1 if failed else 0, f"output matches error pattern {failed!r}" if failed else ""
        found = list(_MARKER_LINE.finditer(text))
        if not found:
            return text, None, "no exit status marker in the output (output may be truncated)"
        last = found[-1]
        return text[: last.start()].rstrip("\n") + "\n" if last.start() else "", int(last.group(1)), ""

    def run(self, command_id: str, command: str, read_timeout: float = 30.0) -> tuple[str, int | None]:
        started, t0 = now_iso(), time.monotonic()
        output, status, error = self.execute(command, read_timeout)
        record = CommandRecord(command_id, command, started, round(time.monotonic() - t0, 3), status, "", error)
        self.snapshot.add_command(record, mask_secrets(output))
        return output, status

    def skip(self, command_id: str, reason: str) -> None:
        record = CommandRecord(command_id, "", now_iso(), 0.0, None, "", f"skipped: {reason}")
        self.snapshot.add_command(record, "")

    def pull_file(self, path: str) -> str | None:
        """``cat`` a remote file into the snapshot; None when it is absent or unreadable."""
        command = shlex.join(["cat", "--", path])
        output, status, error = self.execute(command)
        record = FileRecord(path, "", command, status, error or (output.strip()[:300] if status else ""))
        content = mask_secrets(output) if status == 0 else None
        self.snapshot.add_file(record, content)
        return content

    def expand_glob(self, pattern: str) -> list[str]:
        """Expand a glob whose wildcards are in the last path component only."""
        directory, _, base = pattern.rpartition("/")
        if not directory or any(ch in directory for ch in "*?["):
            self.snapshot.add_listing(pattern, [])
            return []
        argv = ["find", directory, "-maxdepth", "1", "-name", base, "(", "-type", "f", "-o", "-type", "l", ")"]
        output, status, _ = self.execute(shlex.join(argv))
        lines = (line.strip() for line in output.splitlines())
        paths = sorted(line for line in lines if line.startswith("/")) if status == 0 else []
        self.snapshot.add_listing(pattern, paths)
        return paths
