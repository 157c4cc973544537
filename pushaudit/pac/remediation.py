"""The PAC lines that fix a finding: Apple decided by name (or literal address) at the top of
FindProxyForURL, before anything that resolves names."""

from __future__ import annotations

import ipaddress

from pushaudit.policy import Policy
from pushaudit.squid.remediation import apple_domains, apple_ranges_text


def _parents(policy: Policy) -> list[str]:
    """Suffixes that cover the policy: the registered domains of its hosts (".apple.com", ".icloud.com"),
    then the numbered courier forms that live elsewhere (".courier-push-apple.com.akadns.net")."""
    found: dict[str, None] = {}
    for domain in apple_domains(policy):
        labels = domain.strip(".").split(".")
        found["." + ".".join(labels[-2:])] = None
    for form in policy.courier.numbered:
        suffix = "." + form.format(n=0).split(".", 1)[1]
        if not any(suffix.endswith(parent) for parent in found):
            found[suffix] = None
    return list(found)


def apple_condition(policy: Policy) -> list[str]:
    """The ``if`` condition, one alternative per line: domains by suffix, Apple ranges only for literals."""
    terms = [f'dnsDomainIs(host, "{d}")' for d in _parents(policy)]
    for network in policy.apple_ranges():
        if isinstance(network, ipaddress.IPv4Network):
            literal = r"/^\d+\.\d+\.\d+\.\d+$/.test(host)"
            terms.append(f'({literal} && isInNet(host, "{network.network_address}", "{network.netmask}"))')
    return terms


def pac_snippet(policy: Policy, route: str = "DIRECT") -> str:
    terms = apple_condition(policy)
    joined = " ||\n        ".join(terms)
    return (
        "    // Apple activation, MDM enrollment and push first, by name only: courier.push.apple.com has no\n"
        "    // address by design, so nothing here may call dnsResolve, isResolvable or isInNet on a name.\n"
        f"    if ({joined})\n"
        f'        return "{route}";'
    )


def direct_advice(policy: Policy, where: str) -> str:
    return (
        f"Send Apple traffic DIRECT (Apple forbids TLS interception and proxy authentication for its hosts): "
        f"insert at the top of FindProxyForURL in {where}:\n{pac_snippet(policy)}\n"
        f"and let the firewall pass TCP 443, 5223 and 2197 (and 80 for the hosts Apple lists on it) to "
        f"{apple_ranges_text(policy)}."
    )
