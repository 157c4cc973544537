"""Fixes in the vendor's own syntax: an exemption for Apple placed before the rule that decided."""

from __future__ import annotations

from pushaudit.inspection.decision import Decision


def _listing(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "[ " + " ".join(values) + " ]"


def panos_exemption(kind: str, before: str | None, networks: list[str], ranges: list[str]) -> str:
    """A no-decrypt (or no-captive-portal) rule for Apple, moved before the deciding rule."""
    name = "No-Decrypt-Apple" if kind == "decryption" else "No-Auth-Apple"
    chain = "decryption" if kind == "decryption" else "authentication"
    action = ("action no-decrypt type ssl-forward-proxy" if kind == "decryption"
              else "authentication-enforcement default-no-captive-portal")
    lines = [f"set rulebase {chain} rules {name} from any to any source {_listing(networks)} "
             f"destination {_listing(ranges)} service any category any {action}"]
    lines.append(f'move rulebase {chain} rules {name} before "{before}"' if before
                 else f"move rulebase {chain} rules {name} top")
    return "\n".join(lines)


def fortinet_decrypt_exemption(profile: str, ranges: list[str], names: list[str]) -> str:
    """ssl-exempt entries for Apple in the deep-inspection profile: the ranges and the names."""
    lines = ["config firewall address"]
    for i, net in enumerate(ranges, 1):
        if ":" not in net:
            lines += [f'    edit "apple-range-{i}"', f"        set subnet {net}", "    next"]
    lines += ["end", "config firewall address6"]
    for i, net in enumerate(ranges, 1):
        if ":" in net:
            lines += [f'    edit "apple-range6-{i}"', f"        set ip6 {net}", "    next"]
    lines += ["end", "config firewall wildcard-fqdn custom"]
    for i, name in enumerate(names, 1):
        lines += [f'    edit "g-apple-{i}"', f'        set wildcard-fqdn "{name}"', "    next"]
    lines += ["end", "config firewall ssl-ssh-profile", f'    edit "{profile}"', "        config ssl-exempt"]
    for i, net in enumerate(ranges, 1):
        kind, attr = ("address6", f'"apple-range6-{i}"') if ":" in net else ("address", f'"apple-range-{i}"')
        lines += ["            edit 0", f"                set type {kind}", f"                set {kind} {attr}",
                  "            next"]
    for i in range(1, len(names) + 1):
        lines += ["            edit 0", "                set type wildcard-fqdn",
                  f'                set wildcard-fqdn "g-apple-{i}"', "            next"]
    lines += ["        end", "    next", "end"]
    return "\n".join(lines)


def fortinet_auth_exemption(before: str, ranges: list[str]) -> str:
    """An explicit-proxy policy for Apple without users or groups, moved before the deciding one."""
    lines = ["config firewall address"]
    lines += [f'    edit "apple-range-{i}"\n        set subnet {net}\n    next'
              for i, net in enumerate(ranges, 1) if ":" not in net]
    members = " ".join(f'"apple-range-{i}"' for i, net in enumerate(ranges, 1) if ":" not in net)
    lines += ["end", "config firewall proxy-policy", "    edit 0", "        set proxy explicit-web",
              '        set dstintf "any"', '        set srcaddr "all"', f"        set dstaddr {members}",
              '        set service "webproxy"', "        set action accept", '        set schedule "always"',
              "    next", "end"]
    if before:  # FortiOS moves by id; the deciding entry is named here
        lines.append(f'# then: config firewall proxy-policy / move <new id> before <id of "{before}">')
    return "\n".join(lines)


def wildcard_names(decisions: list[Decision]) -> list[str]:
    """Names to exempt by SNI: the decided names folded to Apple's wildcard domains."""
    names = {d.name for d in decisions}
    out: list[str] = []
    if any(n.endswith("push.apple.com") for n in names):
        out.append("*.push.apple.com")
    out += sorted({"*.apple.com" for n in names if n.endswith(".apple.com") and not n.endswith("push.apple.com")})
    out += sorted(n for n in names if not n.endswith(".apple.com"))
    return out
