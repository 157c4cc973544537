"""Apple push paths: the steps built from a RunResult, and how the HTML report draws them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from html_probe import Element, parse
from path_sample import MARKUP, PAC_FAIL_SUMMARY, SQUASH_SUMMARY, path_run

from pushaudit.findings import Finding, Status
from pushaudit.reports.html import render_html
from pushaudit.reports.path_steps import STEP_KEYS, firewalls_on_path
from pushaudit.reports.paths import NO_CLIENT_NETWORK, build_paths, combine
from pushaudit.results import HostResult, RunResult
from pushaudit.snapshot import Connection, HostFacts

EXPECTED: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "paths" / "expected.yaml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def tree() -> Element:
    root, problems = parse(render_html(path_run()))
    assert problems == []
    return root


def _host(tree: Element, name: str) -> Element:
    element = tree.by_id(f"host-{name}")
    assert element is not None
    return element


@pytest.mark.parametrize("host", sorted(EXPECTED))
def test_paths_match_expected(host: str) -> None:
    paths = build_paths(path_run())[host]
    got = [
        {
            "client_network": p.client_network,
            "verdict": p.verdict,
            "blocked_at": p.blocked_at,
            "states": [s.state for s in p.steps],
            "statuses": [s.status for s in p.steps],
            "inspection_hosts": [c.host for c in p.step("inspection").checks],
        }
        for p in paths
    ]
    assert got == EXPECTED[host]
    for path in paths:
        assert [s.key for s in path.steps] == list(STEP_KEYS)
        assert sum(s.breaks for s in path.steps) == (1 if path.blocked_at else 0)


def test_step_links_point_at_the_worst_finding_of_each_check() -> None:
    run = path_run()
    pac = build_paths(run)["px-pac"][0].step("pac")
    assert [(c.check_id, c.status, c.finding) for c in pac.checks] == [
        ("pac.apple_routes", "FAIL", 0), ("pac.courier_resolve", "PASS", 1)]
    assert pac.checks[0].summary == PAC_FAIL_SUMMARY


def test_step_status_precedence() -> None:
    assert combine(["PASS", "ERROR", "FAIL"]) == "FAIL"  # a known break names the step before an unknown
    assert combine(["PASS", "NOT_EVALUATED", "ERROR"]) == "ERROR"
    assert combine(["PASS", "NOT_EVALUATED"]) == "NOT_EVALUATED"  # a missing check is never a pass
    assert combine(["NOT_APPLICABLE", "PASS"]) == "PASS"
    assert combine(["NOT_APPLICABLE"]) == combine([]) == "NOT_APPLICABLE"


def test_worst_of_several_findings_represents_a_check() -> None:
    run = path_run()
    host = run.hosts[0]
    host.findings.append(Finding("proxy.tls_bump", host.facts.name, Status.ERROR, "second tls_bump finding"))
    step = build_paths(run)["px-pass"][0].step("proxy")
    assert step.status == "ERROR" and step.breaks
    tls = next(c for c in step.checks if c.check_id == "proxy.tls_bump")
    assert (tls.status, tls.finding) == ("ERROR", len(host.findings) - 1)


def test_firewall_on_path_by_client_network_or_proxy_address() -> None:
    run = path_run()
    hosts = {h.facts.name: h for h in run.hosts}
    assert [f.facts.name for f in firewalls_on_path("10.2.0.0/24", hosts["px-pass"], run.hosts)] == ["fw-edge"]
    assert firewalls_on_path("10.1.0.0/24", hosts["px-pass"], run.hosts) == []
    assert [f.facts.name for f in firewalls_on_path("10.4.0.0/24", hosts["px-squash"], run.hosts)] == ["fw-egress"]
    assert firewalls_on_path("2001:db8::/64", hosts["px-pass"], run.hosts) == []  # other IP version
    assert firewalls_on_path("not-a-cidr", hosts["px-pass"], run.hosts) == []


def test_unreachable_proxy_breaks_at_the_first_step() -> None:
    facts = HostFacts(name="px-down", hostname="192.0.2.9", port=22, platform="linux", role="proxy",
                      client_networks=["10.9.0.0/24"], connection=Connection(ok=False, code="E-SSH-UNREACHABLE"))
    checks = ("pac.apple_routes", "pac.courier_resolve", "proxy.interception_excludes_apple", "proxy.auth_order",
              "proxy.tls_bump", "proxy.connect_ports", "proxy.courier_squash", "dns.courier_chain")
    findings = [Finding(c, "px-down", Status.ERROR, "no data", code="E-SSH-UNREACHABLE") for c in checks]
    path = build_paths(RunResult({}, [], [HostResult(facts, findings)]))["px-down"][0]
    assert (path.verdict, path.blocked_at) == ("ERROR", "pac")
    assert [s.state for s in path.steps] == ["breaks"] + ["not_reached"] * 4


def test_proxy_without_client_networks_still_gets_a_path() -> None:
    facts = HostFacts(name="px-lone", hostname="192.0.2.8", port=22, platform="linux", role="proxy",
                      connection=Connection(ok=True))
    paths = build_paths(RunResult({}, [], [HostResult(facts, [])]))["px-lone"]
    assert [p.client_network for p in paths] == [NO_CLIENT_NETWORK]
    assert paths[0].verdict == "INCOMPLETE" and paths[0].blocked_at == "pac"


# -- HTML ---------------------------------------------------------------------------------------------------


def _states(figure: Element) -> list[str]:
    return [box.attrs["data-state"] for box in figure.find_all("div", "pbox") if "data-state" in box.attrs]


@pytest.mark.parametrize("host", sorted(h for h, paths in EXPECTED.items() if paths))
def test_host_section_draws_one_path_per_client_network_in_order(tree: Element, host: str) -> None:
    section = _host(tree, host)
    figures = section.find_all("figure", "path")
    assert len(figures) == len(EXPECTED[host])
    for figure, expected in zip(figures, EXPECTED[host], strict=True):
        first_box = figure.find_all("div", "pbox")[0]
        assert "origin" in first_box.classes and expected["client_network"] in first_box.text()
        assert _states(figure) == expected["states"]
        breaking = figure.find_all("div", "s-breaks")
        assert len(breaking) == (1 if expected["blocked_at"] else 0)
        if breaking:
            assert breaking[0].attrs["data-step"] == expected["blocked_at"]
        end = figure.find_all("div", "end")[0]
        assert ("not reached" in end.text()) == bool(expected["blocked_at"])


def test_paths_sit_at_the_top_of_the_host_section(tree: Element) -> None:
    section = _host(tree, "px-pass")
    order = [c.tag for c in section.children if c.tag in ("figure", "dl", "details")]
    assert order[:2] == ["figure", "figure"]


def test_breaking_step_and_not_reached_steps_are_labelled(tree: Element) -> None:
    figure = _host(tree, "px-pac").find_all("figure", "path")[0]
    breaking = figure.find_all("div", "s-breaks")[0]
    assert "st-FAIL" in breaking.classes
    assert "FAIL" in breaking.text() and "the connection stops here" in breaking.text()
    assert f"which bumps TLS {MARKUP}" in breaking.text()  # escaped markup reads back as the literal text
    not_reached = [b for b in figure.find_all("div", "s-not_reached") if "data-step" in b.attrs]
    assert len(not_reached) == 4
    for box in not_reached:
        assert "not reached" in box.text() and "own result:" in box.text()
    squash = _host(tree, "px-squash").find_all("figure", "path")[0]
    assert "skipped (n/a)" in squash.find_all("div", "s-skipped")[0].text()
    assert SQUASH_SUMMARY in squash.find_all("div", "s-breaks")[0].text()
    error = _host(tree, "px-error").find_all("div", "s-breaks")[0]
    assert "st-ERROR" in error.classes and "undecided" in error.text()


def test_markup_is_escaped_in_paths() -> None:
    html = render_html(path_run())
    assert MARKUP not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_check_links_resolve_to_the_findings(tree: Element) -> None:
    links = [a for f in tree.find_all("figure", "path") for a in f.find_all("a") if "-f" in a.attrs["href"]]
    assert len(links) > 20
    for link in links:
        target = tree.by_id(link.attrs["href"][1:])
        assert target is not None and target.tag == "details", link.attrs["href"]
        assert link.text() in target.text()
    inspection = _host(tree, "px-squash").find_all("div", "pbox")[4]
    assert "on fw-egress" in inspection.text()
    href = inspection.find_all("a")[0].attrs["href"]
    assert href.startswith("#host-fw-egress-f")


def test_dns_step_is_compact_and_links_to_the_chains(tree: Element) -> None:
    dns_box = _host(tree, "px-squash").find_all("div", "pbox")[5]
    assert "1 of 2 DNS chains as expected" in dns_box.text()
    shown = dns_box.find_all("li", "bad")
    assert len(shown) == 1 and "1-courier.push.apple.com" in shown[0].text()  # the good chain is left out
    assert "SERVFAIL" in shown[0].text() and dns_box.find_all("li", "ok") == []
    link = next(a for a in dns_box.find_all("a") if a.attrs["href"].endswith("-dns"))
    assert tree.by_id(link.attrs["href"][1:]) is not None


def test_fleet_table_has_one_row_per_client_network_and_proxy(tree: Element) -> None:
    section = tree.by_id("paths")
    assert section is not None
    rows = [r for r in section.find_all("tr") if r.find_all("td")]
    expected = [(p["client_network"], h, p) for h in sorted(EXPECTED) for p in EXPECTED[h]]
    assert [(r.find_all("th")[0].text(), r.find_all("td")[0].text()) for r in rows] == [(n, h) for n, h, _ in expected]
    for row, (_, _, path) in zip(rows, expected, strict=True):
        cells = row.find_all("td", "pcell")
        assert [c.attrs["data-step"] for c in cells] == list(STEP_KEYS)
        assert ["s-" + s in c.classes for c, s in zip(cells, path["states"], strict=True)] == [True] * 5
        target = row.find_all("a")[0].attrs["href"][1:]
        figure = tree.by_id(target)
        assert figure is not None and figure.tag == "figure"
    header = section.find_all("thead")[0].text()
    assert "PAC decision" in header and "DNS chain" in header
    toc = tree.find_all("nav")[0]
    assert any(a.attrs.get("href") == "#paths" for a in toc.find_all("a"))


def test_report_without_proxies_says_so() -> None:
    root, problems = parse(render_html(RunResult({}, [], [])))
    assert problems == []
    section = root.by_id("paths")
    assert section is not None and "No proxy in this run" in section.text()
