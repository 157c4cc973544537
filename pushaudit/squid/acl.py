"""Decide one ACL for one MatchContext: YES, NO or UNKNOWN (with the reason), or an auth challenge."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pushaudit.squid.acl_defs import STEP_NAMES
from pushaudit.squid.addresses import ip_in
from pushaudit.squid.model import AUTH_TYPES, Acl, AclLine
from pushaudit.squid.request import MatchContext, ip_literal
from pushaudit.squid.tri import Tri


@dataclass(frozen=True)
class AclResult:
    match: Tri
    reason: str = ""  # why UNKNOWN, or a note worth showing
    challenge: bool = False  # Squid answers 407 here (proxy_auth without credentials)
    auth: bool = False  # an authentication/identity ACL was evaluated


def domain_matches(pattern: str, name: str) -> bool:
    """dstdomain semantics: ``.example.com`` covers the domain and below; otherwise exact."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("."):
        return name == pattern[1:] or name.endswith(pattern)
    return name == pattern


def _regex(line: AclLine, index: int) -> re.Pattern[str] | None:
    icase = line.icase[index] if index < len(line.icase) else False
    try:
        return re.compile(line.values[index], re.IGNORECASE if icase else 0)
    except re.error:
        return None


def _regex_any(acl: Acl, text: str) -> AclResult:
    results: list[Tri] = []
    for line in acl.lines:
        for index in range(len(line.values)):
            pattern = _regex(line, index)
            results.append(Tri.UNKNOWN if pattern is None else Tri.of(bool(pattern.search(text))))
    result = Tri.any(results)
    reason = f"acl {acl.name}: a pattern is not a regex Python can read" if result is Tri.UNKNOWN else ""
    return AclResult(result, reason)


def _names_any(acl: Acl, names: list[str], regex: bool) -> AclResult:
    if regex:
        results = [_regex_any(acl, n) for n in names]
        return AclResult(Tri.any([r.match for r in results]), next((r.reason for r in results if r.reason), ""))
    return AclResult(Tri.of(any(domain_matches(p, n) for p in acl.values for n in names)))


def _domain(acl: Acl, ctx: MatchContext, regex: bool) -> AclResult:
    """dstdomain / dstdom_regex: the URL host; for an IP host, Squid also tries its reverse name."""
    first = _names_any(acl, [ctx.host], regex)
    address = ip_literal(ctx.host)
    if first.match is not Tri.NO or address is None or any("-n" in line.flags for line in acl.lines):
        return first
    pointers = ctx.resolver.reverse(address)
    if pointers is None:
        return AclResult(Tri.UNKNOWN, f"acl {acl.name} ({acl.type}) looks up the reverse name of {address}")
    return _names_any(acl, list(pointers), regex)


def _dst(acl: Acl, ctx: MatchContext) -> AclResult:
    if ctx.intercepted and ctx.original_dst is not None:
        return AclResult(ip_in(acl, ctx.original_dst))  # the original destination: no DNS
    literal = ip_literal(ctx.host)
    if literal is not None:
        return AclResult(ip_in(acl, literal))
    if any("-n" in line.flags for line in acl.lines):
        return AclResult(Tri.NO, f"acl {acl.name} (dst -n) never matches a host name")
    addresses = ctx.resolver.forward(ctx.host)
    if addresses is None:
        return AclResult(Tri.UNKNOWN, f"acl {acl.name} (dst) needs the addresses of {ctx.host}, which are not known")
    if not addresses:
        return AclResult(Tri.NO, f"acl {acl.name} (dst): {ctx.host} has no address, so dst silently does not match")
    return AclResult(Tri.any([ip_in(acl, a) for a in addresses]))


def ports_of(acl: Acl) -> set[int]:
    """Every port a port-type ACL lists (ranges expanded)."""
    out: set[int] = set()
    for value in acl.values:
        low, _, high = value.partition("-")
        out |= set(range(int(low), int(high or low) + 1))
    return out


def _ports(acl: Acl, port: int) -> Tri:
    for value in acl.values:
        low, _, high = value.partition("-")
        if int(low) <= port <= int(high or low):
            return Tri.YES
    return Tri.NO


def _auth(acl: Acl, ctx: MatchContext) -> AclResult:
    if acl.type in ("proxy_auth", "proxy_auth_regex"):
        if ctx.intercepted:
            return AclResult(Tri.NO, f"acl {acl.name}: Squid cannot authenticate intercepted traffic", auth=True)
        return AclResult(Tri.UNKNOWN, f"acl {acl.name} asks for credentials (407)", challenge=True, auth=True)
    return AclResult(Tri.UNKNOWN, f"acl {acl.name} ({acl.type}) depends on a helper's answer", auth=True)


