"""The Squid version from ``squid -v``."""

from __future__ import annotations

import re

from pushaudit.squid.model import SquidVersion

_VERSION = re.compile(r"Version\s+(\d+)\.(\d+)(\S*)")


def parse_version(output: str) -> SquidVersion | None:
    match = _VERSION.search(output)
    if match is None:
        return None
    return SquidVersion(int(match.group(1)), int(match.group(2)), match.group(0).split(None, 1)[1])
