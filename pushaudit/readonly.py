"""The read-only guard: every command sent to a device must match an allow-listed shape.

The audit must never change a device. Rather than trusting each call site, every command is
tokenised and checked here before it is sent.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

Rule = Callable[[list[str]], bool]


class ReadOnlyViolation(ValueError):
    pass


def _exact(*shape: str) -> Rule:
    return lambda argv: argv == list(shape)


def _ip_show(argv: list[str]) -> bool:
    return argv[:2] == ["ip", "-j"] and len(argv) >= 4 and argv[2] in {"addr", "route", "rule"} and argv[3] == "show"


def _sysctl(argv: list[str]) -> bool:
    return len(argv) == 3 and argv[:2] == ["sysctl", "-n"] and re.fullmatch(r"[a-z0-9_.]+", argv[2]) is not None


def _cat(argv: list[str]) -> bool:
    return len(argv) == 3 and argv[:2] == ["cat", "--"] and argv[2].startswith("/")


def _find(argv: list[str]) -> bool:
    # find DIR -maxdepth 1 -name PATTERN ( -type f -o -type l ): no -exec, -delete or -fprint
    return (
        len(argv) == 13
        and argv[0] == "find"
        and argv[1].startswith("/")
        and argv[2:5] == ["-maxdepth", "1", "-name"]
        and argv[6:] == ["(", "-type", "f", "-o", "-type", "l", ")"]
    )


def _dig(argv: list[str]) -> bool:
    opts_ok = all(a.startswith("+") or a in {"A", "AAAA"} or re.fullmatch(r"@[0-9a-fA-F.:]+", a) for a in argv[1:-2])
    return argv[0] == "dig" and len(argv) >= 3 and argv[-1] in {"A", "AAAA"} and opts_ok


def _curl_probe(argv: list[str]) -> bool:
    # only a CONNECT probe whose body goes to /dev/null; no -X, -d, -T, -o elsewhere
    allowed = {"-sS", "-v", "-k", "--noproxy", "--proxy", "--max-time", "-o"}
    if argv[0] != "curl" or "/dev/null" not in argv:
        return False
    i = 1
    while i < len(argv) - 1:
        flag = argv[i]
        if flag not in allowed:
            return False
        i += 2 if flag in {"--noproxy", "--proxy", "--max-time", "-o"} else 1
        if flag == "-o" and argv[i - 1] != "/dev/null":
            return False
    return argv[-1].startswith("https://")


def _curl_get(argv: list[str]) -> bool:
    # fetch a PAC/WPAD file to stdout: a plain GET, no upload, no output file
    return (
        len(argv) == 7
        and argv[:4] == ["curl", "-sS", "--max-time", argv[3]]
        and argv[3].isdigit()
        and argv[4:6] == ["--noproxy", "*"]
        and re.fullmatch(r"https?://[^\s]+", argv[6]) is not None
    )


RULES: list[Rule] = [
    _exact("squid", "-v"),
    _exact("nft", "-j", "list", "ruleset"),
    _exact("iptables-save"),
    _exact("ip6tables-save"),
    _exact("iptables-legacy-save"),
    _exact("ip6tables-legacy-save"),
    _ip_show,
    _sysctl,
    _cat,
    _find,
    _dig,
    _curl_probe,
    _curl_get,
]
SESSION_SETUP_OK = re.compile(
    r"^(export [A-Z_]+=[A-Za-z0-9_/:.-]*( [A-Z_]+=[A-Za-z0-9_/:.-]*)*"
    r"|bind 'set enable-bracketed-paste off' 2>/dev/null; true)$"
)


def check_read_only(command: str) -> list[str]:
    """Return argv when the command is an allowed read-only command; raise otherwise."""
    if SESSION_SETUP_OK.match(command):
        return [command]
    if any(ch in command for ch in ";|&`$<>\n") and not _quoted_only(command):
        raise ReadOnlyViolation(f"shell operators are not allowed in audit commands: {command!r}")
    argv = shlex.split(command)
    if argv[:2] == ["sudo", "-n"]:
        argv = argv[2:]
    if not argv or not any(rule(argv) for rule in RULES):
        raise ReadOnlyViolation(f"not an allow-listed read-only command: {command!r}")
    return argv


def _quoted_only(command: str) -> bool:
    """True when every shell metacharacter sits inside single quotes (values quoted by shlex.quote)."""
    outside = re.sub(r"'[^']*'", "", command)
    return not any(ch in outside for ch in ";|&`$<>\n")


# Session settings a vendor CLI needs to print whole, unpaged output; none changes configuration.
VENDOR_SESSION_OK = re.compile(
    r"^(terminal pager 0|terminal length 0|set cli pager off|set cli scripting-mode on"
    r"|set cli config-output-format set|set cli screen-length 0|set cli screen-width \d+)$"
)
def check_vendor_read_only(command: str, prefixes: list[str], setup: bool = False) -> None:
    """A vendor CLI command is read-only when it starts with an allowed verb and changes nothing."""
    if setup:
        if not VENDOR_SESSION_OK.match(command):
            raise ReadOnlyViolation(f"session setting not allow-listed: {command!r}")
        return
    if "\n" in command or ";" in command:
        raise ReadOnlyViolation(f"several commands in one line are not allowed: {command!r}")
    if not any(command.startswith(p) for p in prefixes):
        raise ReadOnlyViolation(f"not a read-only command for this platform: {command!r}")
    # The verb decides (show/get print, they cannot change); only display pipes may follow it.
    _, _, pipe = command.partition("|")
    if pipe and not re.fullmatch(r"(\s*(no-more|display (set|json|xml))\s*\|?)+", pipe):
        raise ReadOnlyViolation(f"only display pipes are allowed: {command!r}")
