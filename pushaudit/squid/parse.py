"""Turn the loaded directive list into a SquidConfig."""

from __future__ import annotations

import ipaddress

from pushaudit.errors import DataError
from pushaudit.squid.acl_defs import parse_acl, predefined_acls
from pushaudit.squid.lexer import quoted_path
from pushaudit.squid.loader import ConfigSource, load_directives, parse_error
from pushaudit.squid.model import SWITCH_DEFAULTS, Acl, AclRef, Directive, Rule, SquidConfig, SquidVersion
from pushaudit.squid.ports import parse_peer, parse_port
from pushaudit.squid.refs import resolve

ACCESS_LISTS = ("http_access", "always_direct", "never_direct")
BUMP_ACTIONS = frozenset({"splice", "bump", "peek", "stare", "terminate", "client-first", "server-first", "none"})
MODELLED = frozenset(
    {"acl", "http_port", "https_port", "ssl_bump", "cache_peer", "cache_peer_access", "dns_nameservers", "auth_param"}
    | set(ACCESS_LISTS)
    | set(SWITCH_DEFAULTS)
)


class _Builder:
    def __init__(self, config: SquidConfig, source: ConfigSource, config_dir: str) -> None:
        self.config = config
        self.source = source
        self.config_dir = config_dir

    def read_values(self, path: str) -> list[str]:
        """Entries of an ACL file: the first word of each non-comment line, as Squid reads them."""
        full = resolve(path, self.config_dir)
        text = self.source.read(full)
        if full not in self.config.files:
            self.config.files.append(full)
        words = (line.split(None, 1) for line in text.splitlines())
        return [w[0] for w in words if w and not w[0].startswith("#")]

    def acl_refs(self, words: list[str], directive: Directive) -> tuple[AclRef, ...]:
        refs: list[AclRef] = []
        for word in words:
            path = quoted_path(word)
            names = self.read_values(path) if path is not None else [word]
            for name in names:
                negated = name.startswith("!")
                bare = name[1:] if negated else name
                if bare not in self.config.acls:
                    raise parse_error(f"ACL '{bare}' is not defined (before this line)", directive.file, directive.line)
                refs.append(AclRef(bare, negated))
        return tuple(refs)

    def rule(self, directive: Directive, actions: frozenset[str], words: list[str], target: str = "") -> Rule:
        if not words or words[0] not in actions:
            wanted = " or ".join(sorted(actions))
            raise parse_error(f"{directive.name}: expected {wanted}", directive.file, directive.line)
        return Rule(words[0], self.acl_refs(words[1:], directive), directive, target)

    def add(self, d: Directive) -> None:
        try:
            self._add(d)
        except DataError as exc:
            if exc.code != "E-PARSE-SQUID" or exc.line is not None:
                raise
            raise parse_error(exc.message, d.file, d.line) from exc  # name the line that refers to the file

    def _add(self, d: Directive) -> None:
        cfg = self.config
        allow_deny = frozenset({"allow", "deny"})
        if d.name == "acl":
            parse_acl(d, cfg.acls, self.read_values, cfg.warnings.append)
        elif d.name in ("http_port", "https_port"):
            cfg.ports.append(parse_port(d))
        elif d.name in ACCESS_LISTS:
            getattr(cfg, d.name).append(self.rule(d, allow_deny, list(d.args)))
        elif d.name == "ssl_bump":
            cfg.ssl_bump.append(self.rule(d, BUMP_ACTIONS, list(d.args)))
        elif d.name == "cache_peer":
            cfg.cache_peers.append(parse_peer(d))
        elif d.name == "cache_peer_access":
            self._peer_access(d)
        elif d.name in SWITCH_DEFAULTS:
            if len(d.args) != 1 or d.args[0] not in ("on", "off"):
                raise parse_error(f"{d.name} takes 'on' or 'off'", d.file, d.line)
            cfg.switches[d.name] = (d.args[0] == "on", d)
        elif d.name == "dns_nameservers":
            self._nameservers(d)
        elif d.name == "auth_param":
            cfg.auth_params.append(d)

    def _peer_access(self, d: Directive) -> None:
        if not d.args or self.config.peer(d.args[0]) is None:
            raise parse_error("cache_peer_access names no defined cache_peer", d.file, d.line)
        rule = self.rule(d, frozenset({"allow", "deny"}), list(d.args[1:]), target=d.args[0])
        self.config.cache_peer_access.setdefault(d.args[0], []).append(rule)

    def _nameservers(self, d: Directive) -> None:
        for server in d.args:
            try:
                ipaddress.ip_address(server)
            except ValueError as exc:
                raise parse_error(f"dns_nameservers: '{server}' is not an IP address", d.file, d.line) from exc
            self.config.dns_nameservers.append(server)


def parse_config(
    main: str, source: ConfigSource, version: SquidVersion | None = None, config_dir: str | None = None
) -> SquidConfig:
    """Load ``main`` with its includes and ACL files from ``source`` and model it."""
    directory = config_dir or main.rsplit("/", 1)[0] or "/"
    loaded = load_directives(main, source, directory, MODELLED)
    config = SquidConfig(main_file=main, files=list(loaded.files), version=version)
    config.directives = loaded.directives
    config.warnings = list(loaded.warnings)
    config.acls = predefined_acls(version)
    builder = _Builder(config, source, directory)
    for directive in loaded.directives:
        builder.add(directive)
    if not config.ports:
        config.warnings.append(f"{main}: no http_port or https_port line; Squid listens on nothing")
    _warn_host_names(config.acls, config.warnings)
    return config


def _warn_host_names(acls: dict[str, Acl], warnings: list[str]) -> None:
    for acl in acls.values():
        if acl.type in ("dst", "src") and not acl.predefined:
            for value in acl.values:
                if "/" not in value and "-" not in value and value != "all":
                    try:
                        ipaddress.ip_address(value)
                    except ValueError:
                        warnings.append(f"acl {acl.name}: '{value}' is a host name; Squid resolves it at startup")
