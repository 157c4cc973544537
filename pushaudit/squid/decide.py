"""Vendor-neutral answers for one request: access verdict, auth, TLS action, forwarding, DNS need."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pushaudit.squid.access import CHALLENGE, AuthHit, ListOutcome, evaluate_list, opposite_of_last
from pushaudit.squid.bump import BumpOutcome, evaluate_bump
from pushaudit.squid.forwarding import DIRECT, Forwarding, decide_forwarding
from pushaudit.squid.model import Rule, SquidConfig, SquidVersion
from pushaudit.squid.request import (
    ExplicitRequest,
    InterceptedRequest,
    MatchContext,
    Resolver,
    authority,
    ip_literal,
)
from pushaudit.squid.tri import Tri


@dataclass(frozen=True)
class Decision:
    label: str
    access: ListOutcome  # http_access for the request (intercepted TLS: the step-1 fake CONNECT)
    bump: BumpOutcome | None = None  # ssl_bump, when the port bumps and the request is TLS
    sni_access: ListOutcome | None = None  # intercepted TLS spliced at step 2: the SNI fake CONNECT
    forwarding: Forwarding | None = None  # explicit requests (decided even when http_access refuses)
    resolves_name: Tri = Tri.NO  # must Squid itself resolve ``name``?
    name: str = ""  # the name Squid resolves (CONNECT host, or SNI for Host verification)
    host_verified: Tri | None = None  # intercepted: does the name resolve to the original destination?
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str | None:
        """allow, deny, challenge, or None when the http_access answer is undecided."""
        first = self.access.verdict
        if first == "allow" and self.sni_access is not None:
            return self.sni_access.verdict
        return first

    @property
    def allowed(self) -> Tri:
        verdict = self.verdict
        return Tri.UNKNOWN if verdict is None else Tri.of(verdict == "allow")

    @property
    def auth_reached(self) -> Tri:
        parts = [self.access.auth_reached]
        if self.sni_access is not None:
            parts.append(self.sni_access.auth_reached)
        return Tri.any(parts)

    @property
    def auth_hits(self) -> list[AuthHit]:
        return self.access.auth_hits + (self.sni_access.auth_hits if self.sni_access else [])

    @property
    def deciding_rules(self) -> list[Rule]:
        """Every squid.conf rule that decided something about this request."""
        rules = list(self.access.rules)
        for extra in (self.bump.rules if self.bump else [], self.sni_access.rules if self.sni_access else []):
            rules += extra
        rules += list(self.forwarding.rules) if self.forwarding else []
        unique = {id(r): r for r in rules}
        return list(unique.values())

    @property
    def unknowns(self) -> list[str]:
        found = list(self.access.unknowns)
        found += self.bump.unknowns if self.bump else []
        found += list(self.sni_access.unknowns) if self.sni_access else []
        found += list(self.forwarding.unknowns) if self.forwarding else []
        return list(dict.fromkeys(found))


def _http_access(config: SquidConfig, ctx: MatchContext) -> ListOutcome:
    return evaluate_list("http_access", config.http_access, ctx, config.acls, lambda r: opposite_of_last(r, "deny"))


def decide_explicit(config: SquidConfig, request: ExplicitRequest, resolver: Resolver) -> Decision:
    ctx = MatchContext(
        method=request.method,
        host=request.host,
        port=request.port,
        url=request.url,
        client=request.client,
        listener=request.listener,
        resolver=resolver,
        server_name=request.host,
        path="" if request.method == "CONNECT" else "/",
    )
    access = _http_access(config, ctx)
    bump = None
    if request.method == "CONNECT" and request.listener.ssl_bump:
        # decided even when http_access refuses: what Squid would do once the client gets through
        sni = request.sni or request.host
        bump = evaluate_bump(config, lambda step: ctx if step == 1 else replace(ctx, step=step, server_name=sni))
    forwarding = decide_forwarding(config, ctx, hierarchical=request.method != "CONNECT")
    if access.verdict != "allow":
        resolves = Tri.UNKNOWN if access.verdict is None else Tri.NO
    elif forwarding.candidates is None or (bump is not None and bump.final is None):
        resolves = Tri.UNKNOWN
    elif bump is not None and bump.final == "terminate":
        resolves = Tri.NO
    else:
        resolves = Tri.of(forwarding.uses_direct and ip_literal(request.host) is None)
    return Decision(request.label(), access, bump, forwarding=forwarding, resolves_name=resolves, name=request.host)


def decide_intercepted(config: SquidConfig, request: InterceptedRequest, resolver: Resolver) -> Decision:
    dst = str(request.dst)
    ctx = MatchContext(
        method="CONNECT",
        host=dst,
        port=request.port,
        url=authority(dst, request.port),
        client=request.client,
        listener=request.listener,
        resolver=resolver,
        intercepted=True,
        original_dst=request.dst,
        server_name=dst,
    )
    if not request.tls:
        return _intercepted_http(config, request, ctx)
    access = _http_access(config, ctx)
    if not request.listener.ssl_bump:
        note = "TLS reaches an intercepting port without ssl-bump: Squid cannot handle it"
        return Decision(request.label(), access, notes=(note,))
    sni = request.name or dst
    bump = evaluate_bump(config, lambda step: ctx if step == 1 else replace(ctx, step=step, server_name=sni))
    if bump.final is None:
        return Decision(request.label(), access, bump, resolves_name=Tri.UNKNOWN, name=sni)
    if not (bump.final == "splice" and bump.step == 2 and request.name):
        return Decision(request.label(), access, bump, resolves_name=Tri.NO)
    # Spliced after peeking at step 1: Squid builds a second fake CONNECT from the SNI and
    # verifies that the name resolves to the original destination (409 ERR_CONFLICT_HOST if not).
    sni_ctx = replace(ctx, host=request.name, url=authority(request.name, request.port), step=2, server_name=sni)
    sni_access = _http_access(config, sni_ctx)
    return Decision(
        request.label(),
        access,
        bump,
        sni_access=sni_access,
        resolves_name=Tri.YES,
        name=request.name,
        host_verified=_verify(resolver, request.name, request),
    )


def _verify(resolver: Resolver, name: str, request: InterceptedRequest) -> Tri:
    addresses = resolver.forward(name)
    return Tri.UNKNOWN if addresses is None else Tri.of(request.dst in addresses)


def _intercepted_http(config: SquidConfig, request: InterceptedRequest, step1: MatchContext) -> Decision:
    name = request.name or str(request.dst)
    ctx = replace(step1, method="GET", host=name, url=f"http://{name}/", path="/", server_name=name)
    access = _http_access(config, ctx)
    verified = _verify(ctx.resolver, name, request) if request.name else Tri.YES
    notes: tuple[str, ...] = ()
    if verified is not Tri.YES:
        strict = config.switch("host_verify_strict")
        notes = (
            "Host verification may fail: "
            + ("host_verify_strict on answers 409" if strict else "Squid still forwards to the original address"),
        )
    return Decision(request.label(), access, resolves_name=Tri.of(bool(request.name)), name=name,
                    host_verified=verified, notes=notes)


def expected_status(decision: Decision, resolver: Resolver, version: SquidVersion | None) -> int | None:
    """The HTTP status Squid answers an explicit CONNECT with, when it can be told; else None.

    Assumes the origin listens. DIRECT to a name without addresses: 500 ERR_CANNOT_FORWARD on
    Squid 5 (observed on 5.7), 503 ERR_DNS_FAIL from 6.3.
    """
    verdict = decision.verdict
    if verdict in (CHALLENGE, "deny"):
        return 407 if verdict == CHALLENGE else 403
    forwarding = decision.forwarding
    plain_direct = forwarding is not None and forwarding.candidates == (DIRECT,)
    if verdict != "allow" or not plain_direct or (decision.bump is not None and decision.bump.final != "splice"):
        return None  # a parent answers, the client's TLS is bumped, or it depends on unknowns
    addresses = resolver.forward(decision.name)
    if addresses is None:
        return None
    if not addresses:
        return 503 if version is not None and version.at_least(6, 3) else 500
    return 200
