"""Which files a squid.conf pulls in, found before full parsing so a collector can fetch them."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Literal

from pushaudit.squid.lexer import TokenError, logical_lines, quoted_path, tokens

GLOB_CHARS = "*?["


@dataclass(frozen=True)
class SquidRef:
    kind: Literal["include", "file"]
    pattern: str  # absolute path or glob pattern
    is_glob: bool
    line: int  # first line of the directive that names it


def resolve(path: str, config_dir: str) -> str:
    """Absolute, normalised form of a path named in squid.conf (relative: to the config dir)."""
    joined = path if path.startswith("/") else posixpath.join(config_dir, path)
    return posixpath.normpath(joined)


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in GLOB_CHARS)


def referenced_paths(text: str, config_dir: str = "/etc/squid") -> list[SquidRef]:
    """Every ``include`` argument and quoted file argument of one squid.conf-style text.

    Pure: nothing is read. Lines inside ``if`` blocks count too (fetching a file too many is
    harmless; missing one is not). Lines that cannot be tokenised are skipped here; the parser
    reports them.
    """
    refs: list[SquidRef] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: Literal["include", "file"], raw: str, line: int) -> None:
        pattern = resolve(raw, config_dir)
        if (kind, pattern) not in seen:
            seen.add((kind, pattern))
            refs.append(SquidRef(kind, pattern, is_glob(pattern), line))

    for logical in logical_lines(text):
        try:
            words = tokens(logical.text)
        except TokenError:
            continue
        if not words:
            continue
        if words[0] == "include":
            for arg in words[1:]:
                add("include", arg, logical.first)
            continue
        for word in words[1:]:
            path = quoted_path(word)
            # outside acl lines quotes also hold format strings; only absolute paths are files there
            if path and (words[0] == "acl" or path.startswith("/")):
                add("file", path, logical.first)
    return refs
