"""Where a host's PAC files are (inventory ``pac_files`` / ``pac_urls``) and how the snapshot holds them.

The collector writes a manifest (command id ``pac_manifest``): the sources in order, the command
that fetched each URL, and the fixed instant the time functions are evaluated at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pushaudit.errors import DataError
from pushaudit.snapshot import HostFacts, HostSnapshot

MANIFEST_ID = "pac_manifest"
MANIFEST_COMMAND = "# pushaudit PAC manifest (written by the collector, not run on the host)"
FETCH_TIMEOUT_S = 10


@dataclass(frozen=True)
class PacSource:
    kind: str  # file or url
    location: str  # the path on the host, or the URL
    command_id: str = ""  # url: the curl command's id

    @property
    def evidence_source(self) -> str:
        return "files/" + self.location.lstrip("/") if self.kind == "file" else f"cmd:{self.command_id}"

    @property
    def name(self) -> str:
        """Short name for messages: the file name or the URL's last path part."""
        return self.location.rstrip("/").rsplit("/", 1)[-1] or self.location

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "location": self.location, "command_id": self.command_id}


def configured_sources(facts: HostFacts) -> list[PacSource]:
    """The PAC sources the inventory names for a host (empty: the PAC checks do not apply)."""
    files = [str(p) for p in facts.data.get("pac_files") or []]
    urls = [str(u) for u in facts.data.get("pac_urls") or []]
    return [PacSource("file", p) for p in files] + [
        PacSource("url", u, f"pacurl_{i}") for i, u in enumerate(urls, start=1)
    ]


@dataclass(frozen=True)
class Manifest:
    sources: list[PacSource]
    evaluated_at: str  # ISO instant the time functions see
    notes: list[str]

    @property
    def now_ms(self) -> int:
        return int(datetime.fromisoformat(self.evaluated_at).timestamp() * 1000)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": 1,
            "evaluated_at": self.evaluated_at,
            "sources": [s.to_dict() for s in self.sources],
            "notes": self.notes,
        }
        return json.dumps(data, indent=2) + "\n"


def read_manifest(snapshot: HostSnapshot) -> Manifest:
    if not snapshot.has_command(MANIFEST_ID):
        raise DataError(
            "E-DATA-MISSING",
            "the inventory names PAC files for this host but they were not collected (collector pac_files)",
            source=f"cmd:{MANIFEST_ID}",
        )
    _, output = snapshot.command(MANIFEST_ID)
    try:
        data = json.loads(output)
        sources = [PacSource(s["kind"], s["location"], s.get("command_id", "")) for s in data["sources"]]
        manifest = Manifest(sources, str(data["evaluated_at"]), [str(n) for n in data.get("notes", [])])
        manifest.now_ms  # noqa: B018 - validates the instant
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError("E-DATA-MISSING", f"the PAC manifest is unreadable: {exc}", f"cmd:{MANIFEST_ID}") from exc
    return manifest


def source_text(snapshot: HostSnapshot, source: PacSource) -> str:
    """The PAC's text as collected; DataError when it could not be fetched."""
    if source.kind == "file":
        text = snapshot.file_text(source.location)
        if text is None:
            error = snapshot.files[source.location].error
            raise DataError("E-COLLECT-COMMAND", f"PAC file {source.location} could not be read on the host: "
                            f"{error or 'no such file'}", source=source.evidence_source)
        return text
    record, output = snapshot.command(source.command_id)
    if record.exit_status != 0:
        why = record.error or output.strip()[:300] or f"exit status {record.exit_status}"
        raise DataError("E-COLLECT-COMMAND", f"fetching PAC {source.location} on the host failed: {why}",
                        source=source.evidence_source)
    return output
