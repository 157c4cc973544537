import ipaddress
from pathlib import Path

import pytest

from pushaudit.policy import PolicyError, load_policy
from pushaudit.policy.loader import policy_from_snapshot, policy_to_yaml


def test_builtin_pack_loads_and_cites_sources() -> None:
    policy = load_policy()
    assert ipaddress.ip_network("17.0.0.0/8") in policy.ranges.apple
    assert policy.apns.ports == [5223, 443, 2197]
    assert policy.courier.bare == "courier.push.apple.com"
    assert policy.courier.numbered_names(7) == ["7-courier.push.apple.com", "7.courier-push-apple.com.akadns.net"]
    assert all(h.sources for h in policy.hosts)
    assert {"albert.apple.com", "*.push.apple.com", "deviceenrollment.apple.com"} <= {h.name for h in policy.hosts}


def test_user_file_overrides_ranges_and_extends_hosts(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "ranges: {apple: ['198.19.0.0/16'], apns: ['198.19.4.0/22']}\n"
        "hosts:\n"
        "  - {name: mdm.example.edu, category: mdm, ports: [443], proxy: 'no', sources: [S1]}\n"
        "  - {name: albert.apple.com, ports: [443, 80]}\n"
    )
    policy = load_policy([extra])
    assert [str(n) for n in policy.ranges.apple] == ["198.19.0.0/16"]
    assert policy.ranges.sources == ["S1", "S2"]  # merged key by key, not replaced
    by_name = {h.name: h for h in policy.hosts}
    assert by_name["mdm.example.edu"].category == "mdm"
    assert by_name["albert.apple.com"].ports == [443, 80]
    assert by_name["albert.apple.com"].category == "activation"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ranges: {apple: ['17.0.0.1/8']}", "ranges.apple"),
        ("apns: {ports: [5223, 70000]}", "apns.ports"),
        ("courier: {probe_numbers: [99]}", "courier"),
        ("hosts: [{name: x.apple.com, category: mdm, ports: [443], proxy: maybe, sources: [S1]}]", "proxy"),
        ("hosts: [{name: y.apple.com, category: mdm, ports: [443], proxy: 'yes', sources: [NOPE]}]", "NOPE"),
        ("apns: {portz: [1]}", "apns.portz"),
        ("- just a list", "top level must be a mapping"),
        ("ranges: [unclosed", "not valid YAML"),
    ],
)
def test_bad_policy_names_the_key(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    with pytest.raises(PolicyError) as err:
        load_policy([bad])
    assert message in str(err.value)
    assert "bad.yaml" in str(err.value)


def test_effective_policy_round_trips_through_the_snapshot(tmp_path: Path) -> None:
    policy = load_policy()
    saved = tmp_path / "policy.yaml"
    saved.write_text(policy_to_yaml(policy))
    assert policy_from_snapshot(saved) == policy


def test_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy([tmp_path / "absent.yaml"])
