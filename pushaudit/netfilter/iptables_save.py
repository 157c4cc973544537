"""Parse ``iptables-save`` / ``ip6tables-save`` (nft or legacy backend) into the rule model."""

from __future__ import annotations

import re
import shlex

from pushaudit.errors import DataError
from pushaudit.interception import RuleRef
from pushaudit.netfilter.iptables_matches import Option, translate_options
from pushaudit.netfilter.model import Action, Chain, Nat, Rule, Ruleset, Table
from pushaudit.netfilter.values import proto_name

# Built-in chains: hook and priority per table (kernel NF_IP_PRI_* values).
_BUILTIN: dict[str, dict[str, tuple[str, int]]] = {
    "raw": {"PREROUTING": ("prerouting", -300), "OUTPUT": ("output", -300)},
    "mangle": {c: (c.lower(), -150) for c in ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING")},
    "nat": {"PREROUTING": ("prerouting", -100), "OUTPUT": ("output", -100), "INPUT": ("input", 100),
            "POSTROUTING": ("postrouting", 100)},
    "filter": {c: (c.lower(), 0) for c in ("INPUT", "FORWARD", "OUTPUT")},
    "security": {c: (c.lower(), 50) for c in ("INPUT", "FORWARD", "OUTPUT")},
}
_TERMINAL = {"ACCEPT": Action.ACCEPT, "DROP": Action.DROP, "RETURN": Action.RETURN, "REJECT": Action.DROP}
_NAT_TARGETS = {"REDIRECT", "DNAT", "SNAT", "MASQUERADE", "NETMAP", "TPROXY"}
_NON_TERMINAL = {"LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "CLASSIFY", "DSCP",
                 "TOS", "TCPMSS", "TTL", "HL", "SET", "AUDIT", "CHECKSUM", "CONNSECMARK", "SECMARK",
                 "IDLETIMER", "LED", "RATEEST", "TEE"}
_COUNTERS = re.compile(r"^\[\d+:\d+\]\s*")


def parse_iptables_save(text: str, source: str, family: int, tool: str) -> Ruleset:
    """Every ``*table`` of the dump; DataError E-PARSE-NETFILTER on a malformed line."""
    ruleset = Ruleset()
    table: Table | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COUNTERS.sub("", raw.strip())
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            table = Table(family="ip" if family == 4 else "ip6", name=line[1:].strip(), source=source,
                          syntax="iptables", tool=tool)
            ruleset.tables.append(table)
        elif table is None:
            raise _error(f"line outside a *table section: {line}", source, number)
        elif line == "COMMIT":
            table = None
        elif line.startswith(":"):
            _declare_chain(table, line, source, number)
        elif line.startswith("-A "):
            _append_rule(table, line, (source, number), family, ruleset)
        elif not line.startswith("-N "):
            raise _error(f"unexpected line: {line}", source, number)
    return ruleset


def _error(message: str, source: str, line: int) -> DataError:
    return DataError("E-PARSE-NETFILTER", f"{source} line {line}: {message}", source=source, line=line)


def _declare_chain(table: Table, line: str, source: str, number: int) -> None:
    parts = line[1:].split()
    if len(parts) < 2:
        raise _error(f"malformed chain declaration: {line}", source, number)
    name, policy = parts[0], parts[1]
    hook = _BUILTIN.get(table.name, {}).get(name)
    chain = Chain(name=name)
    if hook is not None:
        chain.hook, chain.priority = hook
        chain.policy = policy.lower() if policy != "-" else "accept"
        chain.type = "nat" if table.name == "nat" else "filter"
    table.chains[name] = chain


def _append_rule(table: Table, line: str, where: tuple[str, int], family: int, ruleset: Ruleset) -> None:
    source, number = where
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise _error(f"cannot tokenise ({exc}): {line}", source, number) from exc
    if len(tokens) < 2 or tokens[1] not in table.chains:
        raise _error(f"rule for an undeclared chain: {line}", source, number)
    chain = table.chains[tokens[1]]
    options, target, target_opts, goto = _split(tokens[2:])
    result = translate_options(options, family)
    ruleset.warnings.extend(f"{source} line {number}: {w}" for w in result.warnings)
    ref = RuleRef(source=source, family=table.family, table=table.name, chain=chain.name,
                  index=len(chain.rules) + 1, text=line, line=number, comment=result.comment)
    action, target_name, nat, reject = _target(table, target, target_opts, goto)
    effects = (target,) if target in _NON_TERMINAL else ()
    chain.rules.append(Rule(ref, tuple(result.matches), action, target=target_name, nat=nat, reject=reject,
                            effects=effects))


def _split(tokens: list[str]) -> tuple[list[Option], str, dict[str, list[str]], bool]:
    """Match options (with their module), then the target and its options."""
    options: list[Option] = []
    module, implicit, occurrence, negate = "", "", 0, False
    target, goto, target_opts = "", False, {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            negate, i = True, i + 1
            continue
        values: list[str] = []
        j = i + 1
        while j < len(tokens) and not (tokens[j].startswith("-") and len(tokens[j]) > 1) and tokens[j] != "!":
            values.append(tokens[j])
            j += 1
        if not values and j < len(tokens) and tokens[j] == "!" and tok not in ("-m", "--match", "-j", "-g"):
            # the old "--dport ! 80" spelling
            negate = True
            j += 1
            while j < len(tokens) and not tokens[j].startswith("-"):
                values.append(tokens[j])
                j += 1
        if tok in ("-m", "--match"):
            module, occurrence = (values[0] if values else ""), occurrence + 1
            options.append(Option(module, "", [], False, occurrence))
        elif tok in ("-j", "--jump", "-g", "--goto"):
            target, goto, module = (values[0] if values else ""), tok in ("-g", "--goto"), "<target>"
        elif module == "<target>":
            target_opts[tok] = values
        else:
            is_core = tok in _CORE
            # "-p tcp" loads the tcp match implicitly: "--dport" may follow without "-m tcp"
            owner = "" if is_core else module or implicit
            if tok in _PROTOCOL_OPTIONS and module not in _PROTOCOL_MODULES and implicit:
                owner = implicit
            options.append(Option(owner, tok, values, negate, 0 if is_core else occurrence))
            if tok in ("-p", "--protocol") and values:
                implicit = proto_name(values[0])
        negate, i = False, j
    return options, target, target_opts, goto


_PROTOCOL_MODULES = {"tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmp6", "ipv6-icmp"}
_PROTOCOL_OPTIONS = {"--dport", "--destination-port", "--sport", "--source-port", "--syn", "--tcp-flags",
                     "--tcp-option", "--icmp-type", "--icmpv6-type"}
_CORE = {"-s", "--source", "--src", "-d", "--destination", "--dst", "-p", "--protocol", "-i", "--in-interface",
         "-o", "--out-interface", "-f", "--fragment"}


def _target(table: Table, target: str, opts: dict[str, list[str]],
            goto: bool) -> tuple[Action, str, Nat | None, bool]:
    """(action, chain or reason, translation, is a reject) for ``-j``/``-g TARGET``."""
    if target in table.chains:
        return (Action.GOTO if goto else Action.JUMP), target, None, False
    if target in _NAT_TARGETS:
        return Action.ACCEPT, "", _nat(target, opts), False
    if not target or target in _NON_TERMINAL:
        return Action.CONTINUE, "", None, False
    if target in _TERMINAL:
        return _TERMINAL[target], "", None, target == "REJECT"
    return Action.UNKNOWN, f"target {target}", None, False


def _nat(target: str, opts: dict[str, list[str]]) -> Nat:
    def first(*names: str) -> str:
        for name in names:
            if opts.get(name):
                return opts[name][0]
        return ""

    if target == "REDIRECT":
        return Nat("redirect", port=_first_port(first("--to-ports", "--to-port")))
    if target == "TPROXY":
        return Nat("tproxy", addr=first("--on-ip") or None, port=_first_port(first("--on-port")))
    if target in ("DNAT", "SNAT"):
        addr, port = _split_hostport(first("--to-destination", "--to-source", "--to"))
        return Nat(target.lower(), addr=addr, port=port)
    return Nat(target.lower(), addr=first("--to") or None)


def _first_port(text: str) -> int | None:
    head = re.split(r"[-:]", text, maxsplit=1)[0]
    return int(head) if head.isdigit() else None


def _split_hostport(text: str) -> tuple[str | None, int | None]:
    """``1.2.3.4:3128``, ``1.2.3.4-1.2.3.9:80-90``, ``[2001:db8::1]:80`` or a bare address."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host or None, _first_port(rest.lstrip(":"))
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host.split("-")[0] or None, _first_port(port)
    return (text.split("-", maxsplit=1)[0] or None), None
