"""The device emulator's CLI engine, driven directly (no SSH): prompts, echo, paging, errors, log."""

from __future__ import annotations

import re

import pytest
from emulator import CommandLog, load_device
from emulator.cli import CliSession
from vendor_helpers import DEVICES, ENABLE_SECRET, PASSWORD, USER


def make_cli(platform: str, **overrides: object) -> tuple[CliSession, CommandLog]:
    log = CommandLog()
    device = load_device(DEVICES / platform, **overrides)
    cli = CliSession(device, log, 1, USER, check_login=lambda u, p: (u, p) == (USER, PASSWORD), secret=ENABLE_SECRET)
    cli.greeting()
    return cli, log


def privileged_asa() -> tuple[CliSession, CommandLog]:
    cli, log = make_cli("cisco_asa")
    cli.feed("enable\n")
    cli.feed(ENABLE_SECRET + "\n")
    return cli, log


def test_greeting_prints_banner_then_prompt() -> None:
    log = CommandLog()
    device = load_device(DEVICES / "cisco_asa")
    text = CliSession(device, log, 1, USER, check_login=lambda u, p: False, secret=None).greeting()
    assert "Authorised administrators only" in text
    assert text.endswith("\r\nasa-fw1> ")


@pytest.mark.parametrize(
    ("platform", "prompt"),
    [("paloalto_panos", "admin@PA-VM> "), ("fortinet", "FGT-1 # "), ("juniper_junos", "\r\nadmin@srx1> ")],
)
def test_vendor_prompts(platform: str, prompt: str) -> None:
    cli, _ = make_cli(platform)
    assert cli.feed("\n") == "\r\n" + prompt


def test_command_is_echoed_and_lines_end_in_crlf() -> None:
    cli, _ = privileged_asa()
    out = cli.feed("show running-config access-group\n")
    assert out.startswith("show running-config access-group\r\naccess-group OUTSIDE-IN in interface outside\r\n")
    assert re.search(r"(?<!\r)\n", out) is None
    assert out.endswith("asa-fw1# ")


def test_enable_needs_the_secret_and_hides_it() -> None:
    cli, log = make_cli("cisco_asa")
    assert cli.feed("enable\n").endswith("Password: ")
    out = cli.feed("wrong\n")
    assert "wrong" not in out and out.endswith("Invalid password\r\nPassword: ")
    cli.feed("wrong\n")
    assert cli.feed("wrong\n").endswith("Access denied.\r\nasa-fw1> ")
    cli.feed("enable\n")
    assert cli.feed(ENABLE_SECRET + "\n") == "\r\nasa-fw1# "
    assert ENABLE_SECRET not in " ".join(log.commands())
    assert "Current privilege level : 15" in cli.feed("show curpriv\n")


def test_asa_login_command_gives_privilege_15() -> None:
    cli, _ = make_cli("cisco_asa")
    assert cli.feed("login\n").endswith("Username: ")
    assert cli.feed(USER + "\n").endswith("Password: ")
    out = cli.feed(PASSWORD + "\n")
    assert PASSWORD not in out and out.endswith("asa-fw1# ")
    assert "Username : admin" in cli.feed("show curpriv\n")


def test_running_config_needs_privilege() -> None:
    cli, _ = make_cli("cisco_asa")
    out = cli.feed("show running-config access-list\n")
    caret_line, error = out.split("\r\n")[1:3]
    assert error == "ERROR: % Invalid input detected at '^' marker."
    # the caret sits under "running-config" of the echoed line "asa-fw1> show running-config ..."
    assert caret_line.index("^") == len("asa-fw1> show ")


@pytest.mark.parametrize(
    ("platform", "command", "expected"),
    [
        ("cisco_asa", "show foo", "ERROR: % Invalid input detected at '^' marker."),
        ("paloalto_panos", "show foo", "Unknown command: foo"),
        ("fortinet", "show foo", "command parse error before 'foo'\r\nCommand fail. Return code -61"),
        ("fortinet", "foo bar", "Unknown action 0"),
        ("juniper_junos", "show foo", "syntax error, expecting <command>."),
        ("juniper_junos", "foo", "unknown command."),
    ],
)
def test_unknown_commands_get_the_vendor_error(platform: str, command: str, expected: str) -> None:
    cli, _ = privileged_asa() if platform == "cisco_asa" else make_cli(platform)
    assert expected in cli.feed(command + "\n")


def test_caret_points_at_the_first_unknown_word() -> None:
    cli, _ = make_cli("juniper_junos")
    out = cli.feed("show configuration bogus\n")
    caret_line = out.split("\r\n")[1]
    assert caret_line.index("^") == len("admin@srx1> show configuration ")


def test_asa_pager_pages_until_turned_off() -> None:
    cli, _ = privileged_asa()
    lines = (DEVICES / "cisco_asa" / "show_running-config_access-list.txt").read_text().splitlines()
    first = cli.feed("show running-config access-list\n")
    assert first.endswith("<--- More --->")
    assert first.count("\r\n") == 1 + 24  # echo line plus one page
    assert cli.awaiting == "more"
    one_line = cli.feed("\r")
    assert one_line.startswith("\r" + " " * len("<--- More --->") + "\r")
    assert lines[24] in one_line and lines[25] not in one_line
    assert lines[25] in cli.feed(" ")
    assert cli.feed("q").endswith("asa-fw1# ")
    cli.feed("terminal pager 0\n")
    whole = cli.feed("show running-config access-list\n")
    assert "More" not in whole and whole.count("\r\n") == len(lines) + 1


