"""ssl_bump: which action Squid takes at which step.

Every rule is looked at at every step; rules whose action is impossible at that step are
skipped; the first matching rule wins; nothing matching means splice (or bump after a stare
at step 2). ``peek``/``stare`` move on to the next step; ``none`` is a splice and
``client-first``/``server-first`` are bumps, both step-1-only legacy actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pushaudit.squid.access import ListOutcome, evaluate_list
from pushaudit.squid.model import Rule, SquidConfig
from pushaudit.squid.request import MatchContext

STEP_ACTIONS: dict[int, frozenset[str]] = {
    1: frozenset({"splice", "bump", "peek", "stare", "terminate", "none", "client-first", "server-first"}),
    2: frozenset({"splice", "bump", "peek", "stare", "terminate"}),
    3: frozenset({"splice", "bump", "terminate"}),
}
LEGACY = {"none": "splice", "client-first": "bump", "server-first": "bump"}
FINAL = frozenset({"splice", "bump", "terminate"})


@dataclass(frozen=True)
class StepDecision:
    step: int
    action: str | None  # normalised action; None when it depends on unknowns
    outcome: ListOutcome


@dataclass(frozen=True)
class BumpOutcome:
    final: str | None  # splice, bump or terminate; None when undecided
    step: int | None  # the step that decided it
    steps: tuple[StepDecision, ...]
    notes: tuple[str, ...] = ()

    @property
    def rules(self) -> list[Rule]:
        """The ssl_bump lines that decided each step (empty for a default)."""
        return [r for s in self.steps for r in s.outcome.rules]

    @property
    def unknowns(self) -> list[str]:
        return [u for s in self.steps for u in s.outcome.unknowns]

    def describe(self) -> str:
        if self.final is None:
            return "undecided: " + "; ".join(self.unknowns or ["depends on the traffic"])
        chain = ", ".join(f"step {s.step}: {s.action}" for s in self.steps)
        notes = "".join(f"; {n}" for n in self.notes)
        return f"{self.final} at step {self.step} ({chain}){notes}"


def evaluate_bump(config: SquidConfig, context: Callable[[int], MatchContext]) -> BumpOutcome:
    steps: list[StepDecision] = []
    notes: list[str] = []
    previous = ""
    for step in (1, 2, 3):
        rules = [r for r in config.ssl_bump if r.action in STEP_ACTIONS[step]]
        default = "bump" if previous == "stare" and step == 3 else "splice"
        outcome = evaluate_list(f"ssl_bump step {step}", rules, context(step), config.acls, default)
        verdict = outcome.verdict
        action = LEGACY.get(verdict, verdict) if verdict is not None else None
        if action == "challenge":
            action = None  # an auth ACL in ssl_bump: not something we can decide
        steps.append(StepDecision(step, action, outcome))
        if action is None:
            return BumpOutcome(None, None, tuple(steps), tuple(notes))
        if action in FINAL:
            if step == 3 and previous == "stare" and action == "splice":
                # after staring, the server saw Squid's own TLS hello: the tunnel cannot be plain
                notes.append("splice requested after stare at step 2: Squid cannot splice then (bump or terminate)")
                action = "bump"
            if step == 3 and previous == "peek" and action == "bump":
                notes.append("bump requested after peek at step 2: Squid usually cannot bump then")
            return BumpOutcome(action, step, tuple(steps), tuple(notes))
        previous = action
    raise AssertionError("step 3 allows only final actions")  # pragma: no cover
