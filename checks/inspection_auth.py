"""inspection.apple_not_authenticated: no authentication rule of the firewall (PAN-OS
authentication policy, FortiGate explicit-proxy authentication) demands a login for Apple."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity, Status
from pushaudit.inspection.conclude import Wording, conclude
from pushaudit.inspection.models import AUTHENTICATION, PLATFORMS
from pushaudit.inspection.verdicts import details


@register
class AppleNotAuthenticated(Check):
    spec = CheckSpec(
        id="inspection.apple_not_authenticated",
        title="The firewall demands no user authentication for Apple",
        severity=Severity.HIGH,
        rationale=(
            "Devices cannot answer a captive portal or proxy login during activation or for push; "
            "Apple asks to exempt its hosts from proxy authentication."
        ),
        sources=("S1", "S2"),
        roles=frozenset({"firewall"}),
        platforms=PLATFORMS,
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        report = ctx.get(AUTHENTICATION)
        if not report.present:
            return [self.finding(ctx, Status.NOT_APPLICABLE, "the device has no authentication policy",
                                 details=details(report))]
        words = Wording(
            expected=f"no login demanded for traffic from {', '.join(ctx.facts.client_networks)} to Apple",
            yes_verb="must authenticate", unknown_verb="may have to authenticate",
            fail="authentication demanded for Apple",
            unknown="cannot decide whether Apple traffic must authenticate",
            passed="no authentication demanded for Apple from any client network", none_found="none authenticated",
        )
        return [conclude(self, ctx, report, words)]
