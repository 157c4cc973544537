"""Fixture files that hold several command outputs, each after a marker line
``#### pushaudit:command <id> [exit=N]`` (the harness of every platform reads them)."""

from __future__ import annotations

import re

MARKER = re.compile(r"^#### pushaudit:command (\S+)(?: exit=(-?\d+))?\s*$")


def split_outputs(text: str, default: str | None = None) -> dict[str, tuple[str, int]]:
    """Command id -> (output, exit status). A text without any marker is the output of
    ``default`` when one is given; otherwise, and for text before the first marker, ValueError."""
    lines = text.splitlines()
    if default is not None and not any(MARKER.match(line) for line in lines):
        return {default: (text, 0)}
    outputs: dict[str, tuple[str, int]] = {}
    current: tuple[str, int] | None = None
    body: list[str] = []
    for line in [*lines, "#### pushaudit:command __end__"]:
        found = MARKER.match(line)
        if found is None:
            if current is None and line.strip():
                raise ValueError(f"text before the first command marker: {line!r}")
            body.append(line)
            continue
        if current is not None:
            outputs[current[0]] = ("\n".join(body) + "\n", current[1])
        current, body = (found[1], int(found[2] or 0)), []
    return outputs
