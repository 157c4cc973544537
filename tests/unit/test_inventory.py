import os
from pathlib import Path

import pytest

from pushaudit.hostfilter import FilterError, parse_filter
from pushaudit.inventory import InventoryError, host_problems, load_nornir

FIXTURE = Path(__file__).parent.parent / "fixtures" / "inventory" / "merge"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("PUSHAUDIT_SSH_USER", "PUSHAUDIT_SSH_PASSWORD", "PUSHAUDIT_SSH_KEY", "PUSHAUDIT_KNOWN_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUSHAUDIT_TEST_DIR", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def extras(nr, name: str) -> dict:
    return nr.inventory.hosts[name].get_connection_parameters("netmiko").extras


def test_extras_merge_across_host_groups_and_defaults(env: Path) -> None:
    nr = load_nornir(FIXTURE)
    edge = extras(nr, "edge1")
    # host-level session_log did not wipe the group and default extras (Nornir's own behaviour would)
    assert edge["session_log"] == f"{env}/edge1.log"
    assert edge["conn_timeout"] == 3
    assert edge["banner_timeout"] == 9
    assert edge["alt_key_file"] == f"{env}/known_hosts"
    assert edge["alt_host_keys"] is True
    assert edge["ssh_strict"] is True  # host keys verified by default
    assert edge["key_file"] == f"{env}/.ssh/id_audit"
    fw = extras(nr, "fw1")
    assert fw["auth_timeout"] == 7 and fw["conn_timeout"] == 3 and "session_log" not in fw


def test_ssh_config_is_not_read_unless_asked(env: Path) -> None:
    nr = load_nornir(FIXTURE)
    assert nr.config.ssh.config_file == os.devnull
    custom = env / "ssh_config"
    custom.write_text("Host *\n  User someone\n")
    assert load_nornir(FIXTURE, ssh_config=custom).config.ssh.config_file == str(custom)


def test_credentials_come_from_the_environment(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHAUDIT_SSH_USER", "svc-audit")
    monkeypatch.setenv("PUSHAUDIT_SSH_PASSWORD", "s3cret")
    monkeypatch.setenv("PUSHAUDIT_SSH_KEY", str(env / "k"))
    monkeypatch.setenv("PUSHAUDIT_KNOWN_HOSTS", str(env / "kh"))
    nr = load_nornir(FIXTURE)
    host = nr.inventory.hosts["edge1"]
    params = host.get_connection_parameters("netmiko")
    assert params.username == "svc-audit" and params.password == "s3cret"
    assert params.extras["key_file"] == str(env / "k") and params.extras["use_keys"] is True
    assert params.extras["alt_key_file"] == str(env / "kh")


def test_password_in_yaml_is_refused(env: Path, tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text("h1:\n  hostname: 192.0.2.1\n  password: hunter2\n  data: {role: proxy}\n")
    with pytest.raises(InventoryError, match="PUSHAUDIT_SSH_PASSWORD"):
        load_nornir(inv)


def test_missing_inventory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=r"no hosts\.yaml"):
        load_nornir(tmp_path)


def test_host_problems_are_reported_per_host(env: Path) -> None:
    nr = load_nornir(FIXTURE)
    assert host_problems(nr.inventory.hosts["edge1"]) == []
    problems = host_problems(nr.inventory.hosts["odd"])
    assert any("data.role" in p for p in problems) and any("not-a-net" in p for p in problems)


@pytest.mark.parametrize(
    ("expr", "selected"),
    [
        ("role=proxy", {"edge1"}),
        ("group=linux", {"edge1", "fw1"}),
        ("zone=dc*", {"edge1", "fw1"}),
        ("zone=dc*,role!=proxy", {"fw1"}),
        ("name=edge?", {"edge1"}),
        ("client_networks=10.2.*", {"fw1"}),
        ("team=nobody", set()),
    ],
)
def test_filter_expressions(env: Path, expr: str, selected: set[str]) -> None:
    nr = load_nornir(FIXTURE)
    match = parse_filter(expr)
    assert {name for name, host in nr.inventory.hosts.items() if match(host)} == selected


@pytest.mark.parametrize("expr", ["", "role", "=proxy", "role="])
def test_bad_filter_expressions(expr: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(expr)


def test_platform_extras_keep_the_session_read_only(env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHAUDIT_ENABLE_SECRET", "en-secret")
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text(
        "asa1:\n  hostname: 192.0.2.1\n  platform: cisco_asa\n  data: {role: firewall}\n"
        "asa2:\n  hostname: 192.0.2.2\n  platform: cisco_asa\n  data: {role: firewall}\n"
        "  connection_options: {netmiko: {extras: {allow_auto_change: true}}}\n"
    )
    nr = load_nornir(inv)
    assert extras(nr, "asa1")["allow_auto_change"] is False  # no configure terminal at login
    assert extras(nr, "asa1")["secret"] == "en-secret"
    assert extras(nr, "asa2")["allow_auto_change"] is True  # the inventory has the last word
