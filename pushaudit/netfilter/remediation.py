"""Fix commands in the syntax of the table that decided (nft or iptables), placed so they
take effect: before the deciding rule, or appended when the chain policy decided."""

from __future__ import annotations

from dataclasses import dataclass

from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Table


@dataclass(frozen=True)
class Traffic:
    """What the inserted rule should match."""

    family: int
    sources: tuple[str, ...]  # CIDR strings; empty: any
    destinations: tuple[str, ...]
    ports: tuple[int, ...]
    iif: str | None = None
    oif: str | None = None


def allow_command(table: Table, chain: str, before: RuleRef | None, traffic: Traffic) -> str:
    """A rule accepting ``traffic``, before ``before`` (None: at the end of ``chain``)."""
    if table.syntax == "nft":
        return _nft(table, chain, before, _nft_matches(traffic) + ' accept comment "Apple push (APNs)"')
    if table.syntax == "iptables":
        return _iptables(table, chain, before, [*_ipt_matches(traffic), "-j", "ACCEPT"])
    from pushaudit.firewalls import get_platform

    vendor = get_platform(table.syntax)
    if vendor is None:
        raise ValueError(f"no remediation writer for rule syntax {table.syntax!r}")
    return vendor.allow_snippet(table, chain, before, traffic)


def exclude_command(table: Table, chain: str, before: RuleRef | None, *, family: int,
                    destinations: tuple[str, ...], base_chain: bool) -> str:
    """A rule letting Apple destinations leave the chain untouched, before the interception."""
    # In a base chain ``return`` applies the policy (no translation); in a regular chain it
    # would fall back into the caller, which may intercept later, so accept instead.
    verdict = "return" if base_chain else "accept"
    if table.syntax == "nft":
        return _nft(table, chain, before, f"{_addr_kw(family)} daddr {_nft_set(destinations)} {verdict}")
    return _iptables(table, chain, before, ["-d", ",".join(destinations), "-j", verdict.upper()])


def _addr_kw(family: int) -> str:
    return "ip" if family == 4 else "ip6"


def _nft_set(values: tuple[str, ...] | list[str]) -> str:
    return values[0] if len(values) == 1 else "{ " + ", ".join(values) + " }"


def _nft_matches(t: Traffic) -> str:
    parts: list[str] = []
    if t.iif:
        parts.append(f'iifname "{t.iif}"')
    if t.oif:
        parts.append(f'oifname "{t.oif}"')
    if t.sources:
        parts.append(f"{_addr_kw(t.family)} saddr {_nft_set(t.sources)}")
    if t.destinations:
        parts.append(f"{_addr_kw(t.family)} daddr {_nft_set(t.destinations)}")
    parts.append(f"tcp dport {_nft_set([str(p) for p in t.ports])}")
    return " ".join(parts)


def _nft(table: Table, chain: str, before: RuleRef | None, body: str) -> str:
    if before is not None and before.handle is not None:
        return f"nft insert rule {table.family} {table.name} {chain} handle {before.handle} {body}"
    return f"nft add rule {table.family} {table.name} {chain} {body}"


def _ipt_matches(t: Traffic) -> list[str]:
    words: list[str] = []
    if t.iif:
        words += ["-i", t.iif]
    if t.oif:
        words += ["-o", t.oif]
    if t.sources:
        words += ["-s", ",".join(t.sources)]
    if t.destinations:
        words += ["-d", ",".join(t.destinations)]
    words += ["-p", "tcp"]
    if len(t.ports) == 1:
        words += ["--dport", str(t.ports[0])]
    else:
        words += ["-m", "multiport", "--dports", ",".join(str(p) for p in t.ports)]
    return words


def _iptables(table: Table, chain: str, before: RuleRef | None, words: list[str]) -> str:
    prefix = [table.tool] + (["-t", table.name] if table.name != "filter" else [])
    where = ["-I", chain, str(before.index)] if before is not None else ["-A", chain]
    return " ".join(prefix + where + words)
