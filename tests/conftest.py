"""Shared test helpers: lab gating and snapshot builders."""

from __future__ import annotations

import os

import pytest


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
