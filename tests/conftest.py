"""Shared test helpers: lab gating and snapshot builders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# --import-mode=importlib puts no test folder on sys.path: helpers shared across folders
# (command_outputs) live here and are imported by plain name.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.append(_TESTS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Lab tests need root; CI sets PUSHAUDIT_REQUIRE_LAB=1 so they fail instead of skipping."""
    if os.geteuid() == 0:
        return
    if os.environ.get("PUSHAUDIT_REQUIRE_LAB") == "1":
        raise pytest.UsageError("PUSHAUDIT_REQUIRE_LAB=1 but not running as root: lab tests cannot run")
    skip = pytest.mark.skip(reason="lab tests need root (network namespaces); run: sudo scripts/test")
    for item in items:
        if "lab" in item.keywords:
            item.add_marker(skip)
