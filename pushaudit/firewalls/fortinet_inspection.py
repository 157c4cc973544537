"""``firewall ssl-ssh-profile`` (does a profile decrypt, and what it exempts) and
``firewall proxy-policy`` (the explicit/transparent web proxy's own rule list), read into plain
lists for the TLS-interception and proxy checks. Nothing here decides anything yet."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.firewalls.fortinet_conf import Block
from pushaudit.firewalls.fortinet_text import policy_text
from pushaudit.interception import RuleRef

# ``config <protocol>`` blocks of a profile that carry a ``set status``.
_PROTOCOLS = ("https", "ftps", "imaps", "pop3s", "smtps", "ssh", "dot")
# ssl-exempt ``set type`` -> the setting holding its value (FortiOS default type: fortiguard-category)
_EXEMPT_VALUE = {"fortiguard-category": "fortiguard-category", "address": "address", "address6": "address6",
                 "wildcard-fqdn": "wildcard-fqdn", "regex": "regex", "finger-print": "finger-print"}


@dataclass(frozen=True)
class SslExempt:
    entry: str  # the ssl-exempt edit id
    type: str
    values: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class SslSshProfile:
    name: str
    line: int
    comment: str
    statuses: dict[str, str]  # protocol block -> ``set status`` ("" when not shown: the FortiOS default)
    https_ports: tuple[int, ...]
    inspect_all: str  # ``config ssl / set inspect-all`` ("" when not shown)
    exempt: tuple[SslExempt, ...]
    problems: tuple[str, ...] = ()

    @property
    def decrypts(self) -> bool:
        """Deep inspection (decryption) on HTTPS or on every SSL port."""
        return self.statuses.get("https") == "deep-inspection" or self.inspect_all == "deep-inspection"

    def exempt_values(self, kind: str) -> list[str]:
        return [v for e in self.exempt if e.type == kind for v in e.values]


@dataclass(frozen=True)
class ProxyPolicy:
    ref: RuleRef  # index: position in the output; handle: the policy id
    policy_id: str
    name: str
    enabled: bool
    proxy: str  # explicit-web, transparent-web, ftp, ssh, ssh-tunnel, access-proxy, wanopt, ...
    action: str  # "" when not shown
    settings: dict[str, tuple[str, ...]]  # every ``set`` (srcaddr, dstaddr, service, groups, ssl-ssh-profile, ...)

    def values(self, key: str) -> tuple[str, ...]:
        return self.settings.get(key, ())


def parse_ssl_ssh_profiles(section: Block | None) -> dict[str, SslSshProfile]:
    out: dict[str, SslSshProfile] = {}
    for entry in (section.entries.values() if section is not None else ()):
        statuses = {p: entry.blocks[p].value("status") for p in _PROTOCOLS if p in entry.blocks}
        https = entry.blocks.get("https")
        ports = tuple(int(p) for p in (https.values("ports") if https is not None else []) if p.isdigit())
        ssl = entry.blocks.get("ssl")
        exempts = entry.blocks.get("ssl-exempt")
        problems = list(entry.problems) + [p for b in entry.blocks.values() for p in b.problems]
        out[entry.name] = SslSshProfile(
            name=entry.name, line=entry.line, comment=entry.value("comment"), statuses=statuses, https_ports=ports,
            inspect_all=ssl.value("inspect-all") if ssl is not None else "",
            exempt=tuple(_exempt(e) for e in (exempts.entries.values() if exempts is not None else ())),
            problems=tuple(problems),
        )
    return out


def _exempt(entry: Block) -> SslExempt:
    kind = entry.value("type", "fortiguard-category")
    return SslExempt(entry.name, kind, tuple(entry.values(_EXEMPT_VALUE.get(kind, kind))), entry.line)


def parse_proxy_policies(section: Block | None, source: str) -> list[ProxyPolicy]:
    out: list[ProxyPolicy] = []
    for position, entry in enumerate(section.entries.values() if section is not None else (), start=1):
        ref = RuleRef(source, "inet", "proxy", "proxy-policy", position, policy_text(entry),
                      handle=int(entry.name) if entry.name.isdigit() else None, line=entry.line,
                      comment=entry.value("name"))
        out.append(ProxyPolicy(
            ref=ref, policy_id=entry.name, name=entry.value("name"), enabled=entry.value("status") != "disable",
            proxy=entry.value("proxy"), action=entry.value("action"),
            settings={k: tuple(s.values) for k, s in entry.settings.items()},
        ))
    return out
