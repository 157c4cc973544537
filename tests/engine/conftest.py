"""Engine property tests: fixed Hypothesis settings for CI and a tally of what was compared.

``PUSHAUDIT_ENGINE_EXAMPLES=N`` scales every property test's example count by N/100 and
``PUSHAUDIT_ENGINE_RANDOM=1`` drops derandomisation, for a longer bug hunt outside CI;
``PUSHAUDIT_ENGINE_NO_SHRINK=1`` reports the first failure as found (shrinking big rulesets is slow).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, settings

_SCALE = int(os.environ.get("PUSHAUDIT_ENGINE_EXAMPLES", "100")) / 100
_RANDOM = os.environ.get("PUSHAUDIT_ENGINE_RANDOM") == "1"
_PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("PUSHAUDIT_ENGINE_NO_SHRINK") != "1"]


def engine_settings(max_examples: int) -> settings:
    """Same examples on every run (CI must not flake), no deadline (2-core runners vary)."""
    return settings(
        max_examples=max(1, int(max_examples * _SCALE)),
        derandomize=not _RANDOM,
        database=None,
        deadline=None,
        phases=_PHASES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@dataclass
class Tally:
    rulesets: int = 0
    queries: int = 0
    classes: int = 0
    packets: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        spread = ", ".join(f"{k} {v}" for k, v in sorted(self.verdicts.items()))
        return (f"engine vs brute force: {self.rulesets} rulesets, {self.queries} queries, {self.classes} classes, "
                f"{self.packets} packets compared ({spread})")


_TALLY = pytest.StashKey[Tally]()


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Tally:
    return request.config.stash.setdefault(_TALLY, Tally())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    found = config.stash.get(_TALLY, None)
    if found is not None and found.rulesets:
        terminalreporter.write_line(found.line())
