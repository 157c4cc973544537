"""A hand-built RunResult covering every case the reports must draw.

Hosts: a passing proxy, a failing proxy with DNS chains, an unreachable proxy, a failing firewall and a
host on which no check applies. Secrets and markup hide in evidence so tests can prove masking and escaping.
"""

from __future__ import annotations

from pushaudit.findings import Evidence, Finding, Status
from pushaudit.results import CheckInfo, DnsChain, DnsStep, HostResult, RunResult
from pushaudit.snapshot import Connection, HostFacts

PEER_PASSWORD = "Tr0ub4dor&3"
BASIC_TOKEN = "c3ZjLXByb3h5OlRyMHViNGRvciYz"
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
SCRIPT = "<script>alert('pwned')</script>"

BARE, TARGET = "courier.push.apple.com", "courier-push-apple.com.akadns.net"
NUM_BARE, NUM_TARGET = "1-courier.push.apple.com", "1.courier-push-apple.com.akadns.net"
SOA = "internal.akadns.net. hostmaster.akamai.com. 1560251729 90000 90000 90000 180"

CHECKS = [
    CheckInfo(
        "FW-APNS-OPEN",
        "Firewall lets clients reach APNs on TCP 5223, 443 and 2197",
        "critical",
        "Devices hold a persistent TLS connection to APNs; without it no push notification arrives.",
        ("S1: Apple: Use Apple products on enterprise networks <https://support.apple.com/en-us/101555>",
         "NFT: nftables: overall evaluation of the ruleset <https://wiki.nftables.org/wiki-nftables/index.php/Configuring_chains>"),
        ("firewall",),
    ),
    CheckInfo(
        "PX-AUTH-BYPASS",
        "Apple hosts bypass proxy authentication",
        "high",
        "Apple services do not answer a 407 challenge.",
        ("S1: Apple: Use Apple products on enterprise networks <https://support.apple.com/en-us/101555>",),
        ("proxy",),
    ),
    CheckInfo(
        "PX-COURIER-DNS",
        "Proxy can forward the courier names devices use",
        "high",
        "The bare courier name has no address by design; devices connect to numbered names.",
        ("S7: Apple iPad Activation via MDM and courier.push.apple.com (field report) "
         "<https://willjessiam.blog/2021/02/14/apple-ipad-activation-via-mdm-and-courier-push-apple-com/>",
         "local-note: text without a link"),
        ("proxy",),
    ),
    CheckInfo(
        "PX-TLS-SPLICE",
        "Squid does not decrypt Apple traffic",
        "critical",
        "Apple services fail any connection whose TLS is intercepted.",
        ("SQ-BUMP: Squid wiki: SslPeekAndSplice <https://wiki.squid-cache.org/Features/SslPeekAndSplice>",),
        ("proxy",),
    ),
]
PROXY_CHECKS = ("PX-AUTH-BYPASS", "PX-COURIER-DNS", "PX-TLS-SPLICE")


def _facts(name: str, role: str, zone: str, team: str, connection: Connection | None = None) -> HostFacts:
    connection = connection or Connection(ok=True)
    ok = connection.ok
    return HostFacts(
        name=name,
        hostname=f"198.18.{len(name)}.10",
        port=22,
        platform="linux",
        role=role,
        zone=zone,
        team=team,
        client_networks=["198.18.11.0/24", "2001:db8:11::/64"] if role == "proxy" else ["198.18.0.0/16"],
        groups=[f"{role}s"],
        data={"squid_conf": "/etc/squid/squid.conf", "sudo_password": "hunter2"} if role == "proxy" else {},
        connection=connection,
        started="2026-11-27T10:00:01.000+00:00" if ok else "",
        finished="2026-11-27T10:00:04.000+00:00" if ok else "",
    )


def _na(host: str, check_id: str, role: str) -> Finding:
    return Finding(check_id, host, Status.NOT_APPLICABLE, f"applies to other roles; host is a {role} (linux)")


def courier_chains(ok: bool) -> list[DnsChain]:
    bare = DnsChain(
        BARE, "bare", "NOERROR",
        [DnsStep(BARE, "CNAME", TARGET, 279), DnsStep("akadns.net", "SOA", SOA, 180)],
        "NODATA after CNAME (Apple's design)", True, f"dns_{BARE}",
    )
    if ok:
        numbered = DnsChain(
            NUM_BARE, "numbered", "NOERROR",
            [DnsStep(NUM_BARE, "CNAME", NUM_TARGET, 300),
             DnsStep(NUM_TARGET, "A", "17.57.146.52", 60), DnsStep(NUM_TARGET, "A", "17.57.146.53", 60)],
            "resolves in Apple range", True, f"dns_{NUM_BARE}",
        )
    else:
        numbered = DnsChain(
            NUM_BARE, "numbered", "SERVFAIL",
            [DnsStep(NUM_BARE, "CNAME", NUM_TARGET, 300)],
            "numbered name does not resolve: devices cannot reach APNs", False, f"dns_{NUM_BARE}",
        )
    return [bare, numbered]


def _proxy_pass() -> HostResult:
    name = "proxy-a"
    findings = [Finding(c, name, Status.PASS, f"{c} holds") for c in PROXY_CHECKS[:2]]
    findings.append(
        Finding(
            "PX-TLS-SPLICE", name, Status.PASS, "Apple destinations are spliced at step 1",
            evidence=(Evidence("files/etc/squid/squid.conf", "ssl_bump splice step1 apple_dst", 20),),
            deciding_rule="squid.conf:20 ssl_bump splice step1 apple_dst",
        )
    )
    findings.append(_na(name, "FW-APNS-OPEN", "proxy"))
    return HostResult(_facts(name, "proxy", "dmz-a", "net-edge"), findings, courier_chains(ok=True))


