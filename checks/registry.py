"""One registry for all checks, loud on duplicates, and the loop that runs them on a host."""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Evidence, Finding, Severity, Status


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    rationale: str
    sources: tuple[str, ...]
    roles: frozenset[str]
    platforms: frozenset[str] | None = None  # None: every platform of the roles

    def applies_to(self, role: str, platform: str) -> bool:
        return role in self.roles and (self.platforms is None or platform in self.platforms)


class Check(ABC):
    spec: ClassVar[CheckSpec]

    @abstractmethod
    def run(self, ctx: HostContext) -> list[Finding]:
        """Decide for one host. Raise DataError when the data does not allow a decision."""

    def finding(
        self,
        ctx: HostContext,
        status: Status,
        summary: str,
        *,
        expected: str = "",
        found: str = "",
        evidence: tuple[Evidence, ...] | list[Evidence] = (),
        remediation: str = "",
        deciding_rule: str = "",
        code: str = "",
        details: dict[str, Any] | None = None,
    ) -> Finding:
        return Finding(
            check_id=self.spec.id,
            host=ctx.host,
            status=status,
            summary=summary,
            expected=expected,
            found=found,
            evidence=tuple(evidence),
            remediation=remediation,
            deciding_rule=deciding_rule,
            code=code,
            details=details or {},
        )


@dataclass
class Registry:
    checks: dict[str, Check] = field(default_factory=dict)
    loaded: bool = False

    def add(self, check: Check) -> None:
        if check.spec.id in self.checks:
            raise ValueError(f"check id {check.spec.id!r} registered twice")
        self.checks[check.spec.id] = check


REGISTRY = Registry()
C = TypeVar("C", bound=type[Check])


def register(cls: C) -> C:
    """Class decorator: instantiate and register a check."""
    REGISTRY.add(cls())
    return cls


def all_checks() -> list[Check]:
    """Import every module of this package once, then return the checks sorted by id."""
    if not REGISTRY.loaded:
        for module in pkgutil.iter_modules(_package_path()):
            if not module.name.startswith("_") and module.name != "registry":
                importlib.import_module(f"{__package__}.{module.name}")
        REGISTRY.loaded = True
    return [REGISTRY.checks[k] for k in sorted(REGISTRY.checks)]


def _package_path() -> list[str]:
    package = importlib.import_module(__package__ or "pushaudit.checks")
    return list(package.__path__)


def _not_applicable(spec: CheckSpec, role: str, platform: str) -> str:
    if role not in spec.roles:
        return f"applies to roles {', '.join(sorted(spec.roles))}; host is a {role} ({platform})"
    platforms = ", ".join(sorted(spec.platforms or ()))
    return f"applies to platforms {platforms}; pushaudit does not evaluate it on {platform}"


def evaluate_host(ctx: HostContext, checks: list[Check]) -> list[Finding]:
    """Run every check on one host. Nothing a check does can stop the others."""
    facts = ctx.facts
    findings: list[Finding] = []
    for check in checks:
        if not check.spec.applies_to(facts.role, facts.platform):
            findings.append(check.finding(ctx, Status.NOT_APPLICABLE, _not_applicable(check.spec, facts.role,
                                                                                       facts.platform)))
            continue
        if not facts.connection.ok:
            findings.append(
                check.finding(
                    ctx,
                    Status.ERROR,
                    f"no data: the host could not be audited ({facts.connection.message})",
                    code=facts.connection.code or "E-SSH-OTHER",
                )
            )
            continue
        try:
            findings.extend(check.run(ctx))
        except DataError as exc:
            evidence = (Evidence(source=exc.source, text=exc.message, line=exc.line),) if exc.source else ()
            findings.append(
                check.finding(ctx, Status.ERROR, exc.message, code=exc.code, evidence=evidence)
            )
        except Exception as exc:  # a bug in one check must not hide the others' verdicts
            findings.append(
                check.finding(
                    ctx,
                    Status.ERROR,
                    f"check crashed: {type(exc).__name__}: {exc}",
                    code="E-CHECK-CRASH",
                    details={"traceback": traceback.format_exc(limit=6)},
                )
            )
    return findings
