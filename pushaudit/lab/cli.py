"""The `pushaudit lab up | down | status` sub-commands."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pushaudit.lab.down import lab_down
from pushaudit.lab.state import STATE_DIR_ENV, LabError, default_state_dir
from pushaudit.lab.status import lab_status
from pushaudit.lab.up import NEED_ROOT, lab_up

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_ROOT = 69  # EX_UNAVAILABLE


def add_lab_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `lab` with `up`, `down` and `status`; each sets ``handler(args) -> int``."""
    lab = subparsers.add_parser(
        "lab",
        help="run the built-in namespace lab (needs root)",
        description="A lab fleet of Squid proxies and an nftables firewall in Linux network namespaces.",
    )
    commands = lab.add_subparsers(dest="lab_command", metavar="{up,down,status}", required=True)
    handlers: list[tuple[str, Callable[[argparse.Namespace], int], str]] = [
        ("up", _up, "build and start the lab (does nothing when it is already up)"),
        ("down", _down, "stop the lab and remove everything it made (safe to repeat)"),
        ("status", _status, "show the lab's namespaces and processes"),
    ]
    for name, handler, text in handlers:
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--state-dir",
            type=Path,
            default=None,
            help=f"lab state folder (default: ${STATE_DIR_ENV} or /var/lib/pushaudit-lab)",
        )
        command.set_defaults(handler=handler)


def _state_dir(args: argparse.Namespace) -> Path:
    chosen: Path | None = args.state_dir
    return chosen if chosen is not None else default_state_dir()


def _guarded(action: Callable[[Path], int]) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        if os.geteuid() != 0:
            print(NEED_ROOT, file=sys.stderr)
            return EXIT_NOT_ROOT
        try:
            return action(_state_dir(args))
        except LabError as exc:
            print(f"pushaudit lab: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except OSError as exc:
            print(f"pushaudit lab: {exc}", file=sys.stderr)
            return EXIT_FAILED

    return handler


def _do_up(state_dir: Path) -> int:
    if lab_status(state_dir).running:
        print(f"lab is already up (state in {state_dir.absolute()})")
        return EXIT_OK
    started = time.monotonic()
    lab_up(state_dir)
    print(f"lab up in {time.monotonic() - started:.1f} s (state in {state_dir.absolute()})")
    print(f"inventory: export {STATE_DIR_ENV}={state_dir.absolute()}")
    return EXIT_OK


def _do_down(state_dir: Path) -> int:
    started = time.monotonic()
    lab_down(state_dir)
    print(f"lab down in {time.monotonic() - started:.1f} s")
    return EXIT_OK


def _do_status(state_dir: Path) -> int:
    status = lab_status(state_dir)
    print("lab is " + ("running" if status.running else "not running"))
    for line in status.lines:
        print("  " + line)
    return EXIT_OK if status.running else EXIT_FAILED


_up = _guarded(_do_up)
_down = _guarded(_do_down)
_status = _guarded(_do_status)
