"""How an ASA picks the rules for a new connection, as base chains of the shared model.

Chain ``access-group in`` (hook forward, priority 0, policy drop = the implicit deny):
  1. ``iifname X drop`` for shut-down and management-only interfaces (no through traffic);
  2. ``iifname X jump ACL`` per ``access-group ACL in interface X`` (the ACL chain falls
     through when no ACE matches);
  3. ``jump ACL`` for ``access-group ACL global``, checked after the interface ACL; or, without
     a global ACL, the security-level implicit permit for interfaces with no inbound ACL
     (to lower levels: accept; to the same level: only with same-security-traffic, which is
     not collected, so undecidable). A global ACL applies to every interface, so its implicit
     deny also ends the security-level permit of interfaces without their own ACL [U].
Chain ``access-group out`` (priority 10, policy accept): ``oifname X jump ACL`` then
``oifname X drop`` (that ACL's own implicit deny) per ``access-group ACL out interface X``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.firewalls.cisco_asa_acl import AccessList
from pushaudit.firewalls.cisco_asa_interfaces import AsaInterface
from pushaudit.firewalls.cisco_asa_source import Line, Output
from pushaudit.firewalls.cisco_asa_values import conditional
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Chain, Key, Match, Rule, Ruleset, ScalarMatch, Table

IN_CHAIN = "access-group in"
OUT_CHAIN = "access-group out"


@dataclass(frozen=True)
class AccessGroup:
    acl: str
    direction: str  # in | out | global
    interface: str | None
    line: Line


@dataclass
class AsaTable(Table):
    """The device's one table plus what the fix snippets need to know about it."""

    inbound: dict[str, str] = field(default_factory=dict)  # nameif -> ACL
    outbound: dict[str, str] = field(default_factory=dict)
    global_acl: str | None = None
    acl_sizes: dict[str, int] = field(default_factory=dict)  # lines per ACL, remarks included
    object_names: set[str] = field(default_factory=set)


@dataclass
class AsaRuleset(Ruleset):
    inactive: list[RuleRef] = field(default_factory=list)  # ``inactive`` ACEs, left out of the chains


def parse_access_groups(output: Output) -> list[AccessGroup]:
    groups: list[AccessGroup] = []
    for line in output.lines:
        w = line.words
        if len(w) >= 5 and w[0] == "access-group" and w[2] in ("in", "out") and w[3] == "interface":
            if "control-plane" in w[5:]:
                continue  # to-the-box traffic only
            groups.append(AccessGroup(w[1], w[2], w[4], line))
        elif len(w) == 3 and w[0] == "access-group" and w[2] == "global":
            groups.append(AccessGroup(w[1], "global", None, line))
        elif w[0] != "!":
            output.skip(line, f"access-group line not understood: {line.text.strip()}")
    return groups


def add_base_chains(table: AsaTable, groups: list[AccessGroup], acls: dict[str, AccessList],
                    interfaces: list[AsaInterface], *, sources: tuple[str, str]) -> None:
    """``sources``: the access-group and the interface command sources."""
    group_source, iface_source = sources
    inbound = Chain(IN_CHAIN, hook="forward", priority=0, policy="drop", type="filter")
    named = [i for i in interfaces if i.nameif]
    for iface in named:
        assert iface.nameif is not None
        why = "shutdown" if iface.shutdown else "management-only" if iface.management_only else ""
        if why:
            text = f"interface {iface.hardware} nameif {iface.nameif} {why}: no through traffic"
            _add(inbound, table, (iface_source, text, iface.line.number), [_iif(iface.nameif)], Action.DROP)
    for group in groups:
        if group.direction == "in" and group.interface is not None:
            table.inbound[group.interface] = group.acl
            _jump(inbound, table, group, acls, source=group_source, matches=[_iif(group.interface)])
        elif group.direction == "out" and group.interface is not None:
            table.outbound[group.interface] = group.acl
    global_group = next((g for g in groups if g.direction == "global"), None)
    if global_group is not None:
        table.global_acl = global_group.acl
        _jump(inbound, table, global_group, acls, source=group_source, matches=[])
    else:
        _security_levels(inbound, table, named, iface_source)
    table.chains[IN_CHAIN] = inbound
    outbound = [g for g in groups if g.direction == "out" and g.interface is not None]
    if outbound:
        chain = Chain(OUT_CHAIN, hook="forward", priority=10, policy="accept", type="filter")
        for group in outbound:
            assert group.interface is not None
            _jump(chain, table, group, acls, source=group_source, matches=[_oif(group.interface)])
            text = f"implicit deny at the end of access-list {group.acl} (access-group out interface {group.interface})"
            _add(chain, table, (table.source, text, None), [_oif(group.interface)], Action.DROP, comment=group.acl)
        table.chains[OUT_CHAIN] = chain


def _iif(name: str) -> ScalarMatch:
    return ScalarMatch(Key.IIFNAME, frozenset({name}))


def _oif(name: str) -> ScalarMatch:
    return ScalarMatch(Key.OIFNAME, frozenset({name}))


def _add(chain: Chain, table: Table, where: tuple[str, str, int | None], matches: list[Match], action: Action,
         *, target: str = "", comment: str = "") -> None:
    """Append a rule; ``where``: its source, text and output line."""
    source, text, line = where
    ref = RuleRef(source=source, family="inet", table=table.name, chain=chain.name, index=len(chain.rules) + 1,
                  text=text, line=line, comment=comment)
    chain.rules.append(Rule(ref, tuple(matches), action, target=target))


def _jump(chain: Chain, table: Table, group: AccessGroup, acls: dict[str, AccessList], *, source: str,
          matches: list[Match]) -> None:
    acl = acls.get(group.acl)
    where = (source, group.line.text.strip(), group.line.number)
    if acl is None or "extended" not in acl.types:
        why = "is not in the collected configuration" if acl is None else "is not an extended access-list"
        _add(chain, table, where, matches, Action.UNKNOWN, target=f"{where[1]}: access-list {group.acl} {why}")
        return
    _add(chain, table, where, matches, Action.JUMP, target=group.acl)


def _security_levels(chain: Chain, table: AsaTable, named: list[AsaInterface], source: str) -> None:
    """The implicit permit of interfaces without an inbound ACL (no global ACL configured)."""
    forwarding = [i for i in named if not (i.shutdown or i.management_only)]
    for iface in forwarding:
        assert iface.nameif is not None
        if iface.nameif in table.inbound:
            continue
        level = iface.security_level
        lower = frozenset(o.nameif for o in forwarding if o.nameif and o.security_level < level)
        same = frozenset(o.nameif for o in forwarding if o.nameif and o.nameif != iface.nameif
                         and o.security_level == level)
        line = (iface.level_line or iface.line).number
        if lower:
            text = (f"security-level {level} of {iface.nameif}: implicit permit to lower levels "
                    f"({', '.join(sorted(lower))})")
            _add(chain, table, (source, text, line), [_iif(iface.nameif), ScalarMatch(Key.OIFNAME, lower)],
                 Action.ACCEPT)
        if same:
            text = f"security-level {level} of {iface.nameif}: same level as {', '.join(sorted(same))}"
            reason = (f"traffic between interfaces of security level {level} passes only with "
                      "'same-security-traffic permit inter-interface', which is not collected")
            matches: list[Match] = [_iif(iface.nameif), ScalarMatch(Key.OIFNAME, same),
                                    conditional("same-security", (iface.nameif,), reason)]
            _add(chain, table, (source, text, line), matches, Action.ACCEPT)
