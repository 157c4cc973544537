"""The built-in lab, brought up once per test module and always torn down."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUSHAUDIT = [sys.executable, "-m", "pushaudit.cli"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from pushaudit.lab import lab_down, lab_up

    state = tmp_path_factory.mktemp("lab-state")
    os.environ["PUSHAUDIT_LAB_DIR"] = str(state)
    started = time.monotonic()
    try:
        lab_up(state)
        print(f"\nlab up: {time.monotonic() - started:.2f} s")
        yield state
    finally:
        lab_down(state)
        shutil.rmtree(state, ignore_errors=True)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as a user would."""
    return subprocess.run(
        [*PUSHAUDIT, *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def cli() -> object:
    return run_cli
