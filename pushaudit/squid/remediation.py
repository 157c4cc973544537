"""Concrete squid.conf lines that fix a finding, and where to put them."""

from __future__ import annotations

from pushaudit.policy import Policy
from pushaudit.squid.addresses import ip_in
from pushaudit.squid.model import Directive, Port, Rule, SquidConfig
from pushaudit.squid.paths import ClientSource
from pushaudit.squid.tri import Tri


def apple_domains(policy: Policy) -> list[str]:
    """dstdomain values for the policy's hosts: ``.domain`` for wildcards, names they do not cover."""
    wild = sorted({"." + h.domain for h in policy.hosts if h.is_wildcard})
    exact = sorted(
        {h.name for h in policy.hosts if not h.is_wildcard and not any(h.name.endswith(w) for w in wild)}
    )
    return wild + exact


def apple_ranges_text(policy: Policy) -> str:
    return " ".join(str(n) for n in policy.apple_ranges())


def free_name(config: SquidConfig, wanted: str, acl_type: str) -> str:
    """``wanted`` unless the config already uses that ACL name for another type."""
    existing = config.acls.get(wanted)
    return wanted if existing is None or existing.type == acl_type else f"pushaudit_{wanted}"


def client_acl(config: SquidConfig, clients: list[ClientSource]) -> tuple[str, list[str]]:
    """An existing src ACL that covers every client network, or a new one."""
    candidates = (a for a in config.acls.values() if a.type == "src" and not a.predefined)
    for acl in candidates:
        if all(ip_in(acl, c.address) is Tri.YES for c in clients):
            return acl.name, []
    name = free_name(config, "apple_clients", "src")
    return name, [f"acl {name} src {' '.join(c.network for c in clients)}"]


def where_before(directive: Directive | None, config: SquidConfig, fallback: list[Rule]) -> str:
    if directive is not None:
        return f"insert before {directive.where} ({directive.raw})"
    if fallback:
        return f"insert after {fallback[-1].directive.where} (the last line of that list)"
    return f"add to {config.main_file}"


def block(where: str, lines: list[str]) -> str:
    return where + ":\n" + "\n".join("    " + line for line in lines)


def connect_allow(
    config: SquidConfig, policy: Policy, clients: list[ClientSource], ports: list[int], plain_http: bool = False
) -> list[str]:
    """ACL lines and http_access allows for Apple CONNECTs (and plain HTTP), by name: no DNS, no auth."""
    hosts = free_name(config, "apple_hosts", "dstdomain")
    port_acl = free_name(config, "apple_ports", "port")
    clients_name, client_lines = client_acl(config, clients)
    return [
        *client_lines,
        f"acl {hosts} dstdomain {' '.join(apple_domains(policy))}",
        f"acl {port_acl} port {' '.join(str(p) for p in sorted(set(ports)))}",
        f"http_access allow {clients_name} CONNECT {hosts} {port_acl}",
        *([f"http_access allow {clients_name} !CONNECT {hosts}"] if plain_http else []),
    ]


def intercept_allow(config: SquidConfig, policy: Policy, port: Port) -> list[str]:
    """An allow for intercepted Apple traffic, on the destination address and limited to that port."""
    net = free_name(config, "apple_net", "dst")
    ports = free_name(config, "apple_intercept_port", "myportname")
    return [
        f"acl {net} dst {apple_ranges_text(policy)}",
        f"acl {ports} myportname {port.name}",
        f"http_access allow {ports} {net}",
    ]


def splice_lines(config: SquidConfig, policy: Policy, intercepted: bool) -> list[str]:
    """Splice Apple before any peek/stare/bump: on the destination address at step 1 for
    intercepted traffic (no SNI, no Host verification), on the server name for explicit CONNECTs."""
    if intercepted:
        net = free_name(config, "apple_net", "dst")
        return [f"acl {net} dst {apple_ranges_text(policy)}", f"ssl_bump splice {net}"]
    sni = free_name(config, "apple_sni", "ssl::server_name")
    return [f"acl {sni} ssl::server_name {' '.join(apple_domains(policy))}", f"ssl_bump splice {sni}"]
