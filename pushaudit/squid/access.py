"""First-match evaluation of an ordered Squid access list, in three-valued logic.

ACLs on a line are ANDed left to right and evaluation stops at the first one that fails, as in
Squid. When an ACL's result is unknown, both outcomes are followed (the same ACL keeps the
same value along one path); the list is decided only if every path ends the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pushaudit.squid.acl import AclResult, match_acl
from pushaudit.squid.model import Acl, Rule
from pushaudit.squid.request import MatchContext
from pushaudit.squid.tri import Tri

CHALLENGE = "challenge"  # Squid answers 407 Proxy Authentication Required
MAX_PATHS = 2048


@dataclass(frozen=True)
class AuthHit:
    rule: Rule
    acl: str


@dataclass(frozen=True)
class Path:
    """One way through the list: how it ended, and under which assumptions."""

    action: str  # the rule's action, the default, or CHALLENGE
    rule: Rule | None  # None: no line matched and the default applied
    auth: tuple[AuthHit, ...]
    assumed: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class ListOutcome:
    list_name: str
    paths: tuple[Path, ...]
    unknowns: tuple[str, ...]  # reasons for the ACLs that had to be assumed
    truncated: bool = False

    @property
    def verdict(self) -> str | None:
        """The common end of every path, or None when the answer depends on unknowns."""
        actions = {p.action for p in self.paths}
        return actions.pop() if len(actions) == 1 and not self.truncated else None

    @property
    def rule(self) -> Rule | None:
        rules = {id(p.rule): p.rule for p in self.paths}
        return next(iter(rules.values())) if len(rules) == 1 else None

    @property
    def rules(self) -> list[Rule]:
        """Every rule that ended some path, in config order."""
        unique = {id(p.rule): p.rule for p in self.paths if p.rule is not None}
        return sorted(unique.values(), key=lambda r: (r.directive.file, r.directive.line))

    @property
    def defaulted(self) -> bool:
        return all(p.rule is None for p in self.paths)

    @property
    def auth_reached(self) -> Tri:
        hits = [bool(p.auth) for p in self.paths]
        return Tri.YES if all(hits) else Tri.NO if not any(hits) else Tri.UNKNOWN

    @property
    def auth_hits(self) -> list[AuthHit]:
        unique = {(id(h.rule), h.acl): h for p in self.paths for h in p.auth}
        return list(unique.values())


def opposite_of_last(rules: list[Rule], empty: str) -> str:
    """Squid's default when no line matches: the opposite of the last line's action."""
    if not rules:
        return empty
    return "deny" if rules[-1].action == "allow" else "allow"


def evaluate_list(
    list_name: str,
    rules: list[Rule],
    ctx: MatchContext,
    acls: dict[str, Acl],
    default: str | Callable[[list[Rule]], str],
) -> ListOutcome:
    default_action = default(rules) if callable(default) else default
    cache: dict[str, AclResult] = {}
    paths: list[Path] = []
    reasons: dict[str, str] = {}
    stack: list[tuple[int, int, dict[str, bool], tuple[AuthHit, ...]]] = [(0, 0, {}, ())]
    while stack:
        if len(paths) >= MAX_PATHS:
            return ListOutcome(list_name, tuple(paths), tuple(reasons.values()), truncated=True)
        i, j, assumed, auth = stack.pop()
        while True:
            if i == len(rules):
                paths.append(Path(default_action, None, auth, tuple(assumed.items())))
                break
            rule = rules[i]
            if j == len(rule.acls):
                paths.append(Path(rule.action, rule, auth, tuple(assumed.items())))
                break
            ref = rule.acls[j]
            if ref.name not in cache:
                cache[ref.name] = match_acl(acls[ref.name], ctx, acls)
            result = cache[ref.name]
            if result.challenge:
                paths.append(Path(CHALLENGE, rule, (*auth, AuthHit(rule, ref.name)), tuple(assumed.items())))
                break
            value = result.match
            if value is Tri.UNKNOWN and ref.name not in assumed:
                reasons.setdefault(ref.name, result.reason or f"acl {ref.name} cannot be decided")
                stack.append((i, j, {**assumed, ref.name: False}, auth))
                stack.append((i, j, {**assumed, ref.name: True}, auth))
                break
            if result.auth:
                auth = (*auth, AuthHit(rule, ref.name))
            matched = assumed[ref.name] if value is Tri.UNKNOWN else value is Tri.YES
            if matched != ref.negated:
                j += 1
            else:
                i, j = i + 1, 0
    return ListOutcome(list_name, tuple(paths), tuple(reasons.values()))
