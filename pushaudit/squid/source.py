"""Build the SquidConfig of one host from its snapshot: the ``SQUID`` model key."""

from __future__ import annotations

import posixpath

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.snapshot import HostSnapshot
from pushaudit.squid.model import SquidConfig, SquidVersion
from pushaudit.squid.parse import parse_config
from pushaudit.squid.version import parse_version

DEFAULT_CONF = "/etc/squid/squid.conf"


class SnapshotSource:
    """Files and glob expansions as the collector pulled them from the host."""

    def __init__(self, snapshot: HostSnapshot) -> None:
        self.snapshot = snapshot

    def read(self, path: str) -> str:
        text = self.snapshot.file_text(path)
        if text is None:
            raise DataError(
                "E-PARSE-SQUID",
                f"{path} is named by the Squid configuration but does not exist on the host "
                "(Squid refuses to start without it)",
                source="files/" + path.lstrip("/"),
            )
        return text

    def expand(self, pattern: str) -> list[str]:
        return sorted(self.snapshot.listing(pattern))


def squid_version(snapshot: HostSnapshot) -> tuple[SquidVersion | None, str]:
    """The version, or None with the reason it is unknown."""
    if not snapshot.has_command("squid_version"):
        return None, "squid -v was not collected; assuming Squid 5 or later"
    record, output = snapshot.command("squid_version")
    version = parse_version(output)
    if version is None:
        return None, f"squid -v printed no version (exit {record.exit_status}); assuming Squid 5 or later"
    return version, ""


def build_squid_config(ctx: HostContext) -> SquidConfig:
    main = str(ctx.facts.data.get("squid_conf", DEFAULT_CONF))
    if ctx.snapshot.file_text(main) is None:
        raise DataError(
            "E-DATA-MISSING",
            f"{main} does not exist on the host; is Squid installed, or does the inventory need "
            "data.squid_conf set to the real path?",
            source="files/" + main.lstrip("/"),
        )
    version, problem = squid_version(ctx.snapshot)
    config = parse_config(main, SnapshotSource(ctx.snapshot), version, posixpath.dirname(main) or "/")
    if problem:
        config.warnings.insert(0, problem)
    return config


SQUID: ModelKey[SquidConfig] = ModelKey("squid_config", build_squid_config)
