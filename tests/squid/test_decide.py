"""The decision model on small configurations: first match, three-valued ACLs, auth, ssl_bump, forwarding."""

from __future__ import annotations

import ipaddress

from squid_harness import parse_text

from pushaudit.squid.decide import Decision, decide_explicit, decide_intercepted, expected_status
from pushaudit.squid.model import SquidConfig, SquidVersion
from pushaudit.squid.request import ExplicitRequest, InterceptedRequest, IPAddress, StaticResolver
from pushaudit.squid.tri import Tri

CLIENT = ipaddress.ip_address("10.1.2.3")
APPLE_IP = ipaddress.ip_address("17.57.145.36")
DNS = StaticResolver({
    "courier.push.apple.com": (),
    "1-courier.push.apple.com": (APPLE_IP,),
    "www.example.org": (ipaddress.ip_address("93.184.216.34"),),
})
HEAD = "http_port 3128\nhttps_port 10.1.0.1:3130 intercept ssl-bump tls-cert=/x.pem\nacl clients src 10.0.0.0/8\n"


def connect(
    text: str, host: str, port: int = 443, method: str = "CONNECT", resolver: StaticResolver = DNS
) -> tuple[SquidConfig, Decision]:
    config = parse_text(HEAD + text)
    request = ExplicitRequest(host, port, CLIENT, config.ports[0], method)
    return config, decide_explicit(config, request, resolver)


def intercepted(text: str, sni: str | None, dst: IPAddress = APPLE_IP) -> Decision:
    config = parse_text(HEAD + text)
    return decide_intercepted(config, InterceptedRequest(dst, 443, CLIENT, config.ports[1], sni), DNS)


def test_first_matching_line_wins_and_the_default_is_the_opposite_of_the_last_line() -> None:
    _, d = connect("acl x dstdomain .example.org\nhttp_access deny x\nhttp_access allow clients\n", "www.example.org")
    assert d.verdict == "deny" and d.access.rule is not None and d.access.rule.directive.line == 5
    _, d = connect("http_access deny !clients\n", "www.example.org")
    assert d.verdict == "allow" and d.access.defaulted  # last line is a deny: the default is allow
    _, d = connect("", "www.example.org")
    assert d.verdict == "deny"  # no http_access line at all


def test_dstdomain_matches_a_domain_and_below_only_with_a_leading_dot() -> None:
    text = "acl a dstdomain .push.apple.com apple.com\nhttp_access allow a\nhttp_access deny all\n"
    assert connect(text, "courier.push.apple.com")[1].verdict == "allow"
    assert connect(text, "push.apple.com")[1].verdict == "allow"
    assert connect(text, "APPLE.com")[1].verdict == "allow"
    assert connect(text, "albert.apple.com")[1].verdict == "deny"


def test_dst_needs_dns_and_silently_misses_a_name_without_address() -> None:
    text = "acl apple dst 17.0.0.0/8\nhttp_access allow apple\nhttp_access deny all\n"
    _, numbered = connect(text, "1-courier.push.apple.com")
    assert numbered.verdict == "allow"
    _, bare = connect(text, "courier.push.apple.com")
    assert bare.verdict == "deny" and bare.access.rule is not None and bare.access.rule.directive.line == 6
    _, unknown = connect(text, "albert.apple.com")
    assert unknown.verdict is None and "albert.apple.com" in unknown.access.unknowns[0]
    _, numeric_only = connect("acl apple dst -n 17.0.0.0/8\nhttp_access allow apple\n", "1-courier.push.apple.com")
    assert numeric_only.verdict == "deny"


def test_an_unknown_acl_does_not_matter_when_both_outcomes_agree() -> None:
    text = "acl t time MTWHF 08:00-17:00\nhttp_access allow clients t\nhttp_access allow clients\n"
    _, d = connect(text, "www.example.org")
    assert d.verdict == "allow" and d.access.rule is None and len(d.access.rules) == 2
    _, d = connect("acl t time 08:00-17:00\nhttp_access deny t\nhttp_access allow all\n", "www.example.org")
    assert d.verdict is None and d.allowed is Tri.UNKNOWN


def test_proxy_auth_reached_means_a_challenge_wherever_it_sits() -> None:
    auth = "auth_param basic program /bin/true\nacl authed proxy_auth REQUIRED\n"
    _, early = connect(auth + "http_access deny !authed\nhttp_access allow clients\n", "albert.apple.com")
    assert early.verdict == "challenge" and early.auth_reached is Tri.YES
    assert expected_status(early, DNS, None) == 407
    _, skipped = connect(auth + "acl nobody src 192.0.2.0/24\nhttp_access allow nobody authed\n"
                         "http_access allow clients\n", "albert.apple.com")
    assert skipped.verdict == "allow" and skipped.auth_reached is Tri.NO  # 'nobody' fails before authed
    _, maybe = connect(auth + "acl t time 08:00-17:00\nhttp_access allow t authed\nhttp_access allow clients\n",
                       "albert.apple.com")
    assert maybe.auth_reached is Tri.UNKNOWN