def _local_port(acl: Acl, ctx: MatchContext) -> AclResult:
    if ctx.intercepted:
        reason = f"acl {acl.name} ({acl.type}): intercepted traffic does not carry Squid's port; use myportname"
        return AclResult(Tri.UNKNOWN, reason)
    return AclResult(_ports(acl, ctx.listener.port))


def _local_ip(acl: Acl, ctx: MatchContext) -> AclResult:
    if ctx.intercepted and ctx.original_dst is not None:
        return AclResult(ip_in(acl, ctx.original_dst))
    literal = ip_literal(ctx.listener.address or "")
    if literal is None:
        return AclResult(Tri.UNKNOWN, f"acl {acl.name} ({acl.type}): the port is bound to every address")
    return AclResult(ip_in(acl, literal))


def _proto(acl: Acl, ctx: MatchContext) -> AclResult:
    if ctx.method == "CONNECT":
        return AclResult(Tri.UNKNOWN, f"acl {acl.name} (proto) is not modelled for CONNECT requests")
    scheme = ctx.url.split(":", 1)[0].upper()
    return AclResult(Tri.of(scheme in {v.upper() for v in acl.values}))


def _step(acl: Acl, ctx: MatchContext) -> AclResult:
    wanted = {v.lower() for v in acl.values} & STEP_NAMES
    return AclResult(Tri.of(f"sslbump{ctx.step}" in wanted))


Matcher = Callable[[Acl, MatchContext], AclResult]

MATCHERS: dict[str, Matcher] = {
    "src": lambda a, c: AclResult(ip_in(a, c.client)),
    "dst": _dst,
    "localip": _local_ip,
    "myip": _local_ip,
    "dstdomain": lambda a, c: _domain(a, c, regex=False),
    "dstdom_regex": lambda a, c: _domain(a, c, regex=True),
    "ssl::server_name": lambda a, c: _names_any(a, [c.server_name], regex=False),
    "ssl::server_name_regex": lambda a, c: _names_any(a, [c.server_name], regex=True),
    "port": lambda a, c: AclResult(_ports(a, c.port)),
    "localport": _local_port,
    "myport": _local_port,
    "myportname": lambda a, c: AclResult(Tri.of(c.listener.name in a.values)),
    "method": lambda a, c: AclResult(Tri.of(c.method in a.values)),
    "proto": _proto,
    "at_step": _step,
    "url_regex": lambda a, c: _regex_any(a, c.url),
    "urlpath_regex": lambda a, c: _regex_any(a, c.path),
    "annotate_transaction": lambda _a, _c: AclResult(Tri.YES),  # annotation ACLs always match
    "annotate_client": lambda _a, _c: AclResult(Tri.YES),
}


def match_acl(acl: Acl, ctx: MatchContext, acls: dict[str, Acl], depth: int = 0) -> AclResult:
    if acl.type in AUTH_TYPES:
        return _auth(acl, ctx)
    if acl.type in ("any-of", "all-of"):
        return _group(acl, ctx, acls, depth)
    matcher = MATCHERS.get(acl.type)
    if matcher is None:
        return AclResult(Tri.UNKNOWN, f"acl {acl.name}: type {acl.type} is not modelled")
    return matcher(acl, ctx)


def _group(acl: Acl, ctx: MatchContext, acls: dict[str, Acl], depth: int) -> AclResult:
    """any-of / all-of: members in order, stopping as Squid does at the first decisive one."""
    if depth > 16:
        return AclResult(Tri.UNKNOWN, f"acl {acl.name}: groups nested too deeply")
    decisive = Tri.YES if acl.type == "any-of" else Tri.NO
    seen: list[Tri] = []
    reasons: list[str] = []
    auth = False
    for name in acl.values:
        result = match_acl(acls[name], ctx, acls, depth + 1)
        auth = auth or result.auth
        if result.challenge:
            if Tri.UNKNOWN in seen:  # Squid may or may not get this far
                return AclResult(Tri.UNKNOWN, result.reason, auth=True)
            return AclResult(Tri.UNKNOWN, result.reason, challenge=True, auth=True)
        if result.reason:
            reasons.append(result.reason)
        if result.match is decisive:
            return AclResult(decisive, "; ".join(reasons), auth=auth)
        seen.append(result.match)
    combined = Tri.any(seen) if acl.type == "any-of" else Tri.all(seen)
    return AclResult(combined, "; ".join(reasons), auth=auth)
