"""Command outputs of an ASA snapshot as numbered lines and blocks, with fail-closed handling
of missing or failed commands and of output that is not ASA configuration at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.errors import DataError
from pushaudit.snapshot import HostSnapshot

_MAX_WARNINGS = 40  # per command; a broken 20,000-line dump must not bury the report


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line in the command's output
    text: str  # without trailing blanks

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass
class Block:
    """A top-level line (``object network X``, ``interface Gi0/0``) and its indented lines."""

    head: Line
    body: list[Line] = field(default_factory=list)


@dataclass
class Output:
    command_id: str
    lines: list[Line]
    warnings: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    _dropped: int = 0

    @property
    def source(self) -> str:
        return f"cmd:{self.command_id}"

    def warn(self, line: Line | None, message: str) -> None:
        if len(self.warnings) >= _MAX_WARNINGS:
            self._dropped += 1
            return
        where = f" line {line.number}" if line is not None else ""
        self.warnings.append(f"{self.source}{where}: {message}")

    def skip(self, line: Line | None, message: str) -> None:
        """A line left out of the model: a warning, and a reason no check may pass."""
        where = f" line {line.number}" if line is not None else ""
        self.unread.append(f"{self.source}{where}: {message}")
        self.warn(line, message)

    def all_warnings(self) -> list[str]:
        tail = [f"{self.source}: {self._dropped} more warnings not shown"] if self._dropped else []
        return self.warnings + tail

    def blocks(self) -> list[Block]:
        """Group indented lines under the top-level line before them (``!`` closes a block)."""
        out: list[Block] = []
        current: Block | None = None
        for line in self.lines:
            if line.text.startswith((" ", "\t")):
                if current is not None:
                    current.body.append(line)
                else:
                    self.warn(line, f"indented line outside any block: {line.text.strip()}")
            elif line.text.startswith(("!", ":")):
                current = None
            else:
                current = Block(line)
                out.append(current)
        return out


def _split(text: str) -> list[Line]:
    return [Line(i, raw.rstrip()) for i, raw in enumerate(text.splitlines(), 1) if raw.strip()]


def read_output(snapshot: HostSnapshot, command_id: str, *, required: bool,
                warnings: list[str]) -> Output | None:
    """The command's lines; DataError when a required one is missing or failed, None (with a
    warning) when an optional one is."""
    if not snapshot.has_command(command_id):
        if required:
            raise DataError("E-DATA-MISSING", f"command {command_id!r} was not collected on this host",
                            source=f"cmd:{command_id}")
        warnings.append(f"cmd:{command_id}: not collected")
        return None
    record, text = snapshot.command(command_id)
    if record.exit_status != 0:
        detail = record.error or text.strip()[:200]
        message = f"'{record.command}' failed (exit {record.exit_status}): {detail}"
        if required:
            raise DataError("E-COLLECT-COMMAND", message, source=f"cmd:{command_id}")
        warnings.append(f"cmd:{command_id}: {message}")
        return None
    return Output(command_id, _split(text))


def require_vendor(output: Output, prefixes: tuple[str, ...], what: str) -> None:
    """Output with content but no line of the expected shape is not ASA configuration."""
    if not output.lines:
        return
    if not any(line.text.startswith(prefixes) for line in output.lines):
        first = output.lines[0]
        raise DataError("E-PARSE-FIREWALL",
                        f"{output.source} does not look like Cisco ASA {what} (first line: {first.text[:80]!r})",
                        source=output.source, line=first.number)