def test_intercepted_traffic_cannot_authenticate() -> None:
    d = intercepted("acl authed proxy_auth REQUIRED\nhttp_access allow clients authed\nhttp_access deny all\n",
                    "courier.push.apple.com")
    assert d.verdict == "deny" and d.auth_reached is Tri.YES


def test_groups_combine_members() -> None:
    text = ("acl a dstdomain .apple.com\nacl p port 5223\nacl both all-of a p\nacl either any-of a p\n"
            "http_access allow both\nhttp_access deny either\nhttp_access allow all\n")
    assert connect(text, "x.apple.com", 5223)[1].verdict == "allow"
    assert connect(text, "x.apple.com", 443)[1].verdict == "deny"
    assert connect(text, "www.example.org", 443)[1].verdict == "allow"


def test_ssl_bump_without_rules_splices_and_rules_are_filtered_by_step() -> None:
    d = intercepted("http_access allow all\n", "courier.push.apple.com")
    assert d.bump is not None and (d.bump.final, d.bump.step) == ("splice", 1)
    text = ("acl step1 at_step SslBump1\nacl apple_sni ssl::server_name .apple.com\nacl apple_net dst 17.0.0.0/8\n"
            "http_access allow all\n")
    at_step2 = intercepted(text + "ssl_bump peek step1\nssl_bump splice apple_sni\nssl_bump bump all\n",
                           "courier.push.apple.com")
    assert at_step2.bump is not None and (at_step2.bump.final, at_step2.bump.step) == ("splice", 2)
    assert at_step2.resolves_name is Tri.YES and at_step2.host_verified is Tri.NO
    assert at_step2.sni_access is not None and at_step2.sni_access.verdict == "allow"
    at_step1 = intercepted(text + "ssl_bump splice apple_net\nssl_bump peek step1\nssl_bump bump all\n",
                           "courier.push.apple.com")
    assert at_step1.bump is not None and (at_step1.bump.final, at_step1.bump.step) == ("splice", 1)
    assert at_step1.resolves_name is Tri.NO and at_step1.host_verified is None
    # at step 1 ssl::server_name sees the intercepted IP, not a name: this never matches
    by_name = intercepted(text + "ssl_bump splice apple_sni\nssl_bump bump all\n", "courier.push.apple.com")
    assert by_name.bump is not None and by_name.bump.final == "bump"
    numbered = intercepted(text + "ssl_bump peek step1\nssl_bump splice apple_sni\n", "1-courier.push.apple.com")
    assert numbered.host_verified is Tri.YES  # the name resolves to the original destination


def test_legacy_and_terminate_actions() -> None:
    text = "http_access allow all\nacl apple dstdomain .apple.com\n"
    _, none = connect(text + "ssl_bump none apple\nssl_bump client-first all\n", "x.apple.com")
    assert none.bump is None  # the forward port of this head has no ssl-bump
    config = parse_text("http_port 3128 ssl-bump tls-cert=/x.pem\n" + text + "ssl_bump none apple\n"
                        "ssl_bump client-first all\nacl bad dstdomain .bad.example\nssl_bump terminate bad\n")
    port = config.ports[0]
    for host, final in (("x.apple.com", "splice"), ("www.example.org", "bump")):
        d = decide_explicit(config, ExplicitRequest(host, 443, CLIENT, port), DNS)
        assert d.bump is not None and (d.bump.final, d.bump.step) == (final, 1)


def _candidates(decision: Decision) -> tuple[str, ...] | None:
    assert decision.forwarding is not None
    return decision.forwarding.candidates


def test_forwarding_order() -> None:
    peer = "cache_peer up.example parent 3128 0 name=up\nhttp_access allow all\n"
    assert _candidates(connect(peer, "x.apple.com")[1]) == ("DIRECT",)
    assert _candidates(connect(peer + "never_direct allow all\n", "x.apple.com")[1]) == ("up",)
    both = connect(peer + "nonhierarchical_direct off\nprefer_direct on\n", "x.apple.com")[1]
    assert _candidates(both) == ("DIRECT", "up")
    assert _candidates(connect(peer, "x.apple.com", 80, "GET")[1]) == ("up", "DIRECT")
    _, blocked = connect(peer + "cache_peer_access up deny all\nnever_direct allow all\n", "x.apple.com")
    assert blocked.forwarding is not None and blocked.forwarding.candidates == ()
    # a lone 'always_direct deny X' allows everything else: the default is the opposite of the last line
    _, flipped = connect(peer + "acl x dstdomain .x.example\nalways_direct deny x\nnever_direct allow all\n",
                         "x.apple.com")
    assert flipped.forwarding is not None and flipped.forwarding.candidates == ("DIRECT",)


def test_expected_status_follows_the_version() -> None:
    _, d = connect("http_access allow all\n", "courier.push.apple.com")
    assert d.resolves_name is Tri.YES
    assert expected_status(d, DNS, SquidVersion(5, 7, "5.7")) == 500
    assert expected_status(d, DNS, SquidVersion(6, 3, "6.3")) == 503
    _, ok = connect("http_access allow all\n", "1-courier.push.apple.com")
    assert expected_status(ok, DNS, None) == 200
    _, unknown = connect("http_access allow all\n", "albert.apple.com")
    assert expected_status(unknown, DNS, None) is None
