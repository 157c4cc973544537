"""Build the host's ruleset from the snapshot: nft JSON, iptables-nft text, legacy tables."""

from __future__ import annotations

from dataclasses import replace

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.gcpause import collector_paused
from pushaudit.netfilter.iptables_save import parse_iptables_save
from pushaudit.netfilter.model import Rule, Ruleset, Table
from pushaudit.netfilter.nft_json import excerpt, parse_nft_json
from pushaudit.snapshot import HostSnapshot

_SAVES = (("iptables_save", 4, "iptables"), ("ip6tables_save", 6, "ip6tables"))
_LEGACY = (("iptables_legacy_save", 4, "iptables-legacy"), ("ip6tables_legacy_save", 6, "ip6tables-legacy"))
_LEGACY_WARNING = "iptables-legacy tables present"


def load_ruleset(snapshot: HostSnapshot) -> Ruleset:
    with collector_paused():
        return _load(snapshot)


def _load(snapshot: HostSnapshot) -> Ruleset:
    record, output = snapshot.command("nft_ruleset")
    if record.exit_status != 0:
        raise DataError("E-PARSE-NETFILTER",
                        f"'{record.command}' failed (exit {record.exit_status}): {excerpt(output)}",
                        source="cmd:nft_ruleset")
    ruleset = parse_nft_json(output)
    for command_id, family, tool in _SAVES:
        saved = _optional_save(snapshot, command_id, family, tool, ruleset)
        if saved is not None:
            overlay_iptables(ruleset, saved, tool)
            _require_legacy_dump(snapshot, command_id, family)
    for command_id, family, tool in _LEGACY:
        legacy = _optional_save(snapshot, command_id, family, tool, ruleset)
        if legacy is not None:
            ruleset.tables.extend(legacy.tables)
            ruleset.warnings.extend(legacy.warnings)
    return ruleset


def _optional_save(snapshot: HostSnapshot, command_id: str, family: int, tool: str,
                   ruleset: Ruleset) -> Ruleset | None:
    if not snapshot.has_command(command_id):
        return None
    record, output = snapshot.command(command_id)
    if record.exit_status != 0:
        # A host without the tool (exit 127) has nothing to show; anything else may hide rules.
        if record.exit_status == 127 or "not found" in output:
            ruleset.warnings.append(f"{command_id}: {tool}-save is not installed on the host")
            return None
        raise DataError("E-PARSE-NETFILTER",
                        f"'{record.command}' failed (exit {record.exit_status}): {excerpt(output)}",
                        source=f"cmd:{command_id}")
    if not output.strip():
        return None
    return parse_iptables_save(output, f"cmd:{command_id}", family, tool)


def _require_legacy_dump(snapshot: HostSnapshot, command_id: str, family: int) -> None:
    _, output = snapshot.command(command_id)
    legacy_id = "iptables_legacy_save" if family == 4 else "ip6tables_legacy_save"
    if _LEGACY_WARNING in output and not snapshot.has_command(legacy_id):
        raise DataError("E-DATA-MISSING",
                        f"{command_id} reports legacy iptables tables but {legacy_id} was not collected",
                        source=f"cmd:{command_id}")


def overlay_iptables(ruleset: Ruleset, saved: Ruleset, tool: str) -> None:
    """Use iptables-save's text for tables iptables-nft manages: the nft JSON shows their
    targets and many matches only as opaque ``xt`` statements."""
    ruleset.warnings.extend(saved.warnings)
    for saved_table in saved.tables:
        table = next((t for t in ruleset.tables if t.syntax == "nft" and t.family == saved_table.family
                      and t.name == saved_table.name), None)
        if table is None:
            ruleset.warnings.append(f"{saved_table.source}: table {saved_table.label()} is not in the nft ruleset")
            continue
        if not _same_shape(table, saved_table):
            ruleset.warnings.append(
                f"{saved_table.source}: table {saved_table.label()} differs from the nft ruleset; "
                "its xt statements stay undecidable"
            )
            continue
        for name, saved_chain in saved_table.chains.items():
            chain = table.chains[name]
            handles = [r.ref.handle for r in _distinct(chain.rules)]
            chain.rules = [_with_handle(rule, handles[rule.ref.index - 1]) for rule in saved_chain.rules]
        table.syntax, table.tool, table.source = "iptables", tool, saved_table.source


def _same_shape(table: Table, saved: Table) -> bool:
    if set(saved.chains) != set(table.chains):
        return False
    return all(len(_distinct(table.chains[n].rules)) == len(c.rules) for n, c in saved.chains.items())


def _distinct(rules: list[Rule]) -> list[Rule]:
    """One model rule per ruleset rule (a verdict map expands into several sharing a position)."""
    seen: dict[int, Rule] = {}
    for rule in rules:
        seen.setdefault(rule.ref.index, rule)
    return list(seen.values())


def _with_handle(rule: Rule, handle: int | None) -> Rule:
    return replace(rule, ref=replace(rule.ref, handle=handle))


def _build(ctx: HostContext) -> Ruleset:
    """Linux hosts: netfilter. Other platforms: their module in pushaudit.firewalls."""
    if ctx.facts.platform == "linux":
        return load_ruleset(ctx.snapshot)
    from pushaudit.firewalls import get_platform

    vendor = get_platform(ctx.facts.platform)
    if vendor is None:
        raise DataError("E-PLATFORM", f"pushaudit has no firewall model for platform {ctx.facts.platform!r}")
    return vendor.build_ruleset(ctx.snapshot)


RULESET: ModelKey[Ruleset] = ModelKey("netfilter_ruleset", _build)
