"""The PAN-OS configure-mode commands that permit APNs traffic above the rule that blocks it."""

from __future__ import annotations

from pushaudit.firewalls.paloalto_panos_rulefields import listing
from pushaudit.firewalls.paloalto_panos_rules import DEFAULT_RULES
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table
from pushaudit.netfilter.remediation import Traffic

_DESCRIPTION = "Apple push notifications (APNs), added after a pushaudit finding"


def _name(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ' "') else value


def allow_snippet(table: Table, chain: str, before: RuleRef | None, traffic: Traffic) -> str:
    """``set service``/``set rulebase security rules`` and, unless the rule that decided is a
    default rule (new rules already sit above those), ``move ... before`` that rule.

    ``application any`` with explicit ports: App-ID names are not needed for the ports to pass,
    and the rule is decided by the ports alone. Multi-vsys firewalls get the ``vsys`` prefix for
    every vsys but vsys1.
    """
    del chain  # one chain per vsys: the rulebase
    prefix = f"vsys {table.name} " if table.name != "vsys1" else ""
    ports = sorted(set(traffic.ports))
    service = "pushaudit-apns-tcp-" + "-".join(map(str, ports))
    zones = "-".join(z for z in (traffic.iif, traffic.oif) if z) or "any"
    rule = f"pushaudit-apns-{zones}-v{traffic.family}"
    words = [
        f"set {prefix}rulebase security rules {_name(rule)}",
        f"from {_name(traffic.iif) if traffic.iif else 'any'}",
        f"to {_name(traffic.oif) if traffic.oif else 'any'}",
        f"source {listing(list(traffic.sources)) if traffic.sources else 'any'}",
        f"destination {listing(list(traffic.destinations)) if traffic.destinations else 'any'}",
        "source-user any category any application any",
        f"service {service}",
        f'action allow description "{_DESCRIPTION}"',
    ]
    lines = [f"set {prefix}service {service} protocol tcp port {','.join(map(str, ports))}", " ".join(words)]
    if before is not None and before.comment not in DEFAULT_RULES and before.index > 0:
        lines.append(f"move {prefix}rulebase security rules {_name(rule)} before {_name(before.comment)}")
    return "\n".join(lines)
