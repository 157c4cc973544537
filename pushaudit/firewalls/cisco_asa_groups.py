"""``show running-config object-group``: network, service (typed port groups and untyped
``service-object`` groups), protocol and icmp-type groups, with their nested ``group-object``
references left for cisco_asa_objects to expand."""

from __future__ import annotations

from collections.abc import Callable

from pushaudit.firewalls.cisco_asa_names import asa_names
from pushaudit.firewalls.cisco_asa_objparse import GroupDef, Member, ObjectDefs, broken
from pushaudit.firewalls.cisco_asa_services import protocol_set, service_entry
from pushaudit.firewalls.cisco_asa_source import Line, Output
from pushaudit.firewalls.cisco_asa_values import AsaSyntaxError, host, is_ipv4, masked, network, port_operator


def parse_object_groups(output: Output, defs: ObjectDefs) -> None:
    for block in output.blocks():
        words = block.head.words
        if len(words) < 3 or words[0] != "object-group":
            output.warn(block.head, f"not an object-group definition: {block.head.text}")
            continue
        group = GroupDef(words[2], words[1], words[3] if len(words) > 3 else None, block.head.number)
        defs.groups[group.name] = group
        parse = _MEMBER_PARSERS.get((group.kind, group.proto is not None and group.kind == "service"))
        if parse is None:
            continue  # user, security and other groups: a reference resolves to a condition
        for line in block.body:
            _group_line(output, group, line, parse, defs)


def _group_line(output: Output, group: GroupDef, line: Line, parse: _Parser, defs: ObjectDefs) -> None:
    words = line.words
    if words[0] == "description":
        return
    try:
        if words[0] == "group-object" and len(words) == 2:
            group.members.append(Member("group", words[1], line.number))
        else:
            group.members.append(parse(words, line.number, defs))
    except AsaSyntaxError as exc:
        output.warn(line, f"object-group {group.name}: {exc}")
        group.problems.append(broken("object-group", group.name, output, line).conditions[0])


_Parser = Callable[[list[str], int, ObjectDefs], Member]


def _network_member(words: list[str], number: int, defs: ObjectDefs) -> Member:
    args = words[1:]
    if words[0] != "network-object" or not args:
        raise AsaSyntaxError(f"unknown network group line: {' '.join(words)}")
    if args[0] == "object" and len(args) == 2:
        return Member("object", args[1], number)
    if args[0] == "host" and len(args) == 2:
        return Member("addr", host(defs.names.get(args[1], args[1])), number)
    if len(args) == 2 and (is_ipv4(args[0]) or args[0] in defs.names):
        return Member("addr", masked(defs.names.get(args[0], args[0]), args[1]), number)
    if len(args) == 1:
        return Member("addr", network(args[0]), number)
    raise AsaSyntaxError(f"unknown network-object form: {' '.join(args)}")


def _port_member(words: list[str], number: int, _defs: ObjectDefs) -> Member:
    found = port_operator(words, 1) if words[0] == "port-object" else None
    if found is None or found[1] != len(words) or words[1] not in ("eq", "range"):
        raise AsaSyntaxError(f"unknown port group line: {' '.join(words)}")
    return Member("ports", found[0], number)


def _service_member(words: list[str], number: int, _defs: ObjectDefs) -> Member:
    if words[0] != "service-object" or len(words) < 2:
        raise AsaSyntaxError(f"unknown service group line: {' '.join(words)}")
    if words[1] == "object" and len(words) == 3:
        return Member("object", words[2], number)
    return Member("terms", (service_entry(words, 1),), number)


def _protocol_member(words: list[str], number: int, _defs: ObjectDefs) -> Member:
    if words[0] != "protocol-object" or len(words) != 2:
        raise AsaSyntaxError(f"unknown protocol group line: {' '.join(words)}")
    return Member("protocols", protocol_set(words[1]), number)


def _icmp_member(words: list[str], number: int, _defs: ObjectDefs) -> Member:
    if words[0] != "icmp-object" or len(words) != 2 or not asa_names().is_icmp_type(words[1]):
        raise AsaSyntaxError(f"unknown icmp-type group line: {' '.join(words)}")
    return Member("type", words[1], number)


_MEMBER_PARSERS: dict[tuple[str, bool], _Parser] = {
    ("network", False): _network_member,
    ("service", True): _port_member,
    ("service", False): _service_member,
    ("protocol", False): _protocol_member,
    ("icmp-type", False): _icmp_member,
}
