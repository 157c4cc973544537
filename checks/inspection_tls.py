"""inspection.apple_not_decrypted: no decryption rule or SSL inspection profile of the firewall
decrypts TLS from the client networks to Apple (decided per client network and Apple name)."""

from __future__ import annotations

from pushaudit.checks.registry import Check, CheckSpec, register
from pushaudit.context import HostContext
from pushaudit.findings import Finding, Severity
from pushaudit.inspection.conclude import Wording, conclude
from pushaudit.inspection.models import DECRYPTION, PLATFORMS


@register
class AppleNotDecrypted(Check):
    spec = CheckSpec(
        id="inspection.apple_not_decrypted",
        title="The firewall does not decrypt TLS to Apple",
        severity=Severity.CRITICAL,
        rationale=(
            "Apple devices pin the certificates of Apple services and fail any connection that is "
            "intercepted; TLS inspection must exempt Apple's hosts and ranges."
        ),
        sources=("S1", "S2"),
        roles=frozenset({"firewall"}),
        platforms=PLATFORMS,
    )

    def run(self, ctx: HostContext) -> list[Finding]:
        networks = ", ".join(ctx.facts.client_networks)
        ranges = ", ".join(str(n) for n in ctx.policy.apple_ranges())
        words = Wording(
            expected=f"TLS from {networks} to Apple names and {ranges} is not decrypted",
            yes_verb="decrypted", unknown_verb="possibly decrypted", fail="TLS to Apple is decrypted",
            unknown="cannot decide whether TLS to Apple is decrypted",
            passed="no decryption of TLS to Apple from any client network", none_found="none decrypted",
        )
        return [conclude(self, ctx, ctx.get(DECRYPTION), words)]