def test_space_pages_to_the_end_then_prompt() -> None:
    cli, _ = make_cli("juniper_junos")
    out = cli.feed("show configuration security | display set\n")
    while cli.awaiting == "more":
        out += cli.feed(" ")
    assert out.endswith("admin@srx1> ")
    assert "deactivate security policies global policy decrypt-test" in out


def test_junos_no_more_and_screen_length() -> None:
    cli, log = make_cli("juniper_junos")
    assert "---(more)---" not in cli.feed("show configuration security | display set | no-more\n")
    assert "Screen length set to 0" in cli.feed("set cli screen-length 0\n")
    assert "---(more)---" not in cli.feed("show configuration security | display set\n")
    assert log.configuration_commands() == []


def test_panos_pager_off() -> None:
    cli, _ = make_cli("paloalto_panos")
    assert cli.feed("show config running\n").endswith("--more--")
    cli.feed("q")
    cli.feed("set cli pager off\n")
    assert cli.feed("show config running\n").endswith("</config>\r\nadmin@PA-VM> ")


def test_fortigate_console_output_more_pages_and_config_is_recorded() -> None:
    cli, log = make_cli("fortinet", state={"console_output": "more"})
    assert cli.feed("show firewall address\n").endswith("--More-- ")
    cli.feed("q")
    assert "output              : more" in cli.feed("get system console\n")
    assert cli.feed("config system console\n").endswith("FGT-1 (console) # ")
    cli.feed("set output standard\n")
    assert cli.feed("end\n").endswith("\r\nFGT-1 # ")
    assert cli.device.get_state("console_output") == "standard"
    assert not cli.feed("show firewall address\n").endswith("--More-- ")
    assert log.configuration_commands() == ["config system console", "set output standard", "end"]
    assert [e.context for e in log.entries if e.configuration] == ["", "console", "console"]


def test_fortigate_nested_config_global() -> None:
    cli, _ = make_cli("fortinet")
    assert cli.feed("config global\n").endswith("FGT-1 (global) # ")
    assert cli.feed("config system console\n").endswith("FGT-1 (console) # ")
    assert cli.feed("end\n").endswith("FGT-1 (global) # ")
    assert cli.feed("end\n").endswith("\r\nFGT-1 # ")


def test_configuration_modes_are_logged_as_configuration() -> None:
    cli, log = privileged_asa()
    assert cli.feed("configure terminal\n").endswith("asa-fw1(config)# ")
    cli.feed("terminal width 511\n")
    assert cli.feed("end\n").endswith("asa-fw1# ")
    assert log.configuration_commands() == ["configure terminal", "terminal width 511", "end"]
    junos, junos_log = make_cli("juniper_junos")
    out = junos.feed("configure\n")
    assert out.endswith("Entering configuration mode\r\n\r\n[edit]\r\nadmin@srx1# ")
    junos.feed("exit configuration-mode\n")
    assert junos_log.configuration_commands() == ["configure", "exit configuration-mode"]


@pytest.mark.parametrize(
    ("platform", "command", "expected"),
    [
        ("fortinet", "get system status | grep Virtual", ["Virtual domains status: 1 in NAT mode, 0 in TP mode",
                                                          "Virtual domain configuration: disable"]),
        ("fortinet", "get system status | grep -i ^hostname", ["Hostname: FGT-1"]),
        ("cisco_asa", "show running-config access-group | include global", ["access-group GLOBAL-POLICY global"]),
        ("cisco_asa", "show running-config access-group | exclude in interface", ["access-group GLOBAL-POLICY global"]),
        ("juniper_junos", "show version | match Junos:", ["Junos: 21.4R3-S5.4"]),
    ],
)
def test_output_pipes(platform: str, command: str, expected: list[str]) -> None:
    cli, _ = privileged_asa() if platform == "cisco_asa" else make_cli(platform)
    out = cli.feed(command + "\n").split("\r\n")
    assert [line for line in out[1:-1] if line] == expected  # Junos prints a blank line before its prompt


def test_line_editing_and_ctrl_c() -> None:
    cli, log = privileged_asa()
    assert cli.feed("shox\x7f") == "shox\b \b"
    cli.feed("w curpriv\r\n")
    assert log.commands()[-1] == "show curpriv"
    assert cli.feed("show ver\x03").endswith("^C\r\nasa-fw1# ")
    assert log.commands()[-1] == "show curpriv"


def test_fortigate_post_login_banner_waits_for_accept() -> None:
    log = CommandLog()
    device = load_device(DEVICES / "fortinet", accept_banner=True, banner="Use of this system is monitored.\n")
    cli = CliSession(device, log, 1, USER, check_login=lambda u, p: False, secret=None)
    assert cli.greeting().endswith("(Press 'a' to accept):")
    assert cli.feed("x") == ""
    assert cli.feed("a").endswith("FGT-1 # ")


def test_exit_closes_the_session() -> None:
    cli, log = make_cli("juniper_junos")
    cli.feed("exit\n")
    assert cli.closed and log.commands() == ["exit"]