def _proxy_fail() -> HostResult:
    name = "proxy-b"
    conf = "files/etc/squid/squid.conf"
    bump = Finding(
        "PX-TLS-SPLICE", name, Status.FAIL,
        f"Squid bumps TLS to Apple hosts {SCRIPT}",
        expected="splice Apple destinations at step 1",
        found="ssl_bump bump all",
        evidence=(
            Evidence(conf, f"acl evil dstdomain {SCRIPT}", 12),
            Evidence(conf, "ssl_bump bump all", 31, note="first matching ssl_bump rule"),
            Evidence(conf, f"cache_peer parent.corp parent 3128 0 no-query login=svc-proxy:{PEER_PASSWORD}", 40),
            Evidence("files/etc/squid/bump.key", f"-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----"),
        ),
        remediation="acl apple_dst dst 17.0.0.0/8\nssl_bump splice step1 apple_dst",
        deciding_rule="squid.conf:31 ssl_bump bump all",
    )
    courier = Finding(
        "PX-COURIER-DNS", name, Status.FAIL,
        "1-courier.push.apple.com does not resolve on the proxy",
        expected="numbered courier names resolve to Apple addresses",
        found="SERVFAIL",
        evidence=(
            Evidence(
                "cmd:probe_1-courier.push.apple.com",
                "> CONNECT 1-courier.push.apple.com:443 HTTP/1.1\n"
                f"> Proxy-Authorization: Basic {BASIC_TOKEN}\n"
                "< HTTP/1.1 503 Service Unavailable",
            ),
        ),
        remediation="Point the proxy's resolver at a server that answers for akadns.net.",
        details={"probe": {"exit_status": 0, "http_code": 503}},
    )
    auth = Finding("PX-AUTH-BYPASS", name, Status.PASS, "http_access allow apple_hosts precedes authentication")
    findings = [auth, courier, bump, _na(name, "FW-APNS-OPEN", "proxy")]
    warnings = ["squid.conf line 77: unknown directive 'foo_bar' skipped"]
    return HostResult(_facts(name, "proxy", "dmz-b", "net-edge"), findings, courier_chains(ok=False), warnings)


def _proxy_down() -> HostResult:
    name = "proxy-c"
    message = "TCP connection to 198.18.7.10:22 timed out"
    findings = [
        Finding(c, name, Status.ERROR, f"no data: the host could not be audited ({message})", code="E-SSH-UNREACHABLE")
        for c in PROXY_CHECKS
    ]
    findings.append(_na(name, "FW-APNS-OPEN", "proxy"))
    facts = _facts(name, "proxy", "branch", "", Connection(ok=False, code="E-SSH-UNREACHABLE", message=message))
    return HostResult(facts, findings)


def _firewall_fail() -> HostResult:
    name = "fw-core"
    rule = "ip filter forward rule 4 (handle 17): ip daddr 17.0.0.0/8 tcp dport 5223 drop"
    fail = Finding(
        "FW-APNS-OPEN", name, Status.FAIL,
        "TCP 5223 from the client networks to APNs is dropped",
        expected="accept tcp dport {5223, 443, 2197} to 17.249.0.0/16 ...",
        found="dropped by rule 4 of chain forward",
        evidence=(Evidence("cmd:nft_ruleset", rule),),
        remediation="nft insert rule ip filter forward ip daddr 17.0.0.0/8 tcp dport { 5223, 443, 2197 } accept",
        deciding_rule=rule,
    )
    findings = [fail, *(_na(name, c, "firewall") for c in PROXY_CHECKS)]
    return HostResult(_facts(name, "firewall", "core", "security-ops"), findings)


def _not_applicable() -> HostResult:
    name = "fw-lab"
    findings = [_na(name, c, "firewall") for c in PROXY_CHECKS]
    return HostResult(_facts(name, "firewall", "lab", "security-ops"), findings)


def sample_run() -> RunResult:
    meta = {
        "format": "pushaudit-snapshot/1",
        "pushaudit_version": "0.1.0",
        "started": "2026-11-27T10:00:00.000+00:00",
        "finished": "2026-11-27T10:00:09.000+00:00",
        "inventory": "inventory/hosts.yaml",
        "hosts": ["fw-core", "fw-lab", "proxy-a", "proxy-b", "proxy-c"],
        "snapshot": "snapshots/20261127T100000Z",
        "evaluated": "2026-11-27T10:00:10.000+00:00",
        "policy": {"name": "apple-enterprise-networks", "version": "2026.11.1"},
    }
    hosts = [_proxy_pass(), _proxy_fail(), _proxy_down(), _firewall_fail(), _not_applicable()]
    return RunResult(meta=meta, checks=list(CHECKS), hosts=hosts)


def clean_run() -> RunResult:
    """The sample without any secret, so a JSON round trip must give it back unchanged."""
    run = sample_run()
    for host in run.hosts:
        host.facts.data.pop("sudo_password", None)
        secret_bearing = ("PX-TLS-SPLICE", "PX-COURIER-DNS")
        host.findings = [f for f in host.findings if f.check_id not in secret_bearing or f.status is not Status.FAIL]
    return run
