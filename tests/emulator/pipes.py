"""Output pipes a vendor CLI applies itself (``| include``, ``| grep``, ``| match``, ``| no-more`` ...).

Pipes the profile does not list stay part of the command, so ``show configuration | display set``
is answered from its own fixture file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pipe:
    kind: str  # include | exclude | begin | nomore
    pattern: str = ""
    ignore_case: bool = False
    invert: bool = False


def split_pipes(command: str, known: dict[str, str]) -> tuple[str, list[Pipe]]:
    """Split ``command`` into the part a fixture answers and the pipes the CLI applies to its output."""
    parts = [p.strip() for p in command.split("|")]
    base, pipes = [parts[0]], []
    for part in parts[1:]:
        keyword, _, rest = part.partition(" ")
        if keyword not in known:
            base.append(part)
            continue
        args = rest.split()
        flags = {a for a in args if a.startswith("-") and len(a) == 2}
        pattern = " ".join(a for a in args if a not in flags).strip("\"'")
        pipes.append(Pipe(known[keyword], pattern, ignore_case="-i" in flags, invert="-v" in flags))
    return " | ".join(base), pipes


def _matches(pipe: Pipe, line: str) -> bool:
    flags = re.IGNORECASE if pipe.ignore_case else 0
    try:
        return re.search(pipe.pattern, line, flags) is not None
    except re.error:
        return (pipe.pattern.lower() in line.lower()) if pipe.ignore_case else pipe.pattern in line


def apply_pipes(text: str, pipes: list[Pipe]) -> str:
    lines = text.removesuffix("\n").split("\n") if text else []
    for pipe in pipes:
        if pipe.kind == "include":
            lines = [line for line in lines if _matches(pipe, line) != pipe.invert]
        elif pipe.kind == "exclude":
            lines = [line for line in lines if not _matches(pipe, line)]
        elif pipe.kind == "begin":
            start = next((i for i, line in enumerate(lines) if _matches(pipe, line)), len(lines))
            lines = lines[start:]
    return "\n".join(lines)
