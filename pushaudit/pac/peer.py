"""What the proxy a PAC names does with an Apple request: judged with that host's own Squid model."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.findings import Evidence
from pushaudit.pac.routes import Route
from pushaudit.pac.targets import PacTarget
from pushaudit.squid.access import CHALLENGE
from pushaudit.squid.checking import rule_evidence
from pushaudit.squid.decide import Decision, decide_explicit
from pushaudit.squid.model import Port, Rule, SquidConfig
from pushaudit.squid.paths import sni_for
from pushaudit.squid.request import ExplicitRequest, IPAddress
from pushaudit.squid.resolver import policy_resolver
from pushaudit.squid.source import SQUID
from pushaudit.squid.tri import Tri


@dataclass(frozen=True)
class PeerVerdict:
    ok: Tri  # YES: passes Apple through; NO: breaks it; UNKNOWN: cannot be told
    reason: str  # "demands proxy authentication (/etc/squid/squid.conf:21)"
    peer: str = ""  # inventory name of the proxy, when it is audited
    code: str = ""  # error code when ok is UNKNOWN
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()


def _unknown(reason: str, code: str, peer: str = "") -> PeerVerdict:
    return PeerVerdict(Tri.UNKNOWN, reason, peer, code)


def _evidence(peer: HostContext, rules: list[Rule], config: SquidConfig, note: str) -> tuple[Evidence, ...]:
    """The peer's squid.conf lines, with sources that point into that host's part of the snapshot."""
    out = rule_evidence(rules, config, note)
    return tuple(replace(e, source=f"hosts/{peer.host}/{e.source}", note=f"{peer.host}: {e.note}") for e in out)


def _listener(config: SquidConfig, route: Route) -> Port | None:
    kind = "https_port" if route.kind == "HTTPS" else "http_port"
    ports = [p for p in config.forward_ports if p.port == route.port and p.kind == kind]
    exact = [p for p in ports if p.address is None or p.address.lower() == route.host]
    return (exact or ports)[0] if ports else None


def _auth_reason(decision: Decision) -> str:
    hits = decision.auth_hits
    where = hits[0].rule.directive.where if hits else "an authentication ACL"
    return f"demands proxy authentication ({where}); devices cannot answer a 407"


Step = tuple[Tri, str, list[Rule]] | None


def _access(decision: Decision) -> Step:
    if decision.verdict == CHALLENGE or decision.auth_reached is Tri.YES:
        return Tri.NO, _auth_reason(decision), [h.rule for h in decision.auth_hits] or decision.access.rules
    if decision.verdict == "deny":
        rule = decision.access.rule
        where = rule.directive.where if rule else "its default (no http_access line matches)"
        return Tri.NO, f"refuses it (403, {where})", decision.access.rules
    if decision.verdict is None or decision.auth_reached is Tri.UNKNOWN:
        why = "; ".join(decision.unknowns) or "the rules depend on facts not in the snapshot"
        return Tri.UNKNOWN, f"cannot be decided: {why}", decision.deciding_rules
    return None


def _tls(decision: Decision, target: PacTarget) -> Step:
    bump = decision.bump
    if not target.is_tls or bump is None or bump.final == "splice":
        return None
    if bump.final is None:
        return Tri.UNKNOWN, f"its TLS action cannot be decided ({bump.describe()})", bump.rules
    where = bump.rules[-1].directive.where if bump.rules else "the ssl_bump default"
    verb = "decrypts it (TLS interception" if bump.final == "bump" else "closes it (ssl_bump terminate"
    return Tri.NO, f"{verb}, {where})", bump.rules


def _squash(ctx: HostContext, decision: Decision, target: PacTarget) -> Step:
    if target.host != ctx.policy.courier.bare.lower() or decision.resolves_name is Tri.NO:
        return None
    how = decision.forwarding.explanation if decision.forwarding else "it forwards DIRECT"
    if decision.resolves_name is Tri.UNKNOWN:
        return Tri.UNKNOWN, f"may have to resolve {target.host} ({how})", decision.deciding_rules
    reason = (f"must resolve {target.host} itself ({how}), and that name has no address by design (Squid answers "
              "500 ERR_CANNOT_FORWARD, or 503 ERR_DNS_FAIL from 6.3)")
    return Tri.NO, reason, decision.deciding_rules


def _verdict(ctx: HostContext, decision: Decision, target: PacTarget) -> tuple[Tri, str, list[Rule]]:
    """Tri.NO with the reason when the proxy breaks the request; YES when it passes it through."""
    for step in (_access(decision), _tls(decision, target), _squash(ctx, decision, target)):
        if step is not None:
            return step
    return Tri.YES, "passes it through (allowed without authentication, not decrypted)", decision.deciding_rules


def judge_proxy(ctx: HostContext, route: Route, target: PacTarget, client: IPAddress) -> PeerVerdict:
    """Decide the request the device sends to ``route`` (CONNECT host:443, or GET for http://)."""
    peer = ctx.peers.get(route.host)
    if peer is None:
        return _unknown(
            "is not an audited host, so what it does cannot be told (add it to the inventory, or list this name "
            "under that proxy's data.proxy_names)", "E-PAC-PROXY-UNKNOWN",
        )  # fmt: skip
    if peer.facts.role != "proxy":
        return _unknown(f"is {peer.host}, a {peer.facts.role} rather than a proxy", "E-PAC-PROXY-UNKNOWN", peer.host)
    if not route.is_http_proxy:
        reason = f"is used as a {route.kind} proxy, which pushaudit does not model"
        return _unknown(reason, "E-PAC-PROXY-UNKNOWN", peer.host)
    try:
        config = peer.get(SQUID)
    except DataError as exc:
        reason = f"cannot be judged: its Squid configuration cannot be read ({exc.message})"
        return _unknown(reason, exc.code, peer.host)
    listener = _listener(config, route)
    if listener is None:
        ports = ", ".join(p.label() for p in config.forward_ports) or "none"
        return PeerVerdict(Tri.NO, f"has no client-facing forward port {route.port} (its ports: {ports})", peer.host)
    method = "CONNECT" if target.is_tls else "GET"
    request = ExplicitRequest(target.host, target.port, client, listener, method, sni_for(target.host, ctx.policy))
    decision = decide_explicit(config, request, policy_resolver(peer.policy, peer.snapshot))
    ok, reason, rules = _verdict(ctx, decision, target)
    notes: tuple[str, ...] = ()
    forwarding = decision.forwarding
    if ok is Tri.YES and forwarding is not None and forwarding.peers:
        notes = (f"{peer.host} then sends it to parent {', '.join(forwarding.peers)} (audited on its own)",)
    code = "E-EVAL-UNKNOWN" if ok is Tri.UNKNOWN else ""
    note = "decided" if ok is not Tri.UNKNOWN else "involved"
    return PeerVerdict(ok, reason, peer.host, code, _evidence(peer, rules, config, note), notes)
