"""One-line summaries of multi-line FortiOS entries, for RuleRef.text and findings: the ``set``
statements that decide what a policy matches, as the device prints them."""

from __future__ import annotations

from pushaudit.firewalls.fortinet_conf import Block

# Shown when present; everything else (logging, NAT, profiles, uuid) is left out.
_MATCH_KEYS = (
    "srcintf", "dstintf", "srcaddr", "srcaddr-negate", "srcaddr6", "srcaddr6-negate", "dstaddr", "dstaddr-negate",
    "dstaddr6", "dstaddr6-negate", "internet-service-src", "internet-service-src-name", "internet-service-src-id",
    "internet-service-src-group", "internet-service", "internet-service-name", "internet-service-id",
    "internet-service-group", "internet-service-custom", "internet-service-negate", "internet-service6",
    "internet-service6-name", "internet-service6-group", "internet-service6-negate", "service", "service-negate",
    "schedule", "groups", "users", "fsso-groups", "proxy", "action", "status",
)
_MATCH_SET = frozenset(_MATCH_KEYS)
_DEFAULTS = {"schedule": "always", "status": "enable"}


def policy_text(entry: Block) -> str:
    """``policy 20 "apple-push": srcintf "inside" dstintf "port1" ... action accept``."""
    settings = entry.settings
    name = settings.get("name")
    # FortiOS prints settings in one fixed order, so the output's order is kept
    parts = [f"{key} {found.raw}" for key, found in settings.items()
             if key in _MATCH_SET and found.raw.strip('"') != _DEFAULTS.get(key)]
    if "action" not in settings:
        parts.append("action deny")
    title = f"policy {entry.name} {name.raw}" if name is not None else f"policy {entry.name}"
    return f"{title}: " + " ".join(parts)
