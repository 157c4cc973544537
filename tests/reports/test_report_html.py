"""The HTML report: escaping, self-containment, completeness, counts, DNS chains and masking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from html_probe import Element, parse
from report_sample import (
    BASIC_TOKEN,
    CHECKS,
    KEY_BODY,
    NUM_BARE,
    NUM_TARGET,
    PEER_PASSWORD,
    SCRIPT,
    TARGET,
    clean_run,
    sample_run,
)

from pushaudit.findings import Finding, Status
from pushaudit.reports.html import environment, render_html, write_html
from pushaudit.results import CheckInfo, HostResult, RunResult
from pushaudit.snapshot import Connection, HostFacts


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_run())


@pytest.fixture(scope="module")
def tree(html: str) -> Element:
    root, problems = parse(html)
    assert problems == []
    return root


def _host(tree: Element, name: str) -> Element:
    element = tree.by_id(f"host-{name}")
    assert element is not None, f"no section for host {name}"
    return element


def test_environment_is_strict_and_escapes() -> None:
    env = environment()
    assert env.autoescape is not False
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


def test_markup_in_findings_is_escaped(html: str, tree: Element) -> None:
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(" in html
    assert len(tree.find_all("script")) == 1  # only the report's own expand/collapse helper
    proxy_b = _host(tree, "proxy-b").text()
    assert "Squid bumps TLS to Apple hosts <script>alert('pwned')</script>" in proxy_b
    assert "acl evil dstdomain <script>alert('pwned')</script>" in proxy_b


def test_no_external_resources(html: str, tree: Element) -> None:
    for element in tree.find_all():
        assert "src" not in element.attrs or not element.attrs["src"], f"<{element.tag} src=...>"
        if element.tag == "link":
            assert "stylesheet" not in element.attrs.get("rel", "")
        href = element.attrs.get("href", "")
        if re.match(r"(?i)\s*(https?:)?//", href):
            assert element.tag == "a", f"external reference on <{element.tag}>"
    assert not re.search(r"(?i)@import|url\(", html)
    web_links = [a.attrs["href"] for a in tree.find_all("a") if a.attrs.get("href", "").startswith("http")]
    assert web_links  # the policy sources are links
    assert all("sources" in _ancestors_classes(tree, href) for href in web_links)


def _ancestors_classes(tree: Element, href: str) -> set[str]:
    """Classes of the lists that hold a link: source links sit in ul.sources only."""
    lists = [ul for ul in tree.find_all("ul", "sources") if any(a.attrs["href"] == href for a in ul.find_all("a"))]
    return {cls for ul in lists for cls in ul.classes}


def test_every_host_and_check_appears(tree: Element) -> None:
    run = sample_run()
    for host in run.hosts:
        _host(tree, host.facts.name)
        toc = [a.attrs["href"] for a in tree.find_all("a", "host-link")]
        assert f"#host-{host.facts.name}" in toc
    for check in CHECKS:
        row = tree.by_id(f"check-{check.id}")
        assert row is not None and check.title in row.text()


def test_check_counts_match_the_run(tree: Element) -> None:
    counts = sample_run().counts()
    for check_id, expected in counts.items():
        row = tree.by_id(f"check-{check_id}")
        assert row is not None
        shown = {td.attrs["data-status"]: int(td.text()) for td in row.find_all("td") if "data-status" in td.attrs}
        assert shown == expected
    assert counts["PX-TLS-SPLICE"] == {"PASS": 1, "FAIL": 1, "ERROR": 1, "NOT_APPLICABLE": 2}


def test_verdict_and_host_statuses(tree: Element) -> None:
    verdict = tree.find_all("div", "verdict")[0]
    assert "Overall verdict: ERROR" in verdict.text() and "Exit code 2" in verdict.text()
    expected = {"proxy-a": "PASS", "proxy-b": "FAIL", "proxy-c": "ERROR", "fw-core": "FAIL", "fw-lab": "N/A"}
    for name, label in expected.items():
        head = _host(tree, name).find_all("div", "host-head")[0]
        assert head.find_all("span", "badge")[0].text().endswith(label)


def test_findings_sorted_fail_error_pass_na(tree: Element) -> None:
    order = {"FAIL": 0, "ERROR": 1, "PASS": 2, "N/A": 3}
    seen: set[str] = set()
    for host in tree.find_all("article", "host"):
        labels = [d.find_all("span", "badge")[0].text().split()[-1] for d in host.find_all("details")]
        assert [order[label] for label in labels] == sorted(order[label] for label in labels)
        seen.update(labels)
    assert seen == set(order)
    proxy_b = [d.find_all("a")[0].text() for d in _host(tree, "proxy-b").find_all("details")]
    assert proxy_b == ["PX-TLS-SPLICE", "PX-COURIER-DNS", "PX-AUTH-BYPASS", "FW-APNS-OPEN"]  # critical before high


def test_unreachable_host_shows_code_and_explanation(tree: Element) -> None:
    text = _host(tree, "proxy-c").find_all("div", "alert")[0].text()
    assert "E-SSH-UNREACHABLE" in text
    assert "did not answer on its SSH port" in text
    assert "timed out" in text


def test_fleet_summary_by_role_zone_and_team(tree: Element) -> None:
    fleet = tree.find_all("table", "fleet")[0]
    rows = {r.find_all("th")[0].text(): r for r in fleet.find_all("tr") if r.find_all("td")}
    assert {"firewall", "proxy", "dmz-a", "core", "net-edge", "security-ops", "(not set)"} <= set(rows)
    cells = rows["proxy"].find_all("td")
    proxy = {td.attrs["data-status"]: int(td.text()) for td in cells if "data-status" in td.attrs}
    assert proxy == {"FAIL": 1, "ERROR": 1, "PASS": 1, "NOT_APPLICABLE": 0}


def test_dns_chain_drawn_in_order_with_failing_step(tree: Element) -> None:
    chains = _host(tree, "proxy-b").find_all("div", "chain")
    assert len(chains) == 2
    bare_titles = [b.find_all("div", "t")[0].text() for b in chains[0].find_all("div", "dbox")]
    assert bare_titles == ["courier.push.apple.com", TARGET, "no address"]
    assert "SOA of akadns.net" in chains[0].text() and "TTL 180" in chains[0].text()
    boxes = chains[1].find_all("div", "dbox")
    assert [b.find_all("div", "t")[0].text() for b in boxes] == [NUM_BARE, NUM_TARGET, "no answer"]
    assert ["failing" in b.classes for b in boxes] == [False, False, True]
    assert "chain fails here" in boxes[-1].text()


def test_resolving_chain_lists_addresses_with_ttl(tree: Element) -> None:
    chains = _host(tree, "proxy-a").find_all("div", "chain")
    last = chains[1].find_all("div", "dbox")[-1]
    assert "k-address" in last.classes and "failing" not in last.classes
    assert "17.57.146.52 \u00b7 TTL 60" in last.text()


def test_secrets_never_reach_the_html(html: str) -> None:
    for secret in (PEER_PASSWORD, "Tr0ub4dor&amp;3", BASIC_TOKEN, KEY_BODY, "hunter2"):
        assert secret not in html
    assert "login=svc-proxy:********" in html


def test_warnings_and_error_codes_are_shown(tree: Element) -> None:
    proxy_b = _host(tree, "proxy-b")
    assert "unknown directive 'foo_bar'" in proxy_b.find_all("ul", "warnings")[0].text()
    finding = _host(tree, "proxy-c").find_all("details")[0].text()
    assert "E-SSH-UNREACHABLE" in finding


def test_same_fix_is_grouped_across_hosts() -> None:
    run = clean_run()
    fix = "ssl_bump splice step1 apple_dst"
    for name in ("proxy-x", "proxy-y"):
        facts = HostFacts(name=name, hostname="192.0.2.1", port=22, platform="linux", role="proxy",
                          connection=Connection(ok=True))
        run.hosts.append(HostResult(facts, [Finding("PX-TLS-SPLICE", name, Status.FAIL, "bumps", remediation=fix)]))
    root, problems = parse(render_html(run))
    assert problems == []
    fixes = root.by_id("fixes")
    assert fixes is not None
    assert "Same fix on 2 hosts" in fixes.text() and "proxy-x" in fixes.text() and "proxy-y" in fixes.text()


def test_check_only_seen_in_findings_still_listed() -> None:
    facts = HostFacts(name="h1", hostname="192.0.2.1", port=22, platform="linux", role="proxy",
                      connection=Connection(ok=True))
    run = RunResult({}, [], [HostResult(facts, [Finding("X-ORPHAN", "h1", Status.PASS, "fine")])])
    root, _ = parse(render_html(run))
    row = root.by_id("check-X-ORPHAN")
    assert row is not None and "not described" in row.text()
    assert "Overall verdict: PASS" in root.text()


def test_empty_run_renders() -> None:
    root, problems = parse(render_html(RunResult({}, [], [])))
    assert problems == []
    assert "Exit code 0" in root.text()


def test_write_html(tmp_path: Path) -> None:
    target = write_html(sample_run(), tmp_path / "out" / "report.html")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<style>" in text and "@media print" in text


def test_unknown_check_severity_and_unknown_code() -> None:
    facts = HostFacts(name="h2", hostname="192.0.2.2", port=22, platform="linux", role="proxy",
                      connection=Connection(ok=True))
    info = CheckInfo("C1", "Title", "low", "why", (), ("proxy",))
    run = RunResult({}, [info], [HostResult(facts, [Finding("C1", "h2", Status.ERROR, "odd", code="E-NOPE")])])
    assert "unknown error code" in render_html(run)


def test_finding_details_are_masked_by_key() -> None:
    facts = HostFacts(name="h3", hostname="192.0.2.3", port=22, platform="linux", role="proxy",
                      connection=Connection(ok=True))
    details = {"peer": {"key": "k-789-secret", "name": "parent"}, "traceback": "password=tb-secret"}
    run = RunResult({}, [], [HostResult(facts, [Finding("C2", "h3", Status.FAIL, "x", details=details)])])
    html = render_html(run)
    assert "k-789-secret" not in html and "tb-secret" not in html
    assert "parent" in html
