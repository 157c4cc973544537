"""The path an Apple push connection takes: client network -> PAC -> interception -> proxy -> inspection -> DNS.

Built only from what a RunResult holds (findings, DNS chains, client networks); nothing is evaluated again.
One path per proxy host and client network. The first step that fails, errs or was not evaluated stops the
path: the steps after it are kept with their own result but marked as not reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.findings import Status
from pushaudit.masking import mask_secrets
from pushaudit.results import HostResult, RunResult

from .path_steps import STEP_DEFS, DnsGlance, StepCheck, StepDef, dns_glance, firewalls_on_path, worst_finding

NOT_EVALUATED = "NOT_EVALUATED"  # a check of the step left no finding on the host: an explicit unknown
# Which result decides a step with several checks. A definite FAIL is where the connection breaks, so it
# names the step before an ERROR (which only says pushaudit could not tell); a missing finding comes next,
# and a step passes only when no check failed, erred or is missing.
STEP_PRECEDENCE = (Status.FAIL.value, Status.ERROR.value, NOT_EVALUATED, Status.PASS.value)
BLOCKING = frozenset({Status.FAIL.value, Status.ERROR.value, NOT_EVALUATED})
NO_CLIENT_NETWORK = "(no client network listed)"


@dataclass(frozen=True)
class PathStep:
    key: str  # pac, interception, proxy, inspection, dns
    title: str
    status: str  # PASS, FAIL, ERROR, NOT_APPLICABLE or NOT_EVALUATED: the step's own result
    reached: bool  # False after the first blocking step
    breaks: bool  # True on the first blocking step only
    checks: tuple[StepCheck, ...] = ()
    note: str = ""
    dns: tuple[DnsGlance, ...] = ()

    @property
    def state(self) -> str:
        """How the step is drawn: breaks, passed, skipped, not_reached."""
        if not self.reached:
            return "not_reached"
        if self.breaks:
            return "breaks"
        return "skipped" if self.status == Status.NOT_APPLICABLE.value else "passed"


@dataclass(frozen=True)
class ApplePath:
    proxy: str
    client_network: str
    verdict: str  # PASS, FAIL, ERROR or INCOMPLETE (a step was not evaluated)
    blocked_at: str  # key of the first blocking step, "" when the path reaches Apple
    steps: tuple[PathStep, ...] = field(default_factory=tuple)

    def step(self, key: str) -> PathStep:
        return next(s for s in self.steps if s.key == key)


def combine(statuses: list[str]) -> str:
    """The step's result from its checks' results (all N/A, or none at all, is N/A)."""
    for status in STEP_PRECEDENCE:
        if status in statuses:
            return status
    return Status.NOT_APPLICABLE.value


def _proxy_checks(host: HostResult, step: StepDef) -> tuple[StepCheck, ...]:
    checks: list[StepCheck] = []
    for check_id in step.check_ids:
        found = worst_finding(host, check_id)
        if found is None:
            checks.append(StepCheck(check_id, host.facts.name, NOT_EVALUATED, "no finding for this check in the run"))
        else:
            index, finding = found
            checks.append(StepCheck(check_id, host.facts.name, finding.status.value, mask_secrets(finding.summary),
                                    index))
    return tuple(checks)


def _inspection_checks(network: str, proxy: HostResult, hosts: list[HostResult]) -> tuple[tuple[StepCheck, ...], str]:
    firewalls = firewalls_on_path(network, proxy, hosts)
    if not firewalls:
        return (), "no audited firewall serves this client network or the proxy"
    checks = [
        StepCheck(finding.check_id, fw.facts.name, finding.status.value, mask_secrets(finding.summary), index)
        for fw in firewalls
        for index, finding in enumerate(fw.findings)
        if finding.check_id.startswith("inspection.")
    ]
    if not checks:
        names = ", ".join(fw.facts.name for fw in firewalls)
        return (), f"no inspection checks ran on the firewall(s) on this path ({names})"
    return tuple(checks), "firewalls on this path: " + ", ".join(fw.facts.name for fw in firewalls)


def _step(step: StepDef, network: str, proxy: HostResult, hosts: list[HostResult]) -> PathStep:
    note = ""
    if step.key == "inspection":
        checks, note = _inspection_checks(network, proxy, hosts)
    else:
        checks = _proxy_checks(proxy, step)
    glance = tuple(dns_glance(c) for c in proxy.dns) if step.key == "dns" else ()
    status = combine([c.status for c in checks])
    return PathStep(step.key, step.title, status, reached=True, breaks=False, checks=checks, note=note, dns=glance)


def build_path(network: str, proxy: HostResult, hosts: list[HostResult]) -> ApplePath:
    """One client network -> proxy path, stopped at its first blocking step."""
    steps: list[PathStep] = []
    blocked_at = ""
    verdict = Status.PASS.value
    for definition in STEP_DEFS:
        step = _step(definition, network, proxy, hosts)
        if blocked_at:
            step = PathStep(step.key, step.title, step.status, False, False, step.checks, step.note, step.dns)
        elif step.status in BLOCKING:
            blocked_at = step.key
            verdict = "INCOMPLETE" if step.status == NOT_EVALUATED else step.status
            step = PathStep(step.key, step.title, step.status, True, True, step.checks, step.note, step.dns)
        steps.append(step)
    return ApplePath(proxy.facts.name, network, verdict, blocked_at, tuple(steps))


def host_paths(proxy: HostResult, hosts: list[HostResult]) -> list[ApplePath]:
    """The paths of one host, in the order of its client networks; empty for hosts that are not proxies."""
    if proxy.facts.role != "proxy":
        return []
    networks = proxy.facts.client_networks or [NO_CLIENT_NETWORK]
    return [build_path(network, proxy, hosts) for network in networks]


def build_paths(run: RunResult) -> dict[str, list[ApplePath]]:
    """Per host name, its Apple push paths (proxies only), hosts in the run's order."""
    return {host.facts.name: host_paths(host, run.hosts) for host in run.hosts}
