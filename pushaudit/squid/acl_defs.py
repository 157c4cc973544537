"""Parse ``acl`` lines into named ACLs; Squid's predefined ACLs included."""

from __future__ import annotations

from collections.abc import Callable

from pushaudit.squid.lexer import quoted_path
from pushaudit.squid.loader import parse_error
from pushaudit.squid.model import Acl, AclLine, Directive, SquidVersion

REGEX_TYPES = frozenset(
    {"dstdom_regex", "srcdom_regex", "url_regex", "urlpath_regex", "ssl::server_name_regex", "proxy_auth_regex"}
)
PORT_TYPES = frozenset({"port", "localport", "myport"})
STEP_NAMES = frozenset({"sslbump1", "sslbump2", "sslbump3", "generatingconnect"})
GROUP_TYPES = frozenset({"any-of", "all-of"})
CASE_SWITCHES = ("-i", "+i")

DOMAIN_TYPES = frozenset({"dstdomain", "srcdomain", "ssl::server_name"})

ReadValues = Callable[[str], list[str]]
Warn = Callable[[str], None]


def predefined_acls(version: SquidVersion | None) -> dict[str, Acl]:
    """ACLs Squid defines itself; CONNECT and to_linklocal only from Squid 5 on."""
    table: list[tuple[str, str, AclLine]] = [
        ("all", "src", AclLine(("all",))),
        (
            "manager",
            "url_regex",
            AclLine(("^cache_object://", "^[^:]+://[^/]+/squid-internal-mgr/"), icase=(True, False)),
        ),
        ("localhost", "src", AclLine(("127.0.0.1/32", "::1"))),
        ("to_localhost", "dst", AclLine(("127.0.0.0/8", "0.0.0.0/32", "::/128", "::1/128"))),
    ]
    if version is None or version.at_least(5):
        table += [
            ("to_linklocal", "dst", AclLine(("169.254.0.0/16", "fe80::/10"))),
            ("CONNECT", "method", AclLine(("CONNECT",))),
        ]
    return {name: Acl(name, kind, [line], predefined=True) for name, kind, line in table}


def _check_value(kind: str, value: str, directive: Directive) -> None:
    if kind in PORT_TYPES:
        low, _, high = value.partition("-")
        if not low.isdigit() or (high and not high.isdigit()) or value.endswith("-"):
            raise parse_error(f"acl {kind}: '{value}' is not a port or port range", directive.file, directive.line)
    elif kind == "at_step" and value.lower() not in STEP_NAMES:
        raise parse_error(f"acl at_step: unknown step name '{value}'", directive.file, directive.line)


def _scan(
    kind: str, words: list[str], read_values: ReadValues, directive: Directive
) -> tuple[AclLine, list[str]]:
    """Split the words after the type into flags and values (files expanded)."""
    flags: list[str] = []
    values: list[str] = []
    icase: list[bool] = []
    files: list[str] = []
    case_off = False
    in_flags = True
    for word in words:
        if in_flags and word == "--":
            in_flags = False
        elif kind in REGEX_TYPES and word in CASE_SWITCHES:
            case_off = word == "-i"  # regex ACLs may switch case sensitivity between patterns
        elif in_flags and word.startswith("-") and len(word) > 1 and not word[1].isdigit():
            flags.append(word)
        else:
            in_flags = False
            path = quoted_path(word)
            found = read_values(path) if path is not None else [word]
            files += [path] if path is not None else []
            for value in found:
                _check_value(kind, value, directive)
                values.append(value)
                icase.append(case_off)
    return AclLine(tuple(values), tuple(flags), tuple(icase), directive, tuple(files)), values


def _suffixes(value: str) -> list[str]:
    """``.b.c`` and ``.c`` for ``a.b.c`` (or ``.a.b.c``): the wildcard entries that would cover it."""
    labels = value.lstrip(".").split(".")
    return ["." + ".".join(labels[i:]) for i in range(1, len(labels))]


def check_domains(acl_name: str, old: list[str], new: list[str], directive: Directive, warn: Warn) -> None:
    """Squid's own consistency rules for domain lists (observed on 5.7): a value already covered by
    an earlier wildcard is ignored with a warning; a value that covers an earlier one, or ``x`` beside
    ``.x``, makes Squid refuse the configuration."""
    seen = {v.lower() for v in old}
    covered = {s for v in seen for s in _suffixes(v)}
    for raw in new:
        value = raw.lower()
        if value in seen:
            continue
        partner = value[1:] if value.startswith(".") else "." + value
        wider = next((s for s in _suffixes(value) if s in seen), None)
        if partner in seen or (value.startswith(".") and value in covered):
            message = f"acl {acl_name}: '{raw}' covers an earlier value of the same ACL; Squid refuses to start"
            raise parse_error(message, directive.file, directive.line)
        if wider is not None:
            warn(f"{directive.where}: acl {acl_name}: '{raw}' is already covered by '{wider}' (Squid ignores it)")
            continue
        seen.add(value)
        covered.update(_suffixes(value))


def parse_acl(directive: Directive, acls: dict[str, Acl], read_values: ReadValues, warn: Warn) -> None:
    """Add one ``acl NAME TYPE [flags] values...`` line to ``acls`` (same name and type: values add up)."""
    if len(directive.args) < 2:
        raise parse_error("acl needs a name and a type", directive.file, directive.line)
    name, kind, *rest = directive.args
    existing = acls.get(name)
    if existing is not None and existing.type != kind:
        raise parse_error(
            f"acl {name} is already defined with type {existing.type}, not {kind}", directive.file, directive.line
        )
    line, values = _scan(kind, rest, read_values, directive)
    if kind in DOMAIN_TYPES:
        check_domains(name, existing.values if existing else [], values, directive, warn)
    if kind in GROUP_TYPES:
        for member in values:
            if member not in acls:
                raise parse_error(f"acl {name}: unknown member ACL '{member}'", directive.file, directive.line)
    if existing is None:
        acls[name] = Acl(name, kind, [line])
    else:
        existing.lines.append(line)
