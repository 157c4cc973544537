"""Apple push paths ready to draw: labels, badge classes and links to the findings behind each step."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.findings import Status

from .path_steps import DnsGlance, StepCheck
from .paths import NOT_EVALUATED, ApplePath, PathStep
from .view import STATUS_LABEL, finding_anchor

_LABEL = {s.value: label for s, label in STATUS_LABEL.items()} | {NOT_EVALUATED: "NOT EVALUATED"}
_GLYPH = {"PASS": "\u2713", "FAIL": "\u2717", "ERROR": "!", "NOT_APPLICABLE": "\u2013", NOT_EVALUATED: "?"}
_VERDICT_TEXT = {
    "PASS": "reaches Apple: every step passes or does not apply",
    "FAIL": "breaks at: {step}",
    "ERROR": "cannot be decided at: {step}",
    "INCOMPLETE": "not evaluated at: {step}",
}

_STOP = {
    "FAIL": "\u2717 the connection stops here",
    "ERROR": "! undecided: pushaudit cannot follow the path past this step",
    NOT_EVALUATED: "? not evaluated: the run holds no finding for this step",
}


@dataclass(frozen=True)
class Badge:
    css: str  # st-<STATUS>, st-skipped or st-not_reached
    glyph: str
    text: str


@dataclass(frozen=True)
class CheckLink:
    check_id: str
    host: str  # shown only when it is not the path's proxy (a firewall)
    badge: Badge
    summary: str
    href: str  # "#anchor" of the finding; empty when there is none


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    state: str  # passed, breaks, skipped, not_reached
    badge: Badge
    own: str  # the step's own result, shown beside "not reached"
    stop: str  # on the breaking step: why the path ends here
    checks: list[CheckLink]
    note: str
    dns_line: str  # on the DNS step: how many of the proxy's chains are as expected
    dns_href: str  # link to the host's DNS drawing; empty when there is none
    dns: list[DnsGlance]  # only the chains that are not as expected: the full drawing is in the host section


@dataclass(frozen=True)
class PathView:
    anchor: str
    proxy: str
    proxy_anchor: str
    client_network: str
    verdict: Badge
    outcome: str
    reaches: bool
    steps: list[StepView]


def status_badge(status: str) -> Badge:
    return Badge(f"st-{status}", _GLYPH.get(status, "?"), _LABEL.get(status, status))


def step_badge(step: PathStep) -> Badge:
    if step.state == "not_reached":
        return Badge("st-not_reached", "\u22ef", "not reached")
    if step.state == "skipped":
        return Badge("st-skipped", "\u2013", "skipped (n/a)")
    return status_badge(step.status)


def _check_link(check: StepCheck, proxy: str, host_anchors: dict[str, str]) -> CheckLink:
    host_anchor = host_anchors.get(check.host, "")
    href = f"#{finding_anchor(host_anchor, check.finding)}" if host_anchor and check.finding is not None else ""
    return CheckLink(check.check_id, "" if check.host == proxy else check.host, status_badge(check.status),
                     check.summary, href)


def _step_view(step: PathStep, proxy: str, host_anchors: dict[str, str]) -> StepView:
    own = "" if step.reached else f"own result: {_LABEL.get(step.status, step.status)}"
    stop = _STOP.get(step.status, "") if step.breaks else ""
    return StepView(step.key, step.title, step.state, step_badge(step), own, stop,
                    [_check_link(c, proxy, host_anchors) for c in step.checks], step.note, _dns_line(step),
                    f"#{host_anchors.get(proxy, '')}-dns" if step.dns and proxy in host_anchors else "",
                    [d for d in step.dns if not d.ok])


def _dns_line(step: PathStep) -> str:
    if not step.dns:
        return "no DNS chain recorded" if step.key == "dns" else ""
    good = sum(1 for d in step.dns if d.ok)
    noun = "chain" if len(step.dns) == 1 else "chains"
    return f"{good} of {len(step.dns)} DNS {noun} as expected"


def path_view(path: ApplePath, index: int, host_anchors: dict[str, str]) -> PathView:
    proxy_anchor = host_anchors.get(path.proxy, "")
    verdict_status = NOT_EVALUATED if path.verdict == "INCOMPLETE" else path.verdict
    blocked = next((s.title for s in path.steps if s.key == path.blocked_at), "")
    outcome = _VERDICT_TEXT.get(path.verdict, path.verdict).format(step=blocked or "?")
    verdict = status_badge(verdict_status)
    if path.verdict == Status.PASS.value:
        verdict = Badge("st-PASS", "\u2713", "REACHES APPLE")
    return PathView(f"{proxy_anchor}-path{index}", path.proxy, proxy_anchor, path.client_network, verdict, outcome,
                    not path.blocked_at, [_step_view(s, path.proxy, host_anchors) for s in path.steps])
