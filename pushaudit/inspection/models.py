"""The inspection decisions of a host, built once per run for the checks (``ctx.get``)."""

from __future__ import annotations

from typing import Protocol

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.inspection.decision import InspectionReport
from pushaudit.inspection.engine import decide
from pushaudit.inspection.targets import AppleTarget, apple_targets
from pushaudit.interception import RuleRef
from pushaudit.netfilter.ifaces import TOPOLOGY
from pushaudit.netfilter.intercept import client_networks
from pushaudit.netfilter.model import Ruleset

PLATFORMS = frozenset({"paloalto_panos", "fortinet"})


class RuleListBuilder(Protocol):
    warnings: list[str]

    def build(self, target: AppleTarget) -> Ruleset: ...

    def exemptions(self) -> list[RuleRef]: ...


def _builder(ctx: HostContext, kind: str) -> tuple[RuleListBuilder, bool]:
    platform = ctx.facts.platform
    if platform == "paloalto_panos":
        if kind == "decryption":
            from pushaudit.inspection.panos_decrypt import PanosDecryption

            return PanosDecryption(ctx.snapshot), True
        from pushaudit.inspection.panos_auth import PanosAuthentication

        auth = PanosAuthentication(ctx.snapshot)
        return auth, auth.present
    if platform == "fortinet":
        if kind == "decryption":
            from pushaudit.inspection.forti_decrypt import FortiDecryption

            return FortiDecryption(ctx.snapshot), True
        from pushaudit.inspection.forti_auth import FortiAuthentication

        forti_auth = FortiAuthentication(ctx.snapshot)
        return forti_auth, forti_auth.present
    raise DataError("E-PLATFORM", f"pushaudit reads no TLS inspection policy for platform {platform!r}")


def _report(ctx: HostContext, kind: str) -> InspectionReport:
    networks = client_networks(ctx)
    if not networks:
        raise DataError("E-DATA-MISSING", "the inventory lists no client_networks for this firewall",
                        source="host.json")
    builder, present = _builder(ctx, kind)
    report = InspectionReport(kind, present=present, syntax=ctx.facts.platform)
    report.warnings = list(builder.warnings)
    if not present:
        return report
    report.exemptions = builder.exemptions()
    report.decisions = decide(builder.build, ctx.get(TOPOLOGY), networks, apple_targets(ctx.policy))
    return report


DECRYPTION: ModelKey[InspectionReport] = ModelKey("inspection_decryption", lambda ctx: _report(ctx, "decryption"))
AUTHENTICATION: ModelKey[InspectionReport] = ModelKey("inspection_authentication",
                                                      lambda ctx: _report(ctx, "authentication"))
